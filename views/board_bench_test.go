package views_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// benchBoard is a board as make bench's data shows it: 40 releases on their
// way in five columns and a dozen closed in the last 30 days.
func benchBoard() (views.Page, views.BoardView) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	zone, _ := time.LoadLocation("Europe/Berlin")
	u := &gonogo.User{ID: 1, Name: "Lou Lead", Roles: gonogo.NewRoleSet(gonogo.Roles...)}
	p := views.Page{Title: "Board", Nav: "board", User: u, App: gonogo.AppAbilitiesOf(gonogo.Actor{Roles: u.Roles}), CSRF: "csrf-token", Loc: zone, Live: "/events?scope=board&since=1"}
	b := views.BoardView{Products: []string{"billing", "catalog", "checkout", "mobile", "payments"}}
	card := func(i int, st gonogo.State) views.Card {
		start := now.Add(time.Duration(i) * 26 * time.Hour)
		c := views.Card{
			Release: gonogo.Release{ID: int64(i + 1), Product: b.Products[i%5], Version: fmt.Sprintf("2.%d.0", i), State: st,
				Title: fmt.Sprintf("Faster refunds, part %d", i), ManagerName: "Rhea Manager",
				Window: gonogo.Window{Start: start, End: start.Add(2 * time.Hour)}, UpdatedAt: now},
			Gate:     gonogo.Gate{Reasons: make([]gonogo.Reason, i%5)},
			Defects:  gonogo.DefectCounts{Blocking: i % 2, Open: 4, Total: 15},
			Warnings: []gonogo.Warning{{Kind: "low-traffic", Text: "The window is outside the low-traffic hours"}},
		}
		for _, pl := range gonogo.Pillars {
			c.Progress = append(c.Progress, views.PillarStat{Pillar: pl, Progress: gonogo.Progress{Done: i % 12, Required: 12}})
		}
		return c
	}
	for s, st := range gonogo.ActiveStates {
		col := views.BoardColumn{State: st, Total: 8}
		for i := range 8 {
			col.Cards = append(col.Cards, card(s*8+i, st))
		}
		b.Columns = append(b.Columns, col)
	}
	for i := range 12 {
		b.Closed = append(b.Closed, card(40+i, gonogo.Released))
	}
	b.Count, b.ClosedTotal = 52, 12
	return p, b
}

// BenchmarkBoardPage renders the whole board page.
func BenchmarkBoardPage(b *testing.B) {
	p, board := benchBoard()
	for b.Loop() {
		if err := views.BoardPage(p, board).Render(b.Context(), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
