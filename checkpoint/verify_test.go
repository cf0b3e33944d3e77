package checkpoint_test

import (
	"database/sql"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/checkpoint"
	"github.com/gonogo/gonogo/db"
)

// TestVerifierFindsEditsBehindTheMark: the background job verifies the
// whole trail at start and at each tick, keeping the outcome for the audit
// page; an event edited after a look verified it is found at the next tick.
func TestVerifierFindsEditsBehindTheMark(t *testing.T) {
	store := db.OpenTest(t)
	for _, v := range []string{"1.0.0", "1.0.1", "1.0.2"} {
		if _, err := store.CreateRelease(t.Context(), gonogo.SystemActor, gonogo.ReleaseInput{Product: "payments", Version: v, Title: "Release " + v}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.VerifyNewEvents(t.Context()); err != nil {
		t.Fatal(err)
	}
	ticks := make(chan time.Time)
	job := checkpoint.StartVerifier(store, checkpoint.Options{Ticks: ticks, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(job.Close)
	last := awaitVerification(t, store, func(v db.Verification) bool { return !v.At.IsZero() })
	if last.Break != nil || last.Checked != 3 {
		t.Fatalf("the verification at start: %+v, want 3 events intact", last)
	}

	raw, err := sql.Open("sqlite", "file:"+store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{`DROP TRIGGER audit_never_edited`, `UPDATE audit_events SET detail = 'nothing to see' WHERE id = 2`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	ticks <- time.Time{}
	last = awaitVerification(t, store, func(v db.Verification) bool { return v.Break != nil })
	if last.Break.EventID != 2 || last.Checked != 1 {
		t.Fatalf("the verification at the tick: %+v, want a break at event 2", last)
	}
}

func awaitVerification(t *testing.T, store *db.Store, done func(db.Verification) bool) db.Verification {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := store.LastVerification(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if done(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("no verification came: last %+v", v)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
