package web_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/grid"
)

// TestPackagesFitTheirLots guards the fixtures: every lot package costs
// no more than its budget and no level falls from one lot to the next.
func TestPackagesFitTheirLots(t *testing.T) {
	e := newEnv(t)
	if got := e.k.Grid.Services; len(got) != len(services) {
		t.Fatalf("grid has %d services, fixtures %d", len(got), len(services))
	}
	for i, s := range e.k.Grid.Services {
		if s.Key != services[i] {
			t.Fatalf("service %d is %s, fixtures say %s", i, s.Key, services[i])
		}
	}
	if errs := e.k.Grid.CheckLots(e.flow.Plan, lots); len(errs) > 0 {
		t.Fatalf("fixture lots break the rules: %v", errs)
	}
}

// TestHappyPath walks the whole journey over HTTP and checks the pages,
// the redirects and the stored answers.
func TestHappyPath(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)

	r := c.get(base)
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, e.k.Title, "Start now", "about 15 minutes")
	c.post(base+"/start", nil).wantRedirect(t, base+"/about-you")

	budgets := []int{62, 69, 77, 85}
	for i, st := range stageOrder[:len(stageOrder)-1] {
		t.Run(st, func(t *testing.T) {
			c.tb = t
			defer func() { c.tb = nil }()
			r := c.get(base + "/" + st)
			r.wantStatus(t, http.StatusOK)
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", r.header.Get("Cache-Control"))
			}
			if strings.HasPrefix(st, "lot-") {
				n, _ := strconv.Atoi(strings.TrimPrefix(st, "lot-"))
				r.wantText(t, "Lot "+strconv.Itoa(n)+" of 4", "Spend a budget of "+strconv.Itoa(budgets[n-1])+" points")
				// The page starts from the previous lot's package (additive).
				start := e.k.Grid.BasePackage()
				if n > 1 {
					start = lots[n-2]
				}
				for si, s := range services {
					if got, want := r.checked("s."+s), []string{strconv.Itoa(start[si])}; !slices.Equal(got, want) {
						t.Errorf("%s: checked %v, want %v", s, got, want)
					}
					// Levels below the previous lot's cannot be chosen.
					var locked []string
					for l := 1; n > 1 && l < start[si]; l++ {
						locked = append(locked, strconv.Itoa(l))
					}
					if got := r.disabled("s." + s); !slices.Equal(got, locked) {
						t.Errorf("%s: disabled %v, want %v", s, got, locked)
					}
				}
				if n == 4 {
					// 8 points above today's 77; a point (£500,000) over 250,000 Band D homes is £2.
					r.wantText(t, "council tax on a Band D home would rise by up to £16 a year")
				}
			}
			c.post(base+"/"+st, stageForm(st)).wantRedirect(t, base+"/"+stageOrder[i+1])
		})
		c.tb = t
		if t.Failed() {
			t.FailNow()
		}
	}

	r = c.get(base + "/check-answers")
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "Check your answers before sending them")
	sum := r.summary()
	checks := []struct {
		section, key, value, change string
	}{
		{"About you", "Where do you live?", "Marshby", "about-you"},
		{"About you", "How old are you?", "35 to 54", "about-you"},
		{"About you", "Do you or someone you care for receive adult social care?", "Prefer not to say", "about-you"},
		{"Your current service", "Road and pavement repairs", "Reduced", "current-service"},
		{"Your current service", "Libraries", "As now", "current-service"},
		{"Your current service", "Bus routes and community transport", "Not sure", "current-service"},
		{"Levels you would not accept", "Libraries", "Online and three main libraries; Reduced", "unacceptable-levels"},
		{"Levels you would not accept", "Street lighting", "None", "unacceptable-levels"},
		{"Lot 1: budget of 62 points", "Road and pavement repairs", "Reduced (8 points)", "lot-1"},
		{"Lot 1: budget of 62 points", "Climate and net zero", "No new projects (0 points)", "lot-1"},
		{"Lot 1: budget of 62 points", "Total", "62 of 62 points", ""},
		{"Lot 2: budget of 69 points", "Road and pavement repairs", "As now (14 points)", "lot-2"},
		{"Lot 2: budget of 69 points", "Total", "68 of 69 points", ""},
		{"Lot 3: budget of 77 points", "Total", "75 of 77 points", ""},
		{"Lot 4: budget of 85 points", "Road and pavement repairs", "Improved (20 points)", "lot-4"},
		{"Lot 4: budget of 85 points", "Youth services", "Improved (5 points)", "lot-4"},
		{"Lot 4: budget of 85 points", "Total", "83 of 85 points", ""},
		{"Comments", "Your comments", "Fix the roads first, please. And keep the libraries open.", "comments"},
	}
	for _, ch := range checks {
		t.Run("summary/"+ch.section+"/"+ch.key, func(t *testing.T) {
			sec, ok := sum[ch.section]
			if !ok {
				t.Fatalf("no section %q; have %v", ch.section, keys(sum))
			}
			row := sec.row(t, ch.key)
			if row.value != ch.value {
				t.Errorf("value %q, want %q", row.value, ch.value)
			}
			want := ""
			if ch.change != "" {
				want = base + "/" + ch.change + "?return=check"
			}
			if row.change != want {
				t.Errorf("change link %q, want %q", row.change, want)
			}
		})
	}
	for h, sec := range sum {
		if sec.invalid != "" {
			t.Errorf("section %q marked invalid: %s", h, sec.invalid)
		}
	}

	c.post(base+"/check-answers", nil).wantRedirect(t, base+"/confirmation")
	id := c.responseID() // the confirmation page ends the session
	r = c.get(base + "/confirmation")
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "Answers sent", "Your choices at lot 4 (budget 85 points), compared with today")
	ref := regexp.MustCompile(`<strong>([A-Z2-9]{4}-[A-Z2-9]{4})</strong>`).FindStringSubmatch(r.body)
	if ref == nil {
		t.Fatalf("confirmation shows no reference like XXXX-XXXX")
	}
	for _, row := range []string{
		"Road and pavement repairs As now Improved higher",
		"Youth services As now Improved higher",
		"Climate and net zero As now No new projects lower",
		"Libraries As now As now Family hubs", // no tag: the next row follows
		"Total 77 points 83 points",
	} {
		if !strings.Contains(r.plain, row) {
			t.Errorf("confirmation has no row %q", row)
		}
	}

	got, err := e.store.Response(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Completed() {
		t.Fatalf("stored response is not complete")
	}
	if got.Reference != ref[1] {
		t.Errorf("stored reference %q, page shows %q", got.Reference, ref[1])
	}
	if got.Channel != "online" || got.GridVersion != e.k.GridVersion || got.ConsultationID != e.k.ID {
		t.Errorf("stored channel %q grid version %d consultation %d, want online %d %d", got.Channel, got.GridVersion, got.ConsultationID, e.k.GridVersion, e.k.ID)
	}
	a := got.Answers
	// care was answered "Prefer not to say": kept as "" (exported as empty).
	if want := map[string]string{"area": "marshby", "age_band": "35-54", "sex": "female", "children": "no", "care": ""}; !reflect.DeepEqual(a.About, want) {
		t.Errorf("about %v, want %v", a.About, want)
	}
	if want := []int{2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}; !slices.Equal(a.Current, want) {
		t.Errorf("current %v, want %v", a.Current, want)
	}
	if len(a.Unacceptable) != len(services) {
		t.Errorf("unacceptable has %d services, want %d", len(a.Unacceptable), len(services))
	} else {
		for i, s := range services {
			var want []int
			switch s {
			case "roads", "reablement":
				want = []int{1}
			case "libraries":
				want = []int{1, 2}
			}
			if !slices.Equal(a.Unacceptable[i], want) {
				t.Errorf("unacceptable %s %v, want %v", s, a.Unacceptable[i], want)
			}
		}
	}
	if !reflect.DeepEqual(a.Lots, lots) {
		t.Errorf("lots %v, want %v", a.Lots, lots)
	}
	if want := "Fix the roads first, please.\nAnd keep the libraries open."; a.Comments != want {
		t.Errorf("comments %q, want %q", a.Comments, want)
	}

	// The journey is over and the browser holds nothing of it: the start
	// page offers a new start, and the stages send there.
	r = c.get(base)
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "Start now")
	c.get(base+"/check-answers").wantRedirect(t, base)
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestChangeFromCheckAnswers changes lot 1 from the summary so that lot 2
// breaks the additive rule, and checks that lot 2 must be revisited.
func TestChangeFromCheckAnswers(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("check-answers")

	// Lot 1 now buys better trading standards (lot 2 has level 2) and
	// pays for it with fewer recycling centres: 61 points.
	newLot1 := with(lot1, map[string]int{"trading_standards": 3, "recycling": 2})
	r := c.get(base + "/lot-1?return=check")
	r.wantStatus(t, http.StatusOK)
	r.wantText(t, "Save and return to your answers")
	if !strings.Contains(r.body, `action="`+base+`/lot-1?return=check"`) {
		t.Errorf("lot-1 form does not post back with return=check")
	}
	if !strings.Contains(r.body, `<a href="`+base+`/check-answers" class="govuk-back-link">`) {
		t.Errorf("back link does not go to check-answers")
	}
	form := lotForm(newLot1)
	form.Set("return", "check")
	c.post(base+"/lot-1?return=check", form).wantRedirect(t, base+"/check-answers")

	r = c.get(base + "/check-answers")
	r.wantStatus(t, http.StatusOK)
	sum := r.summary()
	if got := sum["Lot 2: budget of 69 points"].invalid; !strings.Contains(got, "Your choices for lot 2 no longer fit the rules") {
		t.Errorf("lot 2 section not marked invalid: %q", got)
	}
	for _, h := range []string{"Lot 1: budget of 62 points", "Lot 3: budget of 77 points", "Lot 4: budget of 85 points"} {
		if sum[h].invalid != "" {
			t.Errorf("section %q marked invalid: %s", h, sum[h].invalid)
		}
	}
	if es := r.errorSummary(); !slices.Contains(es, "Check your choices for lot 2") {
		t.Errorf("error summary %q does not point to lot 2", es)
	}
	if got := sum["Lot 1: budget of 62 points"].row(t, "Total").value; got != "61 of 62 points" {
		t.Errorf("lot 1 total %q, want 61 of 62 points", got)
	}

	before := c.stored()
	r = c.post(base+"/check-answers", nil)
	r.wantStatus(t, http.StatusUnprocessableEntity)
	es := r.errorSummary()
	if !slices.Contains(es, "Check your choices for lot 2") {
		t.Errorf("error summary %q does not point to lot 2", es)
	}
	for _, m := range es {
		// Every question has been answered: saying otherwise misleads.
		if strings.Contains(m, "Answer every question") {
			t.Errorf("error summary says %q, but the resident has answered every question; lot 2 is what needs changing", m)
		}
	}
	if d := sameResponse(before, c.stored()); d != "" {
		t.Errorf("refused submission changed the stored response: %s", d)
	}
	if c.stored().Completed() {
		t.Fatalf("response completed with an invalid lot 2")
	}

	// Lot 2 shows its answer lifted to the new floor, lower levels locked.
	r = c.get(base + "/lot-2?return=check")
	r.wantStatus(t, http.StatusOK)
	if got := r.checked("s.trading_standards"); !slices.Equal(got, []string{"3"}) {
		t.Errorf("trading standards checked %v, want lifted to [3]", got)
	}
	if got := r.disabled("s.trading_standards"); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("trading standards disabled %v, want [1 2]", got)
	}
	if got := r.checked("s.roads"); !slices.Equal(got, []string{"3"}) {
		t.Errorf("roads checked %v, want lot 2's answer [3]", got)
	}
	if got := r.disabled("s.recycling"); !slices.Equal(got, []string{"1"}) {
		t.Errorf("recycling disabled %v, want [1] (new lot 1 level 2)", got)
	}
	r.wantText(t, "Spent 69 points")
	// Continue with what the page shows (the browser sends the checked radios).
	var shown grid.Package
	for _, s := range services {
		v := r.checked("s." + s)
		if len(v) != 1 {
			t.Fatalf("%s: %d levels checked", s, len(v))
		}
		n, _ := strconv.Atoi(v[0])
		shown = append(shown, n)
	}
	form = lotForm(shown)
	form.Set("return", "check")
	c.post(base+"/lot-2?return=check", form).wantRedirect(t, base+"/check-answers")

	r = c.get(base + "/check-answers")
	r.wantStatus(t, http.StatusOK)
	for h, sec := range r.summary() {
		if sec.invalid != "" {
			t.Errorf("after fixing lot 2, section %q still marked: %s", h, sec.invalid)
		}
	}
	c.post(base+"/check-answers", nil).wantRedirect(t, base+"/confirmation")
	got := c.stored()
	if !got.Completed() {
		t.Fatal("response not completed")
	}
	want := []grid.Package{newLot1, with(lot2, map[string]int{"trading_standards": 3}), lot3, lot4}
	if !reflect.DeepEqual(got.Answers.Lots, want) {
		t.Errorf("stored lots %v, want %v", got.Answers.Lots, want)
	}
}

