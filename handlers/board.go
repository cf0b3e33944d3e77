package handlers

import (
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// closedFor is how long a closed release stays in the board's closed lane.
const closedFor = 30 * 24 * time.Hour

func (h *Handler) showBoard(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := boardFilter(c)
	if err != nil {
		return err
	}
	now := h.store.Now()
	if len(f.States) == 0 {
		// Only the recently closed are shown (buildBoard judges exactly
		// which); the hour keeps one filter, and its snapshots, per hour.
		f.ClosedSince = now.Add(-closedFor).Truncate(time.Hour)
	}
	snaps, err := h.store.FindSnapshots(ctx, f)
	if err != nil {
		return err
	}
	products, err := h.store.FindProducts(ctx)
	if err != nil {
		return err
	}
	active, err := h.store.FindActiveWindows(ctx)
	if err != nil {
		return err
	}
	team := h.team(ctx)
	b := buildBoard(snaps, f, c.QueryParam("blocking") == "1", now)
	b.Products = products
	loc := team.Location(h.cfg.Location)
	for _, col := range b.Columns {
		for i := range col.Cards {
			r := col.Cards[i].Release
			self := gonogo.Scheduled{ReleaseID: r.ID, Product: r.Product, Version: r.Version, Window: r.Window}
			col.Cards[i].Warnings = gonogo.WindowWarnings(self, active, team.LowTraffic, loc)
		}
	}
	freezes, err := h.store.FindFreezes(ctx)
	if err != nil {
		return err
	}
	b.Upcoming = upcoming(active, freezes, now, loc)
	p := h.page(c, "Board", "board")
	h.live(c, &p, "board", 0)
	if isPartial(c) {
		return render(c, http.StatusOK, views.Board(p, b))
	}
	return render(c, http.StatusOK, views.BoardPage(p, b))
}

func boardFilter(c echo.Context) (gonogo.ReleaseFilter, error) {
	f := gonogo.ReleaseFilter{Product: c.QueryParam("product")}
	if s := c.QueryParam("state"); s != "" {
		st, err := gonogo.ParseState(s)
		if err != nil {
			return f, err
		}
		f.States = []gonogo.State{st}
	}
	return f, nil
}

// buildBoard sorts the snapshots into columns and the closed lane, judging
// each through the gate.
func buildBoard(snaps []gonogo.Snapshot, f gonogo.ReleaseFilter, blocking bool, now time.Time) views.BoardView {
	b := views.BoardView{Product: f.Product, Blocking: blocking}
	if len(f.States) == 1 {
		b.State = string(f.States[0])
	}
	byState := map[gonogo.State][]views.Card{}
	for _, s := range snaps {
		st := s.Release.State
		if !st.Active() && b.State == "" && now.Sub(s.Release.UpdatedAt) > closedFor {
			continue // long closed: off the board unless asked for by state
		}
		counts := gonogo.CountDefects(s.Defects)
		if blocking && counts.Blocking == 0 {
			continue
		}
		byState[st] = append(byState[st], views.Card{
			Release:  s.Release,
			Gate:     gonogo.Evaluate(s),
			Progress: pillarStats(s.Items),
			Defects:  counts,
		})
		b.Count++
	}
	for _, st := range gonogo.ActiveStates {
		if b.State != "" && string(st) != b.State {
			continue
		}
		cards := byState[st]
		sortCards(cards)
		b.Columns = append(b.Columns, views.BoardColumn{State: st, Cards: cards})
	}
	for _, st := range gonogo.ClosedStates {
		b.Closed = append(b.Closed, byState[st]...)
	}
	slices.SortFunc(b.Closed, func(x, y views.Card) int { return y.Release.UpdatedAt.Compare(x.Release.UpdatedAt) })
	return b
}

// sortCards puts the soonest window first, unscheduled releases last.
func sortCards(cards []views.Card) {
	slices.SortStableFunc(cards, func(x, y views.Card) int {
		xw, yw := x.Release.Window, y.Release.Window
		switch {
		case xw.IsZero() && yw.IsZero():
			return y.Release.UpdatedAt.Compare(x.Release.UpdatedAt)
		case xw.IsZero():
			return 1
		case yw.IsZero():
			return -1
		}
		return xw.Start.Compare(yw.Start)
	})
}

func pillarStats(items []gonogo.Item) []views.PillarStat {
	prog := gonogo.PillarProgress(items)
	out := make([]views.PillarStat, 0, len(gonogo.Pillars))
	for _, p := range gonogo.Pillars {
		out = append(out, views.PillarStat{Pillar: p, Progress: prog[p]})
	}
	return out
}

// upcoming finds the next window to start and the next freeze to begin.
func upcoming(active []gonogo.Scheduled, freezes []gonogo.Freeze, now time.Time, loc *time.Location) views.Upcoming {
	var u views.Upcoming
	for i := range active {
		if active[i].Window.Start.After(now) && (u.Window == nil || active[i].Window.Start.Before(u.Window.Window.Start)) {
			u.Window = &active[i]
		}
	}
	for _, f := range freezes {
		for _, occ := range f.Occurrences(now, now.AddDate(1, 0, 0), loc) {
			if occ.End.After(now) && (u.Freeze == "" || occ.Start.Before(u.FreezeWindow.Start)) {
				u.Freeze, u.FreezeWindow = f.Name, occ
			}
			break
		}
	}
	return u
}
