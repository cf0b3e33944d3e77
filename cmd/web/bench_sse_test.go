//go:build bench

package main

import (
	"bufio"
	"context"
	"fmt"
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

// stream is one open live page: when it first heard of each event.
type stream struct {
	mu      sync.Mutex
	arrived map[int64]time.Time
}

// openStream follows the board's live stream as a browser tab does, and
// reports on ready once the server has answered.
func openStream(ctx context.Context, b *benchBrowser, client *http.Client, ready chan<- error) *stream {
	s := &stream{arrived: map[int64]time.Time{}}
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
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				id, _ := strconv.ParseInt(rest, 10, 64)
				s.mu.Lock()
				if _, seen := s.arrived[id]; !seen {
					s.arrived[id] = time.Now()
				}
				s.mu.Unlock()
			}
		}
	}()
	return s
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
		streams = append(streams, openStream(ctx, viewers[i/sseTabs], client, ready))
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
			if at, ok := s.arrived[id]; ok {
				r.delivered++
				lat = append(lat, at.Sub(answered[i]))
			}
		}
	}
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		r.p50, r.p99 = lat[n/2], lat[min(n-1, n*99/100)]
	}
	return r
}
