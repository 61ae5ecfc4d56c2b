package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/report"
	"github.com/budgetgrid/budgetgrid/grid"
)

func runGridCheck(args []string, env Env) error {
	fs := newFlags(env, "grid check", "grid check FILE\n\nChecks a grid sheet (CSV, or the first sheet of an XLSX) and prints every error with its row and column.")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	g, err := grid.ReadSheetFile(pos[0])
	if err != nil {
		return reportInputError(env, err, "")
	}
	fmt.Fprintf(env.Stdout, "%s: ok: %d services, %d levels; today's package costs %d points, the most expensive %d.\n",
		pos[0], len(g.Services), g.LevelCount(), g.AsNowCost(), g.MaxCost())
	return nil
}

// readDefinition reads a consultation from a folder holding
// consultation.json and its grid sheet, or from one JSON file.
func readDefinition(path string) (*consult.Consultation, error) {
	file, dir := path, filepath.Dir(path)
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if st.IsDir() {
		file, dir = filepath.Join(path, "consultation.json"), path
	}
	data, err := grid.ReadFileLimit(file, grid.MaxSheetBytes)
	if err != nil {
		return nil, err
	}
	return consult.ParseDefinition(filepath.Base(file), data, func(name string) ([]byte, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		return grid.ReadFileLimit(name, grid.MaxSheetBytes)
	})
}

func runConsultationImport(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "consultation import", "consultation import [--replace] [--db FILE] DIR|FILE\n\nLoads a consultation: a folder with consultation.json and its grid sheet, or a canonical consultation JSON file.")
	dbPath := dbFlag(fs, env)
	replace := fs.Bool("replace", false, "replace a consultation with the same slug, if it has no responses")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	c, err := readDefinition(pos[0])
	if err != nil {
		return reportInputError(env, err, "")
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	create := func() error {
		if c.Status == "" {
			c.Status = consult.Draft
		}
		return store.CreateConsultation(ctx, c)
	}
	if *replace {
		err = store.ReplaceConsultation(ctx, c)
		if consult.ErrorCode(err) == consult.ENOTFOUND {
			err = create()
		}
	} else {
		err = create()
	}
	if code := consult.ErrorCode(err); code == consult.ECONFLICT {
		msg := consult.ErrorMessage(err)
		if !*replace {
			msg += " Use --replace to replace it (allowed only while it has no responses)."
		}
		fmt.Fprintln(env.Stderr, msg)
		return errReported
	} else if err != nil {
		return err
	}
	if stored, err := store.Consultation(ctx, c.Slug); err == nil {
		c.Status = stored.Status
	}
	fmt.Fprintf(env.Stdout, "Imported %q (%s): %d services, %d lots, status %s.\n", c.Slug, c.Title, len(c.Grid.Services), len(c.Plan().Budgets), c.Status)
	if c.Status == consult.Draft {
		fmt.Fprintf(env.Stdout, "It is a draft, hidden from residents: open it with \"budgetgrid consultation status %s open\".\n", c.Slug)
	}
	return nil
}

func runConsultationList(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "consultation list", "consultation list [--db FILE]")
	dbPath := dbFlag(fs, env)
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	all, err := store.Consultations(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tSTATUS\tRESPONSES\tCOMPLETED\tTITLE")
	for _, c := range all {
		n, done, err := store.CountResponses(ctx, c.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", c.Slug, c.Status, n, done, c.Title)
	}
	return tw.Flush()
}

func runConsultationStatus(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "consultation status", "consultation status SLUG draft|open|closed [--db FILE]\n\nMoves a consultation through its lifecycle: a draft is hidden, an open one takes answers,\na closed one shows a closed page and accepts nothing (resume codes stop working too).")
	dbPath := dbFlag(fs, env)
	pos, err := parseArgs(fs, args, 2)
	if err != nil {
		return err
	}
	status := consult.Status(pos[1])
	switch status {
	case consult.Draft, consult.Open, consult.Closed:
	default:
		fs.Usage()
		return errUsage
	}
	store, c, err := openConsultation(ctx, *dbPath, pos[0])
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.SetStatus(ctx, c.Slug, status); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%q is now %s (was %s).\n", c.Slug, status, c.Status)
	return nil
}

func runConsultationExport(ctx context.Context, args []string, env Env) error {
	return runExport(ctx, args, env, "consultation export", "Writes a consultation as canonical JSON with its grid inline: the file that\n\"consultation import\" and \"analyse --grid\" read without any other file.",
		func(w *bufio.Writer, _ consult.Store, c *consult.Consultation) error {
			b, err := c.MarshalCanonical()
			if err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		})
}

// runExport is every command that writes one consultation's data: it takes
// SLUG, --out and --db, and streams write's output to the file (replaced
// whole, only on success) or to standard output.
func runExport(ctx context.Context, args []string, env Env, name, about string, write func(*bufio.Writer, consult.Store, *consult.Consultation) error) error {
	fs := newFlags(env, name, name+" SLUG [--out FILE] [--db FILE]\n\n"+about)
	dbPath := dbFlag(fs, env)
	out := fs.String("out", "", "file to write (default: standard output)")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	store, c, err := openConsultation(ctx, *dbPath, pos[0])
	if err != nil {
		return err
	}
	defer store.Close()
	return writeFileAtomic(*out, env, func(w *bufio.Writer) error { return write(w, store, c) })
}

// openConsultation opens the store and loads a consultation by slug.
func openConsultation(ctx context.Context, dbPath, slug string) (consult.Store, *consult.Consultation, error) {
	store, err := openStore(dbPath)
	if err != nil {
		return nil, nil, err
	}
	c, err := store.Consultation(ctx, slug)
	if err != nil {
		store.Close()
		if consult.ErrorCode(err) == consult.ENOTFOUND {
			return nil, nil, fmt.Errorf("no consultation %q in %s", slug, displayDB(dbPath))
		}
		return nil, nil, err
	}
	return store, c, nil
}

func runResponsesExport(ctx context.Context, args []string, env Env) error {
	return runExport(ctx, args, env, "responses export", "Writes every completed response as the wide CSV (to standard output unless --out).",
		func(w *bufio.Writer, store consult.Store, c *consult.Consultation) error {
			return report.WriteWide(ctx, w, store, c)
		})
}

// openInput opens a file to read that is closed as soon as ctx is done,
// so that a command reading a pipe or a slow disk stops at once on SIGINT
// or SIGTERM instead of waiting for the next byte.
func openInput(ctx context.Context, path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	context.AfterFunc(ctx, func() { f.Close() })
	return f, nil
}

// writeFileAtomic streams to path through a temporary file renamed into
// place on success, so a failed export leaves nothing half-written; an
// empty path writes to standard output.
func writeFileAtomic(path string, env Env, write func(*bufio.Writer) error) error {
	if path == "" || path == "-" {
		w := bufio.NewWriterSize(env.Stdout, 64<<10)
		if err := write(w); err != nil {
			return err
		}
		return w.Flush()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 64<<10)
	if err := write(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
