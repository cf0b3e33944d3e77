package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

const backupUsage = "usage: gonogo backup -o FILE [-db FILE]"

// runBackup is the backup subcommand: it writes a consistent copy of the
// database the server uses, while the server keeps running, for cron jobs
// and boards too large to download through the browser.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	dbPath := getenv("GONOGO_DB")
	if dbPath == "" {
		dbPath = "./data/gonogo.db"
	}
	fs := flag.NewFlagSet("gonogo backup", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("o", "", "the backup file to write; it must not exist (required)")
	fs.StringVar(&dbPath, "db", dbPath, "SQLite database file (GONOGO_DB)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected %q; %s", fs.Arg(0), backupUsage)
	}
	if *out == "" {
		return errors.New(backupUsage)
	}
	// Opening a missing file would create an empty board and back that up.
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("database %s: %w", dbPath, err)
	}
	store, err := db.Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("open database %s: %w", dbPath, err)
	}
	defer store.Close()
	b, err := store.Backup(ctx, gonogo.Actor{Name: "gonogo backup (command line)"}, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote a backup of %s to %s: %d bytes, audit events up to #%d.\n", dbPath, b.Path, b.Size, b.LastEvent)
	return nil
}
