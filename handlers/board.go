package handlers

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// closedFor is how long a closed release stays in the board's closed lane.
const closedFor = 30 * 24 * time.Hour

// laneCap is how many cards each lane of the whole board shows (each
// state's column, and the closed lane): a column is read from the top,
// and 25 cards are more than a screen holds. Six full lanes stay near
// 200 KB, where the 200 releases on their way and the month of closed
// ones of a big company's board made a page of 344 KB that was rendered
// anew after every change (docs/performance.md). The rest of a lane is
// a link away: the board filtered to its state.
const laneCap = 25

// lanePageSize is how many cards a page of one state's lane shows, on
// the board filtered to that state: a hundred cards is some 130 KB.
const lanePageSize = 100

func (h *Handler) showBoard(c echo.Context) error {
	f, err := boardFilter(c)
	if err != nil {
		return err
	}
	mine, err := myBoardOf(c)
	if err != nil {
		return err
	}
	page, err := lanePage(c, f)
	if err != nil {
		return err
	}
	p := h.page(c, "Board", "board")
	h.live(c, &p, "board", 0)
	e, err := h.board(c, p, f, c.QueryParam("blocking") == "1", mine, page)
	var end pastEnd
	if errors.As(err, &end) {
		return c.Redirect(http.StatusSeeOther, end.url(c))
	}
	if err != nil {
		return err
	}
	if isPartial(c) {
		return sendKept(c, http.StatusOK, nil, e.packed, e.html, nil)
	}
	b := e.head
	b.Upcoming = upcoming(e.active, e.freezes, h.store.Now(), p.Loc)
	return renderKept(c, http.StatusOK, e.packed, e.html, func(html string) templ.Component {
		b.HTML = html
		return views.BoardPage(p, b)
	})
}

