//go:build bench

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// sseViewers and sseTabs make the 200 live pages the bench watches: 20
// people with 10 tabs each, as many as one browser session may keep open.
const sseViewers, sseTabs = 20, 10

// viewerBrowsers signs in each viewer of the fixture.
func (fx *fixture) viewerBrowsers(t *testing.T, base string) []*benchBrowser {
	t.Helper()
	var out []*benchBrowser
	for _, email := range fx.viewers {
		out = append(out, signIn(t, base, email, fx.password))
	}
	return out
}

// stream is one open live page: when it first heard of each event, and
// when the card the event asked it to fetch again arrived.
type stream struct {
	mu      sync.Mutex
	arrived map[int64]time.Time
	cards   map[int64]time.Time
}

// openStream follows the board's live stream as a browser tab does, and
// reports on ready once the server has answered. With refetch, it takes
// a card whenever an event names it (event card-<id>) as the board's htmx
// does: from the event when it carries the card's HTML, otherwise by
// fetching it again through refetch.
func openStream(ctx context.Context, b *benchBrowser, client *http.Client, ready chan<- error, refetch *http.Client) *stream {
	s := &stream{arrived: map[int64]time.Time{}, cards: map[int64]time.Time{}}
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/events?scope=board", nil)
		req.Header.Set("Cookie", b.cookie)
		req.Header.Set("Accept", "text/event-stream")
		res, err := client.Do(req)
		if err != nil {
			ready <- err
			return
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			ready <- fmt.Errorf("stream: %s", res.Status)
			return
		}
		ready <- nil
		sc := bufio.NewScanner(res.Body)
		var id int64
		var event, data string
		for sc.Scan() {
			line := sc.Text()
			if rest, ok := strings.CutPrefix(line, "id: "); ok {
				id, _ = strconv.ParseInt(rest, 10, 64)
				s.mu.Lock()
				if _, seen := s.arrived[id]; !seen {
					s.arrived[id] = time.Now()
				}
				s.mu.Unlock()
			}
			if rest, ok := strings.CutPrefix(line, "event: "); ok {
				event = rest
			}
			if rest, ok := strings.CutPrefix(line, "data: "); ok && data == "" {
				data = rest
			}
			if line == "" {
				card, ok := strings.CutPrefix(event, "card-")
				switch {
				case !ok || refetch == nil:
				case strings.HasPrefix(data, "<"):
					s.mu.Lock()
					s.cards[id] = time.Now() // the card came with the event
					s.mu.Unlock()
				default:
					go s.fetchCard(ctx, b, refetch, card, id)
				}
				event, data = "", ""
			}
		}
	}()
	return s
}

// fetchCard fetches a card again as htmx does, and notes when it arrived.
func (s *stream) fetchCard(ctx context.Context, b *benchBrowser, client *http.Client, release string, id int64) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/releases/"+release+"/card", nil)
	req.Header = http.Header{"Cookie": {b.cookie}, "Hx-Request": {"true"}}
	res, err := client.Do(req)
	if err != nil {
		return
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode == http.StatusOK {
		s.mu.Lock()
		s.cards[id] = time.Now()
		s.mu.Unlock()
	}
}

// sseResult is how fast votes reached the open pages.
type sseResult struct {
	streams, votes, delivered int
	p50, p99                  time.Duration // after the vote's response
}

