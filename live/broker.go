package live

import (
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonogo/gonogo"
)

// subscriberBuffer is how many notices a live page may fall behind before it
// is dropped. A dropped page reconnects and catches up from the audit trail,
// so no one waits on a slow or stuck browser: not the others, not the writer.
// The buffer holds pointers to notices every stream shares, 512 bytes a
// stream, where copies of the notices took 10 KB.
const subscriberBuffer = 64

// Limits caps the live streams one browser (a session), one person
// and the whole server may hold open. Each stream is a connection, a file
// descriptor, two goroutines and about 40 KB; without a cap one account
// held 1,500 of them.
type Limits struct {
	PerSession, PerUser, Total int
}

// DefaultLimits: a browser over HTTP/1.1 holds at most 6 connections
// to a host, so 10 covers every tab a person works in even over HTTP/2; 20
// covers a laptop, a phone and a wall display signed in as one person; 4,000
// is twice the 1,000 viewers a board is sized for, one tab or two each, in
// about 160 MB.
var DefaultLimits = Limits{PerSession: 10, PerUser: 20, Total: 4000}

func (l Limits) orDefaults() Limits {
	d := DefaultLimits
	if l.PerSession > 0 {
		d.PerSession = l.PerSession
	}
	if l.PerUser > 0 {
		d.PerUser = l.PerUser
	}
	if l.Total > 0 {
		d.Total = l.Total
	}
	return d
}

// Owner is who holds a stream: a session (by the hash of its id) of a user.
type Owner struct {
	Session string
	User    int64
}

// Refusal says why Subscribe turned a stream away; "" is no refusal.
type Refusal string

const (
	RefusedSession Refusal = "session" // the browser has its streams
	RefusedUser    Refusal = "user"    // the person has theirs
	RefusedTotal   Refusal = "server"  // the server has all it takes
	RefusedClosed  Refusal = "closed"  // shutting down
)

// Broker fans committed changes out to the live pages. Publish never blocks.
type Broker struct {
	mu        sync.Mutex
	limits    Limits
	subs      map[*Subscriber]struct{}
	bySession map[string]int
	byUser    map[int64]int
	closed    bool
	count     atomic.Int64
	// peak is the most streams held since memory was last given back;
	// reclaim gives it back (debug.FreeOSMemory; tests count calls).
	peak         int
	reclaim      func()
	reclaimAfter time.Duration
	reclaimed    bool // a reclaim is scheduled
}

// After a crowd of streams closes (a release day, a Go/No-Go meeting), the
// memory they held is given back to the system: Go keeps freed memory for
// reuse, and a server that once held 3,000 streams would otherwise keep
// their 150 MB until it restarts. Once the streams held fall to half a
// peak of at least reclaimFloor, reclaimAfter later (the rest of the crowd
// leaving meanwhile), one collection returns what they freed.
const (
	reclaimFloor = 500
	reclaimAfter = 5 * time.Second
)

// Subscriber is one live page's stream of notices.
type Subscriber struct {
	ch     chan *gonogo.Notice
	wants  func(*gonogo.Notice) bool
	owner  Owner
	closed bool
	// recheck is signalled when a change that may have ended sessions is
	// committed; the stream then looks at its own before sending more.
	recheck chan struct{}
}

// NewBroker returns a broker that holds at most limits' streams; zero
// fields take DefaultLimits'. The store's Listen feeds it Publish.
func NewBroker(limits Limits) *Broker {
	return &Broker{limits: limits.orDefaults(), subs: map[*Subscriber]struct{}{},
		bySession: map[string]int{}, byUser: map[int64]int{}, reclaim: debug.FreeOSMemory, reclaimAfter: reclaimAfter}
}

// Subscribe registers a page of o that wants the notices wants accepts,
// unless o or the server already hold as many streams as they may. The
// channel closes when the subscriber is dropped or the broker shuts down.
func (b *Broker) Subscribe(o Owner, wants func(*gonogo.Notice) bool) (*Subscriber, Refusal) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closed:
		return nil, RefusedClosed
	case b.bySession[o.Session] >= b.limits.PerSession:
		return nil, RefusedSession
	case b.byUser[o.User] >= b.limits.PerUser:
		return nil, RefusedUser
	case len(b.subs) >= b.limits.Total:
		return nil, RefusedTotal
	}
	s := &Subscriber{ch: make(chan *gonogo.Notice, subscriberBuffer), wants: wants, owner: o,
		recheck: make(chan struct{}, 1)}
	b.subs[s] = struct{}{}
	b.bySession[o.Session]++
	b.byUser[o.User]++
	b.count.Add(1)
	b.peak = max(b.peak, len(b.subs))
	return s, ""
}

// Unsubscribe removes a subscriber that went away on its own.
func (b *Broker) Unsubscribe(s *Subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.drop(s)
}

func (b *Broker) drop(s *Subscriber) {
	if _, ok := b.subs[s]; !ok {
		return
	}
	delete(b.subs, s)
	if b.bySession[s.owner.Session]--; b.bySession[s.owner.Session] <= 0 {
		delete(b.bySession, s.owner.Session)
	}
	if b.byUser[s.owner.User]--; b.byUser[s.owner.User] <= 0 {
		delete(b.byUser, s.owner.User)
	}
	b.count.Add(-1)
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
	b.reclaimIfEmptied()
}

// reclaimIfEmptied schedules giving memory back once half of a large
// peak of streams has gone. b.mu is held.
func (b *Broker) reclaimIfEmptied() {
	if b.peak < reclaimFloor || len(b.subs) > b.peak/2 || b.reclaimed || b.closed {
		return
	}
	b.reclaimed = true
	time.AfterFunc(b.reclaimAfter, func() {
		b.reclaim()
		b.mu.Lock()
		b.peak, b.reclaimed = len(b.subs), false
		b.mu.Unlock()
	})
}

// Publish hands each notice to every subscriber that wants it, in commit
// order; they share it, and must not change it. A subscriber whose buffer is full is dropped. A change to people
// (sign-in, sign-out, an admin's change, a password change: every commit
// that deletes sessions audits one) asks every stream to look at its
// session before the notices after it, which it receives later.
func (b *Broker) Publish(ns []gonogo.Notice) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range ns {
		n := &ns[i]
		if gonogo.Action(n.Event.Action).Area() == "user" {
			for s := range b.subs {
				select {
				case s.recheck <- struct{}{}:
				default: // one already waits; one look serves both
				}
			}
		}
		for s := range b.subs {
			if !s.wants(n) {
				continue
			}
			select {
			case s.ch <- n:
			default:
				b.drop(s)
			}
		}
	}
}

// Close ends every stream, so that a graceful shutdown does not wait on them.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		b.drop(s)
	}
}

// Subscribers is how many live pages are connected.
func (b *Broker) Subscribers() int64 { return b.count.Load() }

// Limits are the caps the broker holds streams to.
func (b *Broker) Limits() Limits { return b.limits }

// Notices is the subscriber's stream, closed when it is dropped (it fell
// behind) or the broker shuts down.
func (s *Subscriber) Notices() <-chan *gonogo.Notice { return s.ch }

// Recheck is signalled when a change that may have ended sessions is
// committed: the stream then looks at its own before sending more.
func (s *Subscriber) Recheck() <-chan struct{} { return s.recheck }
