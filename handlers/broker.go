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

// broker fans committed changes out to the live pages. Publish never blocks.
type broker struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
	count  atomic.Int64
}

type subscriber struct {
	ch     chan gonogo.Notice
	wants  func(gonogo.Notice) bool
	closed bool
}

func newBroker() *broker { return &broker{subs: map[*subscriber]struct{}{}} }

// subscribe registers a page that wants the notices wants accepts. The
// channel closes when the subscriber is dropped or the broker shuts down.
func (b *broker) subscribe(wants func(gonogo.Notice) bool) (*subscriber, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, false
	}
	s := &subscriber{ch: make(chan gonogo.Notice, subscriberBuffer), wants: wants}
	b.subs[s] = struct{}{}
	b.count.Add(1)
	return s, true
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
	b.count.Add(-1)
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
}

// publish hands each notice to every subscriber that wants it, in commit
// order. A subscriber whose buffer is full is dropped.
func (b *broker) publish(ns []gonogo.Notice) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range ns {
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