// measureSSE opens sseTabs board streams for each viewer, casts votes one after another as a
// plain form post, and measures when each stream hears of each vote,
// counted from the moment the vote's response arrived.
func measureSSE(t *testing.T, b *benchBrowser, viewers []*benchBrowser, votes int, vote func(i int) url.Values, releaseID int64) sseResult {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := len(viewers) * sseTabs
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	ready := make(chan error, n)
	var streams []*stream
	for i := range n {
		streams = append(streams, openStream(ctx, viewers[i/sseTabs], client, ready, nil))
	}
	for range n {
		if err := <-ready; err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(500 * time.Millisecond) // every stream past its first flush
	var answered []time.Time
	for i := range votes {
		req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/releases/%d/votes", b.base, releaseID), strings.NewReader(vote(i).Encode()))
		req.Header = http.Header{"Cookie": {b.cookie}, "X-Csrf-Token": {b.csrf}, "Content-Type": {"application/x-www-form-urlencoded"}}
		res, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answered = append(answered, time.Now())
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("vote: %s", res.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second)
	return deliveries(streams, answered)
}

// deliveries matches the events the streams heard, in id order, to the
// votes, in the order they were cast: nothing else wrote meanwhile.
func deliveries(streams []*stream, answered []time.Time) sseResult {
	ids := map[int64]bool{}
	for _, s := range streams {
		s.mu.Lock()
		for id := range s.arrived {
			ids[id] = true
		}
		s.mu.Unlock()
	}
	order := make([]int64, 0, len(ids))
	for id := range ids {
		order = append(order, id)
	}
	slices.Sort(order)
	r := sseResult{streams: len(streams), votes: len(answered)}
	var lat []time.Duration
	for i, id := range order[:min(len(order), len(answered))] {
		for _, s := range streams {
			s.mu.Lock()
			if at, ok := s.arrived[id]; ok {
				r.delivered++
				lat = append(lat, at.Sub(answered[i]))
			}
			s.mu.Unlock()
		}
	}
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		r.p50, r.p99 = lat[n/2], lat[min(n-1, n*99/100)]
	}
	return r
}

// crowdResult is what many open boards cost the server. A card counts as
// fetched again when it arrived, in the event or by a fetch of its own.
type crowdResult struct {
	streams, votes       int
	delivered, refetched int
	eventP50, eventP99   time.Duration // the event, after the vote's response
	cardP50, cardP99     time.Duration // the card fetched again, after the vote's response
	cpuPerVote           time.Duration // the server's, refetches included
	perStream            int64         // Go heap in use per open stream
	before, open, closed int64         // resident memory before, with the streams open, 10 s after they closed
	peak                 int64
}

// measureCrowd opens n board streams, sseTabs for each viewer's session,
// that fetch their card again on each event as the board's htmx does;
// casts votes one a second as plain form posts; and measures the server's
// CPU per vote (the refetches included), its memory per stream, and its
// memory once the streams have closed.
func measureCrowd(t *testing.T, srv *benchServer, b *benchBrowser, viewers []*benchBrowser, n, votes int, vote func(i int) url.Values, releaseID int64) crowdResult {
	t.Helper()
	r := crowdResult{streams: n, votes: votes}
	srv.resetPeak(t)
	r.before = srv.rss(t)
	heap := srv.heapInUse(t)
	ctx, cancel := context.WithCancel(context.Background())
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	refetch := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	ready := make(chan error, n)
	var streams []*stream
	for i := range n {
		streams = append(streams, openStream(ctx, viewers[(i/sseTabs)%len(viewers)], client, ready, refetch))
	}
	for range n {
		if err := <-ready; err != nil {
			cancel()
			t.Fatalf("%d streams: %v", n, err)
		}
	}
	time.Sleep(2 * time.Second) // every stream past its first flush
	r.open = srv.rss(t)
	r.perStream = (srv.heapInUse(t) - heap) / int64(n)
	cpu := srv.cpuTime(t)
	var answered []time.Time
	for i := range votes {
		req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/releases/%d/votes", b.base, releaseID), strings.NewReader(vote(i).Encode()))
		req.Header = http.Header{"Cookie": {b.cookie}, "X-Csrf-Token": {b.csrf}, "Content-Type": {"application/x-www-form-urlencoded"}}
		res, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answered = append(answered, time.Now())
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("vote: %s", res.Status)
		}
		time.Sleep(time.Second)
	}
	waitRefetched(streams, votes, 30*time.Second)
	r.cpuPerVote = (srv.cpuTime(t) - cpu) / time.Duration(votes)
	cancel()
	d := deliveries(streams, answered)
	r.delivered, r.eventP50, r.eventP99 = d.delivered, d.p50, d.p99
	r.refetched, r.cardP50, r.cardP99 = refetches(streams, answered)
	client.CloseIdleConnections()
	refetch.CloseIdleConnections()
	time.Sleep(10 * time.Second)
	r.closed = srv.rss(t)
	r.peak = srv.procStatus(t, "VmHWM")
	return r
}

// waitRefetched waits until every stream has fetched its card for every
// vote, or max has passed.
func waitRefetched(streams []*stream, votes int, max time.Duration) {
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		done := 0
		for _, s := range streams {
			s.mu.Lock()
			if len(s.cards) >= votes {
				done++
			}
			s.mu.Unlock()
		}
		if done == len(streams) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// refetches matches the cards fetched again, by event id, to the votes in
// the order they were cast, as deliveries does for the events.
func refetches(streams []*stream, answered []time.Time) (n int, p50, p99 time.Duration) {
	ids := map[int64]bool{}
	for _, s := range streams {
		s.mu.Lock()
		for id := range s.arrived {
			ids[id] = true
		}
		s.mu.Unlock()
	}
	order := slices.Sorted(maps.Keys(ids))
	var lat []time.Duration
	for i, id := range order[:min(len(order), len(answered))] {
		for _, s := range streams {
			s.mu.Lock()
			if at, ok := s.cards[id]; ok {
				lat = append(lat, at.Sub(answered[i]))
			}
			s.mu.Unlock()
		}
	}
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		p50, p99 = lat[n/2], lat[min(n-1, n*99/100)]
	}
	return len(lat), p50, p99
}
