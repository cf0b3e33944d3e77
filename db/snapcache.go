package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/gonogo/gonogo"
)

// snapCache keeps the board's snapshots from one change to the next. The
// board is read far more often than it changes, and loading every card's
// checklist, defects and votes was most of the cost of a board page (make
// bench: 15 ms of a 300-release year for the board's 50 cards).
//
// An entry is good while nothing has been committed to the file since it
// was loaded, by this process or any other (a token made on the command
// line, a fix in the sqlite3 shell): SQLite's data_version, read on a
// connection of its own, says so.
type snapCache struct {
	mu      sync.Mutex
	version dataVersion
	entries map[string][]gonogo.Snapshot
}

// maxSnapEntries bounds the cache: one entry per board filter in use.
const maxSnapEntries = 64

func (c *snapCache) get(v dataVersion, key string) ([]gonogo.Snapshot, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version != v {
		return nil, false
	}
	snaps, ok := c.entries[key]
	return snaps, ok
}

// put keeps snaps, loaded after v was read, unless newer ones are kept already.
func (c *snapCache) put(v dataVersion, key string, snaps []gonogo.Snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v.conn == c.version.conn && v.n < c.version.n {
		return
	}
	if v != c.version || len(c.entries) >= maxSnapEntries {
		c.version, c.entries = v, map[string][]gonogo.Snapshot{}
	}
	c.entries[key] = snaps
}

func filterKey(f gonogo.ReleaseFilter) string {
	return fmt.Sprintf("%q %q %s", f.Product, f.States, f.ClosedSince.UTC().Format(timeFormat))
}

// dataVersion names the state of the file: PRAGMA data_version on one
// connection changes with every commit made through any other. A value is
// only comparable on the same connection, hence conn.
type dataVersion struct {
	conn int64 // how many connections the watch has opened
	n    int64
}

// watch holds the connection data_version is read on. It never writes.
type watch struct {
	mu    sync.Mutex
	db    *sql.DB
	conn  *sql.Conn
	conns int64
}

func (w *watch) version(ctx context.Context) (dataVersion, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil {
		c, err := w.db.Conn(ctx)
		if err != nil {
			return dataVersion{}, err
		}
		w.conn = c
		w.conns++
	}
	v := dataVersion{conn: w.conns}
	if err := w.conn.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v.n); err != nil {
		w.conn.Close() // a new connection starts a new count
		w.conn = nil
		return dataVersion{}, err
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
