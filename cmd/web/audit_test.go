package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/checkpoint"
	"github.com/gonogo/gonogo/db"
)

// TestAuditCheckpointAndVerify: the server makes its checkpoint key at
// first start, beside the database, readable by its owner only; the
// command line signs checkpoints with it while the board runs, and later
// verifies the trail against one, exiting non-zero with the reason once the
// trail is rewritten or its newest events are deleted.
func TestAuditCheckpointAndVerify(t *testing.T) {
	db.BcryptCost = bcrypt.MinCost
	dir := t.TempDir()
	path := filepath.Join(dir, "gonogo.db")
	log, stop := start(t, "-db", path, "-demo")
	keyPath := filepath.Join(dir, checkpoint.KeyFileName)
	info, err := os.Stat(keyPath)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the key file: %v, %v; want it made 0600 at first start", info, err)
	}
	key, err := checkpoint.LoadKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	pubID := gonogo.KeyID(key.Public().(ed25519.PublicKey))
	if !strings.Contains(log.String(), pubID) {
		t.Errorf("the log does not name the public key %s:\n%s", pubID, log)
	}

	ctx := context.Background()
	environ := env(map[string]string{"GONOGO_DB": path})
	audit := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"audit"}, args...), environ, &out)
		return out.String(), err
	}
	printed, err := audit("checkpoint")
	if err != nil {
		t.Fatalf("audit checkpoint: %v", err)
	}
	cp, err := gonogo.ParseCheckpoint(printed)
	if err != nil {
		t.Fatalf("what audit checkpoint printed is not a checkpoint only: %v\n%s", err, printed)
	}
	file := filepath.Join(dir, "checkpoint.txt")
	if out, err := audit("checkpoint", "-o", file); err != nil || !strings.Contains(out, "Wrote a checkpoint of the audit trail at event #") {
		t.Fatalf("audit checkpoint -o: %q, %v", out, err)
	}
	if _, err := audit("checkpoint", "-o", file); err == nil {
		t.Fatal("audit checkpoint -o overwrote a file")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	early := filepath.Join(dir, "early.txt")
	if err := os.WriteFile(early, []byte(printed), 0o600); err != nil {
		t.Fatal(err)
	}

	out, err := audit("verify", "-checkpoint", early)
	if err != nil || !strings.HasPrefix(out, "ok: the audit trail verifies") {
		t.Fatalf("verify an untouched trail: %q, %v", out, err)
	}
	// Elsewhere, without the key file: the public key noted down verifies.
	if out, err := audit("verify", "-checkpoint", early, "-audit-key", filepath.Join(dir, "none.key"), "-public-key", pubID); err != nil || !strings.HasPrefix(out, "ok:") {
		t.Fatalf("verify with the public key: %q, %v", out, err)
	}
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	for name, args := range map[string][]string{
		"another board's key":      {"verify", "-checkpoint", early, "-public-key", gonogo.KeyID(other.Public().(ed25519.PublicKey))},
		"no key file, no key":      {"verify", "-checkpoint", early, "-audit-key", filepath.Join(dir, "none.key")},
		"no checkpoint":            {"verify"},
		"a missing checkpoint":     {"verify", "-checkpoint", filepath.Join(dir, "missing.txt")},
		"not a checkpoint":         {"verify", "-checkpoint", path},
		"a missing database":       {"verify", "-checkpoint", early, "-db", filepath.Join(dir, "missing.db")},
		"an unknown audit command": {"rewind"},
		"a stray argument":         {"checkpoint", "now"},
	} {
		if out, err := audit(args...); err == nil {
			t.Errorf("%s: no error: %q", name, out)
		}
	}

	db.RewriteEventForTest(t, path, 3, "nothing to see")
	_, err = audit("verify", "-checkpoint", early)
	if err == nil || !strings.Contains(err.Error(), "The trail was rewritten: event "+itoa64(cp.Seq)+"'s hash differs from the checkpoint's") {
		t.Fatalf("verify a rewritten trail: %v", err)
	}
	db.DeleteEventsAfterForTest(t, path, cp.Seq-1)
	_, err = audit("verify", "-checkpoint", early)
	if err == nil || !strings.Contains(err.Error(), "Events after "+itoa64(cp.Seq-1)+" were deleted") {
		t.Fatalf("verify a trail whose newest events were deleted: %v", err)
	}
}

func TestAuditKeySetting(t *testing.T) {
	c, _ := parseConfig(nil, env(map[string]string{"GONOGO_DB": "/var/lib/gonogo/board.db"}), &bytes.Buffer{})
	if c.auditKey != "/var/lib/gonogo/"+checkpoint.KeyFileName {
		t.Fatalf("default key beside the database: %q", c.auditKey)
	}
	c, _ = parseConfig(nil, env(map[string]string{"GONOGO_AUDIT_KEY": "/etc/gonogo/audit.key"}), &bytes.Buffer{})
	if c.auditKey != "/etc/gonogo/audit.key" {
		t.Fatalf("key from the environment: %q", c.auditKey)
	}
	c, _ = parseConfig([]string{"-audit-key", "/run/secrets/audit.key"}, env(map[string]string{"GONOGO_AUDIT_KEY": "x"}), &bytes.Buffer{})
	if c.auditKey != "/run/secrets/audit.key" {
		t.Fatalf("a flag should win over the environment: %q", c.auditKey)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// TestServerVerifiesTheWholeTrail: the server verifies the whole audit
// trail in the background from its start, for the audit page to show.
func TestServerVerifiesTheWholeTrail(t *testing.T) {
	db.BcryptCost = bcrypt.MinCost
	path := filepath.Join(t.TempDir(), "gonogo.db")
	_, stop := start(t, "-db", path, "-demo")
	defer stop()
	store, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := store.LastVerification(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !v.At.IsZero() {
			if v.Break != nil || v.Checked == 0 {
				t.Fatalf("the demo board's trail: %+v, want it intact", v)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not verify the whole trail")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
