package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

var (
	// scriptRE and hiddenRE find what a browser without JavaScript does
	// not show: script contents and (non-nested) hidden elements.
	scriptRE = regexp.MustCompile(`(?is)<script\b[^>]*>.*?</script>`)
	hiddenRE = regexp.MustCompile(`(?is)<(p|span|strong|li)\b[^>]*\shidden(?:\s|=|>)[^>]*>.*?</(?:p|span|strong|li)>`)
	// quotes maps typographic quotes to plain ones, so that messages can
	// be checked whichever the copy uses.
	quotes = strings.NewReplacer("“", `"`, "”", `"`, "‘", "'", "’", "'")
)

// plainText is what a page shows without JavaScript: tags, scripts and
// hidden elements removed, entities unescaped, whitespace collapsed and
// quotes made plain, so that text checks do not depend on markup.
func plainText(h string) string {
	h = scriptRE.ReplaceAllString(h, " ")
	h = hiddenRE.ReplaceAllString(h, " ")
	return quotes.Replace(strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(h, " "))), " "))
}

var (
	headingRE      = regexp.MustCompile(`(?s)<h1[^>]*>(.*?)</h1>`)
	tagRE          = regexp.MustCompile(`<[^>]+>`)
	errorSummaryRE = regexp.MustCompile(`(?s)<ul[^>]*govuk-error-summary__list[^>]*>(.*?)</ul>`)
	errorItemRE    = regexp.MustCompile(`(?s)<li[^>]*>(.*?)</li>`)
)

// heading is the page's h1 as text.
func (r *resp) heading() string {
	m := headingRE.FindStringSubmatch(r.body)
	if m == nil {
		return ""
	}
	return plainText(m[1])
}

// errorSummary lists the error summary's messages as text.
func (r *resp) errorSummary() []string {
	m := errorSummaryRE.FindStringSubmatch(r.body)
	if m == nil {
		return nil
	}
	var out []string
	for _, it := range errorItemRE.FindAllStringSubmatch(m[1], -1) {
		out = append(out, plainText(it[1]))
	}
	return out
}

// input is one <input> element of a page.
type input struct {
	name, value       string
	checked, disabled bool
}

var (
	inputRE = regexp.MustCompile(`<input\b[^>]*>`)
	attrRE  = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?`)
)

// inputs lists the page's input elements.
func (r *resp) inputs() []input {
	var out []input
	for _, tag := range inputRE.FindAllString(r.body, -1) {
		var in input
		for _, a := range attrRE.FindAllStringSubmatch(strings.TrimSuffix(strings.TrimPrefix(tag, "<input"), ">"), -1) {
			switch a[1] {
			case "name":
				in.name = html.UnescapeString(a[2])
			case "value":
				in.value = html.UnescapeString(a[2])
			case "checked":
				in.checked = true
			case "disabled":
				in.disabled = true
			}
		}
		out = append(out, in)
	}
	return out
}

// checked returns the checked values of the inputs named name.
func (r *resp) checked(name string) []string {
	var out []string
	for _, in := range r.inputs() {
		if in.name == name && in.checked {
			out = append(out, in.value)
		}
	}
	return out
}

// disabled returns the disabled values of the inputs named name.
func (r *resp) disabled(name string) []string {
	var out []string
	for _, in := range r.inputs() {
		if in.name == name && in.disabled {
			out = append(out, in.value)
		}
	}
	return out
}

// summaryRow is one row of the check-answers summary.
type summaryRow struct{ key, value, change string }

// summarySection is one heading of the check-answers page and its rows.
type summarySection struct {
	heading, invalid string
	rows             []summaryRow
}

var (
	sectionSplitRE = regexp.MustCompile(`<h2[\s>]`)
	sectionHeadRE  = regexp.MustCompile(`(?s)^[^>]*>(.*?)</h2>(.*?)(?:<dl|$)`)
	rowRE          = regexp.MustCompile(`(?s)<dt[^>]*govuk-summary-list__key[^>]*>(.*?)</dt>\s*<dd[^>]*govuk-summary-list__value[^>]*>(.*?)</dd>\s*(?:<dd[^>]*govuk-summary-list__actions[^>]*>\s*(?:<a[^>]*href="([^"]*)")?)?`)
)

// summary parses the check-answers page.
func (r *resp) summary() map[string]summarySection {
	out := map[string]summarySection{}
	for _, part := range sectionSplitRE.Split(r.body, -1)[1:] {
		h := sectionHeadRE.FindStringSubmatch(part)
		if h == nil {
			continue
		}
		// invalid is any notice between the heading and the list.
		sec := summarySection{heading: plainText(h[1])}
		for _, m := range rowRE.FindAllStringSubmatch(part, -1) {
			sec.rows = append(sec.rows, summaryRow{key: plainText(m[1]), value: plainText(m[2]), change: html.UnescapeString(m[3])})
		}
		if len(sec.rows) > 0 {
			sec.invalid = plainText(h[2])
		}
		out[sec.heading] = sec
	}
	return out
}

// row returns the row with the given key, failing the test if absent.
func (s summarySection) row(tb testing.TB, key string) summaryRow {
	tb.Helper()
	for _, r := range s.rows {
		if r.key == key {
			return r
		}
	}
	tb.Fatalf("section %q has no row %q", s.heading, key)
	return summaryRow{}
}
