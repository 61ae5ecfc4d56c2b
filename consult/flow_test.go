package consult_test

import (
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/demo"
	"github.com/budgetgrid/budgetgrid/grid"
)

func fenshire(t *testing.T) *consult.Consultation {
	t.Helper()
	c, err := fenshireTB(t)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fenshireTB(testing.TB) (*consult.Consultation, error) { return demo.Fenshire() }

// pkg builds a Fenshire package: level 1 everywhere but the given levels.
func pkg(c *consult.Consultation, levels map[string]int) grid.Package {
	p := c.Grid.BasePackage()
	for k, l := range levels {
		p[c.Grid.ServiceIndex(k)] = l
	}
	return p
}

func TestFlowStages(t *testing.T) {
	c := fenshire(t)
	f := consult.NewFlow(c)
	var slugs []string
	for _, s := range f.Stages {
		slugs = append(slugs, s.Slug)
	}
	want := "about-you current-service unacceptable-levels lot-1 lot-2 lot-3 lot-4 comments check-answers"
	if got := strings.Join(slugs, " "); got != want {
		t.Fatalf("stages %q, want %q", got, want)
	}
	c.AskCurrent, c.AskUnacceptable = false, false
	if got := len(consult.NewFlow(c).Stages); got != 7 {
		t.Fatalf("without the optional stages: %d stages, want 7", got)
	}

	r := &consult.Response{}
	f = consult.NewFlow(fenshire(t))
	tests := []struct {
		name    string
		reached int
		stage   string
		can     bool
	}{
		{"the first stage of a new response", 0, "about-you", true},
		{"skipping ahead by URL", 0, "lot-3", false},
		{"the next stage", 3, "lot-1", true},
		{"an earlier stage, by the back button", 5, "about-you", true},
		{"two ahead", 3, "lot-2", false},
		{"an unknown stage", 9, "nowhere", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r.Reached = tt.reached
			if got := f.CanVisit(r, f.Index(tt.stage)); got != tt.can {
				t.Fatalf("CanVisit(reached %d, %s) = %v, want %v", tt.reached, tt.stage, got, tt.can)
			}
		})
	}
	r.Reached = 5
	f.Answered(r, 2)
	if r.Reached != 5 {
		t.Errorf("answering an earlier stage moved Reached back to %d", r.Reached)
	}
	f.Answered(r, 5)
	if r.Reached != 6 {
		t.Errorf("answering stage 5 gives Reached %d, want 6", r.Reached)
	}
}

