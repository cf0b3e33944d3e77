package handlers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/live"
	"github.com/gonogo/gonogo/views"
)

// defaultHeartbeat keeps idle streams open through proxies, notices dead
// ones, and bounds how long a stream outlives its session (see tether).
const defaultHeartbeat = 15 * time.Second

// catchUpLimit bounds what a reconnecting page is replayed; a page that
// missed more reloads itself.
const catchUpLimit = 200

// scope is what one live page listens to.
type scope struct {
	kind    string // "board", "release", "defects", "calendar" or "inbox" (the bell alone)
	release int64
	admin   bool
}

func parseScope(c echo.Context) (scope, error) {
	sc := scope{kind: c.QueryParam("scope")}
	if u := currentUser(c); u != nil {
		sc.admin = u.Admin
	}
	switch sc.kind {
	case "board", "defects", "calendar", "inbox":
	case "release":
		id, err := strconv.ParseInt(c.QueryParam("release"), 10, 64)
		if err != nil || id <= 0 {
			return sc, gonogo.Errorf(gonogo.EINVALID, "say which release to follow")
		}
		sc.release = id
	default:
		return sc, gonogo.Errorf(gonogo.EINVALID, "scope must be board, release, defects, calendar or inbox")
	}
	return sc, nil
}

// wants reports whether a page of this scope shows anything an event changes.
// Events about people, tokens and settings never go out: only the board's.
func (sc scope) wants(e gonogo.Event) bool {
	a := gonogo.Action(e.Action)
	freeze := a == gonogo.ActionFreezeCreate || a == gonogo.ActionFreezeDelete
	switch sc.kind {
	case "release":
		return e.ReleaseID == sc.release || freeze
	case "defects":
		return a.Area() == "defect" || a == gonogo.ActionReleaseState
	case "calendar":
		return freeze || a == gonogo.ActionReleaseWindow || a == gonogo.ActionReleaseState || a == gonogo.ActionReleaseCreate ||
			a == gonogo.ActionStageStart // the calendar shows the rollout's stage
	case "inbox":
		return false
	}
	return e.ReleaseID != 0 || freeze
}

// triggers are the SSE event names a change fires on a page, which the
// page's fragments listen for (data-hx-trigger="sse:vote") to fetch
// themselves: on a release page, the area of the page the action changed.
func triggers(sc scope, e gonogo.Event) []string {
	a := gonogo.Action(e.Action)
	switch sc.kind {
	case "board":
		if a == gonogo.ActionReleaseState || a == gonogo.ActionReleaseCreate || a == gonogo.ActionFreezeCreate || a == gonogo.ActionFreezeDelete {
			return []string{"board"}
		}
		return []string{cardTrigger(e.ReleaseID)}
	case "release":
		return []string{a.Area()}
	}
	return []string{"change"}
}

// streamEvents serves a page's live stream: server-sent events for every
// change its scope shows, after replaying what the page missed, for as long
// as the session that opened it stands.
func (h *Handler) streamEvents(c echo.Context) error {
	sc, err := parseScope(c)
	if err != nil {
		return err
	}
	since := lastEventID(c)
	ctx := c.Request().Context()
	sessionID, _ := c.Get("session").(string)
	t := &tether{store: h.store, idHash: hashID(sessionID)}
	viewer := currentUser(c).ID
	sub, refused := h.streams.Subscribe(live.Owner{Session: t.idHash, User: viewer}, func(n *gonogo.Notice) bool {
		_, bell := n.Unread[viewer]
		return bell || (n.Event.ID != 0 && sc.wants(n.Event))
	})
	if refused != "" {
		return h.refuseStream(refused)
	}
	defer h.streams.Unsubscribe(sub)
	// Subscribed first, then looked: a session ended in between is seen
	// here, or signalled to the subscriber.
	if !t.look(ctx) {
		return gonogo.Errorf(gonogo.EUNAUTHORIZED, "your session has ended; sign in again")
	}
	h.log.Info("live stream opened", "scope", sc.kind, "release", sc.release, "subscribers", h.streams.Subscribers())

	w := c.Response()
	// The server's write timeout guards ordinary pages; a stream lives on.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: 2000\n\n")
	// The bell as it is now: what changed between the page's render and
	// this subscription is not replayed as events. One count per stream
	// opened; after it, counts come with the notices (writeBell).
	if n, err := h.store.CountUnread(ctx, viewer); err == nil {
		writeBell(ctx, w, n)
	}
	// Subscribed first, then replayed: a change committed in between arrives
	// twice rather than never. Pages take a change twice without harm.
	if since > 0 {
		missed, err := h.store.FindEventsAfter(ctx, since, catchUpLimit)
		if err != nil {
			return nil
		}
		for _, e := range missed {
			if sc.wants(e) && e.ID > since {
				if !t.holds(ctx, sub) {
					return nil
				}
				h.writeEvent(c, sc, viewer, e)
				since = e.ID
			}
		}
	}
	w.Flush()
	ticker := time.NewTicker(h.cfg.Heartbeat)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Recheck():
			if !t.look(ctx) {
				return nil // the browser reconnects, and is sent to sign in
			}
		case <-ticker.C:
			if !t.beat(ctx) {
				return nil
			}
			fmt.Fprintf(w, ": ping\n\n")
			w.Flush()
		case n, open := <-sub.Notices():
			if !open {
				return nil // dropped, or shutting down: the browser reconnects
			}
			if count, ok := n.Unread[viewer]; ok {
				if !t.holds(ctx, sub) {
					return nil
				}
				writeBell(ctx, w, count)
				w.Flush()
			}
			if n.Event.ID <= since || !sc.wants(n.Event) {
				continue
			}
			if !t.holds(ctx, sub) {
				return nil
			}
			h.writeEvent(c, sc, viewer, n.Event)
			since = n.Event.ID
			w.Flush()
		}
	}
}

