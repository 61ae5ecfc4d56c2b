package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

// wantChecked fails unless the page shows package p (0: nothing chosen).
func wantChecked(t *testing.T, r *resp, p grid.Package) {
	t.Helper()
	for i, s := range services {
		var want []string
		if p[i] != 0 {
			want = []string{strconv.Itoa(p[i])}
		}
		if got := r.checked("s." + s); !slices.Equal(got, want) {
			t.Errorf("%s: %s checked %v, want %v", r.path, s, got, want)
		}
	}
}

// TestSaveForLaterKeepsTheScreen: "Save and come back later" on a lot page
// that breaks the rules (over budget, or a service left unchosen) keeps
// exactly what was on the screen as a draft of that lot; the lot is not
// answered, Continue still checks it, and the resumed page shows it.
func TestSaveForLaterKeepsTheScreen(t *testing.T) {
	e := newEnv(t)
	over := with(lot1, map[string]int{"climate": 2, "roads": 4})
	incomplete := with(lot1, map[string]int{"buses": 0})
	for name, p := range map[string]grid.Package{"over budget": over, "incomplete": incomplete} {
		t.Run(name, func(t *testing.T) {
			c := e.newClient(t)
			c.answerUntil("lot-1")
			reached := c.stored().Reached
			form := lotForm(p)
			if name == "incomplete" {
				form.Del("s.buses")
			}
			form.Set("action", "save")
			c.post(base+"/lot-1", form).wantRedirect(t, base+"/saved")
			st := c.stored()
			if st.Reached != reached || len(st.Answers.Lots) != 0 {
				t.Errorf("saving an unfinished lot answered it: reached %d (was %d), lots %v", st.Reached, reached, st.Answers.Lots)
			}
			if got := st.Answers.Drafts[1]; !slices.Equal(got, p) {
				t.Errorf("draft of lot 1 %v, want %v", got, p)
			}
			// The same browser comes back to the page…
			r := c.get(base + "/lot-1")
			r.wantStatus(t, http.StatusOK)
			wantChecked(t, r, p)
			// …and so does another device with the resume code.
			code, _ := c.sessionValues()["saved:"+slug].(string)
			d := e.newClient(t)
			d.get(base + "/resume")
			d.post(base+"/resume", url.Values{"code": {code}}).wantRedirect(t, base+"/lot-1")
			r = d.get(base + "/lot-1")
			r.wantStatus(t, http.StatusOK)
			wantChecked(t, r, p)
			// Continue still checks the lot.
			form.Set("action", "continue")
			d.post(base+"/lot-1", form).wantStatus(t, http.StatusUnprocessableEntity)
			// A valid Continue answers the lot and drops the draft.
			d.post(base+"/lot-1", lotForm(lot1)).wantRedirect(t, base+"/lot-2")
			if st := d.stored(); len(st.Answers.Drafts) != 0 || !slices.Equal(st.Answers.Lots[0], lot1) {
				t.Errorf("after Continue: drafts %v, lots %v", st.Answers.Drafts, st.Answers.Lots)
			}
		})
	}
}

// TestLotErrorKeepsOtherChoices: a field error on a lot page shows every
// other choice the resident posted, not the stored or starting package.
func TestLotErrorKeepsOtherChoices(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("lot-1")
	p := with(lot1, map[string]int{"roads": 1, "libraries": 1, "youth": 4})
	for _, bad := range []string{"", "9"} {
		form := lotForm(p)
		if bad == "" {
			form.Del("s.buses")
		} else {
			form.Set("s.buses", bad)
		}
		r := c.post(base+"/lot-1", form)
		r.wantStatus(t, http.StatusUnprocessableEntity)
		wantChecked(t, r, with(p, map[string]int{"buses": 0}))
	}
}

// TestLanguageSwitchKeepsTheLot: on a lot page the language switch posts
// the page, so unsaved choices survive it, and comes back to the service
// the resident was at.
func TestLanguageSwitchKeepsTheLot(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("lot-1")
	r := c.get(base + "/lot-1")
	r.wantStatus(t, http.StatusOK)
	// The switch is a button of the lot's form, aimed at the page in Welsh.
	if !regexp.MustCompile(`<button[^>]*form="bg-stage"[^>]*formaction="/c/` + slug + `/lot-1\?lang=cy"[^>]*name="action" value="language"`).MatchString(r.body) {
		t.Fatal("the lot page's language switch is not a button of its form")
	}
	before := c.stored()
	p := with(lot1, map[string]int{"roads": 4, "climate": 2}) // over budget, unsaved
	form := lotForm(p)
	form.Set("action", "language")
	form.Set("place", "group-buses")
	c.post(base+"/lot-1?lang=cy", form).wantRedirect(t, base+"/lot-1#group-buses")
	r = c.get(base + "/lot-1")
	r.wantStatus(t, http.StatusOK)
	if !strings.Contains(r.body, `<html lang="cy"`) {
		t.Error("the page after the switch is not in Welsh")
	}
	if !strings.Contains(r.body, `id="group-buses"`) {
		t.Error("the place the switch returns to is not on the page")
	}
	wantChecked(t, r, p)
	if st := c.stored(); st.Reached != before.Reached || len(st.Answers.Lots) != len(before.Answers.Lots) {
		t.Errorf("switching language answered the lot: reached %d, lots %v", st.Reached, st.Answers.Lots)
	}
	// A place that is not a service on the page is not echoed.
	form.Set("place", "x\"><script>")
	c.post(base+"/lot-1?lang=en", form).wantRedirect(t, base+"/lot-1")
}

