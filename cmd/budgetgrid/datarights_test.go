package main

import (
	"context"
	"strings"
	"testing"

	"github.com/budgetgrid/budgetgrid/consult"
)

func TestEraseAndCopyByReference(t *testing.T) {
	db := demoWithResponses(t, 3)
	store, err := openStore(db)
	if err != nil {
		t.Fatal(err)
	}
	c, err := store.Consultation(context.Background(), "fenshire-2027")
	if err != nil {
		t.Fatal(err)
	}
	var first *consult.Response
	if err := store.EachCompleted(context.Background(), c.ID, func(r *consult.Response) error {
		if first == nil {
			first = r
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	typed := strings.ToLower(strings.ReplaceAll(first.Reference, "-", " ")) // as read out over the phone

	out, stderr, err := run(t, "responses", "copy", "fenshire-2027", typed, "--db", db)
	if err != nil {
		t.Fatalf("copy: %v %s", err, stderr)
	}
	for _, want := range []string{"Your answers, reference " + first.Reference, "Round 1, budget 62 points", "Road and pavement repairs: "} {
		if !strings.Contains(out, want) {
			t.Errorf("the copy lacks %q:\n%s", want, out)
		}
	}
	if out, _, err := run(t, "responses", "erase", "fenshire-2027", first.Reference, "--db", db); err != nil || !strings.Contains(out, "Erased the response with reference "+first.Reference) {
		t.Fatalf("erase: %q, %v", out, err)
	}
	if _, _, err := run(t, "responses", "erase", "fenshire-2027", first.Reference, "--db", db); err == nil || !strings.Contains(err.Error(), "no response with the reference") {
		t.Fatalf("erasing twice: %v", err)
	}
	if _, _, err := run(t, "responses", "copy", "fenshire-2027", first.Reference, "--db", db); err == nil {
		t.Fatal("a copy of an erased response was given")
	}
	if _, _, err := run(t, "responses", "erase", "fenshire-2027", "not a reference!", "--db", db); err == nil || !strings.Contains(err.Error(), "8 letters and digits") {
		t.Fatalf("a bad reference: %v", err)
	}
	list, _, _ := run(t, "consultation", "list", "--db", db)
	if !strings.Contains(list, "fenshire-2027  open    2          2") {
		t.Fatalf("after erasing one of three: %q", list)
	}
}
