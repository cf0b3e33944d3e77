package handlers

import (
	"sync"
	"sync/atomic"
)

// liveRendersKept bounds how many renders liveRenders holds: the latest
// events' notices, celebrations and cards, which every open page is sent
// within moments of the change. A page that replays an older event after
// reconnecting renders it again.
const liveRendersKept = 512

// liveRenders keeps the events a change sends the live pages, rendered and
// framed once and shared by every stream that sends it: with thousands of
// pages open, rendering a notice or a card per stream cost more than the
// change did.
// A notice and a celebration are the same for every reader; a card is the
// same for every reader in one time zone (the board's cards never depend
// on who reads them, see Handler.board).
type liveRenders struct {
	mu    sync.Mutex
	order []liveKey // oldest first
	byKey map[liveKey]*liveRender
	// rendered counts renders, for the metrics: about one per event and
	// zone however many pages are open.
	rendered atomic.Int64
}

// liveKey names one render: of what, for which event, in which zone.
type liveKey struct {
	event int64
	what  string // "notice", "celebrate" or "card"
	zone  string
}

// liveRender is a render shared by the streams that ask for it; the first
// renders, the others wait for it.
type liveRender struct {
	once sync.Once
	html string
	ok   bool
}

// get returns the render of k, rendering it with render if no stream has.
// A render that failed (ok false) is not sent, and not tried again for k.
func (r *liveRenders) get(k liveKey, render func() (string, bool)) (string, bool) {
	r.mu.Lock()
	e, found := r.byKey[k]
	if !found {
		if r.byKey == nil {
			r.byKey = map[liveKey]*liveRender{}
		}
		e = &liveRender{}
		r.byKey[k] = e
		r.order = append(r.order, k)
		if len(r.order) > liveRendersKept {
			delete(r.byKey, r.order[0])
			r.order = append(r.order[:0], r.order[1:]...)
		}
	}
	r.mu.Unlock()
	e.once.Do(func() {
		r.rendered.Add(1)
		e.html, e.ok = render()
	})
	return e.html, e.ok
}
