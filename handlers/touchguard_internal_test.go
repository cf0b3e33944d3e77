package handlers

import (
	"testing"
	"time"
)

// TestTouchGuard checks that one request a minute records a session's use.
func TestTouchGuard(t *testing.T) {
	var g touchGuard
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if !g.claim("a", at) {
		t.Fatal("the first request did not record the use")
	}
	if g.claim("a", at.Add(time.Second)) {
		t.Error("a second request within the minute recorded it again")
	}
	if !g.claim("b", at.Add(time.Second)) {
		t.Error("another session waited on the first")
	}
	if !g.claim("a", at.Add(touchEvery)) {
		t.Error("a minute later the use was not recorded")
	}
	g.forget(at.Add(3 * touchEvery))
	if len(g.last) != 0 {
		t.Errorf("forget kept %d entries", len(g.last))
	}
}
