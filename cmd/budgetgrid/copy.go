package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/grid"
)

// runCopy copies a whole deployment (consultations, grid versions,
// responses in progress and complete, resume codes, settings, devices,
// erasure tombstones) from one
// database to a new, empty one, in either direction between SQLite and
// PostgreSQL, then checks the copy by comparing each consultation's
// exports from both.
func runCopy(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "copy", "copy --from DB --to DB\n\nCopies a whole deployment into an empty database: a SQLite file or a postgres:// URL\neither way. Stop the servers first; the copy is read from one snapshot and written in\none transaction, then checked by comparing every consultation's exports from both.")
	from := fs.String("from", "", "database to copy from: SQLite file or postgres:// URL")
	to := fs.String("to", "", "empty database to copy into (a new SQLite file is created)")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		fs.Usage()
		return errUsage
	}
	if *from == *to {
		return fmt.Errorf("copy: --from and --to name the same database")
	}
	src, err := openStore(*from)
	if err != nil {
		return fmt.Errorf("copy from %s: %w", displayDB(*from), err)
	}
	defer src.Close()
	dst, err := openStore(*to)
	if err != nil {
		return fmt.Errorf("copy to %s: %w", displayDB(*to), err)
	}
	defer dst.Close()
	reader, ok1 := src.(consult.DeploymentStore)
	writer, ok2 := dst.(consult.DeploymentStore)
	if !ok1 || !ok2 {
		return fmt.Errorf("copy: these stores cannot copy whole deployments")
	}
	counts, err := copyItems(ctx, reader, writer)
	if err != nil {
		if consult.ErrorCode(err) == consult.ECONFLICT {
			return fmt.Errorf("copy to %s: %s", displayDB(*to), consult.ErrorMessage(err))
		}
		return fmt.Errorf("copy: %w", err)
	}
	if err := compareExports(ctx, src, dst); err != nil {
		return fmt.Errorf("copy: the check failed, do not use the copy: %w", err)
	}
	fmt.Fprintf(env.Stdout, "Copied %d %s (%d grid %s), %d %s, %d resume %s, %d %s, %d %s, %d %s, %d audit %s, %d hidden %s and %d erased %s from %s to %s; every export matches.\n",
		counts.consultations, plural(counts.consultations, "consultation", "consultations"),
		counts.grids, plural(counts.grids, "version", "versions"),
		counts.responses, plural(counts.responses, "response", "responses"),
		counts.codes, plural(counts.codes, "code", "codes"),
		counts.settings, plural(counts.settings, "setting", "settings"),
		counts.devices, plural(counts.devices, "device", "devices"),
		counts.users, plural(counts.users, "user", "users"),
		counts.audit, plural(counts.audit, "entry", "entries"),
		counts.hidden, plural(counts.hidden, "comment", "comments"),
		counts.erasures, plural(counts.erasures, "response", "responses"),
		displayDB(*from), displayDB(*to))
	return dst.Close()
}

// itemCounts counts the items copied, by kind.
type itemCounts struct {
	consultations, grids, responses, codes, settings, devices, users, hidden, audit, erasures int
}

// copyItems streams src's items into dst: src reads on one goroutine, dst
// writes on this one, so memory stays flat whatever the size.
func copyItems(ctx context.Context, src, dst consult.DeploymentStore) (itemCounts, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	items := make(chan consult.DeploymentItem, 256)
	readErr := make(chan error, 1)
	go func() {
		defer close(items)
		readErr <- src.EachItem(ctx, func(it consult.DeploymentItem) error {
			select {
			case items <- it:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var n itemCounts
	err := dst.LoadItems(ctx, func() (consult.DeploymentItem, error) {
		it, ok := <-items
		if !ok {
			if err := <-readErr; err != nil {
				return it, err
			}
			return it, io.EOF
		}
		switch {
		case it.Consultation != nil:
			n.consultations++
		case it.GridVersion != nil:
			n.grids++
		case it.Response != nil:
			n.responses++
		case it.ResumeCode != nil:
			n.codes++
		case it.Setting != nil:
			n.settings++
		case it.Device != nil:
			n.devices++
		case it.User != nil:
			n.users++
		case it.HiddenComment != nil:
			n.hidden++
		case it.AuditEntry != nil:
			n.audit++
		case it.Erasure != nil:
			n.erasures++
		}
		return it, nil
	})
	cancel()
	for range items { // let the reader finish
	}
	return n, err
}

// compareExports checks that two stores hold the same deployment as the
// exports show it: the same consultations (canonical JSON with the grid,
// status), response counts, wide CSV and comments of every consultation.
func compareExports(ctx context.Context, a, b consult.Store) error {
	as, err := a.Consultations(ctx)
	if err != nil {
		return err
	}
	bs, err := b.Consultations(ctx)
	if err != nil {
		return err
	}
	if len(as) != len(bs) {
		return fmt.Errorf("%d consultations, the copy has %d", len(as), len(bs))
	}
	for i, ca := range as {
		cb := bs[i]
		ha, err := exportDigest(ctx, a, ca)
		if err != nil {
			return err
		}
		hb, err := exportDigest(ctx, b, cb)
		if err != nil {
			return err
		}
		if ca.Slug != cb.Slug || ca.GridVersion != cb.GridVersion || !bytes.Equal(ha, hb) {
			return fmt.Errorf("the exports of %q differ", ca.Slug)
		}
	}
	return nil
}

// exportDigest hashes what the exports of a consultation say: its
// canonical JSON, status and grid version, its counts, and the wide CSV
// and comments of its completed responses.
func exportDigest(ctx context.Context, s consult.Store, c *consult.Consultation) ([]byte, error) {
	h := sha256.New()
	def, err := c.MarshalCanonical()
	if err != nil {
		return nil, err
	}
	all, completed, err := s.CountResponses(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(h, "%s\n%s %d %d %d\n", def, c.Status, c.GridVersion, all, completed)
	w := bufio.NewWriter(h)
	ww, err := grid.NewWideWriter(w, c.Grid, c.WideLayout())
	if err != nil {
		return nil, err
	}
	err = s.EachCompleted(ctx, c.ID, func(r *consult.Response) error {
		fmt.Fprintf(w, "%s %s %q\n", r.ID, r.Reference, r.Answers.Comments)
		return ww.Write(r.Record(c))
	})
	if err != nil {
		return nil, err
	}
	if err := ww.Flush(); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
