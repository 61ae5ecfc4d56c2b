package consult_test

import (
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
)

func TestValidateNamesFields(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(c *consult.Consultation)
		field string // QLEN stands for the number of questions before the edit
		code  string
	}{
		{"bad slug", func(c *consult.Consultation) { c.Slug = "Bad Slug" }, "slug", "definition.slug"},
		{"no title", func(c *consult.Consultation) { c.Title = "" }, "title", "definition.required"},
		{"duplicate question", func(c *consult.Consultation) { c.Questions = append(c.Questions, c.Questions[0]) }, "questions[QLEN].key", "definition.duplicate"},
		{"option without label", func(c *consult.Consultation) { c.Questions[1].Options[0].Label = "" }, "questions[1].options[0].label", "definition.required"},
		{"unspent warning above 1", func(c *consult.Consultation) { w := 1.5; c.UnspentWarning = &w }, "unspent_warning", "definition.unspent_warning"},
		{"negative unspent warning", func(c *consult.Consultation) { w := -0.1; c.UnspentWarning = &w }, "unspent_warning", "definition.unspent_warning"},
		{"no point value", func(c *consult.Consultation) { c.Money.PointPence = 0 }, "money.point_pence", "definition.point_pence"},
		{"additive lot shrinks", func(c *consult.Consultation) { c.Lots.Points, c.Lots.Percent = []int{62, 50, 77, 85}, nil }, "lots[1]", "definition.lot_shrinks"},
		{"missing welsh title", func(c *consult.Consultation) {
			tr := c.Translations["cy"]
			tr.Title = ""
			c.Translations["cy"] = tr
		}, "translations.cy.title", "definition.translations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fenshire(t)
			field := strings.ReplaceAll(tt.field, "QLEN", strconv.Itoa(len(c.Questions)))
			tt.edit(c)
			err := c.Validate()
			if consult.ErrorCode(err) != consult.EINVALID {
				t.Fatalf("Validate = %v, want EINVALID", err)
			}
			for _, f := range consult.ErrorFields(err) {
				if f.Field == field && f.Code == tt.code && f.Msg != "" && strings.Contains(consult.ErrorMessage(err), f.Msg) {
					return
				}
			}
			t.Fatalf("no field error %s (%s) in %+v", field, tt.code, consult.ErrorFields(err))
		})
	}
}

// manyBadQuestions returns the demo with n questions whose keys are all
// bad and repeated: two problems each.
func manyBadQuestions(t testing.TB, n int) *consult.Consultation {
	c, err := fenshireTB(t)
	if err != nil {
		t.Fatal(err)
	}
	q := c.Questions[0]
	q.Key = "Bad Key"
	c.Questions = make([]consult.Question, n)
	for i := range c.Questions {
		c.Questions[i] = q
	}
	return c
}

// TestValidateErrorListIsLinear checks that listing problems costs memory
// in proportion to their number: ten times the problems may allocate about
// ten times the bytes, not a hundred (as joining strings one by one did).
func TestValidateErrorListIsLinear(t *testing.T) {
	allocated := func(n int) uint64 {
		c := manyBadQuestions(t, n)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		err := c.Validate()
		runtime.ReadMemStats(&after)
		if got := strings.Count(consult.ErrorMessage(err), "\n") + 1; got < 2*n-1 {
			t.Fatalf("%d questions gave %d problems, want at least %d", n, got, 2*n-1)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := allocated(1000), allocated(10000)
	if ratio := float64(large) / float64(small); ratio > 20 {
		t.Fatalf("10× the problems allocated %.0f× the bytes (%d → %d): not linear", ratio, small, large)
	}
}

func BenchmarkValidateManyProblems(b *testing.B) {
	c := manyBadQuestions(b, 25000)
	for b.Loop() {
		_ = c.Validate()
	}
}

func TestNormalizeReference(t *testing.T) {
	for in, want := range map[string]string{"K7QM-3XPA": "K7QM-3XPA", "k7qm 3xpa": "K7QM-3XPA", " K7QM3XPA ": "K7QM-3XPA"} {
		if got, ok := consult.NormalizeReference(in); !ok || got != want {
			t.Errorf("NormalizeReference(%q) = %q, %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "K7QM-3XP", "K7QM-3XPAB", "K7QM-3XP0", "K7QM-3XPI"} {
		if _, ok := consult.NormalizeReference(bad); ok {
			t.Errorf("NormalizeReference(%q) accepted", bad)
		}
	}
}
