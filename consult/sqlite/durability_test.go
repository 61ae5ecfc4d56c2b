package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestDurableAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "budgetgrid.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := createConsultation(t, db, "durable")
	r := completeResponse(t, db, c)
	if _, err := db.SetSettingIfAbsent(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	got, err := db.Response(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Completed() || got.Reference != r.Reference || got.Answers.About["area"] != "south" {
		t.Errorf("after reopen: %+v, want completed with reference %s", got, r.Reference)
	}
	if v, err := db.Setting(ctx, "k"); err != nil || string(v) != "v" {
		t.Errorf("setting after reopen = %q, %v", v, err)
	}
}

// The child half of TestDurableAfterKill reads these.
const (
	crashDBEnv  = "BUDGETGRID_SQLITE_CRASH_DB"
	crashIDsEnv = "BUDGETGRID_SQLITE_CRASH_IDS"
)

// TestDurableAfterKill re-executes the test binary as a child that
// completes responses one by one, printing "ok ID REFERENCE" after each
// CompleteResponse returns. The parent kills it with SIGKILL midway, then
// reopens the file: every acknowledged completion must be there.
func TestDurableAfterKill(t *testing.T) {
	if path := os.Getenv(crashDBEnv); path != "" {
		crashChild(path, strings.Split(os.Getenv(crashIDsEnv), ","))
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "budgetgrid.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	c := createConsultation(t, db, "killed")
	ids := createResponses(t, db, c, 200)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestDurableAfterKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDBEnv+"="+path, crashIDsEnv+"="+strings.Join(ids, ","))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]string{} // id → reference
	lines := bufio.NewScanner(out)
	for len(acked) < 50 && lines.Scan() {
		var id, ref string
		if n, _ := fmt.Sscanf(lines.Text(), "ok %s %s", &id, &ref); n == 2 {
			acked[id] = ref
		}
	}
	// Kill while the child is still completing.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() { // acknowledgements written before the kill count too
		var id, ref string
		if n, _ := fmt.Sscanf(lines.Text(), "ok %s %s", &id, &ref); n == 2 {
			acked[id] = ref
		}
	}
	err = cmd.Wait()
	if len(acked) < 50 {
		t.Fatalf("child acknowledged %d completions (exit: %v)", len(acked), err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("child was not killed by the signal: %v", cmd.ProcessState)
	}

	db, err = Open(path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer db.Close()
	for id, ref := range acked {
		got, err := db.Response(ctx, id)
		if err != nil {
			t.Fatalf("acknowledged response %s: %v", id, err)
		}
		if !got.Completed() || got.Reference != ref {
			t.Errorf("acknowledged response %s reads back completed=%v reference=%q, want %q", id, got.Completed(), got.Reference, ref)
		}
	}
	_, completed, err := db.CountResponses(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("child acknowledged %d completions before SIGKILL; %d found complete after reopen", len(acked), completed)
	if completed < len(acked) {
		t.Errorf("%d completed after reopen, fewer than %d acknowledged", completed, len(acked))
	}
}

// crashChild completes the responses, acknowledging each on stdout, then
// waits to be killed.
func crashChild(path string, ids []string) {
	db, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: open:", err)
		os.Exit(2)
	}
	for _, id := range ids {
		r, err := db.Response(context.Background(), id)
		if err == nil {
			r.Answers = testAnswers("north")
			r.Reached = 7
			err = db.CompleteResponse(context.Background(), r)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "child: complete:", err)
			os.Exit(2)
		}
		fmt.Printf("ok %s %s\n", r.ID, r.Reference)
	}
	// The child never closes the store: it is killed.
	time.Sleep(time.Minute)
	os.Exit(3)
}
