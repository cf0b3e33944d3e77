package handlers

import (
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/live"
)

// tethered signs a user in on a fresh store and returns a stream's tether
// to that session, and the subscriber it would hold, of broker b.
func tethered(t *testing.T) (*db.Store, *tether, *live.Subscriber, *live.Broker) {
	t.Helper()
	store := db.OpenTest(t)
	u, err := store.CreateUser(t.Context(), gonogo.SystemActor, gonogo.NewUser{
		Email: "po@example.com", Name: "Po", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	id := hashID(newSessionID())
	if err := store.CreateSession(t.Context(), gonogo.Actor{UserID: u.ID}, id); err != nil {
		t.Fatal(err)
	}
	tt := &tether{store: store, idHash: id}
	if !tt.look(t.Context()) {
		t.Fatal("a fresh session does not hold")
	}
	b := live.NewBroker(live.Limits{})
	sub, _ := b.Subscribe(live.Owner{Session: id, User: u.ID}, func(*gonogo.Notice) bool { return true })
	return store, tt, sub, b
}

func TestTetherLooksWhenAskedBeforeSendingAChange(t *testing.T) {
	store, tt, sub, b := tethered(t)
	// Ended without a word to the broker: a change may still go out, as
	// nothing said the session may have ended; the heartbeat will tell.
	if err := store.DeleteSession(t.Context(), tt.idHash); err != nil {
		t.Fatal(err)
	}
	if !tt.holds(t.Context(), sub) {
		t.Fatal("the tether read the session with no reason to")
	}
	// The broker's signal comes before the notices committed after the end.
	b.Publish([]gonogo.Notice{{Event: gonogo.Event{ID: 1, Action: "user.signout"}}})
	if tt.holds(t.Context(), sub) {
		t.Fatal("a signalled tether sent a change for an ended session")
	}
}

func TestTetherHeartbeatNoticesAnyCommit(t *testing.T) {
	store, tt, _, _ := tethered(t)
	if !tt.beat(t.Context()) {
		t.Fatal("nothing changed, yet the heartbeat ended the stream")
	}
	if err := store.DeleteSession(t.Context(), tt.idHash); err != nil {
		t.Fatal(err)
	}
	if tt.beat(t.Context()) {
		t.Fatal("the heartbeat missed a session deleted since the last look")
	}
}

func TestTetherEndsAtExpiryWithoutACommit(t *testing.T) {
	store, tt, sub, _ := tethered(t)
	later := store.Now().Add(sessionIdle + time.Minute)
	store.Now = func() time.Time { return later }
	if tt.holds(t.Context(), sub) {
		t.Fatal("a change went out after the session's expiry")
	}
	if tt.beat(t.Context()) {
		t.Fatal("the heartbeat kept an expired session's stream")
	}
}
