package handlers

import (
	"sync"
	"time"
)

// touchGuard lets one request at a time record that a session or a token
// is in use. Until that write commits, every other request still reads the
// old time and would write too: at 500 requests a second that was a burst
// of writes once a minute, each a commit that emptied the store's memo and
// made the pages behind it read everything again (docs/performance.md).
type touchGuard struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// claim reports whether the caller should record the use of key at now:
// true once per touchEvery.
func (g *touchGuard) claim(key string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t, ok := g.last[key]; ok && now.Sub(t) < touchEvery {
		return false
	}
	if g.last == nil {
		g.last = map[string]time.Time{}
	}
	g.last[key] = now
	return true
}

// forget drops what is older than touchEvery, so the guard does not grow
// with every session ever seen.
func (g *touchGuard) forget(now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, t := range g.last {
		if now.Sub(t) >= touchEvery {
			delete(g.last, k)
		}
	}
}
