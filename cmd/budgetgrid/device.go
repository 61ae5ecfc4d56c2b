package main

import (
	"context"
	"fmt"

	"github.com/budgetgrid/budgetgrid/consult"
)

const deviceAddSynopsis = `device add EMAIL --consultation SLUG [--consultation SLUG…] [--label TEXT] [--db DB]

Enrols a tablet for an existing interviewer (user add --role interviewer) to send
interviews to the field sync API for the consultations named, and prints its device token
once: type it into the field app at /field. The server keeps only a hash of the token.`

func runDeviceAdd(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "device add", deviceAddSynopsis)
	dbPath := dbFlag(fs, env)
	var slugs listFlag
	fs.Var(&slugs, "consultation", "a consultation the device sends to (repeatable)")
	label := fs.String("label", "", "a name for the device in the admin area's list, e.g. \"Tablet 3\"")
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	uc := &consult.Admin{Store: store}
	token, d, err := uc.EnrolDevice(ctx, nil, pos[0], *label, slugs, consult.Client{Address: "command line"})
	if err != nil {
		if code := consult.ErrorCode(err); code == consult.ENOTFOUND || code == consult.EINVALID {
			return fmt.Errorf("%s", consult.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "Enrolled device %d (%s). Its token, shown only now:\n%s\n", d.ID, d.Label, token)
	return nil
}
