package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the command itself in a child process, so that
// it can be sent a real signal: with BUDGETGRID_TEST_ARGS set, the test
// binary is the budgetgrid command with those arguments.
func TestMain(m *testing.M) {
	if args := os.Getenv("BUDGETGRID_TEST_ARGS"); args != "" {
		os.Args = append([]string{"budgetgrid"}, strings.Split(args, "\x1f")...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestInterruptStopsImportPromptly starts `responses import` on a file that
// never ends (a FIFO whose writer stalls after some rows), interrupts it,
// and checks that it stops at once and stores nothing.
func TestInterruptStopsImportPromptly(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	if _, _, err := run(t, "consultation", "import", "--db", db, writeDemo(t, dir)); err != nil {
		t.Fatal(err)
	}
	sim := filepath.Join(dir, "sim.csv")
	if _, _, err := run(t, "responses", "simulate", "fenshire-2027", "--db", db, "--n", "200", "--out", sim); err != nil {
		t.Fatal(err)
	}
	rows, err := os.ReadFile(sim)
	if err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "stalls.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "BUDGETGRID_TEST_ARGS="+strings.Join([]string{"responses", "import", "--db", db, "fenshire-2027", fifo}, "\x1f"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write(rows); err != nil { // every row, then the writer stalls
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the child reads the rows and waits for more
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if code := cmd.ProcessState.ExitCode(); err == nil || code != 130 || !strings.Contains(stderr.String(), "stopped by a signal") {
			t.Fatalf("interrupted import: exit %d, stderr %q", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("import still running 10 s after an interrupt; stderr %q", stderr.String())
	}
	out, _, err := run(t, "consultation", "list", "--db", db)
	if err != nil || !strings.Contains(out, "fenshire-2027  open    0          0") {
		t.Fatalf("after the interrupted import: %q, %v", out, err)
	}
}
