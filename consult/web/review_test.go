package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// TestLanguageLinkStaysOnSite: a request path starting with // must not
// turn the language switch into a link to another host.
func TestLanguageLinkStaysOnSite(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	r := c.get("//evil.example/x")
	r.wantStatus(t, http.StatusNotFound)
	if strings.Contains(r.body, `href="//evil.example`) || !strings.Contains(r.body, `href="/evil.example/x?lang=cy"`) {
		t.Fatalf("language link on %s:\n%s", r.path, r.body)
	}
}

// TestOverBudgetLeftIsZero: over budget, "Left" says 0 points (the bar
// says how many to give back), with or without JavaScript.
func TestOverBudgetLeftIsZero(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("lot-1")
	form := lotForm(e.k.Grid.MaxPackage())
	form.Set("action", "recalculate")
	r := c.post(base+"/lot-1", form)
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(r.plain, "Left 0 points") || strings.Contains(r.plain, "Left -") {
		t.Fatalf("over budget, the bar says: %q", r.plain[:min(len(r.plain), 600)])
	}
	r.wantText(t, "points over budget")
}

// TestClosingTimes: closing times show in UK time in the GOV.UK style, a
// midnight close as the end of the day before, and a consultation closed
// by hand before its date does not claim to have closed on that date.
func TestClosingTimes(t *testing.T) {
	closes := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) // midnight, GMT
	e := newEnv(t, func(k *consult.Consultation) { k.ClosesAt = closes })
	c := e.newClient(t)
	r := c.get("/")
	r.wantText(t, "Closes at 11:59pm on 30 November 2026.")
	r = c.get(base)
	r.wantText(t, "This consultation closes at 11:59pm on 30 November 2026.")

	summer := newEnv(t, func(k *consult.Consultation) { k.ClosesAt = time.Date(2027, 6, 30, 16, 0, 0, 0, time.UTC) })
	summer.newClient(t).get("/").wantText(t, "Closes at 5pm on 30 June 2027.") // BST

	if err := e.store.SetStatus(context.Background(), e.k.Slug, consult.Closed); err != nil {
		t.Fatal(err)
	}
	r = c.get("/")
	r.wantText(t, "(closed)")
	if strings.Contains(r.plain, "closed on 1 December") || strings.Contains(r.plain, "closed on 30 November") {
		t.Errorf("a consultation closed by hand claims its future closing date: %q", r.plain)
	}
}
