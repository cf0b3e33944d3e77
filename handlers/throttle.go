package handlers

import (
	"sync"
	"time"
)

// throttle slows, then refuses, repeated failed sign-ins for an address or
// an account, so passwords cannot be guessed at speed.
type throttle struct {
	mu    sync.Mutex
	delay time.Duration
	fails map[string]*failures
}

type failures struct {
	count int
	last  time.Time
}

const (
	throttleWindow = 15 * time.Minute // failures older than this are forgotten
	slowAfter      = 3                // failures before each attempt is slowed
	refuseAfter    = 10               // failures before attempts are refused
	maxDelay       = 5 * time.Second
)

func newThrottle(delay time.Duration) *throttle {
	return &throttle{delay: delay, fails: map[string]*failures{}}
}

// check returns how long to pause before trying a sign-in for keys, or
// refused with how long until the next try may succeed.
func (t *throttle) check(now time.Time, keys ...string) (wait time.Duration, refused bool, retry time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	worst := 0
	var last time.Time
	for _, k := range keys {
		f := t.fails[k]
		if f == nil || now.Sub(f.last) > throttleWindow {
			continue
		}
		if f.count > worst {
			worst, last = f.count, f.last
		}
	}
	if worst >= refuseAfter {
		return 0, true, throttleWindow - now.Sub(last)
	}
	if worst >= slowAfter {
		wait = t.delay << (worst - slowAfter)
		return min(wait, maxDelay), false, 0
	}
	return 0, false, 0
}

// fail records a failed attempt against each key.
func (t *throttle) fail(now time.Time, keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, f := range t.fails { // forget the old, so the map cannot grow without bound
		if now.Sub(f.last) > throttleWindow {
			delete(t.fails, k)
		}
	}
	for _, k := range keys {
		f := t.fails[k]
		if f == nil {
			f = &failures{}
			t.fails[k] = f
		}
		f.count++
		f.last = now
	}
}

// succeed forgets the failures of an account that signed in.
func (t *throttle) succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, key)
}
