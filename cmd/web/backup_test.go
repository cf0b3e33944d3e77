package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo/db"
)

func TestBackupSubcommandWhileServing(t *testing.T) {
	db.BcryptCost = bcrypt.MinCost
	dir := t.TempDir()
	path := filepath.Join(dir, "gonogo.db")
	_, stop := start(t, "-db", path, "-demo")
	defer stop()

	out := filepath.Join(dir, "backups", "nightly.db")
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"backup", "-o", out}, env(map[string]string{"GONOGO_DB": path}), &stdout); err == nil {
		t.Fatal("a backup into a missing folder succeeded")
	}
	out = filepath.Join(dir, "nightly.db")
	if err := run(context.Background(), []string{"backup", "-o", out}, env(map[string]string{"GONOGO_DB": path}), &stdout); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if !strings.Contains(stdout.String(), "Wrote a backup of "+path+" to "+out) {
		t.Errorf("the command says: %q", stdout.String())
	}
	live, backup := countReleases(t, path), countReleases(t, out)
	if backup == 0 || backup != live {
		t.Fatalf("releases: %d live, %d in the backup", live, backup)
	}
	raw := openReadOnly(t, out)
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}

	for name, args := range map[string][]string{
		"an existing file":   {"backup", "-o", out, "-db", path},
		"no -o":              {"backup", "-db", path},
		"a missing database": {"backup", "-o", filepath.Join(dir, "other.db"), "-db", filepath.Join(dir, "missing.db")},
		"a stray argument":   {"backup", "-o", filepath.Join(dir, "other.db"), "-db", path, "now"},
	} {
		if err := run(context.Background(), args, env(nil), &bytes.Buffer{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestMetricsTokenSetting(t *testing.T) {
	c, err := parseConfig(nil, env(map[string]string{"GONOGO_METRICS_TOKEN": "from the environment"}), &bytes.Buffer{})
	if err != nil || c.metricsToken != "from the environment" {
		t.Fatalf("metrics token from the environment: %q %v", c.metricsToken, err)
	}
	c, _ = parseConfig([]string{"-metrics-token", "from a flag"}, env(map[string]string{"GONOGO_METRICS_TOKEN": "x"}), &bytes.Buffer{})
	if c.metricsToken != "from a flag" {
		t.Fatalf("a flag should win over the environment: %q", c.metricsToken)
	}
	if c, _ = parseConfig(nil, env(nil), &bytes.Buffer{}); c.metricsToken != "" {
		t.Fatalf("default metrics token %q, want none", c.metricsToken)
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func countReleases(t *testing.T, path string) int {
	t.Helper()
	var n int
	if err := openReadOnly(t, path).QueryRow(`SELECT count(*) FROM releases`).Scan(&n); err != nil {
		t.Fatalf("count releases in %s: %v", path, err)
	}
	return n
}
