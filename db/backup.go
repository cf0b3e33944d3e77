package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gonogo/gonogo"
)

// Backup is what a backup holds.
type Backup struct {
	Path      string
	Size      int64
	LastEvent int64 // the newest audit event in the copy
}

// Backup writes a consistent copy of the database to dst, which must not
// exist yet, and audits who took it. VACUUM INTO reads one snapshot, in a
// read transaction that WAL lets run beside the writer, so the board keeps
// taking changes while it copies; the copy holds every change committed
// before it began. It is written beside dst and renamed into place once
// synced, so dst is either a whole backup or absent.
func (s *Store) Backup(ctx context.Context, a gonogo.Actor, dst string) (Backup, error) {
	b := Backup{Path: dst}
	if _, err := os.Lstat(dst); err == nil {
		return b, fmt.Errorf("%s already exists; a backup never overwrites a file", dst)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".partial-*")
	if err != nil {
		return b, err
	}
	tmp.Close() // VACUUM INTO accepts an empty file and writes it itself
	defer os.Remove(tmp.Name())
	if err := s.vacuumInto(ctx, tmp.Name()); err != nil {
		return b, err
	}
	// SQLite does not sync what VACUUM INTO writes: a backup that a power
	// cut could tear is no backup.
	if err := syncFile(tmp.Name()); err != nil {
		return b, err
	}
	if b.LastEvent, b.Size, err = inspect(ctx, tmp.Name()); err != nil {
		return b, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return b, err
	}
	if err := syncFile(filepath.Dir(dst)); err != nil {
		return b, err
	}
	return b, s.inTx(ctx, func(tx *Tx) error {
		return tx.record(a, 0, gonogo.BackupTaken(b.Size, b.LastEvent))
	})
}

// vacuumInto copies the database through a connection of its own: the
// readers are query-only, which SQLite takes to forbid VACUUM INTO too, and
// the writer must stay free for the board.
func (s *Store) vacuumInto(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite", dsn(s.path, false))
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("vacuum into: %w", err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// inspect opens a fresh copy read-only and reads its newest audit event and
// size: proof that it opens, and the point in the trail it reaches.
func inspect(ctx context.Context, path string) (lastEvent, size int64, err error) {
	conn, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM audit_events`).Scan(&lastEvent); err != nil {
		return 0, 0, fmt.Errorf("read the backup: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, 0, err
	}
	return lastEvent, st.Size(), nil
}

// FindBackups returns the latest backups taken, newest first, from the
// audit trail, so admins can see when the last one was.
func (s *Store) FindBackups(ctx context.Context, limit int) ([]gonogo.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events
		WHERE action = ? ORDER BY id DESC LIMIT ?`, gonogo.ActionBackup, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvent)
}
