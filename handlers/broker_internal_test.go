package handlers

import (
	"testing"

	"github.com/gonogo/gonogo"
)

// someone holds the streams of the tests that are not about owners.
var someone = owner{session: "a session", user: 1}

func everything(gonogo.Notice) bool { return true }

func notice(id int64, release int64) gonogo.Notice {
	return gonogo.Notice{Event: gonogo.Event{ID: id, ReleaseID: release, Action: "vote"}}
}

func TestBrokerDeliversInOrderToThoseWhoWant(t *testing.T) {
	b := newBroker(StreamLimits{})
	all, _ := b.subscribe(someone, func(gonogo.Notice) bool { return true })
	one, _ := b.subscribe(someone, func(n gonogo.Notice) bool { return n.Event.ReleaseID == 1 })
	b.publish([]gonogo.Notice{notice(1, 1), notice(2, 2)})
	b.publish([]gonogo.Notice{notice(3, 1)})
	for _, want := range []int64{1, 2, 3} {
		if got := (<-all.ch).Event.ID; got != want {
			t.Fatalf("got event %d, want %d", got, want)
		}
	}
	for _, want := range []int64{1, 3} {
		if got := (<-one.ch).Event.ID; got != want {
			t.Fatalf("filtered: got event %d, want %d", got, want)
		}
	}
	if b.subscribers() != 2 {
		t.Fatalf("%d subscribers", b.subscribers())
	}
}

func TestBrokerDropsSlowSubscriberWithoutBlocking(t *testing.T) {
	b := newBroker(StreamLimits{})
	slow, _ := b.subscribe(someone, func(gonogo.Notice) bool { return true })
	fast, _ := b.subscribe(someone, func(gonogo.Notice) bool { return true })
	// The slow one never reads; publishing more than its buffer must not
	// block, and the one that keeps up keeps getting everything.
	for i := range subscriberBuffer + 10 {
		b.publish([]gonogo.Notice{notice(int64(i+1), 1)})
		if got := (<-fast.ch).Event.ID; got != int64(i+1) {
			t.Fatalf("the fast subscriber got %d, want %d", got, i+1)
		}
	}
	n := 0
	for range slow.ch { // closed once dropped, after what it had buffered
		n++
	}
	if n != subscriberBuffer {
		t.Fatalf("the slow subscriber got %d notices before being dropped, want %d", n, subscriberBuffer)
	}
	if b.subscribers() != 1 {
		t.Fatalf("%d subscribers after dropping the slow one", b.subscribers())
	}
	b.close()
	if _, open := <-fast.ch; open {
		t.Fatal("shutdown did not close the stream")
	}
	if _, r := b.subscribe(someone, everything); r != refusedClosed {
		t.Fatal("a closed broker accepted a subscriber")
	}
}

func TestBrokerUnsubscribe(t *testing.T) {
	b := newBroker(StreamLimits{})
	s, _ := b.subscribe(someone, func(gonogo.Notice) bool { return true })
	b.unsubscribe(s)
	b.unsubscribe(s) // twice is harmless
	b.publish([]gonogo.Notice{notice(1, 1)})
	if _, open := <-s.ch; open {
		t.Fatal("an unsubscribed channel is still open")
	}
	if b.subscribers() != 0 {
		t.Fatal("subscriber count")
	}
}

func TestBrokerCapsStreamsPerSessionUserAndServer(t *testing.T) {
	b := newBroker(StreamLimits{PerSession: 2, PerUser: 3, Total: 4})
	laptop, phone, other := owner{"laptop", 1}, owner{"phone", 1}, owner{"other", 2}
	first, _ := b.subscribe(laptop, everything)
	b.subscribe(laptop, everything)
	if _, r := b.subscribe(laptop, everything); r != refusedSession {
		t.Fatalf("a third stream of one session: %q, want %q", r, refusedSession)
	}
	b.subscribe(phone, everything)
	if _, r := b.subscribe(phone, everything); r != refusedUser {
		t.Fatalf("a fourth stream of one user: %q, want %q", r, refusedUser)
	}
	b.subscribe(other, everything)
	if _, r := b.subscribe(owner{"new", 3}, everything); r != refusedTotal {
		t.Fatalf("a fifth stream: %q, want %q", r, refusedTotal)
	}
	// A stream that ends gives its place back, to its session and user too.
	b.unsubscribe(first)
	if _, r := b.subscribe(laptop, everything); r != "" {
		t.Fatalf("after one ended: %q", r)
	}
	if b.subscribers() != 4 {
		t.Fatalf("%d subscribers", b.subscribers())
	}
}

func TestBrokerAsksStreamsToRecheckBeforeLaterNotices(t *testing.T) {
	b := newBroker(StreamLimits{})
	s, _ := b.subscribe(someone, func(n gonogo.Notice) bool { return n.Event.ReleaseID != 0 })
	b.publish([]gonogo.Notice{notice(1, 1)})
	select {
	case <-s.recheck:
		t.Fatal("a vote asked for a recheck")
	default:
	}
	signout := gonogo.Notice{Event: gonogo.Event{ID: 2, Action: "user.signout"}}
	b.publish([]gonogo.Notice{signout, notice(3, 1)})
	b.publish([]gonogo.Notice{{Event: gonogo.Event{ID: 4, Action: "user.update"}}}) // one signal serves both
	<-s.ch
	if got := (<-s.ch).Event.ID; got != 3 {
		t.Fatalf("got notice %d; the sign-out's own notice is not for pages", got)
	}
	select {
	case <-s.recheck:
	default:
		t.Fatal("the notice after a sign-out arrived without a recheck before it")
	}
}
