// Package db is gonogo's store: one SQLite file, opened with one writer
// connection and a small pool of readers, migrated at start.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gonogo/gonogo"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite store. Writes go through one connection, so they never
// wait on each other's locks; reads use a pool that WAL lets run beside them.
type Store struct {
	write *stmtPool
	read  *stmtPool
	path  string
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// DefaultZone is the team's time zone when the settings name none.
	DefaultZone *time.Location
	// BaseURL is the address people reach the board at: a meeting's
	// invitation, written into the outbox with the change, links to it.
	BaseURL string

	memo      Cache[any] // what was read, until the next commit
	audit     auditState // verifying the audit trail (auditmark.go)
	watch     *watch     // sees commits, for memo
	commitMu  sync.Mutex // orders commits with their notices
	listenMu  sync.RWMutex
	listeners []func([]gonogo.Notice)
}

// Listen registers fn to hear of every committed change. It is called in the
// committing goroutine, after the commit and in commit order, so it must not
// block: hand the notices to a queue or a channel and return.
func (s *Store) Listen(fn func([]gonogo.Notice)) {
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	s.listeners = append(s.listeners, fn)
}

func (s *Store) publish(ns []gonogo.Notice) {
	if len(ns) == 0 {
		return
	}
	s.listenMu.RLock()
	defer s.listenMu.RUnlock()
	for _, fn := range s.listeners {
		fn(ns)
	}
}

// pragmas are set on every connection through the DSN, so a reconnect
// cannot lose them.
var pragmas = []string{
	"journal_mode(WAL)",  // readers do not block the writer, nor it them
	"synchronous(FULL)",  // an acknowledged sign-off survives a power cut
	"foreign_keys(1)",    // off by default in SQLite
	"busy_timeout(5000)", // wait for a lock instead of failing at once
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)") // a reader can never write by mistake
	} else {
		// BEGIN IMMEDIATE takes the write lock at the start, so a transaction
		// that reads then writes cannot fail halfway with SQLITE_BUSY.
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and runs the
// migrations it does not have yet.
func Open(ctx context.Context, path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("create database: %w", err)
	}
	write, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		write.Close()
		return nil, err
	}
	n := max(4, runtime.NumCPU()*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(0)
	w, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		write.Close()
		read.Close()
		return nil, err
	}
	s := &Store{write: &stmtPool{DB: write}, read: &stmtPool{DB: read}, path: path, watch: &watch{db: w}, Now: func() time.Time { return time.Now().UTC() }}
	s.memo.MaxBytes, s.memo.Size = MemoBytes, memoSize
	if err := s.seedTemplate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("seed template: %w", err)
	}
	if err := s.loadAuditMark(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("read the audit mark: %w", err)
	}
	if err := s.fillMissingFacts(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("count the history for insights: %w", err)
	}
	return s, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Close writes the audit mark back (auditmark.go) and closes both pools.
func (s *Store) Close() error {
	saved := s.saveAuditMark(context.Background())
	if saved != nil {
		saved = fmt.Errorf("write the audit mark back: %w", saved)
	}
	return errors.Join(saved, s.watch.close(), s.read.Close(), s.write.Close())
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// Tx is a write transaction with the moment it started, so every row and
// audit event it writes carries the same time.
type Tx struct {
	*sql.Tx
	stmts      *stmtPool // the writer's prepared statements
	unprepared []string  // queries to prepare once the transaction ends
	now        time.Time
	zone       *time.Location  // the default team zone, for snapshots taken inside
	baseURL    string          // the board's address, for invitations (Store.BaseURL)
	notices    []gonogo.Notice // published once the transaction commits
}

// inTx runs fn in one immediate transaction, committing if it returns nil,
// then publishes the notices of what it audited. The commit and the
// publishing happen under one lock, so listeners hear of changes in the
// order they were committed.
func (s *Store) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{Tx: sqlTx, stmts: s.write, now: s.txTime(ctx), zone: s.DefaultZone, baseURL: s.BaseURL}
	defer tx.prepareLater(context.WithoutCancel(ctx))
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.publish(tx.notices)
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isUnique reports whether err is a violation of a UNIQUE constraint,
// judged by SQLite's extended error code rather than by its message.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// notFound turns sql.ErrNoRows into a domain error naming what was missing.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return gonogo.Errorf(gonogo.ENOTFOUND, format, args...)
	}
	return err
}
