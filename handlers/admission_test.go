package handlers_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo/handlers"
	"github.com/gonogo/gonogo/static"
)

// TestBusyServerQueuesThenTurnsAway checks that past the requests worked
// on at once a page waits its turn and is then answered, that past the
// waiting bound one is turned away at once with 503 and Retry-After and a
// message that says why, and that the probes, static files and live
// streams are answered however busy the pages are.
func TestBusyServerQueuesThenTurnsAway(t *testing.T) {
	s := newServer(t, func(c *handlers.Config) { c.MaxInFlight, c.MaxWaiting = 2, 1 })
	po := s.signIn(t, "po")
	release := s.h.OccupyRequestSlots()
	defer func() {
		if release != nil {
			release()
		}
	}()
	waited := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/", nil)
		res, err := po.http.Do(req)
		if err != nil {
			waited <- 0
			return
		}
		res.Body.Close()
		waited <- res.StatusCode
	}()
	deadline := time.Now().Add(10 * time.Second)
	for s.h.RequestsWaiting() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the first page never waited for a slot")
		}
		time.Sleep(5 * time.Millisecond)
	}

	res, body := po.getText("/")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a page past the waiting bound: status %d, want 503", res.StatusCode)
	}
	if got := res.Header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1", got)
	}
	if !strings.Contains(body, "busier than it can answer") {
		t.Errorf("the refusal does not say why:\n%s", body)
	}
	for _, path := range []string{"/healthz", static.Path("css/app.css")} {
		res, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s while busy: status %d, want 200", path, res.StatusCode)
		}
	}
	stream, err := po.http.Get(s.URL + "/events?scope=board")
	if err != nil {
		t.Fatal(err)
	}
	stream.Body.Close()
	if stream.StatusCode != http.StatusOK {
		t.Errorf("a live stream while busy: status %d, want 200", stream.StatusCode)
	}

	release()
	release = nil
	select {
	case code := <-waited:
		if code != http.StatusOK {
			t.Errorf("the page that waited its turn: status %d, want 200", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the page that waited was never answered")
	}
}
