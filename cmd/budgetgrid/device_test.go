package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDeviceAddThenSync enrols a tablet from the command line for an
// interviewer, and sends an interview with the printed token to the field
// sync API of a running server.
func TestDeviceAddThenSync(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	if _, stderr, err := run(t, "consultation", "import", "--db", db, writeDemo(t, dir)); err != nil {
		t.Fatalf("import: %v %s", err, stderr)
	}
	if _, _, err := run(t, "device", "add", "nobody@fenshire.gov.uk", "--consultation", "fenshire-2027", "--db", db); err == nil || !strings.Contains(err.Error(), "no user") {
		t.Fatalf("device add for an unknown user: %v", err)
	}
	if _, stderr, err := run(t, "user", "add", "--role", "analyst", "--db", db, "analyst@fenshire.gov.uk"); err != nil {
		t.Fatalf("user add: %v %s", err, stderr)
	}
	if _, _, err := run(t, "device", "add", "analyst@fenshire.gov.uk", "--consultation", "fenshire-2027", "--db", db); err == nil || !strings.Contains(err.Error(), "not an interviewer") {
		t.Fatalf("device add for an analyst: %v", err)
	}
	if _, stderr, err := run(t, "user", "add", "--role", "interviewer", "--consultation", "fenshire-2027", "--db", db, "interviewer@fenshire.gov.uk"); err != nil {
		t.Fatalf("user add: %v %s", err, stderr)
	}
	out, stderr, err := run(t, "device", "add", "interviewer@fenshire.gov.uk", "--consultation", "fenshire-2027", "--label", "Tablet 3", "--db", db)
	if err != nil || !strings.Contains(out, "Enrolled device") {
		t.Fatalf("device add: %q %v %s", out, err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]

	base, _ := serveOn(t, db, "--no-demo")
	var lots []map[string]int
	for range 4 {
		lots = append(lots, map[string]int{})
	}
	c := fenshireServiceKeys(t, db)
	for _, l := range lots {
		for _, k := range c {
			l[k] = 1
		}
	}
	now := time.Now().UTC()
	const id = "9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
	body, _ := json.Marshal(map[string]any{
		"response_id": id, "grid_version": 1,
		"started_at": now.Add(-30 * time.Minute).Format(time.RFC3339), "completed_at": now.Add(-time.Minute).Format(time.RFC3339),
		"language": "en", "about": map[string]string{"area": "fenchester"}, "lots": lots,
		"interview": map[string]any{"consent": true},
	})
	req, _ := http.NewRequest(http.MethodPut, base+"/api/field/v1/consultations/fenshire-2027/responses/"+id, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	json.NewDecoder(resp.Body).Decode(&got)
	if resp.StatusCode != http.StatusCreated || got["status"] != "created" || got["reference"] == "" {
		t.Fatalf("PUT with the printed token: %d %v", resp.StatusCode, got)
	}
}
