package handlers

import (
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo/static"
)

// Defaults of Config.MaxInFlight and Config.MaxWaiting.
const (
	DefaultMaxInFlight = 16
	DefaultMaxWaiting  = 4096
)

// admission bounds the requests worked on at once. More than the server
// can answer (a crowd opening release pages faster than two cores render
// them) otherwise all ran together, each holding its reads and its page
// while the queue grew: 400 MB on the ten-year board for a load 10% past
// what it serves (docs/performance.md). A request past the bound waits
// its turn holding only itself, first come first served; past the waiting
// bound it is turned away at once with 503 and Retry-After, which clients
// and proxies know how to take.
type admission struct {
	slots      chan struct{}
	waiting    atomic.Int64
	maxWaiting int64
}

func newAdmission(inFlight, waiting int) *admission {
	if inFlight <= 0 {
		inFlight = DefaultMaxInFlight
	}
	if waiting <= 0 {
		waiting = DefaultMaxWaiting
	}
	return &admission{slots: make(chan struct{}, inFlight), maxWaiting: int64(waiting)}
}

// admit runs next in its turn. Live streams are not counted (they wait
// on events, not on the server, and have their own caps), nor static
// files and the probes, which must answer however busy the pages are.
func (h *Handler) admit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := c.Request().URL.Path
		if p == "/events" || strings.HasPrefix(p, static.Prefix) || isProbe(p) {
			return next(c)
		}
		a := h.admission
		select {
		case a.slots <- struct{}{}:
		default:
			if a.waiting.Add(1) > a.maxWaiting {
				a.waiting.Add(-1)
				c.Response().Header().Set("Retry-After", "1")
				return echo.NewHTTPError(http.StatusServiceUnavailable, "The board is busier than it can answer just now; try again in a moment.")
			}
			select {
			case a.slots <- struct{}{}:
				a.waiting.Add(-1)
			case <-c.Request().Context().Done():
				a.waiting.Add(-1)
				return c.Request().Context().Err()
			}
		}
		defer func() { <-a.slots }()
		return next(c)
	}
}
