package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/checkpoint"
	"github.com/gonogo/gonogo/db"
)

const auditUsage = `usage: gonogo audit checkpoint [-o FILE] [-db FILE] [-audit-key FILE]
       gonogo audit verify -checkpoint FILE [-db FILE] [-audit-key FILE | -public-key KEY]`

// runAudit is the audit subcommand: it signs a checkpoint of the audit
// trail's head, for a cron job to keep elsewhere, or verifies the trail
// against one kept from before, exiting non-zero with the reason if it
// does not verify.
func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(auditUsage)
	}
	switch args[0] {
	case "checkpoint":
		return runAuditCheckpoint(ctx, args[1:], getenv, stdout)
	case "verify":
		return runAuditVerify(ctx, args[1:], getenv, stdout)
	}
	return errors.New(auditUsage)
}

// auditFlags are the flags both audit commands take: the database, and
// the key, beside the database unless given.
type auditFlags struct {
	*flag.FlagSet
	dbPath, keyPath string
}

func newAuditFlags(name string, getenv func(string) string, out io.Writer) *auditFlags {
	f := &auditFlags{FlagSet: flag.NewFlagSet("gonogo audit "+name, flag.ContinueOnError)}
	f.SetOutput(out)
	f.dbPath = getenv("GONOGO_DB")
	if f.dbPath == "" {
		f.dbPath = "./data/gonogo.db"
	}
	f.StringVar(&f.dbPath, "db", f.dbPath, "SQLite database file (GONOGO_DB)")
	f.StringVar(&f.keyPath, "audit-key", getenv("GONOGO_AUDIT_KEY"), "the key that signs checkpoints; default: "+checkpoint.KeyFileName+" beside the database (GONOGO_AUDIT_KEY)")
	return f
}

// parse reads args and opens the database, which must exist: opening a
// missing file would make an empty board.
func (f *auditFlags) parse(ctx context.Context, args []string) (*db.Store, error) {
	if err := f.Parse(args); err != nil {
		return nil, err
	}
	if f.NArg() > 0 {
		return nil, fmt.Errorf("unexpected %q; %s", f.Arg(0), auditUsage)
	}
	if f.keyPath == "" {
		f.keyPath = checkpoint.DefaultKeyPath(f.dbPath)
	}
	if _, err := os.Stat(f.dbPath); err != nil {
		return nil, fmt.Errorf("database %s: %w", f.dbPath, err)
	}
	store, err := db.Open(ctx, f.dbPath)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", f.dbPath, err)
	}
	return store, nil
}

// runAuditCheckpoint prints a signed checkpoint, or writes it to a new file.
func runAuditCheckpoint(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	f := newAuditFlags("checkpoint", getenv, stdout)
	out := f.String("o", "", "write the checkpoint to this file, which must not exist, instead of printing it")
	store, err := f.parse(ctx, args)
	if err != nil {
		return err
	}
	defer store.Close()
	key, _, err := checkpoint.LoadOrCreateKey(f.keyPath)
	if err != nil {
		return err
	}
	c, err := store.Checkpoint(ctx, gonogo.Actor{Name: "gonogo audit checkpoint (command line)"}, key, false)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := io.WriteString(stdout, c.String())
		return err
	}
	file, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := file.WriteString(c.String()); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote a checkpoint of the audit trail at event #%d to %s.\n", c.Seq, *out)
	return nil
}

// runAuditVerify verifies the trail against a checkpoint, with the board's
// key or a public key given, and returns why it does not verify, if not.
// It verifies the whole trail, whose outcome the audit page then shows.
func runAuditVerify(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	f := newAuditFlags("verify", getenv, stdout)
	path := f.String("checkpoint", "", "the checkpoint file to verify the trail against (required)")
	pubText := f.String("public-key", "", "verify with this public key (ed25519:...) instead of the key file, as on another machine")
	store, err := f.parse(ctx, args)
	if err != nil {
		return err
	}
	defer store.Close()
	if *path == "" {
		return errors.New(auditUsage)
	}
	c, err := readCheckpoint(*path)
	if err != nil {
		return err
	}
	pub, err := verifyingKey(f.keyPath, *pubText)
	if err != nil {
		return err
	}
	trail, err := store.Trail(ctx, c.Seq)
	if err != nil {
		return err
	}
	if err := c.Verify(pub, trail); err != nil {
		return fmt.Errorf("the audit trail does not verify against the checkpoint of %s: %s", c.At.Format(time.RFC3339), gonogo.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "ok: the audit trail verifies against the checkpoint of %s: event #%d still has its hash, and all %d events chain from the first to the newest, #%d.\n",
		c.At.Format(time.RFC3339), c.Seq, trail.Checked, trail.Last)
	return nil
}

func readCheckpoint(path string) (gonogo.Checkpoint, error) {
	file, err := os.Open(path)
	if err != nil {
		return gonogo.Checkpoint{}, err
	}
	defer file.Close()
	raw, err := io.ReadAll(io.LimitReader(file, gonogo.MaxCheckpointLen+1))
	if err != nil {
		return gonogo.Checkpoint{}, err
	}
	c, err := gonogo.ParseCheckpoint(string(raw))
	if err != nil {
		return c, fmt.Errorf("%s: %s", path, problems(err))
	}
	return c, nil
}

// verifyingKey is the public key given, or else the key file's. A key in
// the checkpoint itself is never trusted: anyone can sign with a key of
// their own.
func verifyingKey(keyPath, pubText string) (ed25519.PublicKey, error) {
	if pubText != "" {
		pub, err := gonogo.ParseKeyID(pubText)
		if err != nil {
			return nil, fmt.Errorf("-public-key: %s", gonogo.ErrorMessage(err))
		}
		return pub, nil
	}
	key, err := checkpoint.LoadKey(keyPath)
	if err != nil {
		return nil, fmt.Errorf("%w; give -audit-key, or -public-key with this board's public key", err)
	}
	return key.Public().(ed25519.PublicKey), nil
}
