package consult

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/budgetgrid/budgetgrid/grid"
)

// channelPattern is what a channel may be: a short key, never free text
// (which a spreadsheet could take for a formula).
var channelPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// MaxComments is the most characters a resident's comments may hold.
const MaxComments = 2000

// StageKind names a kind of stage in the resident's journey.
type StageKind string

// The stages, in journey order. Lots repeat once per lot.
const (
	StageAbout        StageKind = "about"
	StageCurrent      StageKind = "current"
	StageUnacceptable StageKind = "unacceptable"
	StageLot          StageKind = "lot"
	StageComments     StageKind = "comments"
	StageCheck        StageKind = "check"
)

// Stage is one step of the journey.
type Stage struct {
	Kind StageKind
	// Lot is the 1-based lot number for lot stages, else 0.
	Lot int
	// Slug is the stage's URL segment: "about-you", "lot-2", "check-answers".
	Slug string
}

// Flow is a consultation's stage sequence and the rules for answering it.
// The web layer asks it what comes next and whether an answer is valid.
type Flow struct {
	C      *Consultation
	Plan   grid.LotPlan
	Stages []Stage
}

// FieldError is an answer that breaks a rule: Field names the form field
// (for the error summary's link) and Msg says what to fix, in English. Code
// and Args let an interface say it in the resident's language: Code names
// the message and Args holds its placeholders as name, value pairs, where
// "service" and "question" values are keys, to be shown by their names.
type FieldError struct {
	Field string
	Msg   string
	Code  string
	Args  []any
}

// NewFlow builds the flow of a consultation.
func NewFlow(c *Consultation) *Flow {
	f := &Flow{C: c, Plan: c.Plan()}
	f.Stages = append(f.Stages, Stage{Kind: StageAbout, Slug: "about-you"})
	if c.AskCurrent {
		f.Stages = append(f.Stages, Stage{Kind: StageCurrent, Slug: "current-service"})
	}
	if c.AskUnacceptable {
		f.Stages = append(f.Stages, Stage{Kind: StageUnacceptable, Slug: "unacceptable-levels"})
	}
	for k := range f.Plan.Budgets {
		f.Stages = append(f.Stages, Stage{Kind: StageLot, Lot: k + 1, Slug: "lot-" + strconv.Itoa(k+1)})
	}
	f.Stages = append(f.Stages, Stage{Kind: StageComments, Slug: "comments"}, Stage{Kind: StageCheck, Slug: "check-answers"})
	return f
}

// Index returns the position of the stage with the given slug, or -1.
func (f *Flow) Index(slug string) int {
	for i, s := range f.Stages {
		if s.Slug == slug {
			return i
		}
	}
	return -1
}

// LotIndex returns the position of lot number lot in the flow.
func (f *Flow) LotIndex(lot int) int { return f.Index("lot-" + strconv.Itoa(lot)) }

// CheckIndex is the position of the check-answers stage.
func (f *Flow) CheckIndex() int { return len(f.Stages) - 1 }

// CanVisit reports whether the response may open stage i: every stage
// before it has been answered. A stage cannot be skipped by URL.
func (f *Flow) CanVisit(r *Response, i int) bool {
	return i >= 0 && i < len(f.Stages) && i <= r.Reached
}

// Answered marks stage i answered and moves the response forward.
func (f *Flow) Answered(r *Response, i int) {
	if i+1 > r.Reached {
		r.Reached = i + 1
	}
}

// Floor is the lowest level a resident may choose for each service at lot
// number lot: with additive lots, the highest level chosen for it at any
// earlier lot (the lot before, when every lot keeps the rule; higher when
// a change to an earlier lot left a later one below it); else nil (any
// level).
func (f *Flow) Floor(r *Response, lot int) grid.Package {
	if !f.Plan.Additive || lot < 2 || len(r.Answers.Lots) < lot-1 {
		return nil
	}
	var floor grid.Package
	for _, p := range r.Answers.Lots[:lot-1] {
		if len(p) != len(f.C.Grid.Services) {
			continue
		}
		if floor == nil {
			floor = append(grid.Package(nil), p...)
		}
		for i, l := range p {
			floor[i] = max(floor[i], l)
		}
	}
	return floor
}

// LotPackage is the package a lot page shows: the draft the resident
// saved for later, else their answer if they have given one, else where the lot starts; with additive lots,
// lifted to the floor the earlier lots set (one may have changed since).
func (f *Flow) LotPackage(r *Response, lot int) grid.Package {
	var p grid.Package
	if d := r.Answers.Drafts[lot]; len(d) == len(f.C.Grid.Services) {
		p = append(grid.Package(nil), d...)
	} else if len(r.Answers.Lots) >= lot && r.Answers.Lots[lot-1] != nil {
		p = append(grid.Package(nil), r.Answers.Lots[lot-1]...)
	} else {
		var prev grid.Package
		if lot >= 2 && len(r.Answers.Lots) >= lot-1 {
			prev = r.Answers.Lots[lot-2]
		}
		p = f.C.Grid.StartPackage(f.Plan, lot, prev)
	}
	if floor := f.Floor(r, lot); floor != nil && len(floor) == len(p) {
		for i := range p {
			if p[i] != 0 { // 0: a draft's unchosen service stays unchosen
				p[i] = max(p[i], floor[i])
			}
		}
	}
	return p
}

