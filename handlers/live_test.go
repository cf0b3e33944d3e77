package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/tmaxmax/go-sse"

	"github.com/gonogo/gonogo"
)

// sseEvent is one server-sent event.
type sseEvent struct {
	id, name, data string
}

// dialStream asks for a live stream as c, and returns the answer as it
// comes, whatever its status, and a function that hangs up.
func dialStream(t *testing.T, c *client, query string, lastID string) (*http.Response, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.srv.URL+"/events?"+query, nil)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := c.http.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	return res, func() { cancel(); res.Body.Close() }
}

// openStream opens a live stream as c and returns its events as they come,
// read by an SSE parser that splits lines as browsers do (CR, LF or CRLF
// each end one). The channel closes when the server ends the stream.
func openStream(t *testing.T, c *client, query string, lastID string) (<-chan sseEvent, func()) {
	t.Helper()
	res, stop := dialStream(t, c, query, lastID)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		stop()
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res.Header.Get("X-Accel-Buffering") != "no" {
		t.Error("the stream does not ask proxies not to buffer")
	}
	events := make(chan sseEvent, 100)
	go func() {
		defer close(events)
		defer res.Body.Close()
		for e, err := range sse.Read(res.Body, nil) {
			if err != nil {
				return
			}
			events <- sseEvent{id: e.LastEventID, name: e.Type, data: e.Data}
		}
	}()
	return events, stop
}

// waitClosed waits for the server to end the stream, failing if it is
// still open after within or if an event arrives that reject refuses.
func waitClosed(t *testing.T, events <-chan sseEvent, within time.Duration, reject func(sseEvent) bool) {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return
			}
			if reject != nil && reject(e) {
				t.Fatalf("the stream delivered %q %q after its session ended", e.name, e.data)
			}
		case <-timeout:
			t.Fatalf("the stream was still open %v later", within)
		}
	}
}

// next waits for the next event named name, failing after a while.
func next(t *testing.T, events <-chan sseEvent, name string) sseEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("the stream ended before a %q event", name)
			}
			if e.name == name {
				return e
			}
		case <-timeout:
			t.Fatalf("no %q event", name)
		}
	}
}

func TestLiveStreamDeliversChangesByOthers(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	other := s.mustCreateRelease(t, "web", "1.0.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.move(t, other.ID, gonogo.OpenReview)
	po := s.signIn(t, "po")
	events, stop := openStream(t, po, "scope=release&release="+itoa(rel.ID), "")
	defer stop()

	// A change to another release, and to people, must not reach this page.
	s.vote(t, other.ID, "ops", gonogo.Ops, gonogo.VoteGo, "")
	s.mustCreateUser(t, "newcomer", nil, false)
	qa := s.signIn(t, "qa")
	qa.get("/releases/" + itoa(rel.ID))
	res := qa.post("/releases/"+itoa(rel.ID)+"/votes", url.Values{"role": {"qa-lead"}, "value": {"go"}, "comment": {"all green"}})
	wantStatus(t, res, http.StatusSeeOther)

	n := next(t, events, "notice")
	if !strings.Contains(n.data, "Qa Tester") || !strings.Contains(n.data, "signed Go for QA lead") {
		t.Fatalf("notice %q does not say who changed what", n.data)
	}
	v := next(t, events, "vote")
	if v.id != n.id || v.id == "" {
		t.Fatalf("vote event id %q, notice id %q", v.id, n.id)
	}
	// Reconnecting with the last id replays what was missed, and only that.
	stop()
	s.vote(t, rel.ID, "ops", gonogo.Ops, gonogo.VoteNoGo, "dashboards missing")
	again, stop2 := openStream(t, po, "scope=release&release="+itoa(rel.ID), v.id)
	defer stop2()
	missed := next(t, again, "notice")
	if !strings.Contains(missed.data, "dashboards missing") {
		t.Fatalf("the replay gave %q", missed.data)
	}
}

func TestLiveStreamScopesAndShutdown(t *testing.T) {
	s := newServer(t)
	po := s.signIn(t, "po")
	res, _ := po.get("/events?scope=everything")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	res, _ = po.get("/events?scope=release&release=abc")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	anon := s.client(t)
	res, _ = anon.get("/events?scope=board")
	wantStatus(t, res, http.StatusSeeOther)

	events, stop := openStream(t, po, "scope=board", "")
	defer stop()
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	if e := next(t, events, "board"); e.id == "" {
		t.Fatal("a new release does not redraw the board")
	}
	s.move(t, rel.ID, gonogo.OpenReview)
	next(t, events, "board")
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteGo, "")
	next(t, events, "card-"+itoa(rel.ID))

	// Shutting down ends the stream rather than holding up the server.
	s.h.CloseStreams()
	waitClosed(t, events, 5*time.Second, nil)
}

// A board is sent the changed card itself, rendered once however many
// boards are open: before, every open board fetched its own copy.
func TestLiveBoardsAreSentTheCardRenderedOnce(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	var streams []<-chan sseEvent
	for _, name := range []string{"po", "eng", "ops", "support", "rm"} {
		events, stop := openStream(t, s.signIn(t, name), "scope=board", "")
		defer stop()
		streams = append(streams, events)
	}
	renders := func() float64 {
		_, fams := scrape(t, s, nil)
		n, ok := series(fams, "gonogo_sse_renders_total", nil)
		if !ok {
			t.Fatal("no gonogo_sse_renders_total metric")
		}
		return n
	}
	before := renders()
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteGo, "")
	for _, events := range streams {
		next(t, events, "notice")
		e := next(t, events, "card-"+itoa(rel.ID))
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(e.data))
		if err != nil {
			t.Fatal(err)
		}
		card := doc.Find(`[data-testid=release-card]`)
		if card.AttrOr("data-release", "") != "payments 2.4.0" || card.AttrOr("data-sse-swap", "") != "card-"+itoa(rel.ID) {
			t.Fatalf("the card event carries %q, not the card that listens for the next one", e.data)
		}
	}
	// One notice and one card, for five boards.
	if got := renders() - before; got != 2 {
		t.Errorf("rendered %v times for five boards, want 2 (a notice and a card)", got)
	}
}
