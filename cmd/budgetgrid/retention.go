package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
)

// retentionEvery is how often serve applies the retention rule.
const retentionEvery = 6 * time.Hour

// startRetention applies every consultation's retention rule now and then
// every retentionEvery until ctx is done. Several servers on one database
// may all run it: a second run changes nothing.
func startRetention(ctx context.Context, store consult.Store, log *slog.Logger) {
	run := func() {
		res, err := consult.RunRetention(ctx, store, store, time.Now())
		if err != nil {
			if ctx.Err() == nil {
				log.Error("retention", "err", err)
			}
			return
		}
		for _, r := range res {
			if r.Redacted > 0 {
				log.Info("retention: deleted free text and about-you answers", "consultation", r.Slug, "responses", r.Redacted)
			}
		}
	}
	go func() {
		run()
		t := time.NewTicker(retentionEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				run()
			}
		}
	}()
}

func runRetentionCommand(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "retention run", "retention run [--db DB]\n\nApplies each consultation's retention rule now: once retention_months have passed since\nit closed, the comments, interviewers' notes and about-you answers of its responses are\ndeleted; the level choices stay for analysis. serve does this by itself every 6 hours.")
	dbPath := dbFlag(fs, env)
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := consult.RunRetention(ctx, store, store, time.Now())
	if err != nil {
		return err
	}
	if len(res) == 0 {
		fmt.Fprintln(env.Stdout, "No consultation is past its retention period.")
	}
	for _, r := range res {
		fmt.Fprintf(env.Stdout, "%s: deleted the free text and about-you answers of %d %s.\n", r.Slug, r.Redacted, plural(r.Redacted, "response", "responses"))
	}
	return nil
}
