package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo/handlers"
	"github.com/gonogo/gonogo/live"
)

// refused opens a stream that must be refused with 429, and returns what
// the refusal says.
func refused(t *testing.T, c *client, query string) string {
	t.Helper()
	res, stop := dialStream(t, c, query, "")
	defer stop()
	if res.StatusCode != http.StatusTooManyRequests {
		stop() // an open stream has no end to read to
		t.Fatalf("a stream past the cap: status %d, want 429", res.StatusCode)
	}
	return text(parse(t, res), "[data-testid=error-message]")
}

// streamMetrics reads the stream count and the refusals by reason.
func streamMetrics(t *testing.T, s *testServer) (open float64, refusals map[string]float64) {
	t.Helper()
	_, fams := scrape(t, s, nil)
	open, ok := series(fams, "gonogo_sse_subscribers", nil)
	if !ok {
		t.Fatal("/metrics has no gonogo_sse_subscribers")
	}
	refusals = map[string]float64{}
	for _, reason := range []string{"session", "user", "server"} {
		refusals[reason], _ = series(fams, "gonogo_sse_streams_refused_total", map[string]string{"reason": reason})
	}
	return open, refusals
}

func TestLiveStreamsAreCapped(t *testing.T) {
	s := newServer(t, func(cfg *handlers.Config) {
		cfg.StreamLimits = live.Limits{PerSession: 2, PerUser: 3, Total: 4}
	})
	laptop, phone := s.signIn(t, "po"), s.signIn(t, "po")
	_, stop1 := openStream(t, laptop, "scope=board", "")
	defer stop1()
	_, stop2 := openStream(t, laptop, "scope=defects", "")
	defer stop2()
	if msg := refused(t, laptop, "scope=calendar"); !strings.Contains(msg, "2 live pages open in this browser") {
		t.Fatalf("the per-browser refusal says %q", msg)
	}
	_, stop3 := openStream(t, phone, "scope=board", "")
	defer stop3()
	if msg := refused(t, phone, "scope=calendar"); !strings.Contains(msg, "3 live pages open across your browsers") {
		t.Fatalf("the per-person refusal says %q", msg)
	}
	qa := s.signIn(t, "qa")
	_, stop4 := openStream(t, qa, "scope=board", "")
	defer stop4()
	if msg := refused(t, s.signIn(t, "ops"), "scope=board"); !strings.Contains(msg, "as many live pages as it can (4)") {
		t.Fatalf("the server-wide refusal says %q", msg)
	}

	open, refusals := streamMetrics(t, s)
	if open != 4 {
		t.Fatalf("/metrics counts %v open streams, want 4", open)
	}
	for reason, n := range refusals {
		if n != 1 {
			t.Errorf("/metrics counts %v refusals for %s, want 1", n, reason)
		}
	}

	// A page closed frees its place, for this browser and for everyone.
	stop2()
	deadline := time.Now().Add(10 * time.Second)
	for open, _ = streamMetrics(t, s); open != 3; open, _ = streamMetrics(t, s) {
		if time.Now().After(deadline) {
			t.Fatalf("/metrics still counts %v open streams after one closed", open)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, stop5 := openStream(t, laptop, "scope=calendar", "")
	defer stop5()
}
