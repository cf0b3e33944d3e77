package handlers

import (
	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// boardEntry is a board built and rendered: the view, its Board HTML, and
// the windows and freezes the page head picks the next ones from. The
// handler keeps them in a db.Cache until the next commit: judging fifty
// cards through the gate and rendering them was most of a board page's
// cost (docs/performance.md), everyone who opens the board
// between two changes sees the same cards, and after a change one request
// builds the board while the others wait for it.
type boardEntry struct {
	view    views.BoardView
	html    string
	active  []gonogo.Scheduled
	freezes []gonogo.Freeze
}
