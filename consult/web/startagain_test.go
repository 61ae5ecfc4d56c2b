package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestStartAgain: every stage offers "Start again", which asks once and
// then forgets this browser's response; the partial response stays in the
// store (for drop-off figures).
func TestStartAgain(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("check-answers")
	id := c.responseID()
	for _, st := range stageOrder {
		r := c.get(base + "/" + st)
		r.wantStatus(t, http.StatusOK)
		if !strings.Contains(r.body, `href="`+base+`/start-again?from=`+st+`"`) {
			t.Errorf("%s offers no Start again", st)
		}
	}
	// It asks first: the question page changes nothing.
	r := c.get(base + "/start-again?from=lot-2")
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "Start again?")
	if !strings.Contains(r.body, `href="`+base+`/lot-2"`) {
		t.Error("the question offers no way back to the page it came from")
	}
	if c.responseID() != id {
		t.Fatal("asking forgot the response")
	}
	// A from that is not a stage is not echoed.
	if r := c.get(base + "/start-again?from=//evil.example"); strings.Contains(r.body, `href="//evil.example`) || !strings.Contains(r.body, `class="govuk-back-link">`) || !strings.Contains(r.body, `href="`+base+`" class="govuk-back-link"`) {
		t.Error("start-again echoes a from that is not a stage")
	}
	c.post(base+"/start-again", nil).wantRedirect(t, base)
	if v := c.sessionValues(); len(v) != 0 {
		t.Errorf("after Start again the session still holds %v", v)
	}
	c.get(base+"/lot-2").wantRedirect(t, base)
	st, err := e.store.Response(context.Background(), id)
	if err != nil || st.Completed() || st.Reached == 0 {
		t.Errorf("the partial response did not stay: %v, %+v", err, st)
	}
	// The start page starts a new response.
	c.get(base)
	c.post(base+"/start", nil).wantRedirect(t, base+"/about-you")
	if c.responseID() == id {
		t.Error("starting after Start again continued the forgotten response")
	}
}

// TestConfirmationEndsSession: once the confirmation page is shown, the
// browser holds nothing of the response: the next person at a shared
// computer inherits nothing.
func TestConfirmationEndsSession(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("submitted")
	r := c.get(base + "/confirmation")
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "Your reference")
	if v := c.sessionValues(); len(v) != 0 {
		t.Errorf("after the confirmation page the session still holds %v", v)
	}
	c.get(base+"/confirmation").wantRedirect(t, base)
	c.get(base+"/check-answers").wantRedirect(t, base)
}