// TestUnspentWarning: Continue on a lot that leaves most of its budget
// unspent asks once, with a GOV.UK warning, before saving it; the share is
// the definition's (default one half; 0 turns it off).
func TestUnspentWarning(t *testing.T) {
	low := with(e0(), map[string]int{"roads": 3}) // a few points of 62
	t.Run("default", func(t *testing.T) {
		e := newEnv(t)
		c := e.newClient(t)
		c.answerUntil("lot-1")
		before := c.stored()
		r := c.post(base+"/lot-1", lotForm(low))
		r.wantStatus(t, http.StatusUnprocessableEntity)
		r.wantText(t, "govuk-warning-text", "of your 62 points unspent")
		wantChecked(t, r, low)
		if d := sameResponse(before, c.stored()); d != "" {
			t.Errorf("the warning saved the lot: %s", d)
		}
		// The page carries the confirmation: Continue again saves.
		if !slices.ContainsFunc(r.inputs(), func(in input) bool { return in.name == "unspent" && in.value == "confirmed" }) {
			t.Fatal("the warning page does not carry the confirmation")
		}
		c.post(base+"/lot-1", set(lotForm(low), "unspent", "confirmed")).wantRedirect(t, base+"/lot-2")
		// A lot that spends more than half is not questioned.
		c.post(base+"/lot-1", lotForm(with(lot1, map[string]int{"roads": 1}))).wantRedirect(t, base+"/lot-2")
	})
	t.Run("off", func(t *testing.T) {
		off := 0.0
		e := newEnv(t, func(k *consult.Consultation) { k.UnspentWarning = &off })
		c := e.newClient(t)
		c.answerUntil("lot-1")
		c.post(base+"/lot-1", lotForm(low)).wantRedirect(t, base+"/lot-2")
	})
}

// e0 is the package with every service at level 1.
func e0() grid.Package {
	p := make(grid.Package, len(services))
	for i := range p {
		p[i] = 1
	}
	return p
}

// TestResumeCodeCharacters: a code typed with a character codes never use
// is refused with a message saying which ones they do not use.
func TestResumeCodeCharacters(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.get(base+"/resume").wantText(t, "except I, L and O")
	r := c.post(base+"/resume", url.Values{"code": {"K7QM-3XPA-9FT0"}})
	r.wantStatus(t, http.StatusUnprocessableEntity)
	r.wantText(t, "Codes have no I, L, O, 0 or 1")
}

// TestInformationPages: the accessibility statement, the privacy notice
// (made from what the consultation stores) and the cookies page, linked
// from every page's footer, in both languages.
func TestInformationPages(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	r := c.get(base)
	for _, href := range []string{"/accessibility", base + "/privacy", "/cookies"} {
		if !strings.Contains(r.body, `href="`+href+`"`) {
			t.Errorf("the start page's footer does not link to %s", href)
		}
	}
	r = c.get("/accessibility")
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "WCAG", "2.2 AA", "another format", "Equality and Human Rights Commission")
	r = c.get(base + "/privacy")
	r.wantStatus(t, http.StatusOK)
	for _, q := range e.k.Questions {
		r.wantText(t, q.Text)
	}
	r.wantText(t, "4 rounds", "30 days", "We do not ask for your name")
	r = c.get("/cookies")
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "budgetgrid:", "budgetgrid_lang:", "no cookies for analytics")
	r = c.get(base + "/privacy?lang=cy")
	r.wantText(t, "Hysbysiad preifatrwydd")
	c.get("/accessibility?lang=cy").wantText(t, "Datganiad hygyrchedd")
	c.get("/cookies?lang=cy").wantText(t, "Cwcis")
	for name, body := range c.pages {
		for _, p := range idProblems(body) {
			t.Errorf("%s: %s", name, p)
		}
	}
}

// TestStepCosts: each level above the lowest shows what it costs over the
// level below, next to its cumulative points.
func TestStepCosts(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("lot-1")
	r := c.get(base + "/lot-1")
	for _, sv := range e.k.Grid.Services {
		for li := 1; li < len(sv.Levels); li++ {
			step := sv.Levels[li].Points - sv.Levels[li-1].Points
			unit := "points"
			if step == 1 {
				unit = "point"
			}
			want := strconv.Itoa(sv.Levels[li].Points) + " points</span> <span class=\"bg-level__step\">(+" + strconv.Itoa(step) + " " + unit + ")"
			if sv.Levels[li].Points == 1 {
				want = "1 point</span> <span class=\"bg-level__step\">(+" + strconv.Itoa(step) + " " + unit + ")"
			}
			if !strings.Contains(r.text, want) {
				t.Errorf("%s level %d: no step cost %q", sv.Key, li+1, want)
			}
		}
	}
}
