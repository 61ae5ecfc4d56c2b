package web_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// FuzzLotForm posts arbitrary form bodies to lot 2 of a journey whose
// lot 1 is answered (so the additive floor applies). The reply is never a
// 5xx, and the stored response is either unchanged or holds a valid lot 2
// package with everything else as it was.
func FuzzLotForm(f *testing.F) {
	e := newEnv(f)
	c := e.newClient(f)
	c.answerUntil("lot-2")
	token := c.token()
	id := c.responseID()
	ctx := context.Background()

	f.Add(lotForm(lot2).Encode())
	f.Add(lotForm(lot1).Encode() + "&action=recalculate")
	f.Add(lotForm(lot2).Encode() + "&return=check")
	f.Add(set(lotForm(lot2), "s.roads", "1").Encode())
	f.Add(set(lotForm(lot2), "s.roads", "9").Encode())
	f.Add(set(lotForm(lot2), "s.roads", "-1").Encode())
	f.Add(set(lotForm(lot2), "s.roads", "99999999999999999999").Encode())
	f.Add(set(lotForm(lot2), "s.roads", "3", "3").Encode())
	f.Add(without(lotForm(lot2), "s.climate").Encode())
	f.Add(lotForm(with(lot2, map[string]int{"roads": 5})).Encode())
	f.Add("s.roads=%FF&s.roads=%zz&=&&&;")
	f.Add("")
	f.Add("action=recalculate")
	f.Add(strings.Repeat("s.youth=4&", 100))

	f.Fuzz(func(t *testing.T, body string) {
		before, err := e.store.Response(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		c.tb = t
		defer func() { c.tb = f }()
		r := c.postRaw(base+"/lot-2", "_csrf="+token+"&"+body)
		if r.status >= 500 {
			t.Fatalf("status %d for body %q; log:\n%s", r.status, body, e.logs.String())
		}
		if r.status == http.StatusSeeOther {
			if loc := r.header.Get("Location"); loc != base+"/lot-3" && loc != base+"/check-answers" {
				t.Errorf("redirect to %q", loc)
			}
		}
		after, err := e.store.Response(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if sameResponse(before, after) == "" {
			if r.status == http.StatusSeeOther {
				t.Errorf("303 without saving for body %q", body)
			}
			return
		}
		if r.status != http.StatusSeeOther {
			t.Errorf("status %d but the stored response changed, body %q", r.status, body)
		}
		if len(after.Answers.Lots) != 2 || !reflect.DeepEqual(after.Answers.Lots[0], before.Answers.Lots[0]) {
			t.Fatalf("lots became %v (were %v) for body %q", after.Answers.Lots, before.Answers.Lots, body)
		}
		if errs := e.flow.CheckLot(after, 2, after.Answers.Lots[1]); len(errs) > 0 {
			t.Errorf("stored an invalid lot 2 %v for body %q: %v", after.Answers.Lots[1], body, errs)
		}
		b, a := before.Answers, after.Answers
		b.Lots, a.Lots = nil, nil
		if !reflect.DeepEqual(a, b) {
			t.Errorf("answers other than lot 2 changed for body %q", body)
		}
		if after.Reached != e.flow.Index("lot-2")+1 && after.Reached != before.Reached {
			t.Errorf("reached %d (was %d)", after.Reached, before.Reached)
		}
	})
}
