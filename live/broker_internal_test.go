package live

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// someone holds the streams of the tests that are not about owners.
var someone = Owner{Session: "a session", User: 1}

func everything(*gonogo.Notice) bool { return true }

func notice(id int64, release int64) gonogo.Notice {
	return gonogo.Notice{Event: gonogo.Event{ID: id, ReleaseID: release, Action: "vote"}}
}

func TestBrokerDeliversInOrderToThoseWhoWant(t *testing.T) {
	b := NewBroker(Limits{})
	all, _ := b.Subscribe(someone, func(*gonogo.Notice) bool { return true })
	one, _ := b.Subscribe(someone, func(n *gonogo.Notice) bool { return n.Event.ReleaseID == 1 })
	b.Publish([]gonogo.Notice{notice(1, 1), notice(2, 2)})
	b.Publish([]gonogo.Notice{notice(3, 1)})
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
	if b.Subscribers() != 2 {
		t.Fatalf("%d subscribers", b.Subscribers())
	}
}

func TestBrokerDropsSlowSubscriberWithoutBlocking(t *testing.T) {
	b := NewBroker(Limits{})
	slow, _ := b.Subscribe(someone, func(*gonogo.Notice) bool { return true })
	fast, _ := b.Subscribe(someone, func(*gonogo.Notice) bool { return true })
	// The slow one never reads; publishing more than its buffer must not
	// block, and the one that keeps up keeps getting everything.
	for i := range subscriberBuffer + 10 {
		b.Publish([]gonogo.Notice{notice(int64(i+1), 1)})
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
	if b.Subscribers() != 1 {
		t.Fatalf("%d subscribers after dropping the slow one", b.Subscribers())
	}
	b.Close()
	if _, open := <-fast.ch; open {
		t.Fatal("shutdown did not close the stream")
	}
	if _, r := b.Subscribe(someone, everything); r != RefusedClosed {
		t.Fatal("a closed broker accepted a subscriber")
	}
}

func TestBrokerUnsubscribe(t *testing.T) {
	b := NewBroker(Limits{})
	s, _ := b.Subscribe(someone, func(*gonogo.Notice) bool { return true })
	b.Unsubscribe(s)
	b.Unsubscribe(s) // twice is harmless
	b.Publish([]gonogo.Notice{notice(1, 1)})
	if _, open := <-s.ch; open {
		t.Fatal("an unsubscribed channel is still open")
	}
	if b.Subscribers() != 0 {
		t.Fatal("subscriber count")
	}
}

func TestBrokerCapsStreamsPerSessionUserAndServer(t *testing.T) {
	b := NewBroker(Limits{PerSession: 2, PerUser: 3, Total: 4})
	laptop, phone, other := Owner{"laptop", 1}, Owner{"phone", 1}, Owner{"other", 2}
	first, _ := b.Subscribe(laptop, everything)
	b.Subscribe(laptop, everything)
	if _, r := b.Subscribe(laptop, everything); r != RefusedSession {
		t.Fatalf("a third stream of one session: %q, want %q", r, RefusedSession)
	}
	b.Subscribe(phone, everything)
	if _, r := b.Subscribe(phone, everything); r != RefusedUser {
		t.Fatalf("a fourth stream of one user: %q, want %q", r, RefusedUser)
	}
	b.Subscribe(other, everything)
	if _, r := b.Subscribe(Owner{"new", 3}, everything); r != RefusedTotal {
		t.Fatalf("a fifth stream: %q, want %q", r, RefusedTotal)
	}
	// A stream that ends gives its place back, to its session and user too.
	b.Unsubscribe(first)
	if _, r := b.Subscribe(laptop, everything); r != "" {
		t.Fatalf("after one ended: %q", r)
	}
	if b.Subscribers() != 4 {
		t.Fatalf("%d subscribers", b.Subscribers())
	}
}

func TestBrokerAsksStreamsToRecheckBeforeLaterNotices(t *testing.T) {
	b := NewBroker(Limits{})
	s, _ := b.Subscribe(someone, func(n *gonogo.Notice) bool { return n.Event.ReleaseID != 0 })
	b.Publish([]gonogo.Notice{notice(1, 1)})
	select {
	case <-s.recheck:
		t.Fatal("a vote asked for a recheck")
	default:
	}
	signout := gonogo.Notice{Event: gonogo.Event{ID: 2, Action: "user.signout"}}
	b.Publish([]gonogo.Notice{signout, notice(3, 1)})
	b.Publish([]gonogo.Notice{{Event: gonogo.Event{ID: 4, Action: "user.update"}}}) // one signal serves both
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

// When half of a crowd of streams has closed, memory is given back once;
// a small crowd's comings and goings never cost a collection.
func TestBrokerGivesMemoryBackAfterACrowdLeaves(t *testing.T) {
	for _, tc := range []struct {
		crowd, leave int
		reclaims     int
	}{
		{crowd: 600, leave: 299, reclaims: 0},
		{crowd: 600, leave: 300, reclaims: 1},
		{crowd: 600, leave: 600, reclaims: 1},
		{crowd: 400, leave: 400, reclaims: 0},
	} {
		b := NewBroker(Limits{})
		b.reclaimAfter = 10 * time.Millisecond
		var reclaims atomic.Int32
		b.reclaim = func() { reclaims.Add(1) }
		var subs []*Subscriber
		for i := range tc.crowd {
			s, refused := b.Subscribe(Owner{Session: fmt.Sprint("s", i), User: int64(i)}, everything)
			if refused != "" {
				t.Fatal(refused)
			}
			subs = append(subs, s)
		}
		for _, s := range subs[:tc.leave] {
			b.Unsubscribe(s)
		}
		// Wait for the reclaim that is due (or long enough for one that
		// would wrongly come), then count.
		for deadline := time.Now().Add(5 * time.Second); tc.reclaims > 0 && reclaims.Load() == 0 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		if got := int(reclaims.Load()); got != tc.reclaims {
			t.Errorf("%d of %d streams closed: %d reclaims, want %d", tc.leave, tc.crowd, got, tc.reclaims)
		}
	}
}
