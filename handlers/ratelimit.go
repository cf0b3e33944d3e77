package handlers

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/gonogo/gonogo"
)

// The write limit is a token bucket per person and per API token: a burst
// of DefaultWriteBurst changes at once, refilled at DefaultWriteRate. A
// person who ticks off a checklist in a meeting makes a change every few
// seconds at most and never empties it; the fastest hand, a click a second
// for as long as they like, never runs dry either. A script that loops is
// held to one change a second, 3,600 an hour, instead of thousands a
// minute: enough for a pipeline's checks, too slow to bury a release.
const (
	DefaultWriteBurst = 30
	DefaultWriteRate  = rate.Limit(1) // changes a second
)

// writeLimiter holds a bucket per writer. Writers are accounts and tokens,
// never anonymous callers, so there are only as many buckets as the board
// has of those; full ones are dropped now and then all the same.
type writeLimiter struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// sweepAbove is how many buckets may pile up before full ones are dropped.
const sweepAbove = 1024

func newWriteLimiter(r rate.Limit, burst int) *writeLimiter {
	if r == 0 {
		r = DefaultWriteRate
	}
	if burst == 0 {
		burst = DefaultWriteBurst
	}
	return &writeLimiter{rate: r, burst: burst, buckets: map[string]*rate.Limiter{}}
}

// allow takes one change from key's bucket at now, or says how long until
// the bucket holds one again.
func (l *writeLimiter) allow(key string, now time.Time) (ok bool, retry time.Duration) {
	if l.rate == rate.Inf {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		l.sweep(now)
		b = rate.NewLimiter(l.rate, l.burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Hour
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // a refused change takes nothing from the bucket
		return false, d
	}
	return true, 0
}

// sweep drops the buckets that are full again: their writers have been
// quiet long enough to start over with a new one.
func (l *writeLimiter) sweep(now time.Time) {
	if len(l.buckets) < sweepAbove {
		return
	}
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}

// writeExempt are the POSTs that change nothing, or that a person must
// always be able to make: signing out, and the previews that follow typing.
var writeExempt = map[string]bool{
	"/logout":                     true,
	"/releases/:id/notes/preview": true,
	"/releases/:id/defects/paste": true,
}

// limitWrites refuses a change when its writer, the signed-in person or
// the API token, has made too many too quickly. It runs after the route's
// access check, which is what says who the writer is. The refusal is a 429
// with Retry-After, shown as a page, an htmx notice or API JSON by the
// error handler, before the handler has stored anything.
func (h *Handler) limitWrites(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isSafeMethod(c.Request().Method) || writeExempt[c.Path()] {
			return next(c)
		}
		var key string
		if u := currentUser(c); u != nil {
			key = "user " + strconv.FormatInt(u.ID, 10)
		} else if tok := apiToken(c); tok.ID != 0 {
			key = "token " + strconv.FormatInt(tok.ID, 10)
		} else {
			return next(c) // sign-in and setup: the sign-in throttle's job
		}
		ok, retry := h.writes.allow(key, h.store.Now())
		if ok {
			return next(c)
		}
		secs := int(math.Ceil(retry.Seconds()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return gonogo.Errorf(gonogo.ETOOMANY, "too many changes in a short time: wait %s, then try again", gonogo.Plural(secs, "second", "seconds"))
	}
}
