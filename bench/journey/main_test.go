package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets TestJourneyBenchmarkRuns run the benchmark's main in a
// child process.
func TestMain(m *testing.M) {
	if os.Getenv("BENCH_JOURNEY_MAIN") == "1" {
		os.Args = append([]string{"journey"}, strings.Fields(os.Getenv("BENCH_JOURNEY_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestJourneyBenchmarkRuns walks a few residents through the benchmark, so
// that a change to the journey (a new form field, a new rule) cannot break
// the benchmark unnoticed. It measures nothing.
func TestJourneyBenchmarkRuns(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BENCH_JOURNEY_MAIN=1", "BENCH_JOURNEY_ARGS=-n 12 -c 3 -lot-gets 12 -lot-c 2")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "completed responses/s") || !strings.Contains(string(out), "lot page: 12 GETs") {
		t.Fatalf("the journey benchmark failed: %v\n%s", err, out)
	}
}
