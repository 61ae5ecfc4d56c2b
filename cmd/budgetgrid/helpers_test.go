package main

import (
	"context"
	"testing"
)

// fenshireServiceKeys reads the demo grid's service keys from the database.
func fenshireServiceKeys(t *testing.T, dbPath string) []string {
	t.Helper()
	db, err := openStore(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.Consultation(context.Background(), "fenshire-2027")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range c.Grid.Services {
		keys = append(keys, s.Key)
	}
	return keys
}