// CheckAbout validates about-you answers: every key is a question and
// every value one of its options. Empty values mean "prefer not to say".
func (f *Flow) CheckAbout(about map[string]string) []FieldError {
	var errs []FieldError
	for _, q := range f.C.Questions {
		v, ok := about[q.Key]
		if !ok || v == "" {
			continue
		}
		if !q.HasOption(v) {
			errs = append(errs, FieldError{Field: "about-" + q.Key, Msg: fmt.Sprintf("Select an answer to %q from the list", q.Text), Code: "about.option", Args: []any{"question", q.Key}})
		}
	}
	for k := range about {
		if f.C.Question(k) == nil {
			errs = append(errs, FieldError{Field: "about-" + k, Msg: fmt.Sprintf("There is no question %q", k), Code: "about.unknown"})
		}
	}
	return errs
}

// CheckCurrent validates believed current levels: 0 (not answered) or an
// existing level of each service.
func (f *Flow) CheckCurrent(current []int) []FieldError {
	g := f.C.Grid
	if len(current) != len(g.Services) {
		return []FieldError{{Field: "current", Msg: "Answer for every service, or leave it blank", Code: "current.count"}}
	}
	var errs []FieldError
	for i, l := range current {
		s := &g.Services[i]
		if l != 0 && s.Level(l) == nil {
			errs = append(errs, FieldError{Field: "current-" + s.Key, Msg: fmt.Sprintf("Choose a level of %s from the list", s.Name), Code: "level.list", Args: []any{"service", s.Key}})
		}
	}
	return errs
}

// CheckUnacceptable validates marked levels: existing, each at most once.
func (f *Flow) CheckUnacceptable(marks [][]int) []FieldError {
	g := f.C.Grid
	if len(marks) != len(g.Services) {
		return []FieldError{{Field: "unacceptable", Msg: "Mark levels for every service, or none", Code: "unacceptable.count"}}
	}
	var errs []FieldError
	for i, ls := range marks {
		s := &g.Services[i]
		seen := map[int]bool{}
		for _, l := range ls {
			if s.Level(l) == nil || seen[l] {
				errs = append(errs, FieldError{Field: "unacceptable-" + s.Key, Msg: fmt.Sprintf("Choose levels of %s from the list", s.Name), Code: "unacceptable.list", Args: []any{"service", s.Key}})
				break
			}
			seen[l] = true
		}
	}
	return errs
}

// CheckLot validates the package p for lot number lot against the grid,
// the budget and, for additive lots, the package of the lot before.
func (f *Flow) CheckLot(r *Response, lot int, p grid.Package) []FieldError {
	g := f.C.Grid
	if len(p) != len(g.Services) {
		return []FieldError{{Field: "lot", Msg: "Choose a level for every service", Code: "lot.count"}}
	}
	var errs []FieldError
	for _, e := range g.CheckLot(f.Plan, lot, f.Floor(r, lot), p) {
		fe := FieldError{Field: "budget", Msg: e.Msg}
		switch e.Kind {
		case grid.LotLevelRange:
			s := &g.Services[g.ServiceIndex(e.Service)]
			fe.Field = "service-" + s.Key
			fe.Msg, fe.Code, fe.Args = fmt.Sprintf("Choose a level of %s from the list", s.Name), "level.list", []any{"service", s.Key}
		case grid.LotBelowFloor:
			s := &g.Services[g.ServiceIndex(e.Service)]
			fe.Field = "service-" + s.Key
			fe.Msg = fmt.Sprintf("%s cannot go below %q, the level you chose at an earlier lot", s.Name, s.Levels[e.Level-1].Label)
			fe.Code, fe.Args = "lot.below", []any{"service", s.Key, "level", e.Level}
		case grid.LotOverBudget:
			cost, _ := g.Cost(p)
			budget := f.Plan.Budgets[lot-1]
			over := cost - budget
			fe.Msg = fmt.Sprintf("Your choices cost %d points, %d %s more than your budget of %d. Give back %d %s by choosing lower levels",
				cost, over, plural(over, "point", "points"), budget, over, plural(over, "point", "points"))
			fe.Code, fe.Args = "lot.over", []any{"n", over, "cost", cost, "budget", budget}
		default:
			fe.Field, fe.Code = "lot", "lot.count"
		}
		errs = append(errs, fe)
	}
	return errs
}

// Unspent returns the points of lot number lot's budget that package p
// leaves unspent (negative when it overspends).
func (f *Flow) Unspent(lot int, p grid.Package) int {
	cost, err := f.C.Grid.Cost(p)
	if err != nil || lot < 1 || lot > len(f.Plan.Budgets) {
		return 0
	}
	return f.Plan.Budgets[lot-1] - cost
}

