package db

import (
	"context"
	"database/sql"
	"sync"
)

// remember answers key from the store's memo (a Cache of what it read), or
// reads it with load and keeps it until the next commit; the caller gets
// its own copy, made with copy. On a year of releases the queries were
// most of a page's cost (docs/performance.md). The version is taken before
// the read, so an answer is never older than the version it is kept under.
// A commit by this process or any other (a token made on the command line,
// a fix in the sqlite3 shell) moves the version: SQLite's data_version, read on a
// connection of its own, says so.
func remember[T any](ctx context.Context, s *Store, key string, load func(context.Context) (T, error), copy func(T) T) (T, error) {
	v, err := s.Version(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	x, err := s.memo.Get(ctx, v, key, func(ctx context.Context) (any, error) { return load(ctx) },
		func(x any) any { return copy(x.(T)) })
	if err != nil {
		var zero T
		return zero, err
	}
	return x.(T), nil
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
