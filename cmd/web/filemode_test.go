//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestStartWarnsOfAReadableDatabase: a database file others may read is
// named in the start log, and a private one is not.
func TestStartWarnsOfAReadableDatabase(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	path := filepath.Join(t.TempDir(), "gonogo.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	const warning = "other users may read this database file"
	log, stop := start(t, "-db", path)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var named bool
	for _, line := range strings.Split(log.String(), "\n") {
		named = named || strings.Contains(line, warning) && strings.Contains(line, "file="+path+" ") && strings.Contains(line, "-rw-r--r--")
	}
	if !named {
		t.Fatalf("the start log does not warn of %s:\n%s", path, log)
	}

	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	log, stop = start(t, "-db", path)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), warning) {
		t.Fatalf("a private database is warned of:\n%s", log)
	}
}
