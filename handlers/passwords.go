package handlers

import (
	"math"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// hashGate bounds how many passwords are checked or hashed at once. bcrypt
// is slow on purpose (about 60 ms of a core at the default cost), so a
// burst of sign-ins would otherwise take every core and stall every page,
// /healthz included. A request over the bound is turned away at once, not
// queued: a queue would only hold the burst's connections open and answer
// everyone later.
//
// It lives here rather than in the store because what to do when it is
// full is an HTTP answer (503 with Retry-After, the form kept), and a
// guess the gate turns away must be taken back from the throttle, which
// counts client addresses the store never sees. Every handler that makes
// the store check or hash a password goes through it; only the demo and
// benchmark seeding, which run alone at start, do not.
type hashGate struct {
	slots     chan struct{}
	hashed    atomic.Int64 // calls let through, each one bcrypt check or hash
	busy      atomic.Int64 // turned away: every slot was taken
	throttled atomic.Int64 // refused by the throttle, never reaching the gate
}

// hashSlots leaves half the cores, and at least two slots, for pages.
var hashSlots = max(2, runtime.GOMAXPROCS(0)/2)

func newHashGate(n int) *hashGate { return &hashGate{slots: make(chan struct{}, n)} }

// run calls fn in a free slot and reports true, or reports false at once
// when there is none.
func (g *hashGate) run(fn func()) bool {
	select {
	case g.slots <- struct{}{}:
	default:
		g.busy.Add(1)
		return false
	}
	defer func() { <-g.slots }()
	g.hashed.Add(1)
	fn()
	return true
}

// guess is what a password check found.
type guess int

const (
	unchecked guess = iota // nothing was checked, e.g. the form was refused first
	wrong
	right
)

// refusal is why a password was not checked, and what to tell the person.
type refusal struct {
	status int
	retry  time.Duration
	msg    string
}

const busyMessage = "The server is busy checking other passwords. Try again in a moment."

// checkPassword runs check, which makes the store check one password of
// account, as a guess from the client's address: counted by the throttle
// first, slowed if the account has failed lately, and run only if the gate
// has a free slot. It returns why it did not run check, if it did not; an
// error only if the client went away while slowed.
func (h *Handler) checkPassword(c echo.Context, account string, check func() guess) (*refusal, error) {
	a, retry := h.throttle.reserve(time.Now(), account, clientAddr(c.RealIP()))
	if a == nil {
		h.hashes.throttled.Add(1)
		return h.refuse(c, &refusal{http.StatusTooManyRequests, retry,
			"Too many wrong passwords from your address. Wait a few minutes, then try again."}), nil
	}
	if a.wait > 0 {
		select {
		case <-time.After(a.wait):
		case <-c.Request().Context().Done():
			a.unchecked()
			return nil, c.Request().Context().Err()
		}
	}
	g := unchecked
	if !h.hashes.run(func() { g = check() }) {
		a.unchecked()
		return h.refuse(c, &refusal{http.StatusServiceUnavailable, time.Second, busyMessage}), nil
	}
	switch g {
	case right:
		a.right()
	case unchecked:
		a.unchecked()
	}
	return nil, nil
}

// hashPassword runs fn, which makes the store hash a new password, if the
// gate has a free slot; otherwise it answers for the caller, who shows the
// refusal's message beside the password field.
func (h *Handler) hashPassword(c echo.Context, fn func()) *refusal {
	if h.hashes.run(fn) {
		return nil
	}
	return h.refuse(c, &refusal{http.StatusServiceUnavailable, time.Second, busyMessage})
}

// refuse says when to come back.
func (h *Handler) refuse(c echo.Context, r *refusal) *refusal {
	c.Response().Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(r.retry.Seconds())))))
	return r
}
