package main

import (
	"bufio"
	"context"
	"fmt"

	"github.com/budgetgrid/budgetgrid/consult"
)

func runResponsesErase(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "responses erase", "responses erase SLUG REFERENCE [--db DB]\n\nErases the completed response with the confirmation reference a resident gives (their\nright to erasure). The response and its resume codes are deleted; its id is remembered so\nthat a tablet sending the same interview again is refused (410).")
	dbPath := dbFlag(fs, env)
	pos, err := parseArgs(fs, args, 2)
	if err != nil {
		return err
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	dr := &consult.DataRights{Consultations: store, Erasures: store}
	r, err := dr.Erase(ctx, pos[0], pos[1])
	if err != nil {
		if code := consult.ErrorCode(err); code == consult.ENOTFOUND || code == consult.EINVALID {
			return fmt.Errorf("%s", consult.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "Erased the response with reference %s (sent %s).\n", r.Reference, r.CompletedAt.UTC().Format("2 January 2006"))
	return nil
}

func runResponsesCopy(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "responses copy", "responses copy SLUG REFERENCE [--out FILE] [--db DB]\n\nWrites, in words, everything stored from the completed response with the confirmation\nreference a resident gives (their right of access), to print or send them.")
	dbPath := dbFlag(fs, env)
	out := fs.String("out", "", "file to write (default: standard output)")
	pos, err := parseArgs(fs, args, 2)
	if err != nil {
		return err
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	dr := &consult.DataRights{Consultations: store, Erasures: store}
	c, r, err := dr.Find(ctx, pos[0], pos[1])
	if err != nil {
		if code := consult.ErrorCode(err); code == consult.ENOTFOUND || code == consult.EINVALID {
			return fmt.Errorf("%s", consult.ErrorMessage(err))
		}
		return err
	}
	return writeFileAtomic(*out, env, func(w *bufio.Writer) error {
		_, err := w.WriteString(consult.Copy(c, r))
		return err
	})
}
