package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// enrol stores a device for the test consultation and returns its token.
func (e *env) enrol(tb testing.TB, consultations ...int64) (string, *consult.Device) {
	tb.Helper()
	token, hash := consult.NewDeviceToken()
	d := &consult.Device{UserID: 42, Label: "Tablet", TokenHash: hash, Consultations: consultations}
	if err := e.store.CreateDevice(context.Background(), d); err != nil {
		tb.Fatal(err)
	}
	return token, d
}

// interview is a valid field sync body for the demo with the given id.
func (e *env) interview(id string) map[string]any {
	lots := make([]any, len(e.flow.Plan.Budgets))
	for k := range lots {
		m := map[string]any{}
		for _, s := range e.k.Grid.Services {
			m[s.Key] = 1
		}
		m["roads"] = 2
		lots[k] = m
	}
	return map[string]any{
		"response_id": id, "grid_version": e.k.GridVersion,
		"started_at": testNow.Add(-40 * time.Minute).Format(time.RFC3339), "completed_at": testNow.Add(-10 * time.Minute).Format(time.RFC3339),
		"language": "en", "about": map[string]any{"area": "fenchester"},
		"lots": lots, "comments": "", "interview": map[string]any{"consent": true, "timings_ms": map[string]int{"about": 40000}},
	}
}

type apiReply struct {
	Status     string `json:"status"`
	ResponseID string `json:"response_id"`
	Reference  string `json:"reference"`
	Message    string `json:"message"`
	Errors     []struct {
		Field, Code, Message string
	} `json:"errors"`
	code int
}

func (e *env) put(tb testing.TB, token, slug, id string, body any) apiReply {
	tb.Helper()
	var raw []byte
	switch b := body.(type) {
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			tb.Fatal(err)
		}
	}
	req, err := http.NewRequest(http.MethodPut, e.srv.URL+"/api/field/v1/consultations/"+slug+"/responses/"+id, bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var r apiReply
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" && ct != "application/json; charset=UTF-8" {
		tb.Fatalf("PUT answered %d with Content-Type %q, not JSON", resp.StatusCode, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		tb.Fatalf("PUT answered %d with a body that is not JSON: %v", resp.StatusCode, err)
	}
	r.code = resp.StatusCode
	return r
}

func TestFieldSyncStatuses(t *testing.T) {
	e := newEnv(t, func(k *consult.Consultation) { k.Status = consult.Open })
	token, dev := e.enrol(t, e.k.ID)
	other, _ := e.enrol(t) // assigned nothing
	const id = "0b6f9b1e-2f4a-4c3d-9e8f-7a6b5c4d3e2f"
	body := e.interview(id)

	first := e.put(t, token, slug, id, body)
	if first.code != http.StatusCreated || first.Status != "created" || first.ResponseID != id || first.Reference == "" {
		t.Fatalf("first PUT = %+v, want 201 created with a reference", first)
	}
	again := e.put(t, token, slug, id, body)
	if again.code != http.StatusOK || again.Status != "duplicate" || again.Reference != first.Reference {
		t.Fatalf("same PUT again = %+v, want 200 duplicate with reference %s", again, first.Reference)
	}
	changed := e.interview(id)
	changed["about"] = map[string]any{"area": "marshby"}
	conflict := e.put(t, token, slug, id, changed)
	if conflict.code != http.StatusConflict || conflict.Status != "conflict" || conflict.Reference != first.Reference {
		t.Fatalf("changed PUT = %+v, want 409 conflict with the first reference", conflict)
	}
	otherComments := e.interview(id)
	otherComments["comments"] = "Something else."
	if r := e.put(t, token, slug, id, otherComments); r.code != http.StatusConflict || r.Reference != first.Reference {
		t.Fatalf("a re-send with other comments = %+v, want 409 conflict", r)
	}
	stored, err := e.store.Response(context.Background(), id)
	if err != nil || stored.Answers.About["area"] != "fenchester" || stored.Channel != consult.ChannelInterview ||
		stored.Answers.Interview == nil || stored.Answers.Interview.DeviceID != dev.ID || stored.Answers.Interview.InterviewerID != 42 {
		t.Fatalf("stored %+v, %v: the first answers, as an interview from the device, must stay", stored, err)
	}

	bad := e.interview("1b6f9b1e-2f4a-4c3d-9e8f-7a6b5c4d3e2f")
	bad["lots"].([]any)[1].(map[string]any)["roads"] = 1 // below round 1's level 2
	invalid := e.put(t, token, slug, "1b6f9b1e-2f4a-4c3d-9e8f-7a6b5c4d3e2f", bad)
	if invalid.code != http.StatusUnprocessableEntity || invalid.Status != "invalid" || len(invalid.Errors) == 0 ||
		invalid.Errors[0].Field != "lots[1].roads" || invalid.Errors[0].Code != "level.below_floor" {
		t.Fatalf("invalid PUT = %+v, want 422 naming lots[1].roads level.below_floor", invalid)
	}
	if r := e.put(t, token, slug, id, []byte("<html>captive portal</html>")); r.code != http.StatusUnprocessableEntity {
		t.Fatalf("not JSON = %+v, want 422", r)
	}
	if r := e.put(t, "", slug, id, body); r.code != http.StatusUnauthorized || r.Status != "unauthorized" {
		t.Fatalf("no token = %+v, want 401", r)
	}
	if r := e.put(t, "not-a-token", slug, id, body); r.code != http.StatusUnauthorized {
		t.Fatalf("unknown token = %+v, want 401", r)
	}
	if r := e.put(t, other, slug, id, body); r.code != http.StatusForbidden || r.Status != "forbidden" {
		t.Fatalf("device without the consultation = %+v, want 403", r)
	}
	if r := e.put(t, token, "no-such-consultation", id, body); r.code != http.StatusNotFound || r.Status != "not_found" {
		t.Fatalf("unknown consultation = %+v, want 404", r)
	}

	if err := e.store.EraseResponse(context.Background(), id, testNow); err != nil {
		t.Fatal(err)
	}
	if r := e.put(t, token, slug, id, body); r.code != http.StatusGone || r.Status != "erased" {
		t.Fatalf("erased = %+v, want 410", r)
	}
	if err := e.store.RevokeDevice(context.Background(), dev.ID, testNow); err != nil {
		t.Fatal(err)
	}
	if r := e.put(t, token, slug, "2b6f9b1e-2f4a-4c3d-9e8f-7a6b5c4d3e2f", e.interview("2b6f9b1e-2f4a-4c3d-9e8f-7a6b5c4d3e2f")); r.code != http.StatusUnauthorized {
		t.Fatalf("revoked device = %+v, want 401", r)
	}
}

