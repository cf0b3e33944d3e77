package handlers

import (
	"sync"
	"sync/atomic"

	"github.com/gonogo/gonogo"
)

// subscriberBuffer is how many notices a live page may fall behind before it
// is dropped. A dropped page reconnects and catches up from the audit trail,
// so no one waits on a slow or stuck browser: not the others, not the writer.
const subscriberBuffer = 64

// StreamLimits caps the live streams one browser (a session), one person
// and the whole server may hold open. Each stream is a connection, a file
// descriptor, two goroutines and about 40 KB; without a cap one account
// held 1,500 of them.
type StreamLimits struct {
	PerSession, PerUser, Total int
}

// DefaultStreamLimits: a browser over HTTP/1.1 holds at most 6 connections
// to a host, so 10 covers every tab a person works in even over HTTP/2; 20
// covers a laptop, a phone and a wall display signed in as one person; 4,000
// is twice the 1,000 viewers a board is sized for, one tab or two each, in
// about 160 MB.
var DefaultStreamLimits = StreamLimits{PerSession: 10, PerUser: 20, Total: 4000}

func (l StreamLimits) orDefaults() StreamLimits {
	d := DefaultStreamLimits
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

// owner is who holds a stream: a session (by the hash of its id) of a user.
type owner struct {
	session string
	user    int64
}

// streamRefusal says why subscribe turned a stream away; "" is no streamRefusal.
type streamRefusal string

const (
	refusedSession streamRefusal = "session" // the browser has its streams
	refusedUser    streamRefusal = "user"    // the person has theirs
	refusedTotal   streamRefusal = "server"  // the server has all it takes
	refusedClosed  streamRefusal = "closed"  // shutting down
)

// broker fans committed changes out to the live pages. Publish never blocks.
type broker struct {
	mu        sync.Mutex
	limits    StreamLimits
	subs      map[*subscriber]struct{}
	bySession map[string]int
	byUser    map[int64]int
	closed    bool
	count     atomic.Int64
}

type subscriber struct {
	ch     chan gonogo.Notice
	wants  func(gonogo.Notice) bool
	owner  owner
	closed bool
	// recheck is signalled when a change that may have ended sessions is
	// committed; the stream then looks at its own before sending more.
	recheck chan struct{}
}

func newBroker(limits StreamLimits) *broker {
	return &broker{limits: limits.orDefaults(), subs: map[*subscriber]struct{}{},
		bySession: map[string]int{}, byUser: map[int64]int{}}
}

// subscribe registers a page of o that wants the notices wants accepts,
// unless o or the server already hold as many streams as they may. The
// channel closes when the subscriber is dropped or the broker shuts down.
func (b *broker) subscribe(o owner, wants func(gonogo.Notice) bool) (*subscriber, streamRefusal) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closed:
		return nil, refusedClosed
	case b.bySession[o.session] >= b.limits.PerSession:
		return nil, refusedSession
	case b.byUser[o.user] >= b.limits.PerUser:
		return nil, refusedUser
	case len(b.subs) >= b.limits.Total:
		return nil, refusedTotal
	}
	s := &subscriber{ch: make(chan gonogo.Notice, subscriberBuffer), wants: wants, owner: o,
		recheck: make(chan struct{}, 1)}
	b.subs[s] = struct{}{}
	b.bySession[o.session]++
	b.byUser[o.user]++
	b.count.Add(1)
	return s, ""
}

// unsubscribe removes a subscriber that went away on its own.
func (b *broker) unsubscribe(s *subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.drop(s)
}

func (b *broker) drop(s *subscriber) {
	if _, ok := b.subs[s]; !ok {
		return
	}
	delete(b.subs, s)
	if b.bySession[s.owner.session]--; b.bySession[s.owner.session] <= 0 {
		delete(b.bySession, s.owner.session)
	}
	if b.byUser[s.owner.user]--; b.byUser[s.owner.user] <= 0 {
		delete(b.byUser, s.owner.user)
	}
	b.count.Add(-1)
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
}

// publish hands each notice to every subscriber that wants it, in commit
// order. A subscriber whose buffer is full is dropped. A change to people
// (sign-in, sign-out, an admin's change, a password change: every commit
// that deletes sessions audits one) asks every stream to look at its
// session before the notices after it, which it receives later.
func (b *broker) publish(ns []gonogo.Notice) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range ns {
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

// close ends every stream, so that a graceful shutdown does not wait on them.
func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		b.drop(s)
	}
}

// subscribers is how many live pages are connected.
func (b *broker) subscribers() int64 { return b.count.Load() }
