package handlers

import (
	"slices"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// boardEntry is a board built and rendered: its Board HTML, the page head
// (the filter, the products to filter by, the next steps of an empty
// board), and the windows and freezes the head picks the next ones from.
// The handler keeps them in a db.Cache until the next commit: judging
// fifty cards through the gate and rendering them was most of a board
// page's cost (docs/performance.md), everyone who opens the board between
// two changes sees the same cards, and after a change one request builds
// the board while the others wait for it. The cards themselves are not
// kept: once rendered, the HTML says all of them.
type boardEntry struct {
	head    views.BoardView // without its columns and closed lane
	html    string
	packed  packed // html, compressed once (splice.go)
	active  []gonogo.Scheduled
	freezes []gonogo.Freeze
}

// copy is the entry for one request, sharing nothing it could change.
func (e boardEntry) copy() boardEntry {
	e.head.Products = slices.Clone(e.head.Products)
	e.active = slices.Clone(e.active)
	e.freezes = gonogo.CloneAll(e.freezes)
	return e
}
