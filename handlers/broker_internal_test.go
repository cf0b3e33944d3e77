package handlers

import (
	"testing"

	"github.com/gonogo/gonogo"
)

func notice(id int64, release int64) gonogo.Notice {
	return gonogo.Notice{Event: gonogo.Event{ID: id, ReleaseID: release, Action: "vote"}}
}

func TestBrokerDeliversInOrderToThoseWhoWant(t *testing.T) {
	b := newBroker()
	all, _ := b.subscribe(func(gonogo.Notice) bool { return true })
	one, _ := b.subscribe(func(n gonogo.Notice) bool { return n.Event.ReleaseID == 1 })
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
	b := newBroker()
	slow, _ := b.subscribe(func(gonogo.Notice) bool { return true })
	fast, _ := b.subscribe(func(gonogo.Notice) bool { return true })
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
	if _, ok := b.subscribe(func(gonogo.Notice) bool { return true }); ok {
		t.Fatal("a closed broker accepted a subscriber")
	}
}

func TestBrokerUnsubscribe(t *testing.T) {
	b := newBroker()
	s, _ := b.subscribe(func(gonogo.Notice) bool { return true })
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