// TestRecalculate checks the no-JavaScript Recalculate button: new totals,
// status 200, nothing saved.
func TestRecalculate(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name  string
		stage string
		p     grid.Package
		want  []string
		over  bool
	}{
		{"within budget", "lot-1", lot1, []string{"Spent 62 points", "Left 0 points", "You have spent £31,000,000 a year."}, false},
		{"base package", "lot-1", e.k.Grid.BasePackage(), []string{"Spent 0 points", "Left 62 points"}, false},
		{"over budget", "lot-1", with(lot1, map[string]int{"climate": 2}), []string{"Spent 65 points", "You are 3 points over budget"}, true},
		{"over by one", "lot-1", with(lot1, map[string]int{"youth": 4}), []string{"Spent 64 points"}, true},
		{"above today", "lot-4", with(lot4, map[string]int{"roads": 5}), []string{"Spent 90 points", "You are 5 points over budget", "That is 13 points above today's spending: £26 a year more on a Band D council tax bill."}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := e.newClient(t)
			c.answerUntil(tc.stage)
			before := c.stored()
			form := lotForm(tc.p)
			form.Set("action", "recalculate")
			r := c.post(base+"/"+tc.stage, form)
			r.wantStatus(t, http.StatusOK)
			r.wantText(t, tc.want...)
			if got := strings.Contains(r.body, "bg-budget--over"); got != tc.over {
				t.Errorf("over-budget panel %v, want %v", got, tc.over)
			}
			if got := strings.Contains(r.plain, "over budget"); got != tc.over {
				t.Errorf("says over budget %v, want %v", got, tc.over)
			}
			if es := r.errorSummary(); len(es) > 0 {
				t.Errorf("recalculate shows errors %q", es)
			}
			// The page shows the posted package, not the stored one.
			for i, s := range services {
				if got := r.checked("s." + s); !slices.Equal(got, []string{strconv.Itoa(tc.p[i])}) {
					t.Errorf("%s checked %v, want %d", s, got, tc.p[i])
				}
			}
			if d := sameResponse(before, c.stored()); d != "" {
				t.Errorf("recalculate changed the stored response: %s", d)
			}
		})
	}
}

