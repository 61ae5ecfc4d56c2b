// Package consult holds consultations and responses as domain types: the
// definition, its lifecycle, the stage flow and its rules, and the Store
// interface. It knows no SQL and no HTTP.
package consult

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/budgetgrid/budgetgrid/grid"
)

// Status is where a consultation is in its lifecycle.
type Status string

// The lifecycle: a draft is not shown; an open consultation takes answers;
// a closed one shows a closed page and accepts nothing.
const (
	Draft  Status = "draft"
	Open   Status = "open"
	Closed Status = "closed"
)

// Consultation is a consultation definition with its grid.
type Consultation struct {
	ID       int64     `json:"-"`
	Slug     string    `json:"slug"`
	Title    string    `json:"title"`
	Intro    string    `json:"intro"`
	Privacy  string    `json:"privacy"`
	Duration string    `json:"duration"`
	Status   Status    `json:"status"`
	ClosesAt time.Time `json:"closes_at,omitzero"`
	// Questions are the about-you questions, all optional.
	Questions []Question `json:"questions"`
	// AskCurrent and AskUnacceptable turn the optional stages on.
	AskCurrent      bool `json:"ask_current"`
	AskUnacceptable bool `json:"ask_unacceptable"`
	// Lots gives the lot budgets, in points or as percentages of today's spending.
	Lots     LotSpec    `json:"lots"`
	Additive bool       `json:"additive"`
	Money    grid.Money `json:"money"`
	// FieldGraceHours is how long after closing the field sync API still
	// accepts interviews finished before the close (tablets that were
	// offline); they are flagged late. 0 means none.
	FieldGraceHours int `json:"field_grace_hours,omitempty"`
	// RetentionMonths is how long after closing the free text and
	// about-you answers are kept; then they are deleted and the level
	// choices kept for analysis (RunRetention). 0 keeps them.
	RetentionMonths int `json:"retention_months,omitempty"`
	// UnspentWarning is the share of a lot's budget (0 to 1) that, left
	// unspent, makes Continue ask the resident to confirm once, so that
	// clicking straight through is not taken for cutting everything.
	// Absent means DefaultUnspentWarning; 0 turns the warning off.
	UnspentWarning *float64 `json:"unspent_warning,omitempty"`
	// Languages the consultation offers, "en" first; empty means English
	// only. The texts above and the grid's are English; Translations and
	// the grid sheet's suffixed columns carry the others.
	Languages    []string                    `json:"languages,omitempty"`
	Translations map[string]ConsultationText `json:"translations,omitempty"`
	Grid         *grid.Grid                  `json:"grid"`
	// GridVersion identifies the stored grid that responses answer.
	GridVersion int64     `json:"-"`
	CreatedAt   time.Time `json:"-"`
}

// ConsultationText is a consultation's texts in one other language.
type ConsultationText struct {
	Title     string                  `json:"title"`
	Intro     string                  `json:"intro"`
	Privacy   string                  `json:"privacy,omitempty"`
	Duration  string                  `json:"duration,omitempty"`
	Questions map[string]QuestionText `json:"questions,omitempty"`
}

// QuestionText is an about-you question's texts in one other language,
// with option labels by option key.
type QuestionText struct {
	Text    string            `json:"text"`
	Hint    string            `json:"hint,omitempty"`
	Options map[string]string `json:"options"`
}

// DefaultUnspentWarning is the unspent share of a lot's budget that asks
// the resident to confirm, when the definition does not say.
const DefaultUnspentWarning = 0.5

// UnspentShare is the share of a lot's budget that, left unspent, asks
// the resident to confirm; 0 means never.
func (c *Consultation) UnspentShare() float64 {
	if c.UnspentWarning == nil {
		return DefaultUnspentWarning
	}
	return *c.UnspentWarning
}

// Offers reports whether the consultation is offered in lang.
func (c *Consultation) Offers(lang string) bool {
	if len(c.Languages) == 0 {
		return lang == "en"
	}
	return slices.Contains(c.Languages, lang)
}

// Question is one about-you question. Every question is optional and also
// offers "Prefer not to say" (stored as no answer).
type Question struct {
	Key     string   `json:"key"`
	Text    string   `json:"text"`
	Hint    string   `json:"hint,omitempty"`
	Options []Option `json:"options"`
}

