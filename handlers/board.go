package handlers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// closedFor is how long a closed release stays in the board's closed lane.
const closedFor = 30 * 24 * time.Hour

func (h *Handler) showBoard(c echo.Context) error {
	f, err := boardFilter(c)
	if err != nil {
		return err
	}
	mine, err := myBoardOf(c)
	if err != nil {
		return err
	}
	p := h.page(c, "Board", "board")
	h.live(c, &p, "board", 0)
	e, err := h.board(c, p, f, c.QueryParam("blocking") == "1", mine)
	if err != nil {
		return err
	}
	if isPartial(c) {
		return render(c, http.StatusOK, templ.Raw(e.html))
	}
	b := e.head
	b.HTML = e.html
	b.Upcoming = upcoming(e.active, e.freezes, h.store.Now(), p.Loc)
	return render(c, http.StatusOK, views.BoardPage(p, b))
}

// board builds and renders the board's columns for f, or finds them in the
// cache: they depend only on the data, the filter, the team's zone and the
// minute (the closed lane is judged to the minute), never on the reader,
// except for the empty board's next steps, which follow from what the
// reader may do across the board (gonogo.AppAbilities), never from their
// roles themselves, and for My products, which the key holds as the
// products it keeps, so that readers of the same products share a board.
func (h *Handler) board(c echo.Context, p views.Page, f gonogo.ReleaseFilter, blocking bool, mine myBoard) (boardEntry, error) {
	ctx := c.Request().Context()
	now := h.store.Now().Truncate(time.Minute)
	v, err := h.store.Version(ctx)
	if err != nil {
		return boardEntry{}, err
	}
	start := boardStart(p.App)
	key := fmt.Sprintf("%q %q %t %s %t %+v %d %s", f.Product, f.States, blocking, p.Loc, p.Live != "", start, now.Unix(), mine.key())
	return h.boards.Get(ctx, v, key, func(ctx context.Context) (boardEntry, error) {
		return h.buildBoardEntry(ctx, p, f, blocking, mine, start, now)
	}, boardEntry.copy)
}

// myBoard is the reader's "My products" filter (gonogo.MyProducts):
// offered to those who hold a role for some products only, with the
// products it keeps, and whether it is on.
type myBoard struct {
	products []string
	on       bool
}

// myBoardOf reads the filter from the address, mine=1 or mine=0, or takes
// the reader's default. The form sends a hidden mine=0 before its box's
// mine=1, so that an unticked box says "off" without JavaScript: the last
// value given counts.
func myBoardOf(c echo.Context) (myBoard, error) {
	var m myBoard
	if u := currentUser(c); u != nil {
		m.products, m.on = gonogo.MyProducts(u.Grants)
	}
	if vs := c.QueryParams()["mine"]; len(vs) > 0 {
		switch vs[len(vs)-1] {
		case "1":
			m.on = true
		case "0":
			m.on = false
		default:
			return m, gonogo.Errorf(gonogo.EINVALID, "mine is 1 (my products) or 0 (every product)")
		}
	}
	m.on = m.on && m.offered()
	return m, nil
}

// offered reports whether the reader has products of their own to filter by.
func (m myBoard) offered() bool { return len(m.products) > 0 }

// keeps reports whether the board keeps a release of product: every one,
// unless the filter is on; a product chosen by name is shown whatever it is.
func (m myBoard) keeps(product string, f gonogo.ReleaseFilter) bool {
	return !m.on || f.Product != "" || slices.Contains(m.products, product)
}

// key is what the filter adds to the board cache's key: nothing for a
// reader it is not offered to; on or off, and the products it keeps.
func (m myBoard) key() string {
	if !m.offered() {
		return ""
	}
	if !m.on {
		return "mine=0"
	}
	return fmt.Sprintf("mine=%q", m.products)
}

// boardStart is what the empty board offers a reader who may do app as
// next steps.
func boardStart(app gonogo.AppAbilities) views.BoardStart {
	return views.BoardStart{CreateRelease: app.CreateRelease, AddPeople: app.Administer}
}

// buildBoardEntry reads, judges and renders the board, with what its page
// head needs: the products to filter by, the windows and freezes to come.
func (h *Handler) buildBoardEntry(ctx context.Context, p views.Page, f gonogo.ReleaseFilter, blocking bool, mine myBoard, start views.BoardStart, now time.Time) (boardEntry, error) {
	var e boardEntry
	if len(f.States) == 0 {
		// Only the recently closed are shown (buildBoard judges exactly
		// which); the hour keeps one filter, and its snapshots, per hour.
		f.ClosedSince = now.Add(-closedFor).Truncate(time.Hour)
	}
	snaps, err := h.store.FindSnapshots(ctx, f)
	if err != nil {
		return e, err
	}
	if e.active, err = h.store.FindActiveWindows(ctx); err != nil {
		return e, err
	}
	if e.freezes, err = h.store.FindFreezes(ctx); err != nil {
		return e, err
	}
	team := h.team(ctx)
	b := buildBoard(snaps, f, blocking, mine, now)
	b.Start = start
	for _, col := range b.Columns {
		for i := range col.Cards {
			r := col.Cards[i].Release
			self := gonogo.Scheduled{ReleaseID: r.ID, Product: r.Product, Version: r.Version, Window: r.Window}
			col.Cards[i].Warnings = gonogo.WindowWarnings(self, e.active, team.LowTraffic, p.Loc)
		}
	}
	if b.Products, err = h.store.FindProductKeys(ctx); err != nil {
		return e, err
	}
	var buf bytes.Buffer
	if err := views.Board(p, b).Render(ctx, &buf); err != nil {
		return e, err
	}
	b.Columns, b.Closed = nil, nil
	e.head, e.html = b, buf.String()
	return e, nil
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
// each through the gate; My products, when on, keeps its products' alone.
func buildBoard(snaps []gonogo.Snapshot, f gonogo.ReleaseFilter, blocking bool, mine myBoard, now time.Time) views.BoardView {
	b := views.BoardView{Product: f.Product, Blocking: blocking, MineOffered: mine.offered(), Mine: mine.on}
	if len(f.States) == 1 {
		b.State = string(f.States[0])
	}
	byState := map[gonogo.State][]views.Card{}
	for _, s := range snaps {
		st := s.Release.State
		if !st.Active() && b.State == "" && now.Sub(s.Release.UpdatedAt) > closedFor {
			continue // long closed: off the board unless asked for by state
		}
		if !mine.keeps(s.Release.Product, f) {
			continue
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
		// A freeze's occurrences come in order: the first that is not over
		// is its next one (or the one in force), and no later one starts
		// sooner. Those before it are passed over, not taken for the end.
		for _, occ := range f.Occurrences(now, now.AddDate(1, 0, 0), loc) {
			if !occ.End.After(now) {
				continue
			}
			if u.Freeze == "" || occ.Start.Before(u.FreezeWindow.Start) {
				u.Freeze, u.FreezeWindow = f.Name, occ
			}
			break
		}
	}
	return u
}
