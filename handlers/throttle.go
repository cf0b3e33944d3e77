package handlers

import (
	"net/netip"
	"sync"
	"time"

	"github.com/gonogo/gonogo"
)

// throttle counts failed password checks, so passwords cannot be guessed
// at speed, and without letting a stranger lock anyone out.
//
// Each guess is counted against the account, the client address and the
// pair of the two. The account is only ever slowed down: refusing it would
// hand anyone who knows an email the power to lock its owner out. The pair
// and the address are refused: the pair when one address keeps guessing
// at one account, the address when it guesses at many. A guess is counted
// as a failure before it is checked, under the same lock as the decision
// to let it through, so guesses sent at once cannot all slip in while the
// first ones are being checked; a right password takes its guess back.
//
// The counts live in memory: a restart forgets them. Entries are born only
// of checked guesses, which the hashing gate bounds to a few at a time, and
// are forgotten after the window, so the map stays small.
type throttle struct {
	mu    sync.Mutex
	delay time.Duration
	fails map[throttleKey]*failures
	swept time.Time
}

// throttleKey names what failures are counted against: an account, a
// client address, or the pair (both fields set).
type throttleKey struct{ account, addr string }

type failures struct {
	count int
	last  time.Time
}

const (
	throttleWindow = 15 * time.Minute // failures older than this are forgotten
	slowAfter      = 3                // failures of an account before each guess at it is slowed
	pairLimit      = 10               // failures of an account from one address before the address is refused for it
	addrLimit      = 30               // failures from one address, at any accounts, before it is refused
	maxDelay       = 5 * time.Second
)

func newThrottle(delay time.Duration) *throttle {
	return &throttle{delay: delay, fails: map[throttleKey]*failures{}}
}

// attempt is one guess at an account's password, counted as a failure
// until it proves right or turns out not to have been checked.
type attempt struct {
	t    *throttle
	keys [3]throttleKey // the account, the address, the pair
	wait time.Duration  // how long to pause before checking
}

// reserve counts a guess at account's password from addr, or refuses it
// with how long until the next guess may be checked.
func (t *throttle) reserve(now time.Time, account, addr string) (a *attempt, retry time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep(now)
	account = clip(account, gonogo.MaxEmailLen+1) // longer is no account; the key need not grow
	keys := [3]throttleKey{{account: account}, {addr: addr}, {account: account, addr: addr}}
	for _, r := range []struct {
		k     throttleKey
		limit int
	}{{keys[2], pairLimit}, {keys[1], addrLimit}} {
		if f := t.current(now, r.k); f != nil && f.count >= r.limit {
			retry = max(retry, throttleWindow-now.Sub(f.last))
		}
	}
	if retry > 0 {
		return nil, retry
	}
	a = &attempt{t: t, keys: keys}
	if f := t.current(now, keys[0]); f != nil {
		a.wait = t.slowdown(f.count)
	}
	for _, k := range keys {
		f := t.current(now, k)
		if f == nil {
			f = &failures{}
			t.fails[k] = f
		}
		f.count++
		f.last = now
	}
	return a, 0
}

// right records that the guess proved right: the failures from this
// address at this account were its owner's typing, so they are taken off
// the account and the address too.
func (a *attempt) right() {
	a.t.mu.Lock()
	defer a.t.mu.Unlock()
	n := 0
	if f := a.t.fails[a.keys[2]]; f != nil {
		n = f.count
	}
	a.t.take(a.keys[:], n)
}

// unchecked takes back a guess that was never checked: the server was
// busy, the client went away, or the form was refused before the check.
func (a *attempt) unchecked() {
	a.t.mu.Lock()
	defer a.t.mu.Unlock()
	a.t.take(a.keys[:], 1)
}

// take subtracts n failures from each key, forgetting a key left at none.
func (t *throttle) take(keys []throttleKey, n int) {
	for _, k := range keys {
		if f := t.fails[k]; f != nil {
			if f.count -= n; f.count <= 0 {
				delete(t.fails, k)
			}
		}
	}
}

// current returns the failures counted against k within the window.
func (t *throttle) current(now time.Time, k throttleKey) *failures {
	f := t.fails[k]
	if f == nil || now.Sub(f.last) > throttleWindow {
		delete(t.fails, k)
		return nil
	}
	return f
}

// slowdown is the pause before a guess at an account with n failures: none
// for the first few, then doubling from the configured delay, up to a cap.
func (t *throttle) slowdown(n int) time.Duration {
	if n < slowAfter {
		return 0
	}
	if n-slowAfter > 16 { // further doubling only overflows: the cap applies
		return maxDelay
	}
	return min(t.delay<<(n-slowAfter), maxDelay)
}

// sweep forgets old failures, once a minute, so the map cannot grow
// without bound.
func (t *throttle) sweep(now time.Time) {
	if now.Sub(t.swept) < time.Minute {
		return
	}
	t.swept = now
	for k, f := range t.fails {
		if now.Sub(f.last) > throttleWindow {
			delete(t.fails, k)
		}
	}
}

// clientAddr is the address failures are counted against: an IPv4 address
// as it is, an IPv6 one by its /64, the block one site is given, so that
// a client cannot escape its count by moving within its own block.
func clientAddr(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