// Option is one answer to an about-you question.
type Option struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// LotSpec gives lot budgets either in points or in whole percentages of
// today's spending (the as-now package's cost). Exactly one is set.
type LotSpec struct {
	Points  []int `json:"points,omitempty"`
	Percent []int `json:"percent,omitempty"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
var keyPattern = regexp.MustCompile(`^[a-z0-9_+\-]+$`)

// Plan resolves the lot budgets to points. Percentages round to the
// nearest point.
func (c *Consultation) Plan() grid.LotPlan {
	budgets := slices.Clone(c.Lots.Points)
	if len(c.Lots.Percent) > 0 && c.Grid != nil {
		now := c.Grid.AsNowCost()
		budgets = make([]int, len(c.Lots.Percent))
		for i, p := range c.Lots.Percent {
			budgets[i] = (now*p + 50) / 100
		}
	}
	return grid.LotPlan{Budgets: budgets, Additive: c.Additive}
}

// Question returns the question with the given key, or nil.
func (c *Consultation) Question(key string) *Question {
	for i := range c.Questions {
		if c.Questions[i].Key == key {
			return &c.Questions[i]
		}
	}
	return nil
}

// HasOption reports whether the question offers the option key.
func (q *Question) HasOption(key string) bool {
	for _, o := range q.Options {
		if o.Key == key {
			return true
		}
	}
	return false
}

// QuestionKeys lists the about-you question keys in order.
func (c *Consultation) QuestionKeys() []string {
	keys := make([]string, len(c.Questions))
	for i, q := range c.Questions {
		keys[i] = q.Key
	}
	return keys
}

// WideLayout is the layout of this consultation's wide CSV.
func (c *Consultation) WideLayout() grid.WideLayout {
	return grid.WideLayout{Questions: c.QuestionKeys(), Lots: len(c.Plan().Budgets)}
}

// AcceptsAnswers reports whether the consultation takes answers at time now.
func (c *Consultation) AcceptsAnswers(now time.Time) bool {
	return c.Status == Open && (c.ClosesAt.IsZero() || now.Before(c.ClosesAt))
}

// IsClosed reports whether the consultation is closed at time now, by
// status or by its closing date.
func (c *Consultation) IsClosed(now time.Time) bool {
	return c.Status == Closed || (c.Status == Open && !c.ClosesAt.IsZero() && !now.Before(c.ClosesAt))
}

// Validate checks the definition and its grid, listing every problem. The
// error is an EINVALID *Error whose Fields name each problem's place in the
// definition ("questions[2].key", "lots", "translations.cy.title") with a
// code, and whose Message lists them one per line.
func (c *Consultation) Validate() error {
	var v definitionProblems
	add := v.add
	if w := c.UnspentWarning; w != nil && !(*w >= 0 && *w <= 1) {
		add("unspent_warning", "definition.unspent_warning", "unspent_warning %v must be a share of the budget from 0 (no warning) to 1", *w)
	}
	if !slugPattern.MatchString(c.Slug) {
		add("slug", "definition.slug", "slug %q must be lower-case letters and digits joined by hyphens", c.Slug)
	}
	if c.Title == "" {
		add("title", "definition.required", "title is required")
	}
	switch c.Status {
	case "", Draft, Open, Closed:
	default:
		add("status", "definition.status", "status %q must be draft, open or closed", c.Status)
	}
	seen := make(map[string]bool, len(c.Questions))
	for i, q := range c.Questions {
		field := fmt.Sprintf("questions[%d]", i)
		if !keyPattern.MatchString(q.Key) {
			add(field+".key", "definition.key", "question %d: key %q must be lower-case letters, digits or _", i+1, q.Key)
		}
		if msg := grid.CheckQuestionKey(q.Key); msg != "" {
			add(field+".key", "definition.key", "question %d: %s", i+1, msg)
		}
		if seen[q.Key] {
			add(field+".key", "definition.duplicate", "question %d: key %q is used twice", i+1, q.Key)
		}
		seen[q.Key] = true
		if q.Text == "" {
			add(field+".text", "definition.required", "question %q: text is required", q.Key)
		}
		if len(q.Options) < 2 {
			add(field+".options", "definition.options", "question %q: needs at least 2 options", q.Key)
		}
		opts := make(map[string]bool, len(q.Options))
		for j, o := range q.Options {
			if !keyPattern.MatchString(o.Key) || opts[o.Key] {
				add(fmt.Sprintf("%s.options[%d].key", field, j), "definition.key", "question %q: option key %q must be unique, lower-case letters, digits, _, + or -", q.Key, o.Key)
			}
			opts[o.Key] = true
			if o.Label == "" {
				add(fmt.Sprintf("%s.options[%d].label", field, j), "definition.required", "question %q: option %q needs a label", q.Key, o.Key)
			}
		}
	}
	if c.Grid == nil {
		add("grid", "definition.required", "grid is required")
	} else if err := c.Grid.Validate(); err != nil {
		add("grid", "definition.grid", "grid: %v", err)
	}
	if (len(c.Lots.Points) == 0) == (len(c.Lots.Percent) == 0) {
		add("lots", "definition.lots", "lots: give budgets either in points or in percent, not both or neither")
	}
	if c.Grid != nil && len(v.fields) == 0 {
		plan := c.Plan()
		base, _ := c.Grid.Cost(c.Grid.BasePackage())
		for i, b := range plan.Budgets {
			field := fmt.Sprintf("lots[%d]", i)
			if b < base {
				add(field, "definition.lot_below_base", "lot %d: budget %d is below the base package's cost %d", i+1, b, base)
			}
			if c.Additive && i > 0 && b < plan.Budgets[i-1] {
				add(field, "definition.lot_shrinks", "lot %d: budget %d is below the lot before (%d); additive lots cannot shrink", i+1, b, plan.Budgets[i-1])
			}
		}
		if len(c.Languages) > 0 {
			if err := c.Grid.CheckLanguages(c.Languages[1:]); err != nil {
				add("grid", "definition.grid_translations", "grid translations: %v", err)
			}
		}
		c.validateTranslations(add)
	}
	if c.Money.PointPence <= 0 {
		add("money.point_pence", "definition.point_pence", "money: point_pence must be above 0")
	}
	if c.RetentionMonths < 0 || c.RetentionMonths > 120 {
		add("retention_months", "definition.retention", "retention_months must be between 0 and 120")
	}
	if c.FieldGraceHours < 0 || c.FieldGraceHours > 24*90 {
		add("field_grace_hours", "definition.grace", "field_grace_hours must be between 0 and %d (90 days)", 24*90)
	}
	if c.Money.TaxBase < 0 {
		add("money.tax_base", "definition.tax_base", "money: tax_base cannot be negative")
	}
	return v.err()
}

// definitionProblems collects a definition's problems as field errors, in
// time linear in their number.
type definitionProblems struct {
	fields []FieldError
}

func (v *definitionProblems) add(field, code, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Code: code, Msg: fmt.Sprintf(format, args...)})
}

func (v *definitionProblems) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: joinFieldMessages(v.fields), Fields: v.fields}
}

// joinFieldMessages lists field errors' messages one per line.
func joinFieldMessages(fields []FieldError) string {
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f.Msg)
	}
	return b.String()
}

// validateTranslations checks that every language offered besides English
// has every text a resident sees.
func (c *Consultation) validateTranslations(add func(field, code, format string, args ...any)) {
	if len(c.Languages) > 0 && c.Languages[0] != "en" {
		add("languages", "definition.languages", "languages: the first language must be \"en\": the definition's and grid's own texts are English")
	}
	seen := map[string]bool{}
	for _, lang := range c.Languages {
		if seen[lang] {
			add("languages", "definition.languages", "languages: %q is listed twice", lang)
		}
		seen[lang] = true
		if lang == "en" {
			continue
		}
		t, ok := c.Translations[lang]
		if !ok {
			add(fmt.Sprintf("translations.%s", lang), "definition.translations", "translations.%s: missing: the consultation offers %q", lang, lang)
			continue
		}
		if t.Title == "" {
			add(fmt.Sprintf("translations.%s.title", lang), "definition.translations", "translations.%s.title: missing", lang)
		}
		if t.Intro == "" {
			add(fmt.Sprintf("translations.%s.intro", lang), "definition.translations", "translations.%s.intro: missing", lang)
		}
		if c.Privacy != "" && t.Privacy == "" {
			add(fmt.Sprintf("translations.%s.privacy", lang), "definition.translations", "translations.%s.privacy: missing", lang)
		}
		if c.Duration != "" && t.Duration == "" {
			add(fmt.Sprintf("translations.%s.duration", lang), "definition.translations", "translations.%s.duration: missing", lang)
		}
		for _, q := range c.Questions {
			qt, ok := t.Questions[q.Key]
			if !ok || qt.Text == "" {
				add(fmt.Sprintf("translations.%s.questions.%s.text", lang, q.Key), "definition.translations", "translations.%s.questions.%s.text: missing", lang, q.Key)
			}
			for _, o := range q.Options {
				if qt.Options[o.Key] == "" {
					add(fmt.Sprintf("translations.%s.questions.%s.options.%s", lang, q.Key, o.Key), "definition.translations", "translations.%s.questions.%s.options.%s: missing", lang, q.Key, o.Key)
				}
			}
		}
	}
	for lang := range c.Translations {
		if !seen[lang] {
			add(fmt.Sprintf("translations.%s", lang), "definition.translations", "translations.%s: the consultation does not offer %q; add it to languages", lang, lang)
		}
	}
}
