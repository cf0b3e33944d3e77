//go:build unix

package db_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// withUmask runs the test under the usual umask, whatever the caller's.
func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// TestOpenCreatesPrivateFiles: the database holds password hashes and
// webhook secrets, so what gonogo creates is for its own user alone.
func TestOpenCreatesPrivateFiles(t *testing.T) {
	withUmask(t, 0o022)
	root := t.TempDir()
	path := filepath.Join(root, "data", "db", "gonogo.db")
	mustOpen(t, path)
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if got := mode(t, f); got != 0o600 {
			t.Errorf("%s is %v, want -rw-------", filepath.Base(f), got)
		}
	}
	for _, d := range []string{filepath.Join(root, "data"), filepath.Join(root, "data", "db")} {
		if got := mode(t, d); got != 0o700|fs.ModeDir {
			t.Errorf("folder %s is %v, want drwx------", d, got)
		}
	}
	s := mustOpen(t, path) // a second connection to a private file finds nothing to report
	if got, err := s.ExposedFiles(); err != nil || len(got) != 0 {
		t.Fatalf("exposed files %v, %v", got, err)
	}
}

// TestExposedFiles: an existing database that others may read is
// reported, with the -wal and -shm that SQLite gives its mode.
func TestExposedFiles(t *testing.T) {
	withUmask(t, 0o022)
	path := filepath.Join(t.TempDir(), "gonogo.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := mustOpen(t, path)
	got, err := s.ExposedFiles()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{path: true, path + "-wal": true, path + "-shm": true}
	for _, f := range got {
		if !want[f.Path] || f.Mode.Perm()&0o044 == 0 {
			t.Errorf("reported %+v", f)
		}
		delete(want, f.Path)
	}
	if len(want) != 0 {
		t.Errorf("not reported: %v", want)
	}
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}