// MostlyUnspent reports whether p leaves more of lot number lot's budget
// unspent than the consultation's UnspentShare: Continue then asks the
// resident to confirm once.
func (f *Flow) MostlyUnspent(lot int, p grid.Package) bool {
	share := f.C.UnspentShare()
	if share <= 0 || lot < 1 || lot > len(f.Plan.Budgets) {
		return false
	}
	return float64(f.Unspent(lot, p)) > share*float64(f.Plan.Budgets[lot-1])
}

// NormalizeComments turns browser line endings into \n and trims the ends.
func NormalizeComments(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// CheckComments validates the comments box: valid text of at most
// MaxComments characters.
func (f *Flow) CheckComments(s string) []FieldError {
	if !utf8.ValidString(s) {
		return []FieldError{{Field: "comments", Msg: "Your comments contain characters we cannot read. Remove them and try again", Code: "comments.utf8"}}
	}
	if n := utf8.RuneCountInString(s); n > MaxComments {
		return []FieldError{{Field: "comments", Msg: fmt.Sprintf("Comments must be %d characters or fewer. You have %d characters too many", MaxComments, n-MaxComments), Code: "comments.long", Args: []any{"max", MaxComments, "n", n - MaxComments}}}
	}
	return nil
}

// InvalidLots lists the lot numbers answered whose packages break the
// rules given the lots before them (an earlier lot changed).
func (f *Flow) InvalidLots(r *Response) []int {
	var bad []int
	for k, p := range r.Answers.Lots {
		if len(f.CheckLot(r, k+1, p)) > 0 {
			bad = append(bad, k+1)
		}
	}
	return bad
}

// ReadyToSubmit returns a domain error saying what stops the response
// being submitted, or nil.
func (f *Flow) ReadyToSubmit(r *Response) error {
	if r.Completed() {
		return Errorf(ESUBMITTED, "You have already submitted your answers.")
	}
	if r.Reached < f.CheckIndex() || len(r.Answers.Lots) < len(f.Plan.Budgets) {
		return Errorf(EINVALID, "Answer every question before you submit.")
	}
	if bad := f.InvalidLots(r); len(bad) > 0 {
		return Errorf(EINVALID, "Your choices for lot %d need checking before you submit.", bad[0])
	}
	if errs := f.CheckAbout(r.Answers.About); len(errs) > 0 {
		return Errorf(EINVALID, "%s", errs[0].Msg)
	}
	return nil
}

// CheckRecord validates a whole completed record against the consultation:
// the response id, the channel, about-you option keys, the current and
// unacceptable stages and the lot rules. Each error names the wide CSV
// column and carries a stable code (level.below_floor, about.option…).
func (f *Flow) CheckRecord(rec grid.Record) []FieldError {
	var errs []FieldError
	if rec.ResponseID != "" && !responseIDPattern.MatchString(rec.ResponseID) {
		errs = append(errs, FieldError{Field: "response_id", Code: "response_id.format",
			Msg: "must be a UUID or up to 64 letters, digits, _ or -"})
	}
	if !channelPattern.MatchString(rec.Channel) {
		errs = append(errs, FieldError{Field: "channel", Code: "channel.format", Msg: fmt.Sprintf("%q must be a short key of lower-case letters, digits, _ or -, such as online, interview or paper", rec.Channel)})
	}
	for _, q := range f.C.Questions {
		if v := rec.About[q.Key]; v != "" && !q.HasOption(v) {
			errs = append(errs, FieldError{Field: q.Key, Code: "about.option", Args: []any{"question", q.Key}, Msg: fmt.Sprintf("%q is not an option (expected one of %s)", v, optionKeys(q))})
		}
	}
	g := f.C.Grid
	if !f.C.AskCurrent {
		for i, l := range rec.Current {
			if l != 0 {
				errs = append(errs, FieldError{Field: "current." + g.Services[i].Key, Code: "current.not_asked", Msg: "this consultation does not ask the current service; leave it empty"})
			}
		}
	}
	if !f.C.AskUnacceptable {
		for i, u := range rec.Unacceptable {
			if len(u) > 0 {
				errs = append(errs, FieldError{Field: "unacceptable." + g.Services[i].Key, Code: "unacceptable.not_asked", Msg: "this consultation does not ask for unacceptable levels; leave it empty"})
			}
		}
	}
	for _, e := range g.CheckLots(f.Plan, rec.Lots) {
		col := fmt.Sprintf("lot%d", e.Lot)
		fe := FieldError{Code: e.Kind.Code(), Msg: e.Msg, Args: []any{"lot", e.Lot}}
		if e.Service != "" {
			col += "." + e.Service
			fe.Args = append(fe.Args, "service", e.Service)
		}
		fe.Field = col
		errs = append(errs, fe)
	}
	return errs
}

func optionKeys(q Question) string {
	keys := make([]string, len(q.Options))
	for i, o := range q.Options {
		keys[i] = o.Key
	}
	return strings.Join(keys, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
