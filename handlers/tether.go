package handlers

import (
	"context"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/live"
)

// tether ties a live stream to the session that opened it: the stream ends
// when the session does (sign-out, disable, password change or reset, loss
// of the admin flag, expiry), never later than the next heartbeat and
// before any further change is sent.
//
// Looking the session up in the database at every heartbeat and before
// every change would be simplest, but a board with 1,000 streams would then
// read 1,000 sessions for each vote. So a stream looks only when its
// session may have ended, and the other times costs next to nothing.
// Triggers count every change that may end a session, made by any process
// (a sign-out, a disable, a clean-up, the sqlite3 shell): see
// db.Store.SessionEnds. After a commit, every stream shares one read of
// that count, and only a count that moved costs each stream a read of its
// own session. The stream checks the count:
//   - when the broker signals it, on a "user." event (every commit that
//     deletes sessions audits one), before the notices committed after
//     (the signal is checked first, so nothing slips by);
//   - at each heartbeat, which catches changes made by other processes.
//
// The session's own expiry is known, so time runs out without a read.
//
// Every signed-in person may see what any scope shows, so a change of roles
// hides nothing from a stream; losing admin ends the sessions anyway.
type tether struct {
	store   *db.Store
	idHash  string
	version db.Version // the database as of the last look or beat
	ends    int64      // the count of session ends as of the last look
	expires time.Time  // the session's end, unless it is used meanwhile
}

// look reads the session and reports whether it still stands. An error
// reading it ends the stream too: the page reconnects, and is let in again
// only if its session still stands.
func (t *tether) look(ctx context.Context) bool {
	v, err := t.store.Version(ctx)
	if err != nil {
		return false
	}
	// The count first, then the session: an end in between moves the
	// count past what is kept here, and the next beat looks again.
	ends, err := t.store.SessionEnds(ctx)
	if err != nil {
		return false
	}
	rec, err := t.store.FindSession(ctx, t.idHash)
	if err != nil || sessionEnded(rec, t.store.Now()) {
		return false
	}
	t.version, t.ends, t.expires = v, ends, sessionExpiry(rec)
	return true
}

// holds is the check before a change is sent: a look if the broker asked
// for one or the session's time is up, nothing otherwise.
func (t *tether) holds(ctx context.Context, sub *live.Subscriber) bool {
	select {
	case <-sub.Recheck():
		return t.beat(ctx)
	default:
	}
	if t.store.Now().After(t.expires) {
		return t.look(ctx)
	}
	return true
}

// beat is the check at a heartbeat or a signal: a look if a session may
// have ended since the last one, or the session's time is up.
func (t *tether) beat(ctx context.Context) bool {
	if t.store.Now().After(t.expires) {
		return t.look(ctx)
	}
	v, err := t.store.Version(ctx)
	if err != nil {
		return false
	}
	if v == t.version {
		return true
	}
	ends, err := t.store.SessionEnds(ctx)
	if err != nil {
		return false
	}
	if ends != t.ends {
		return t.look(ctx)
	}
	t.version = v
	return true
}

// streamRefusals are what a page past a cap is told, with 429: the page
// keeps working, it just does not update by itself.
var streamRefusals = map[live.Refusal]string{
	live.RefusedSession: "You have %d live pages open in this browser, as many as may follow changes at once. " +
		"Close one and reload this page to follow changes here; until then it does not update by itself.",
	live.RefusedUser: "You have %d live pages open across your browsers, as many as may follow changes at once. " +
		"Close one and reload this page to follow changes here; until then it does not update by itself.",
	live.RefusedTotal: "The server is following as many live pages as it can (%d). " +
		"This page still works but does not update by itself; reload it later.",
}

// refuseStream turns a stream away with a message saying which cap it hit.
func (h *Handler) refuseStream(r live.Refusal) error {
	if r == live.RefusedClosed {
		return gonogo.Errorf(gonogo.ECONFLICT, "the server is shutting down")
	}
	h.metrics.streamRefusals.WithLabelValues(string(r)).Inc()
	limits := h.streams.Limits()
	limit := map[live.Refusal]int{live.RefusedSession: limits.PerSession, live.RefusedUser: limits.PerUser,
		live.RefusedTotal: limits.Total}[r]
	return gonogo.Errorf(gonogo.ETOOMANY, streamRefusals[r], limit)
}