func TestFlowLots(t *testing.T) {
	c := fenshire(t)
	f := consult.NewFlow(c)
	r := &consult.Response{}
	lot1 := pkg(c, map[string]int{"roads": 3, "buses": 3}) // 14 + 6 = 20 points
	r.Answers.Lots = []grid.Package{lot1}

	t.Run("lot 2 starts from lot 1 and may not go below it", func(t *testing.T) {
		if got := f.LotPackage(r, 2); !equal(got, lot1) {
			t.Fatalf("lot 2 starts at %v, want lot 1's %v", got, lot1)
		}
		if floor := f.Floor(r, 2); !equal(floor, lot1) {
			t.Fatalf("floor %v", floor)
		}
		errs := f.CheckLot(r, 2, pkg(c, map[string]int{"roads": 2, "buses": 3}))
		if len(errs) != 1 || errs[0].Field != "service-roads" || errs[0].Code != "lot.below" {
			t.Fatalf("errs %+v", errs)
		}
	})
	t.Run("over budget says by how many points", func(t *testing.T) {
		p := c.Grid.MaxPackage() // 141 points
		cost, _ := c.Grid.Cost(p)
		errs := f.CheckLot(r, 1, p)
		if cost <= 62 {
			t.Fatalf("test package costs %d, not over 62", cost)
		}
		if len(errs) != 1 || errs[0].Field != "budget" || !strings.Contains(errs[0].Msg, "more than your budget of 62") {
			t.Fatalf("errs %+v", errs)
		}
		over := -1
		for i := 0; i+1 < len(errs[0].Args); i += 2 {
			if errs[0].Args[i] == "n" {
				over = errs[0].Args[i+1].(int)
			}
		}
		if over != cost-62 {
			t.Fatalf("over by %d, want %d", over, cost-62)
		}
	})
	t.Run("a level that does not exist", func(t *testing.T) {
		errs := f.CheckLot(r, 1, pkg(c, map[string]int{"roads": 9}))
		if len(errs) != 1 || errs[0].Code != "level.list" {
			t.Fatalf("errs %+v", errs)
		}
	})
	t.Run("changing an earlier lot invalidates a later one", func(t *testing.T) {
		r := &consult.Response{Reached: f.CheckIndex()}
		r.Answers.Lots = []grid.Package{lot1, lot1, lot1, lot1}
		if bad := f.InvalidLots(r); len(bad) != 0 {
			t.Fatalf("InvalidLots = %v before the change", bad)
		}
		// Every later lot the change leaves below the new level is marked
		// at once, not one revisit at a time.
		r.Answers.Lots[0] = pkg(c, map[string]int{"roads": 4, "buses": 3})
		if bad := f.InvalidLots(r); !equal(bad, []int{2, 3, 4}) {
			t.Fatalf("InvalidLots = %v, want [2 3 4]", bad)
		}
		if floor := f.Floor(r, 4); floor[c.Grid.ServiceIndex("roads")] != 4 {
			t.Fatalf("lot 4's floor for roads is %d, want 4 carried from lot 1", floor[c.Grid.ServiceIndex("roads")])
		}
		if err := f.ReadyToSubmit(r); consult.ErrorCode(err) != consult.EINVALID {
			t.Fatalf("ReadyToSubmit = %v, want EINVALID", err)
		}
		r.Answers.Lots[1] = r.Answers.Lots[0]
		r.Answers.Lots[2], r.Answers.Lots[3] = r.Answers.Lots[0], r.Answers.Lots[0]
		if err := f.ReadyToSubmit(r); err != nil {
			t.Fatalf("ReadyToSubmit after revisiting every lot: %v", err)
		}
	})
}

func TestFlowAnswers(t *testing.T) {
	c := fenshire(t)
	f := consult.NewFlow(c)
	t.Run("about you", func(t *testing.T) {
		if errs := f.CheckAbout(map[string]string{"area": "marshby", "sex": ""}); len(errs) != 0 {
			t.Fatalf("valid answers refused: %+v", errs)
		}
		if errs := f.CheckAbout(map[string]string{"area": "atlantis"}); len(errs) != 1 || errs[0].Field != "about-area" {
			t.Fatalf("errs %+v", errs)
		}
		if errs := f.CheckAbout(map[string]string{"shoe_size": "9"}); len(errs) != 1 {
			t.Fatalf("an unknown question: %+v", errs)
		}
	})
	t.Run("current and unacceptable", func(t *testing.T) {
		n := len(c.Grid.Services)
		cur := make([]int, n)
		cur[0] = 3
		if errs := f.CheckCurrent(cur); len(errs) != 0 {
			t.Fatalf("%+v", errs)
		}
		cur[1] = 7
		if errs := f.CheckCurrent(cur); len(errs) != 1 {
			t.Fatalf("%+v", errs)
		}
		marks := make([][]int, n)
		marks[0] = []int{1, 2}
		if errs := f.CheckUnacceptable(marks); len(errs) != 0 {
			t.Fatalf("%+v", errs)
		}
		marks[0] = []int{1, 1}
		if errs := f.CheckUnacceptable(marks); len(errs) != 1 {
			t.Fatalf("a level marked twice: %+v", errs)
		}
	})
	t.Run("comments count characters, not bytes, with CRLF as one", func(t *testing.T) {
		if errs := f.CheckComments(strings.Repeat("é", consult.MaxComments)); len(errs) != 0 {
			t.Fatalf("2,000 accented characters refused: %+v", errs)
		}
		text := consult.NormalizeComments(strings.Repeat("a\r\n", 1000))
		if errs := f.CheckComments(text); len(errs) != 0 {
			t.Fatalf("1,000 lines refused: %+v", errs)
		}
		errs := f.CheckComments(strings.Repeat("a", 10_000))
		if len(errs) != 1 || !strings.Contains(errs[0].Msg, "8000 characters too many") {
			t.Fatalf("errs %+v", errs)
		}
		if errs := f.CheckComments("bad \xff"); len(errs) != 1 {
			t.Fatalf("invalid UTF-8 accepted")
		}
	})
}