// TestFieldSyncParallelSends sends one interview 50 times at once: one row,
// one reference, every answer 201 or 200.
func TestFieldSyncParallelSends(t *testing.T) {
	e := newEnv(t, func(k *consult.Consultation) { k.Status = consult.Open })
	token, _ := e.enrol(t, e.k.ID)
	const id = "3b6f9b1e-2f4a-4c3d-9e8f-7a6b5c4d3e2f"
	body := e.interview(id)
	var wg sync.WaitGroup
	replies := make([]apiReply, 50)
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = e.put(t, token, slug, id, body)
		}()
	}
	wg.Wait()
	created := 0
	for _, r := range replies {
		switch {
		case r.code == http.StatusCreated:
			created++
		case r.code != http.StatusOK:
			t.Fatalf("a parallel send got %+v", r)
		}
		if r.Reference != replies[0].Reference {
			t.Fatalf("references differ: %s and %s", r.Reference, replies[0].Reference)
		}
	}
	all, completed, err := e.store.CountResponses(context.Background(), e.k.ID)
	if err != nil || created != 1 || all != 1 || completed != 1 {
		t.Fatalf("%d created, %d rows (%d completed), %v: want exactly one", created, all, completed, err)
	}
}

func TestFieldSyncGraceAfterClosing(t *testing.T) {
	closes := testNow.Add(-time.Hour)
	e := newEnv(t, func(k *consult.Consultation) { k.Status = consult.Open; k.ClosesAt = closes; k.FieldGraceHours = 48 })
	token, _ := e.enrol(t, e.k.ID)
	const id = "4b6f9b1e-2f4a-4c3d-9e8f-7a6b5c4d3e2f"
	body := e.interview(id)
	body["started_at"] = closes.Add(-2 * time.Hour).Format(time.RFC3339)
	body["completed_at"] = closes.Add(-time.Hour).Format(time.RFC3339) // finished before the close, sent after
	if r := e.put(t, token, slug, id, body); r.code != http.StatusCreated {
		t.Fatalf("late arrival in the grace period = %+v, want 201", r)
	}
	stored, err := e.store.Response(context.Background(), id)
	if err != nil || stored.Answers.Interview == nil || !stored.Answers.Interview.Late {
		t.Fatalf("late arrival not flagged: %+v, %v", stored, err)
	}
	after := e.interview("5b6f9b1e-2f4a-4c3d-9e8f-7a6b5c4d3e2f")
	after["started_at"] = closes.Format(time.RFC3339)
	after["completed_at"] = closes.Add(10 * time.Minute).Format(time.RFC3339) // finished after the close
	if r := e.put(t, token, slug, "5b6f9b1e-2f4a-4c3d-9e8f-7a6b5c4d3e2f", after); r.code != http.StatusUnprocessableEntity || r.Errors[0].Code != "consultation.closed" {
		t.Fatalf("interview finished after closing = %+v, want 422 consultation.closed", r)
	}
}

func TestFieldConsultationsList(t *testing.T) {
	e := newEnv(t, func(k *consult.Consultation) { k.Status = consult.Open })
	token, _ := e.enrol(t, e.k.ID)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/field/v1/consultations", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		Consultations []struct {
			Slug        string          `json:"slug"`
			GridVersion int64           `json:"grid_version"`
			Definition  json.RawMessage `json:"definition"`
		} `json:"consultations"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET consultations: %d, %v", resp.StatusCode, err)
	}
	if len(got.Consultations) != 1 || got.Consultations[0].Slug != slug || got.Consultations[0].GridVersion != e.k.GridVersion {
		t.Fatalf("consultations %+v", got.Consultations)
	}
	def, err := consult.ParseDefinition("api.json", got.Consultations[0].Definition, nil)
	if err != nil || len(def.Grid.Services) != len(e.k.Grid.Services) {
		t.Fatalf("the definition does not read back: %v", err)
	}
	req, _ = http.NewRequest(http.MethodGet, e.srv.URL+"/api/field/v1/consultations", nil)
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a token: %d, want 401", resp2.StatusCode)
	}
}