// writeEvent sends a change to viewer's page: a notice of who changed
// what, then the triggers of the fragments it touches, all under the
// event's id. Notices are for changes by others: the viewer's own change
// brings none (their page, or the answer to their form, already shows
// it), but its triggers still go out, so the viewer's other tabs update.
// A board is sent the changed card itself, rather than asked to fetch
// it: one render serves every open board. A release reaching released is
// celebrated with everyone, its shipper included. What is sent is
// rendered once for all the streams (liveRenders).
func (h *Handler) writeEvent(c echo.Context, sc scope, viewer int64, e gonogo.Event) {
	w := c.Response()
	ctx := context.WithoutCancel(c.Request().Context()) // a render serves other streams too
	if e.ActorID == 0 || e.ActorID != viewer {
		frame, ok := h.liveRenders.get(liveKey{event: e.ID, what: "notice"}, func() (string, bool) {
			return renderSSE(ctx, e.ID, "notice", views.LiveNotice(views.Page{}, e))
		})
		if ok {
			io.WriteString(w, frame)
		}
	}
	for _, t := range triggers(sc, e) {
		if sc.kind == "board" && t == cardTrigger(e.ReleaseID) {
			if frame, ok := h.liveCard(c, e); ok {
				io.WriteString(w, frame)
			} else {
				writeSSE(w, e.ID, "board", strconv.FormatInt(e.ID, 10)) // the whole board, then
			}
			continue
		}
		writeSSE(w, e.ID, t, strconv.FormatInt(e.ID, 10))
	}
	if e.Action == string(gonogo.ActionReleaseState) && strings.Contains(e.Detail, "to Released") {
		frame, ok := h.liveRenders.get(liveKey{event: e.ID, what: "celebrate"}, func() (string, bool) {
			shipped := h.shipped(ctx, e.ReleaseID)
			if shipped == nil {
				return "", false
			}
			return renderSSE(ctx, e.ID, "celebrate", views.Celebration(*shipped))
		})
		if ok {
			io.WriteString(w, frame)
		}
	}
}

// liveCard is the event that carries the card of e's release, rendered
// as it is now in the page's zone.
func (h *Handler) liveCard(c echo.Context, e gonogo.Event) (string, bool) {
	ctx := context.WithoutCancel(c.Request().Context())
	loc := h.zone(ctx)
	return h.liveRenders.get(liveKey{event: e.ID, what: "card", zone: loc.String()}, func() (string, bool) {
		card, err := h.card(ctx, e.ReleaseID, loc)
		if err != nil {
			return "", false
		}
		p := h.page(c, "", "board")
		p.Live = "on"
		return renderSSE(ctx, e.ID, cardTrigger(e.ReleaseID), views.ReleaseCard(p, card))
	})
}

// cardTrigger is the event a board's card listens for.
func cardTrigger(releaseID int64) string { return fmt.Sprintf("card-%d", releaseID) }

// renderSSE renders a component as the data of an event, framed whole:
// what a thousand streams send is rendered and framed once, and each
// stream only writes it. False if the render failed.
func renderSSE(ctx context.Context, id int64, event string, comp templ.Component) (string, bool) {
	var buf bytes.Buffer
	if err := comp.Render(ctx, &buf); err != nil {
		return "", false
	}
	return sseFrame(id, event, buf.String()), true
}

// writeSSE writes one event. Its data is split into data lines wherever a
// browser would end a line (CR, LF or CRLF, as the WHATWG stream rules
// say): a CR left inside a data line would end it there, and what follows
// would be read as fields of the event, another id, event or retry.
func writeSSE(w http.ResponseWriter, id int64, event, data string) {
	io.WriteString(w, sseFrame(id, event, data))
}

