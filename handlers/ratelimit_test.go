package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
)

// smallWriteLimit lets three changes through at once and refills one an
// hour: a test never waits for a refill, it moves the store's clock.
func smallWriteLimit(cfg *handlers.Config) {
	cfg.WriteBurst = 3
	cfg.WriteRate = rate.Every(time.Hour)
}

// unlimitedWrites lifts the write limit for tests that write like the
// scripts it is there to slow: hundreds of payloads, every event in every state.
func unlimitedWrites(cfg *handlers.Config) { cfg.WriteRate = rate.Inf }

// wantRetryAfter fails unless res says, in whole seconds, when to try again.
func wantRetryAfter(t *testing.T, res *http.Response) int {
	t.Helper()
	secs, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || secs < 1 {
		t.Fatalf("Retry-After is %q, want a number of seconds", res.Header.Get("Retry-After"))
	}
	return secs
}

func TestWriteLimitRefusesAFastWriter(t *testing.T) {
	s := newServer(t, smallWriteLimit)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := "/releases/" + itoa(rel.ID)
	qa := s.signIn(t, "qa")
	qa.get(page)
	for i := range 3 {
		wantStatus(t, qa.post(page+"/comments", url.Values{"body": {"comment " + strconv.Itoa(i)}}), http.StatusSeeOther)
	}

	// A plain form post is answered with a page that says what happened.
	res := qa.post(page+"/comments", url.Values{"body": {"one too many"}})
	wantStatus(t, res, http.StatusTooManyRequests)
	secs := wantRetryAfter(t, res)
	if secs > 3600 {
		t.Errorf("Retry-After %d s is longer than one refill", secs)
	}
	msg := text(parse(t, res), "[data-testid=error-message]")
	if msg == "" || !containsAll(msg, "too many changes", strconv.Itoa(secs)) {
		t.Errorf("the page says %q", msg)
	}

	// htmx gets the message as a notice, where the person is.
	res = qa.postHX(page+"/votes", url.Values{"role": {"qa-lead"}, "value": {"go"}})
	wantStatus(t, res, http.StatusTooManyRequests)
	wantRetryAfter(t, res)
	if res.Header.Get("HX-Retarget") != "#notice" {
		t.Errorf("HX-Retarget = %q", res.Header.Get("HX-Retarget"))
	}
	doc := parse(t, res)
	if doc.Find("html body header").Length() != 0 || !containsAll(text(doc, "[data-testid=notice]"), "too many changes") {
		t.Errorf("the fragment is not the notice: %q", text(doc, "body"))
	}

	// Nothing of the refused changes was stored.
	comments, _ := s.store.FindComments(t.Context(), rel.ID, 1)
	if len(comments) != 3 {
		t.Errorf("%d comments stored, want the 3 allowed", len(comments))
	}
	if votes, _ := s.store.FindVotes(t.Context(), rel.ID); len(votes) != 0 {
		t.Errorf("a refused vote was stored: %+v", votes)
	}

	// Someone else is not held up by the first person's haste, and reading
	// is never limited.
	ops := s.signIn(t, "ops")
	ops.get(page)
	wantStatus(t, ops.post(page+"/comments", url.Values{"body": {"ops here"}}), http.StatusSeeOther)
	res, _ = qa.get(page)
	wantStatus(t, res, http.StatusOK)

	// Once the bucket has refilled, the first person writes again.
	later := time.Now().UTC().Add(time.Hour + time.Minute)
	s.store.Now = func() time.Time { return later }
	wantStatus(t, qa.post(page+"/comments", url.Values{"body": {"back again"}}), http.StatusSeeOther)
}

func TestWriteLimitAppliesPerAPIToken(t *testing.T) {
	s := newServer(t, smallWriteLimit)
	first, second := s.mustToken(t, "ci-one", ""), s.mustToken(t, "ci-two", "")
	create := func(token, version string) apiResult {
		return s.call(t, http.MethodPost, "/api/v1/releases", token, `{"product":"payments","version":"`+version+`","title":"x"}`)
	}
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		create(first, v).want(t, http.StatusCreated)
	}
	res := create(first, "1.3.0").want(t, http.StatusTooManyRequests)
	secs, err := strconv.Atoi(res.header.Get("Retry-After"))
	if err != nil || secs < 1 || !containsAll(res.str("error"), "too many changes") {
		t.Errorf("Retry-After %q, error %q", res.header.Get("Retry-After"), res.str("error"))
	}
	if _, err := s.store.FindReleaseByName(t.Context(), "payments", "1.3.0"); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
		t.Errorf("the refused release was created: %v", err)
	}
	// Reading the gate is not a change: a pipeline may poll it.
	// (It answers 409 here: the release is a draft, not a Go.)
	s.call(t, http.MethodGet, "/api/v1/releases/payments/1.0.0/gate", first, "").want(t, http.StatusConflict)
	// Another token has a bucket of its own.
	create(second, "2.0.0").want(t, http.StatusCreated)
}

// TestWriteLimitLetsAPersonWork checks that the defaults never refuse a
// person at a human pace: a release manager who ticks off forty items, a
// second apart, as fast as anyone reads them.
func TestWriteLimitLetsAPersonWork(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	page := "/releases/" + itoa(rel.ID)
	rm := s.signIn(t, "rm")
	rm.get(page)
	items, _ := s.store.FindItems(t.Context(), rel.ID)
	clock := time.Now().UTC()
	s.store.Now = func() time.Time { return clock }
	for i := range 40 {
		it := items[i%len(items)]
		res := rm.postHX(page+"/items/"+itoa(it.ID), url.Values{"status": {"done"}, "evidence": {"https://ci.example.com/run/" + strconv.Itoa(i)}})
		if res.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("change %d, at one a second, was refused", i+1)
		}
		clock = clock.Add(time.Second)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(strings.ToLower(s), strings.ToLower(p)) {
			return false
		}
	}
	return true
}