func TestCheckRecordChannel(t *testing.T) {
	c := fenshire(t)
	f := consult.NewFlow(c)
	rec := grid.Record{Channel: "paper", Lots: []grid.Package{c.Grid.BasePackage(), c.Grid.BasePackage(), c.Grid.BasePackage(), c.Grid.BasePackage()}}
	if errs := f.CheckRecord(rec); len(errs) != 0 {
		t.Fatalf("a valid record: %+v", errs)
	}
	for _, ch := range []string{"", "=HYPERLINK(1)", "Paper", "face to face"} {
		rec.Channel = ch
		if errs := f.CheckRecord(rec); len(errs) != 1 || errs[0].Field != "channel" {
			t.Errorf("channel %q: %+v", ch, errs)
		}
	}
}

func TestPlanPercent(t *testing.T) {
	c := fenshire(t)
	c.Lots = consult.LotSpec{Percent: []int{80, 90, 100, 110}}
	got := c.Plan().Budgets
	want := []int{62, 69, 77, 85} // 77 × 0.8 = 61.6 → 62, 69.3 → 69, 84.7 → 85
	if !equal(got, want) {
		t.Fatalf("budgets %v, want %v", got, want)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *consult.Consultation)
		want   []string
	}{
		{"the demo is valid", func(*consult.Consultation) {}, nil},
		{"a bad slug", func(c *consult.Consultation) { c.Slug = "Fen shire" }, []string{`slug "Fen shire"`}},
		{"no title", func(c *consult.Consultation) { c.Title = "" }, []string{"title is required"}},
		{"both lot forms", func(c *consult.Consultation) { c.Lots.Percent = []int{100} }, []string{"either in points or in percent"}},
		{"shrinking additive lots", func(c *consult.Consultation) { c.Lots.Points = []int{70, 60} }, []string{"additive lots cannot shrink"}},
		{"a question key that is a fixed CSV column", func(c *consult.Consultation) { c.Questions[0].Key = "channel" }, []string{`"channel" is the name of a fixed column`}},
		{"a question with one option", func(c *consult.Consultation) { c.Questions[0].Options = c.Questions[0].Options[:1] }, []string{"at least 2 options"}},
		{"a missing Welsh title and option", func(c *consult.Consultation) {
			tr := c.Translations["cy"]
			tr.Title = ""
			delete(tr.Questions["area"].Options, "marshby")
			c.Translations["cy"] = tr
		}, []string{"translations.cy.title: missing", "translations.cy.questions.area.options.marshby: missing"}},
		{"a missing Welsh level label names the cell", func(c *consult.Consultation) {
			l := &c.Grid.Services[0].Levels[2]
			tr := l.Translations["cy"]
			tr.Label = ""
			l.Translations = map[string]grid.LevelText{"cy": tr}
		}, []string{"level_label_cy"}},
		{"a language with no translations", func(c *consult.Consultation) { c.Languages = append(c.Languages, "ga") }, []string{"translations.ga: missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fenshire(t)
			tt.change(c)
			err := c.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if consult.ErrorCode(err) != consult.EINVALID {
				t.Fatalf("Validate = %v, want EINVALID", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(consult.ErrorMessage(err), w) {
					t.Errorf("the message lacks %q:\n%s", w, consult.ErrorMessage(err))
				}
			}
		})
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
