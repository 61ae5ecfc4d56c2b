// Package demo carries the Fenshire demo consultation (a fictional county:
// 16 services, 61 levels, population targets) that a fresh install loads,
// and that tests and benchmarks use.
package demo

import (
	"embed"
	"io/fs"

	"github.com/budgetgrid/budgetgrid/consult"
)

// FS holds demo consultations, one folder each with consultation.json,
// grid.csv and targets.csv.
//
//go:embed fenshire
var FS embed.FS

// Fenshire returns the Fenshire demo consultation, parsed and validated.
func Fenshire() (*consult.Consultation, error) {
	sub, _ := fs.Sub(FS, "fenshire")
	data, err := fs.ReadFile(sub, "consultation.json")
	if err != nil {
		return nil, err
	}
	return consult.ParseDefinition("fenshire/consultation.json", data, func(name string) ([]byte, error) {
		return fs.ReadFile(sub, name)
	})
}

// FenshireTargets returns the Fenshire weighting targets CSV.
func FenshireTargets() []byte {
	b, _ := FS.ReadFile("fenshire/targets.csv")
	return b
}
