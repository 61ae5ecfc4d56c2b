// Command budgetgrid runs SIMALTO budget consultations: it serves the
// resident's journey and carries the admin and analyst subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := Run(ctx, os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	switch {
	case err == nil:
	case ctx.Err() != nil:
		// Stopped by SIGINT or SIGTERM: whatever the command was reading
		// was cut off, and it stored nothing that was not complete.
		fmt.Fprintln(os.Stderr, "budgetgrid: stopped by a signal")
		os.Exit(130)
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		if !errors.Is(err, errReported) {
			fmt.Fprintln(os.Stderr, "budgetgrid:", err)
		}
		os.Exit(1)
	}
}

// Env is what Run takes from the outside world, so tests can call it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Listening, when set, is told the address serve listens on.
	Listening func(addr string)
	// MetricsListening, when set, is told the address of serve's metrics.
	MetricsListening func(addr string)
}

var (
	// errUsage means the command line was wrong; the usage was printed.
	errUsage = errors.New("usage")
	// errReported means the command printed its own errors already.
	errReported = errors.New("errors reported")
)

const usage = `budgetgrid: SIMALTO-style budget consultations.

Usage:
  budgetgrid serve [flags]                     run the web server
  budgetgrid grid check FILE                   check a grid sheet (CSV or XLSX)
  budgetgrid consultation import DIR|FILE      load a consultation definition
  budgetgrid consultation list                 list consultations
  budgetgrid consultation status SLUG STATUS   open, close or hide (draft) a consultation
  budgetgrid consultation export SLUG [--out F] write a consultation as canonical JSON
  budgetgrid responses export SLUG [--out F]   write responses as the wide CSV
  budgetgrid responses import SLUG FILE        load responses from a wide CSV
  budgetgrid responses simulate SLUG --n N     write synthetic responses as wide CSV
  budgetgrid responses comments SLUG [--out F] write residents' comments as CSV
  budgetgrid responses erase SLUG REFERENCE    erase a resident's response
  budgetgrid responses copy SLUG REFERENCE     a resident's answers in words
  budgetgrid user add --role ROLE EMAIL        add an admin-area user; prints a set-password link
  budgetgrid user link EMAIL                   a new set-password link for a user
  budgetgrid analyse SLUG | --grid F --responses F   weighted results
  budgetgrid report SLUG --out F.html|.pdf|.xlsx    the report to Cabinet
  budgetgrid opendata SLUG --out DIR                published tables as open data
  budgetgrid migrate                           apply database migrations
  budgetgrid device add EMAIL --consultation SLUG   enrol an interviewer's tablet; prints its token
  budgetgrid retention run                     delete free text and about-you answers past retention
  budgetgrid backup --out FILE                 a consistent copy of a SQLite database, while serving
  budgetgrid restore --from FILE --db FILE     put a backup in place
  budgetgrid copy --from DB --to DB            copy a whole deployment to an empty database

Run "budgetgrid COMMAND --help" for a command's flags.
`

// Run runs the budgetgrid command line with args (without the program name).
func Run(ctx context.Context, args []string, env Env) error {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return errUsage
	}
	sub := func(i int) string {
		if len(args) > i {
			return args[i]
		}
		return ""
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], env)
	case "report":
		return runReport(ctx, args[1:], env)
	case "opendata":
		return runOpendata(ctx, args[1:], env)
	case "grid":
		if sub(1) == "check" {
			return runGridCheck(args[2:], env)
		}
	case "consultation":
		switch sub(1) {
		case "import":
			return runConsultationImport(ctx, args[2:], env)
		case "list":
			return runConsultationList(ctx, args[2:], env)
		case "status":
			return runConsultationStatus(ctx, args[2:], env)
		case "export":
			return runConsultationExport(ctx, args[2:], env)
		}
	case "responses":
		switch sub(1) {
		case "export":
			return runResponsesExport(ctx, args[2:], env)
		case "import":
			return runResponsesImport(ctx, args[2:], env)
		case "simulate":
			return runResponsesSimulate(ctx, args[2:], env)
		case "comments":
			return runResponsesComments(ctx, args[2:], env)
		case "erase":
			return runResponsesErase(ctx, args[2:], env)
		case "copy":
			return runResponsesCopy(ctx, args[2:], env)
		}
	case "user":
		switch sub(1) {
		case "add":
			return runUserAdd(ctx, args[2:], env)
		case "link":
			return runUserLink(ctx, args[2:], env)
		}
	case "analyse", "analyze":
		return runAnalyse(ctx, args[1:], env)
	case "migrate":
		return runMigrate(ctx, args[1:], env)
	case "backup":
		return runBackup(ctx, args[1:], env)
	case "device":
		if sub(1) == "add" {
			return runDeviceAdd(ctx, args[2:], env)
		}
	case "retention":
		if sub(1) == "run" {
			return runRetentionCommand(ctx, args[2:], env)
		}
	case "restore":
		return runRestore(ctx, args[1:], env)
	case "copy":
		return runCopy(ctx, args[1:], env)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
		return nil
	}
	fmt.Fprintf(env.Stderr, "budgetgrid: unknown command %q\n\n%s", joinArgs(args, 2), usage)
	return errUsage
}

func joinArgs(args []string, n int) string {
	s := ""
	for i, a := range args {
		if i >= n {
			break
		}
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}

// newFlags makes a flag set for a subcommand that prints its usage to
// stderr and returns errors instead of exiting.
func newFlags(env Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: budgetgrid %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses flags that may come before or after the positional
// arguments, returning the positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseArgs parses flags and checks that exactly n positional arguments
// remain, printing the usage otherwise.
func parseArgs(fs *flag.FlagSet, args []string, n int) ([]string, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != n {
		fs.Usage()
		return nil, errUsage
	}
	return pos, nil
}

// envOr returns the environment variable's value, or def when unset.
func envOr(env Env, key, def string) string {
	if v := env.Getenv(key); v != "" {
		return v
	}
	return def
}

// envBool reads a true/false environment variable ("1", "true", "0",
// "false"…); unset is false, anything else an error, so that "false"
// never means true.
func envBool(env Env, key string) (bool, error) {
	v := env.Getenv(key)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: give true or false", key, v)
	}
	return b, nil
}

// dbFlag adds the --db flag every store command shares.
func dbFlag(fs *flag.FlagSet, env Env) *string {
	return fs.String("db", envOr(env, "BUDGETGRID_DB", "budgetgrid.db"), "SQLite database file, or a postgres:// URL (env BUDGETGRID_DB)")
}