// sseFrame is the text of one event, as writeSSE writes it.
func sseFrame(id int64, event, data string) string {
	var b strings.Builder
	b.Grow(len(data) + len(event) + 64)
	fmt.Fprintf(&b, "id: %d\nevent: %s\n", id, event)
	for line := range strings.SplitSeq(toLF(data), "\n") {
		b.WriteString("data: ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.String()
}

// lastEventID is where a reconnecting page left off: the browser's
// Last-Event-ID, or the since the page was rendered with.
func lastEventID(c echo.Context) int64 {
	for _, s := range []string{c.Request().Header.Get("Last-Event-ID"), c.QueryParam("since")} {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			return id
		}
	}
	return 0
}

// shipped is the release with id and who signed off its Go, if it is
// released; nil otherwise.
func (h *Handler) shipped(ctx context.Context, id int64) *views.Shipped {
	rel, err := h.store.FindRelease(ctx, id)
	if err != nil || rel.State != gonogo.Released {
		return nil
	}
	s := &views.Shipped{Release: rel}
	if d, ok, err := h.store.FindCycleDecision(ctx, rel.ID, rel.Cycle); err == nil && ok {
		s.Signers = d.Record.Attendees()
	}
	return s
}

// live makes p follow its stream of changes: the page subscribes from the
// newest event it was rendered with.
//
// The person who marks a release released submits a form, and their page
// is on its way to the next one while the stream celebrates: the page the
// transition sends them to (notice=mark-released) celebrates in its place, if
// the release is indeed released.
func (h *Handler) live(c echo.Context, p *views.Page, scope string, release int64) {
	ctx := c.Request().Context()
	since, err := h.store.LastEventID(ctx)
	if err != nil {
		return // the page still works; it just does not update by itself
	}
	p.Live = fmt.Sprintf("/events?scope=%s&since=%d", scope, since)
	if release != 0 {
		p.Live += fmt.Sprintf("&release=%d", release)
		if c.QueryParam("notice") == string(gonogo.MarkReleased) {
			// The celebration says it; the flash would say it twice.
			if p.Shipped = h.shipped(ctx, release); p.Shipped != nil {
				p.Flash = ""
			}
		}
	}
}

// showCard answers one board card, for a live board to redraw it.
func (h *Handler) showCard(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	p := h.page(c, "", "board")
	card, err := h.card(c.Request().Context(), id, p.Loc)
	if err != nil {
		return err
	}
	p.Live = "on"
	return render(c, http.StatusOK, views.ReleaseCard(p, card))
}

// card is release id's board card as it is now, its window told in loc.
func (h *Handler) card(ctx context.Context, id int64, loc *time.Location) (views.Card, error) {
	rel, err := h.store.FindRelease(ctx, id)
	if err != nil {
		return views.Card{}, err
	}
	snaps, err := h.store.FindSnapshots(ctx, gonogo.ReleaseFilter{Product: rel.Product, States: []gonogo.State{rel.State}})
	if err != nil {
		return views.Card{}, err
	}
	for _, s := range snaps {
		if s.Release.ID != id {
			continue
		}
		active, err := h.store.FindActiveWindows(ctx)
		if err != nil {
			return views.Card{}, err
		}
		team := h.team(ctx)
		card := views.Card{Release: s.Release, Gate: gonogo.Evaluate(s), Progress: pillarStats(s.Items), Defects: gonogo.CountDefects(s.Defects),
			Rollout: gonogo.RolloutLabel(s.Release, s.Stages)}
		self := gonogo.Scheduled{ReleaseID: rel.ID, Product: rel.Product, Version: rel.Version, Window: rel.Window}
		card.Warnings = gonogo.WindowWarnings(self, active, team.LowTraffic, loc)
		if rel.Kind == gonogo.KindHotfix && !rel.ReviewDue.IsZero() {
			// A hotfix's card keeps its overdue flag when it is drawn alone.
			over, err := h.store.FindOverdueReviews(ctx, overdueCap)
			if err != nil {
				return views.Card{}, err
			}
			for _, o := range over {
				card.ReviewOverdue = card.ReviewOverdue || o.ID == id
			}
		}
		return card, nil
	}
	return views.Card{}, gonogo.Errorf(gonogo.ENOTFOUND, "no release with id %d", id)
}

// syncRelease answers a live release page with the parts a kind of change
// touched, rendered as they are now, keeping what the reader is typing.
func (h *Handler) syncRelease(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := h.releaseView(c, id)
	if err != nil {
		return err
	}
	p := h.page(c, "", "board")
	p.Live, p.Sync = "on", true
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, http.StatusOK, views.ReleaseSync(p, v, c.QueryParam("kind")))
}
