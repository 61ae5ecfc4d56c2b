package consult

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/budgetgrid/budgetgrid/grid"
)

// MaxFieldRecordBytes caps one field sync request body.
const MaxFieldRecordBytes = 256 << 10

// FieldRecord is one finished interview as a tablet sends it to the field
// sync API (DESIGN.md, "Field sync API").
type FieldRecord struct {
	ResponseID   string            `json:"response_id"`
	GridVersion  int64             `json:"grid_version"`
	StartedAt    time.Time         `json:"started_at"`
	CompletedAt  time.Time         `json:"completed_at"`
	Language     string            `json:"language"`
	About        map[string]string `json:"about"`
	Current      map[string]*int   `json:"current,omitempty"`
	Unacceptable map[string][]int  `json:"unacceptable,omitempty"`
	Lots         []map[string]int  `json:"lots"`
	Comments     string            `json:"comments"`
	Interview    *InterviewDetails `json:"interview,omitempty"`
}

// InterviewDetails is what the interviewer records besides the answers,
// and what the server adds on arrival: the device and interviewer it came
// from, and whether it arrived after closing (in the grace period).
type InterviewDetails struct {
	Consent   bool           `json:"consent"`
	Notes     string         `json:"notes"`
	TimingsMS map[string]int `json:"timings_ms"`
	// Set by the server, never read from the tablet.
	DeviceID      int64 `json:"-"`
	InterviewerID int64 `json:"-"`
	Late          bool  `json:"-"`
}

// MaxClockSkew is how far in the future a tablet's completion time may be
// (its clock may run fast).
const MaxClockSkew = 10 * time.Minute