// board builds and renders the board's columns for f, or finds them in the
// cache: they depend only on the data, the filter, the team's zone and the
// minute (the closed lane is judged to the minute), never on the reader,
// except for the empty board's next steps, which follow from what the
// reader may do across the board (gonogo.AppAbilities), never from their
// roles themselves, and for My products, which the key holds as the
// products it keeps, so that readers of the same products share a board.
func (h *Handler) board(c echo.Context, p views.Page, f gonogo.ReleaseFilter, blocking bool, mine myBoard, page int) (boardEntry, error) {
	ctx := c.Request().Context()
	now := h.store.Now().Truncate(time.Minute)
	v, err := h.store.Version(ctx)
	if err != nil {
		return boardEntry{}, err
	}
	start := boardStart(p.App)
	// A page is one of the lane's (lanePage, pastEnd): pages that are not
	// there fail, and errors are not kept.
	key := fmt.Sprintf("%q %q %t %s %t %+v %d %s %d", f.Product, f.States, blocking, p.Loc, p.Live != "", start, now.Unix(), mine.key(), page)
	return h.boards.Get(ctx, v, key, func(ctx context.Context) (boardEntry, error) {
		return h.buildBoardEntry(ctx, p, f, blocking, mine, page, start, now)
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
// Of the releases its filter finds it reads the snapshots of the cards it
// shows alone: a board of two hundred releases on their way shows each
// column's first, and reading every card's checklist and defects was most
// of what rebuilding it cost.
func (h *Handler) buildBoardEntry(ctx context.Context, p views.Page, f gonogo.ReleaseFilter, blocking bool, mine myBoard, page int, start views.BoardStart, now time.Time) (boardEntry, error) {
	var e boardEntry
	if len(f.States) == 0 {
		// Only the recently closed are shown (buildBoard judges exactly
		// which); the hour keeps one filter, and its snapshots, per hour.
		f.ClosedSince = now.Add(-closedFor).Truncate(time.Hour)
	}
	rels, snaps, err := h.boardReleases(ctx, f, blocking)
	if err != nil {
		return e, err
	}
	b, err := buildBoard(rels, f, mine, page, now)
	if err != nil {
		return e, err
	}
	b.Blocking = blocking
	if snaps == nil {
		if snaps, err = h.store.FindSnapshotsOf(ctx, shownReleases(b)); err != nil {
			return e, err
		}
	}
	if e.active, err = h.store.FindActiveWindows(ctx); err != nil {
		return e, err
	}
	if e.freezes, err = h.store.FindFreezes(ctx); err != nil {
		return e, err
	}
	team := h.team(ctx)
	judge(&b, snaps)
	if err := h.overdueReviews(ctx, &b, f, mine); err != nil {
		return e, err
	}
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
	e.head, e.html, e.packed = b, buf.String(), pack(buf.Bytes())
	return e, nil
}

// boardReleases are the releases f finds, the most recently changed
// first. With blocking, only those with a blocking defect, which their
// snapshots tell: every one is read then, and given too.
func (h *Handler) boardReleases(ctx context.Context, f gonogo.ReleaseFilter, blocking bool) ([]gonogo.Release, []gonogo.Snapshot, error) {
	if !blocking {
		rels, err := h.store.FindReleases(ctx, f)
		return rels, nil, err
	}
	snaps, err := h.store.FindSnapshots(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	snaps = slices.DeleteFunc(snaps, func(s gonogo.Snapshot) bool { return gonogo.CountDefects(s.Defects).Blocking == 0 })
	rels := make([]gonogo.Release, len(snaps))
	for i, s := range snaps {
		rels[i] = s.Release
	}
	return rels, snaps, nil
}

// shownReleases are the releases of the cards b shows.
func shownReleases(b views.BoardView) []gonogo.Release {
	var out []gonogo.Release
	for _, col := range b.Columns {
		for _, c := range col.Cards {
			out = append(out, c.Release)
		}
	}
	for _, c := range b.Closed {
		out = append(out, c.Release)
	}
	return out
}

// judge fills in each card of b from its release's snapshot among snaps:
// the gate's verdict, the pillars' progress, the defects.
func judge(b *views.BoardView, snaps []gonogo.Snapshot) {
	byID := make(map[int64]*gonogo.Snapshot, len(snaps))
	for i := range snaps {
		byID[snaps[i].Release.ID] = &snaps[i]
	}
	fill := func(cards []views.Card) {
		for i := range cards {
			s, ok := byID[cards[i].Release.ID]
			if !ok {
				continue // every card's snapshot is read; this is a guard
			}
			cards[i].Gate = gonogo.Evaluate(*s)
			cards[i].Progress = pillarStats(s.Items)
			cards[i].Defects = gonogo.CountDefects(s.Defects)
			cards[i].Rollout = gonogo.RolloutLabel(s.Release, s.Stages)
		}
	}
	for _, col := range b.Columns {
		fill(col.Cards)
	}
	fill(b.Closed)
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

// lanePage reads ?page=, the page of a state's lane to show (1 when not
// given): a number from 1, and only with a state, as the whole board is
// one page of capped lanes.
func lanePage(c echo.Context, f gonogo.ReleaseFilter) (int, error) {
	s := c.QueryParam("page")
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, gonogo.Errorf(gonogo.EINVALID, "?page= is a page of a state's lane, 1 or more; %q is not one", s)
	}
	if n > 1 && len(f.States) == 0 {
		return 0, gonogo.Errorf(gonogo.EINVALID, "only a state's lane has pages: choose a state to see page %d", n)
	}
	return n, nil
}

// pastEnd is a page past the last of its lane, which may have shrunk
// since its address was given: the reader is sent to the last page
// rather than refused, and the board keeps no page that is not there.
type pastEnd struct{ last int }

func (e pastEnd) Error() string { return fmt.Sprintf("the lane has %d pages", e.last) }

// url is the address asked for, at the lane's last page.
func (e pastEnd) url(c echo.Context) string {
	q := url.Values{}
	for k, vs := range c.QueryParams() {
		q[k] = slices.Clone(vs)
	}
	q.Del("page")
	if e.last > 1 {
		q.Set("page", strconv.Itoa(e.last))
	}
	return "/?" + q.Encode()
}

// buildBoard sorts the releases into columns and the closed lane, and
// picks the cards they show, each of its release alone (judge fills them
// in): on the whole board, each lane's first laneCap; on a board filtered
// to a state, its lane's page (pastEnd past its last). My products, when
// on, keeps its products' releases alone.
func buildBoard(rels []gonogo.Release, f gonogo.ReleaseFilter, mine myBoard, page int, now time.Time) (views.BoardView, error) {
	b := views.BoardView{Product: f.Product, MineOffered: mine.offered(), Mine: mine.on, Page: 1, Pages: 1}
	if len(f.States) == 1 {
		b.State = string(f.States[0])
	}
	byState := map[gonogo.State][]gonogo.Release{}
	for _, r := range rels {
		if !r.State.Active() && b.State == "" && now.Sub(r.UpdatedAt) > closedFor {
			continue // long closed: off the board unless asked for by state
		}
		if !mine.keeps(r.Product, f) {
			continue
		}
		byState[r.State] = append(byState[r.State], r)
		b.Count++
	}
	// shown is the part of a lane the board shows.
	shown := func(lane []gonogo.Release) ([]gonogo.Release, error) {
		if b.State == "" {
			return lane[:min(len(lane), laneCap)], nil
		}
		b.Pages = max(1, (len(lane)+lanePageSize-1)/lanePageSize)
		if page > b.Pages {
			return nil, pastEnd{last: b.Pages}
		}
		b.Page = page
		return lane[(page-1)*lanePageSize : min(page*lanePageSize, len(lane))], nil
	}
	for _, st := range gonogo.ActiveStates {
		if b.State != "" && string(st) != b.State {
			continue
		}
		lane := byState[st]
		sortLane(lane)
		part, err := shown(lane)
		if err != nil {
			return b, err
		}
		b.Columns = append(b.Columns, views.BoardColumn{State: st, Cards: cards(part), Total: len(lane)})
	}
	var closed []gonogo.Release
	for _, st := range gonogo.ClosedStates {
		closed = append(closed, byState[st]...)
	}
	if len(closed) == 0 {
		return b, nil
	}
	slices.SortStableFunc(closed, func(x, y gonogo.Release) int {
		return cmp.Or(y.UpdatedAt.Compare(x.UpdatedAt), cmp.Compare(y.ID, x.ID))
	})
	part, err := shown(closed)
	if err != nil {
		return b, err
	}
	b.Closed, b.ClosedTotal = cards(part), len(closed)
	if b.State == "" {
		b.ClosedMore = hidden(closed[len(part):])
	}
	return b, nil
}

// cards are the board's cards of rels, to be judged.
func cards(rels []gonogo.Release) []views.Card {
	out := make([]views.Card, len(rels))
	for i, r := range rels {
		out[i].Release = r
	}
	return out
}

// hidden counts, by state in the order of gonogo.States, the releases a
// capped lane leaves out.
func hidden(rels []gonogo.Release) []views.LaneMore {
	n := map[gonogo.State]int{}
	for _, r := range rels {
		n[r.State]++
	}
	var out []views.LaneMore
	for _, st := range gonogo.States {
		if n[st] > 0 {
			out = append(out, views.LaneMore{State: st, N: n[st]})
		}
	}
	return out
}

// sortLane puts the soonest window first, unscheduled releases last.
func sortLane(lane []gonogo.Release) {
	slices.SortStableFunc(lane, func(x, y gonogo.Release) int {
		xw, yw := x.Window, y.Window
		switch {
		case xw.IsZero() && yw.IsZero():
			return y.UpdatedAt.Compare(x.UpdatedAt)
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

// overdueCap bounds the board's list of overdue post-release reviews: a
// team with more has a habit to fix, and the first ones say so.
const overdueCap = 20

// overdueReviews puts on b the hotfixes whose post-release review is
// overdue, those its product filter and My products keep, and flags
// their cards.
func (h *Handler) overdueReviews(ctx context.Context, b *views.BoardView, f gonogo.ReleaseFilter, mine myBoard) error {
	rels, err := h.store.FindOverdueReviews(ctx, overdueCap)
	if err != nil {
		return err
	}
	over := map[int64]bool{}
	for _, r := range rels {
		if (f.Product == "" || r.Product == f.Product) && mine.keeps(r.Product, f) {
			b.Overdue = append(b.Overdue, r)
			over[r.ID] = true
		}
	}
	flag := func(cards []views.Card) {
		for i := range cards {
			cards[i].ReviewOverdue = over[cards[i].Release.ID]
		}
	}
	for _, col := range b.Columns {
		flag(col.Cards)
	}
	flag(b.Closed)
	return nil
}
