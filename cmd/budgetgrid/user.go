package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/budgetgrid/budgetgrid/consult"
)

const userAddSynopsis = `user add --role ROLE [--consultation SLUG] [--base-url URL] [--db FILE] EMAIL

Adds a user who signs in to /admin, and prints a one-time link to set a
password, valid for 24 hours. No email is sent: give the link to the user.
ROLE is admin, editor, analyst or interviewer; with --consultation the role
holds in that consultation only.`

const userLinkSynopsis = `user link [--base-url URL] [--db FILE] EMAIL

Prints a new one-time link for a user to set a password (a forgotten
password), valid for 24 hours.`

func runUserAdd(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "user add", userAddSynopsis)
	dbPath := dbFlag(fs, env)
	role := fs.String("role", "", "admin, editor, analyst or interviewer")
	slug := fs.String("consultation", "", "the consultation the role holds in (default: every one)")
	baseURL := baseURLFlag(fs, env)
	pos, err := parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	if !consult.Role(*role).Valid() {
		return fmt.Errorf("--role %q: choose admin, editor, analyst or interviewer", *role)
	}
	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	uc := &consult.Admin{Store: store}
	u, tok, err := uc.AddUserIn(ctx, nil, pos[0], consult.Role(*role), *slug, consult.Client{Address: "command line"})
	if err != nil {
		return fmt.Errorf("%s", consult.ErrorMessage(err))
	}
	fmt.Fprintf(env.Stdout, "Added %s (%s). Link to set a password, valid for 24 hours and once:\n%s\n", u.Email, *role, passwordLink(*baseURL, tok))
	return nil
}

func runUserLink(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "user link", userLinkSynopsis)
	dbPath := dbFlag(fs, env)
	baseURL := baseURLFlag(fs, env)
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
	tok, err := uc.NewPasswordLink(ctx, nil, pos[0], consult.Client{Address: "command line"})
	if err != nil {
		return fmt.Errorf("%s", consult.ErrorMessage(err))
	}
	fmt.Fprintf(env.Stdout, "Link to set a password, valid for 24 hours and once:\n%s\n", passwordLink(*baseURL, tok))
	return nil
}

// baseURLFlag adds --base-url, for printing whole links.
func baseURLFlag(fs *flag.FlagSet, env Env) *string {
	return fs.String("base-url", envOr(env, "BUDGETGRID_BASE_URL", ""), "the site's public URL, to print a whole link (env BUDGETGRID_BASE_URL)")
}

// passwordLink is the set-password link: whole with a base URL, else a
// path to put after the site's address.
func passwordLink(baseURL, token string) string {
	return strings.TrimSuffix(baseURL, "/") + "/admin/set-password/" + token
}