// ParseFieldRecord reads and checks a field sync body for consultation c,
// where pathID is the response id in the request's path. It returns the
// response to store (channel "interview", completed) and the interview
// details, or an EINVALID error whose Fields name each problem as the API
// reports it ("lots[1].roads", "about.area") with its code. now is the
// server's clock, for completion times in the future.
func ParseFieldRecord(c *Consultation, pathID string, body []byte, now time.Time) (*Response, *InterviewDetails, error) {
	var errs []FieldError
	bad := func(field, code, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Code: code, Msg: fmt.Sprintf(format, args...)})
	}
	invalid := func() error {
		return &Error{Code: EINVALID, Message: joinFieldMessages(errs), Fields: errs}
	}
	if len(body) > MaxFieldRecordBytes {
		bad("", "body.size", "the record is larger than %d KiB", MaxFieldRecordBytes>>10)
		return nil, nil, invalid()
	}
	if err := grid.CheckStrictJSON(body); err != nil {
		bad("", "body.json", "not valid JSON: %v", err)
		return nil, nil, invalid()
	}
	var fr FieldRecord
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fr); err != nil {
		bad("", "body.json", "the record does not match the API: %v", err)
		return nil, nil, invalid()
	}

	switch {
	case !ValidResponseID(fr.ResponseID):
		bad("response_id", "response_id.format", "must be a UUID or up to 64 letters, digits, _ or -")
	case fr.ResponseID != pathID:
		bad("response_id", "response_id.path", "is %q, but the address names %q", fr.ResponseID, pathID)
	}
	if fr.GridVersion != c.GridVersion {
		bad("grid_version", "grid_version.mismatch", "is %d; this consultation's grid is version %d: update the app and enter the interview again", fr.GridVersion, c.GridVersion)
	}
	switch {
	case fr.CompletedAt.IsZero():
		bad("completed_at", "time.required", "is required (RFC 3339)")
	case fr.CompletedAt.After(now.Add(MaxClockSkew)):
		bad("completed_at", "time.future", "is in the future; check the tablet's clock")
	case !fr.StartedAt.IsZero() && fr.StartedAt.After(fr.CompletedAt):
		bad("started_at", "time.order", "is after completed_at")
	}
	if fr.Language != "" && !c.Offers(fr.Language) {
		bad("language", "language.offered", "%q is not a language this consultation offers", fr.Language)
	}

	about := map[string]string{}
	for k, v := range fr.About {
		q := c.Question(k)
		switch {
		case q == nil:
			bad("about."+k, "about.unknown", "there is no question %q", k)
		case v != "" && !q.HasOption(v):
			bad("about."+k, "about.option", "%q is not an option of %q", v, k)
		case v != "":
			about[k] = v
		}
	}

	g := c.Grid
	levelOf := func(field, svc string, n int) {
		i := g.ServiceIndex(svc)
		if n < 1 || n > len(g.Services[i].Levels) {
			bad(field, "level.range", "level %d does not exist (choose 1 to %d)", n, len(g.Services[i].Levels))
		}
	}
	var current []int
	if fr.Current != nil {
		if !c.AskCurrent {
			bad("current", "current.not_asked", "this consultation does not ask the current service")
		} else {
			current = make([]int, len(g.Services))
			for _, k := range sortedMapKeys(fr.Current) {
				i := g.ServiceIndex(k)
				if i < 0 {
					bad("current."+k, "service.unknown", "there is no service %q", k)
					continue
				}
				if v := fr.Current[k]; v != nil {
					levelOf("current."+k, k, *v)
					current[i] = *v
				}
			}
		}
	}
	var unacceptable [][]int
	if fr.Unacceptable != nil {
		if !c.AskUnacceptable {
			bad("unacceptable", "unacceptable.not_asked", "this consultation does not ask for unacceptable levels")
		} else {
			unacceptable = make([][]int, len(g.Services))
			for _, k := range sortedMapKeys(fr.Unacceptable) {
				i := g.ServiceIndex(k)
				if i < 0 {
					bad("unacceptable."+k, "service.unknown", "there is no service %q", k)
					continue
				}
				ls := slices.Clone(fr.Unacceptable[k])
				slices.Sort(ls)
				if len(slices.Compact(slices.Clone(ls))) != len(ls) {
					bad("unacceptable."+k, "unacceptable.repeated", "a level is listed twice")
				}
				for _, l := range ls {
					levelOf("unacceptable."+k, k, l)
				}
				unacceptable[i] = ls
			}
		}
	}

	plan := c.Plan()
	var lots []grid.Package
	if len(fr.Lots) != len(plan.Budgets) {
		bad("lots", "lots.count", "has %d rounds; this consultation has %d", len(fr.Lots), len(plan.Budgets))
	} else {
		shapeOK := true
		for k, m := range fr.Lots {
			p := make(grid.Package, len(g.Services))
			for _, key := range sortedMapKeys(m) {
				if g.ServiceIndex(key) < 0 {
					bad(fmt.Sprintf("lots[%d].%s", k, key), "service.unknown", "there is no service %q", key)
					shapeOK = false
				}
			}
			for i, s := range g.Services {
				n, ok := m[s.Key]
				if !ok {
					bad(fmt.Sprintf("lots[%d].%s", k, s.Key), "level.required", "every service needs a level")
					shapeOK = false
					continue
				}
				p[i] = n
			}
			lots = append(lots, p)
		}
		if shapeOK {
			for _, e := range g.CheckLots(plan, lots) {
				field := fmt.Sprintf("lots[%d]", e.Lot-1)
				if e.Service != "" {
					field += "." + e.Service
				}
				errs = append(errs, FieldError{Field: field, Code: e.Kind.Code(), Msg: e.Msg})
			}
		}
	}
	comments := NormalizeComments(fr.Comments)
	for _, fe := range NewFlow(c).CheckComments(comments) {
		bad("comments", fe.Code, "%s", fe.Msg)
	}
	if fr.Interview != nil {
		if !fr.Interview.Consent {
			bad("interview.consent", "interview.consent", "the respondent's consent must be recorded before an interview is sent")
		}
		for _, k := range sortedMapKeys(fr.Interview.TimingsMS) {
			if fr.Interview.TimingsMS[k] < 0 {
				bad("interview.timings_ms."+k, "timing.negative", "cannot be negative")
			}
		}
	}
	if len(errs) > 0 {
		return nil, nil, invalid()
	}
	r := &Response{
		ID:             fr.ResponseID,
		ConsultationID: c.ID,
		GridVersion:    c.GridVersion,
		Channel:        ChannelInterview,
		Reached:        len(NewFlow(c).Stages),
		Answers:        Answers{About: about, Current: current, Unacceptable: unacceptable, Lots: lots, Comments: comments},
		CreatedAt:      fr.StartedAt.UTC(),
		UpdatedAt:      now.UTC(),
		// The wide CSV carries whole seconds; so does every stored completion.
		CompletedAt: fr.CompletedAt.UTC().Truncate(time.Second),
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = r.CompletedAt
	}
	if !slices.ContainsFunc(current, func(l int) bool { return l != 0 }) {
		r.Answers.Current = nil
	}
	return r, fr.Interview, nil
}

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
