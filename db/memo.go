package db

import (
	"context"
	"database/sql"
	"sync"
)

// memo keeps what the store read from one commit to the next. Pages are
// read far more often than anything changes, and on a year of releases the
// queries were most of a page's cost (make bench: the board's snapshots
// alone took 15 ms). An answer is good while nothing has been committed to
// the file since it was read, by this process or any other (a token made on
// the command line, a fix in the sqlite3 shell): SQLite's data_version,
// read on a connection of its own, says so. Every commit empties it.
//
// Answers are shared between requests: callers read them and never change
// them (a slice to sort is copied first).
type memo struct {
	mu      sync.Mutex
	version Version
	entries map[string]any
}

// maxMemoEntries bounds the memo between two commits: a busy board reads a
// few dozen pages, and a release page's answers are a few hundred kB.
const maxMemoEntries = 256

func (m *memo) get(v Version, key string) (any, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.version != v {
		return nil, false
	}
	x, ok := m.entries[key]
	return x, ok
}

// put keeps x, read after v was, unless answers of a newer version are kept.
func (m *memo) put(v Version, key string, x any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v.conn == m.version.conn && v.n < m.version.n {
		return
	}
	if v != m.version || len(m.entries) >= maxMemoEntries {
		m.version, m.entries = v, map[string]any{}
	}
	m.entries[key] = x
}

// remember answers key from the memo, or reads it with load and keeps it.
// The version is taken before the read, so an answer is never older than
// the version it is kept under.
func remember[T any](ctx context.Context, s *Store, key string, load func() (T, error)) (T, error) {
	v, err := s.Version(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	if x, ok := s.memo.get(v, key); ok {
		return x.(T), nil
	}
	x, err := load()
	if err == nil {
		s.memo.put(v, key, x)
	}
	return x, err
}

// Version names the state of the database file: it changes with every
// commit, whoever makes it. Two versions are equal only if nothing was
// committed in between, so a Version can key a cache of anything read.
type Version struct {
	conn int64 // which connection of the watch counted n
	n    int64 // PRAGMA data_version: a count of other connections' commits
}

// Version returns the file's current version.
func (s *Store) Version(ctx context.Context) (Version, error) { return s.watch.version(ctx) }

// watch holds the connection data_version is read on. It never writes, so
// its count moves with every commit made through any other connection.
type watch struct {
	mu    sync.Mutex
	db    *sql.DB
	conn  *sql.Conn
	conns int64
}

func (w *watch) version(ctx context.Context) (Version, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil {
		c, err := w.db.Conn(ctx)
		if err != nil {
			return Version{}, err
		}
		w.conn = c
		w.conns++ // a new connection starts a new count
	}
	v := Version{conn: w.conns}
	if err := w.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v.n); err != nil {
		w.conn.Close()
		w.conn = nil
		return Version{}, err
	}
	return v, nil
}

func (w *watch) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn != nil {
		w.conn.Close()
	}
	return w.db.Close()
}
