package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

const tokenUsage = "usage: gonogo token create -name NAME [-product PRODUCT] [-db FILE]"

// runToken is the token subcommand: it makes an API token in the database
// the server uses, for provisioning a pipeline without the web page. The
// token is printed alone on the last line, so a script can take it with tail -n 1.
func runToken(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New(tokenUsage)
	}
	dbPath := getenv("GONOGO_DB")
	if dbPath == "" {
		dbPath = "./data/gonogo.db"
	}
	fs := flag.NewFlagSet("gonogo token create", flag.ContinueOnError)
	fs.SetOutput(stdout)
	name := fs.String("name", "", "the token's name, as the audit trail will show it (required)")
	product := fs.String("product", "", "limit the token to one product's releases")
	fs.StringVar(&dbPath, "db", dbPath, "SQLite database file (GONOGO_DB)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected %q; %s", fs.Arg(0), tokenUsage)
	}
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("open database %s: %w", dbPath, err)
	}
	defer store.Close()
	actor := gonogo.Actor{Name: "gonogo token create (command line)"}
	tok, secret, err := store.CreateToken(ctx, actor, gonogo.TokenInput{Name: *name, Product: *product})
	if err != nil {
		return errors.New(problems(err))
	}
	scope := "every product"
	if tok.Product != "" {
		scope = "product " + tok.Product
	}
	fmt.Fprintf(stdout, "Created API token %q for %s. Store it as a CI secret now: it is not shown again.\n%s\n", tok.Name, scope, secret)
	return nil
}

// problems spells out every field problem of err on one line.
func problems(err error) string {
	if gonogo.ErrorCode(err) == gonogo.EINTERNAL {
		return err.Error() // the operator at the terminal may see the detail
	}
	fields := gonogo.ErrorFields(err)
	if len(fields) == 0 {
		return gonogo.ErrorMessage(err)
	}
	var parts []string
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		parts = append(parts, "-"+f+": "+fields[f])
	}
	return strings.Join(parts, "; ")
}
