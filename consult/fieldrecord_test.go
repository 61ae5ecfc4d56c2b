package consult_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

const fieldID = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"

// fieldBody is a valid field sync body for the demo, as a map that a test
// may change before encoding.
func fieldBody(c *consult.Consultation) map[string]any {
	lot := map[string]any{}
	for _, s := range c.Grid.Services {
		lot[s.Key] = 1
	}
	lots := make([]any, len(c.Plan().Budgets))
	for k := range lots {
		m := map[string]any{}
		for s, l := range lot {
			m[s] = l
		}
		lots[k] = m
	}
	lots[0].(map[string]any)["roads"] = 3
	lots[1].(map[string]any)["roads"] = 3
	lots[2].(map[string]any)["roads"] = 3
	lots[3].(map[string]any)["roads"] = 4
	return map[string]any{
		"response_id": fieldID, "grid_version": c.GridVersion,
		"started_at": "2027-01-12T10:02:11Z", "completed_at": "2027-01-12T10:31:40Z", "language": "en",
		"about":        map[string]any{"area": "fenchester", "age_band": "", "sex": ""},
		"current":      map[string]any{"roads": 3, "libraries": nil},
		"unacceptable": map[string]any{"roads": []int{2, 1}},
		"lots":         lots,
		"comments":     "  Fix the roads.  ",
		"interview":    map[string]any{"consent": true, "notes": "", "timings_ms": map[string]int{"about": 41000}},
	}
}

func encode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var fieldNow = time.Date(2027, 1, 12, 11, 0, 0, 0, time.UTC)

func TestParseFieldRecord(t *testing.T) {
	c := fenshire(t)
	c.GridVersion = 3
	r, iv, err := consult.ParseFieldRecord(c, fieldID, encode(t, fieldBody(c)), fieldNow)
	if err != nil {
		t.Fatalf("valid record: %v", err)
	}
	roads := c.Grid.ServiceIndex("roads")
	switch {
	case r.ID != fieldID || r.Channel != consult.ChannelInterview || !r.Completed() || r.GridVersion != 3:
		t.Errorf("response %+v", r)
	case r.Answers.About["area"] != "fenchester" || len(r.Answers.About) != 1:
		t.Errorf("about %v", r.Answers.About)
	case r.Answers.Current[roads] != 3 || r.Answers.Unacceptable[roads][0] != 1 || r.Answers.Unacceptable[roads][1] != 2:
		t.Errorf("current %v unacceptable %v", r.Answers.Current, r.Answers.Unacceptable)
	case r.Answers.Lots[3][roads] != 4 || r.Answers.Comments != "Fix the roads.":
		t.Errorf("lots %v comments %q", r.Answers.Lots, r.Answers.Comments)
	case !iv.Consent || iv.TimingsMS["about"] != 41000:
		t.Errorf("interview %+v", iv)
	}
	if errs := consult.NewFlow(c).CheckRecord(r.Record(c)); len(errs) != 0 {
		t.Errorf("the parsed response breaks the record rules: %v", errs)
	}
}

func TestParseFieldRecordRefuses(t *testing.T) {
	c := fenshire(t)
	lot := func(b map[string]any, k int) map[string]any { return b["lots"].([]any)[k].(map[string]any) }
	tests := []struct {
		name        string
		edit        func(b map[string]any)
		raw         string // a body to send instead of the edited one
		field, code string
	}{
		{"id differs from the path", func(b map[string]any) { b["response_id"] = "other-id" }, "", "response_id", "response_id.path"},
		{"formula id", func(b map[string]any) { b["response_id"] = "=1+1" }, "", "response_id", "response_id.format"},
		{"old grid version", func(b map[string]any) { b["grid_version"] = 99 }, "", "grid_version", "grid_version.mismatch"},
		{"below the floor", func(b map[string]any) { lot(b, 1)["roads"] = 2 }, "", "lots[1].roads", "level.below_floor"},
		{"no such level", func(b map[string]any) { lot(b, 0)["libraries"] = 9 }, "", "lots[0].libraries", "level.range"},
		{"over budget", func(b map[string]any) {
			for _, s := range c.Grid.Services {
				lot(b, 0)[s.Key] = len(s.Levels)
			}
		}, "", "lots[0]", "lot.over_budget"},
		{"missing service", func(b map[string]any) { delete(lot(b, 2), "libraries") }, "", "lots[2].libraries", "level.required"},
		{"unknown service", func(b map[string]any) { lot(b, 2)["moon_base"] = 1 }, "", "lots[2].moon_base", "service.unknown"},
		{"too few rounds", func(b map[string]any) { b["lots"] = b["lots"].([]any)[:2] }, "", "lots", "lots.count"},
		{"not an option", func(b map[string]any) { b["about"].(map[string]any)["area"] = "atlantis" }, "", "about.area", "about.option"},
		{"not a question", func(b map[string]any) { b["about"].(map[string]any)["shoe_size"] = "9" }, "", "about.shoe_size", "about.unknown"},
		{"current level out of range", func(b map[string]any) { b["current"].(map[string]any)["roads"] = 0 }, "", "current.roads", "level.range"},
		{"unacceptable twice", func(b map[string]any) { b["unacceptable"].(map[string]any)["roads"] = []int{1, 1} }, "", "unacceptable.roads", "unacceptable.repeated"},
		{"completed in the future", func(b map[string]any) { b["completed_at"] = "2027-01-12T12:00:00Z" }, "", "completed_at", "time.future"},
		{"started after completing", func(b map[string]any) { b["started_at"] = "2027-01-12T10:40:00Z" }, "", "started_at", "time.order"},
		{"no consent", func(b map[string]any) { b["interview"].(map[string]any)["consent"] = false }, "", "interview.consent", "interview.consent"},
		{"language not offered", func(b map[string]any) { b["language"] = "fr" }, "", "language", "language.offered"},
		{"comments too long", func(b map[string]any) { b["comments"] = strings.Repeat("x", consult.MaxComments+1) }, "", "comments", "comments.long"},
		{"unknown field", func(b map[string]any) { b["extra"] = 1 }, "", "", "body.json"},
		{"duplicate key", nil, `{"response_id": "a", "response_id": "b"}`, "", "body.json"},
		{"trailing data", nil, `{} {}`, "", "body.json"},
		{"not JSON", nil, `<html>captive portal</html>`, "", "body.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.raw)
			if tt.raw == "" {
				b := fieldBody(c)
				tt.edit(b)
				body = encode(t, b)
			}
			r, _, err := consult.ParseFieldRecord(c, fieldID, body, fieldNow)
			if r != nil || consult.ErrorCode(err) != consult.EINVALID {
				t.Fatalf("accepted: %v", err)
			}
			for _, fe := range consult.ErrorFields(err) {
				if fe.Field == tt.field && fe.Code == tt.code && fe.Msg != "" {
					return
				}
			}
			t.Fatalf("no %s %s in %+v", tt.field, tt.code, consult.ErrorFields(err))
		})
	}
}
