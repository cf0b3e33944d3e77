package db

import (
	"errors"
	"io/fs"
	"os"
	"runtime"
)

// The database holds password hashes and webhook secrets: gonogo creates
// it, and the folder it makes for it, for its own user alone. SQLite gives
// the -wal and -shm files it creates beside the database the database's
// mode, so they follow.

// ExposedFile is one of the store's files that other users may read.
type ExposedFile struct {
	Path string
	Mode fs.FileMode
}

// ExposedFiles returns the store's files (the database, its -wal and -shm)
// that users other than the owner may read: a database made by an older
// gonogo, or copied in under a loose umask, which start-up warns about.
func (s *Store) ExposedFiles() ([]ExposedFile, error) {
	if runtime.GOOS == "windows" {
		return nil, nil // no such mode bits; access is the folder's ACL
	}
	var out []ExposedFile
	for _, p := range []string{s.path, s.path + "-wal", s.path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if fi.Mode().Perm()&0o044 != 0 {
			out = append(out, ExposedFile{Path: p, Mode: fi.Mode()})
		}
	}
	return out, nil
}

// createPrivate creates an empty database file readable by its owner
// alone, unless there is one already; SQLite takes an empty file for a new
// database. An existing file keeps its mode: ExposedFiles reports it.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}
