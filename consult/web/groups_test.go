package web_test

import (
	"html"
	"regexp"
	"testing"
)

var groupHeadingRE = regexp.MustCompile(`<h2 class="govuk-heading-m bg-grid__group">([^<]*)</h2>\s*<div class="govuk-form-group bg-grid__row[^"]*" id="group-([a-z0-9_]+)"`)

// TestLotPageGroupHeadings checks that a lot page heads each run of
// services in one group with the group's name, in the page's language,
// right above the run's first service, and nowhere else.
func TestLotPageGroupHeadings(t *testing.T) {
	e := newEnv(t)
	c := e.newClient(t)
	c.start()
	c.answerUntil("lot-1")
	for _, lang := range []string{"en", "cy"} {
		r := c.get(base + "/lot-1?lang=" + lang)
		r.wantStatus(t, 200)
		var want [][2]string // group name, first service key
		prev := ""
		for _, s := range e.k.Grid.Services {
			g := s.Group
			if tr, ok := s.Translations[lang]; ok && tr.Group != "" {
				g = tr.Group
			}
			if g != prev && g != "" {
				want = append(want, [2]string{g, s.Key})
			}
			prev = g
		}
		if len(want) < 2 {
			t.Fatalf("fixture grid has %d group runs; the test needs several", len(want))
		}
		got := groupHeadingRE.FindAllStringSubmatch(r.body, -1)
		if n := len(regexp.MustCompile(`bg-grid__group`).FindAllString(r.body, -1)); n != len(got) {
			t.Errorf("%s: %d group headings, %d of them right above a service", lang, n, len(got))
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d group headings %q, want %d %q", lang, len(got), got, len(want), want)
		}
		for i, m := range got {
			if html.UnescapeString(m[1]) != want[i][0] || m[2] != want[i][1] {
				t.Errorf("%s: heading %d is %q above %s, want %q above %s", lang, i, m[1], m[2], want[i][0], want[i][1])
			}
		}
	}
}