// TestBackButton checks that earlier stages show the stored answers and
// that answering one again keeps the later answers.
func TestBackButton(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.answerUntil("comments")

	t.Run("earlier pages show stored answers", func(t *testing.T) {
		r := c.get(base + "/about-you")
		r.wantStatus(t, http.StatusOK)
		for name, want := range map[string]string{"about.area": "marshby", "about.age_band": "35-54", "about.sex": "female", "about.children": "no", "about.care": ""} {
			if got := r.checked(name); !slices.Equal(got, []string{want}) {
				t.Errorf("%s checked %v, want [%q]", name, got, want)
			}
		}
		r = c.get(base + "/current-service")
		if got := r.checked("current.roads"); !slices.Equal(got, []string{"2"}) {
			t.Errorf("current roads checked %v, want [2]", got)
		}
		// "Not sure" is stored as no answer and, like any radio, is not
		// pre-selected (GOV.UK: never pre-select radios).
		if got := r.checked("current.buses"); len(got) != 0 {
			t.Errorf("current buses checked %v, want none", got)
		}
		r = c.get(base + "/unacceptable-levels")
		if got := r.checked("unacceptable.libraries"); !slices.Equal(got, []string{"1", "2"}) {
			t.Errorf("unacceptable libraries checked %v, want [1 2]", got)
		}
		for n, p := range lots {
			r = c.get(base + "/lot-" + strconv.Itoa(n+1))
			r.wantStatus(t, http.StatusOK)
			for i, s := range services {
				if got := r.checked("s." + s); !slices.Equal(got, []string{strconv.Itoa(p[i])}) {
					t.Errorf("lot %d %s checked %v, want %d", n+1, s, got, p[i])
				}
			}
		}
		// The back link of a lot goes to the stage before.
		if !strings.Contains(r.body, `<a href="`+base+`/lot-3" class="govuk-back-link">`) {
			t.Errorf("lot-4 back link does not go to lot-3")
		}
	})

	resubmit := []struct {
		stage string
		form  url.Values
	}{
		{"about-you", url.Values{"about.area": {"eastwold"}}},
		{"current-service", currentForm},
		{"unacceptable-levels", url.Values{}},
		{"lot-1", lotForm(lot1)},
		{"lot-2", lotForm(with(lot2, map[string]int{"trading_standards": 3}))},
	}
	for _, rs := range resubmit {
		t.Run("re-post "+rs.stage, func(t *testing.T) {
			before := c.stored()
			i := slices.Index(stageOrder, rs.stage)
			c.post(base+"/"+rs.stage, rs.form).wantRedirect(t, base+"/"+stageOrder[i+1])
			after := c.stored()
			if after.Reached != before.Reached {
				t.Errorf("reached %d became %d", before.Reached, after.Reached)
			}
			if len(after.Answers.Lots) != 4 {
				t.Fatalf("stored %d lots, want 4", len(after.Answers.Lots))
			}
			for n := i - 2; n < 4; n++ { // lots after the re-posted stage
				if n < 0 {
					continue
				}
				if !reflect.DeepEqual(after.Answers.Lots[n], lots[n]) {
					t.Errorf("lot %d became %v, want %v", n+1, after.Answers.Lots[n], lots[n])
				}
			}
		})
	}
	got := c.stored().Answers
	if got.About["area"] != "eastwold" || len(got.About) != 1 {
		t.Errorf("about %v, want only area eastwold", got.About)
	}
	for i, u := range got.Unacceptable {
		if len(u) > 0 {
			t.Errorf("unacceptable %s %v, want none after re-posting none", services[i], u)
		}
	}
	// The resident can carry on from where they were: comments, then check.
	c.get(base+"/comments").wantStatus(t, http.StatusOK)
	c.post(base+"/comments", url.Values{"comments": {"ok"}}).wantRedirect(t, base+"/check-answers")
	c.post(base+"/check-answers", nil).wantRedirect(t, base+"/confirmation")
}
