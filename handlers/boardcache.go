package handlers

import (
	"sync"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/views"
)

// boardCache keeps rendered boards until the next commit to the database.
// Judging fifty cards through the gate and rendering them was most of a
// board page's cost (make bench: about 0.9 ms of 1.1 ms), and everyone who
// opens the board between two changes sees the same cards.
type boardCache struct {
	mu      sync.Mutex
	version db.Version
	entries map[string]boardEntry
}

// boardEntry is a board built and rendered: the view, its Board HTML, and
// the windows and freezes the page head picks the next ones from.
type boardEntry struct {
	view    views.BoardView
	html    string
	active  []gonogo.Scheduled
	freezes []gonogo.Freeze
}

// maxBoards bounds the cache: one board per filter and time zone in use.
const maxBoards = 64

func (bc *boardCache) get(v db.Version, key string) (boardEntry, bool) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if bc.version != v {
		return boardEntry{}, false
	}
	e, ok := bc.entries[key]
	return e, ok
}

// put keeps a board built after v was read; a board of another version
// empties the cache first.
func (bc *boardCache) put(v db.Version, key string, e boardEntry) {
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if bc.version != v || len(bc.entries) >= maxBoards {
		bc.version, bc.entries = v, map[string]boardEntry{}
	}
	bc.entries[key] = e
}
