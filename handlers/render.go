package handlers

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// render writes component with status. It renders into a buffer first, so a
// component that fails still reaches the error handler with nothing sent.
// A signed-in viewer's page (a 200 to a GET or HEAD) carries the hash of
// its bytes as its ETag, and is answered 304 when the browser already
// holds those bytes (etag.go); anything else stays no-store.
func render(c echo.Context, status int, component templ.Component) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer recycle(buf)
	if err := component.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	c.Response().Header().Add("Vary", "HX-Request")
	if status == http.StatusOK && notModified(c, pageETag(buf.Bytes())) {
		return nil
	}
	return c.HTMLBlob(status, buf.Bytes()) // written before it returns
}

// buffers are render's, used again and again: grown anew for each page,
// they were four tenths of what a crawl of release pages allocated, and
// so of what made the heap grow between collections (docs/performance.md).
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest buffer kept for the next page: the rare big
// one (a long export) is let go rather than held by the pool.
const maxPooled = 1 << 20

func recycle(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooled {
		buf.Reset()
		buffers.Put(buf)
	}
}

// isPartial is true for an htmx request that wants a fragment, not a whole
// page (a boosted link wants the page).
func isPartial(c echo.Context) bool {
	h := c.Request().Header
	return h.Get("HX-Request") == "true" && h.Get("HX-Boosted") != "true"
}

// statusOf maps the domain's error codes to HTTP statuses, in one place.
var statusOf = map[string]int{
	gonogo.EINVALID:      http.StatusUnprocessableEntity,
	gonogo.ENOTFOUND:     http.StatusNotFound,
	gonogo.ECONFLICT:     http.StatusConflict,
	gonogo.EFORBIDDEN:    http.StatusForbidden,
	gonogo.EUNAUTHORIZED: http.StatusUnauthorized,
	gonogo.ETOOMANY:      http.StatusTooManyRequests,
	gonogo.EINTERNAL:     http.StatusInternalServerError,
}

// statusClientClosed is what the log and the metrics record for a request
// whose client hung up before the answer: nginx's "client closed request".
const statusClientClosed = 499

// clientGone is true when the request failed because its client went away.
// net/http cancels the request's context when the connection closes (and
// only then: the server has no base context to cancel), and a handler sees
// that as context.Canceled, or as the error of whatever it was reading: a
// query that SQLite interrupted, a request body cut short. A cancellation
// of our own making, with the client still there, stays an error.
func clientGone(c echo.Context) bool {
	return errors.Is(c.Request().Context().Err(), context.Canceled)
}

// handleError is the one place errors become responses. Domain errors keep
// their message; Echo's own (404, 405, 413...) keep theirs; anything else is
// logged with detail and shown only as "internal error" with the request id.
func (h *Handler) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	if clientGone(c) {
		// Nobody is left to read an answer, and nothing went wrong here:
		// keep it out of the 5xx that alerts watch, under nginx's code.
		h.log.Debug("client went away", "id", c.Response().Header().Get(echo.HeaderXRequestID),
			"path", loggedPath(c.Request().URL.Path), "err", err)
		c.NoContent(statusClientClosed)
		return
	}
	status, msg := http.StatusInternalServerError, "internal error"
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		msg = http.StatusText(status)
		if m, ok := he.Message.(string); ok && (status < 500 || status == http.StatusServiceUnavailable) {
			msg = m
		}
		if status == http.StatusNotFound {
			msg = noSuchPage // Echo's "Not Found": no route serves the address
		}
	case gonogo.ErrorCode(err) != gonogo.EINTERNAL:
		status, msg = statusOf[gonogo.ErrorCode(err)], gonogo.ErrorMessage(err)
	}
	id := c.Response().Header().Get(echo.HeaderXRequestID)
	switch {
	case status == http.StatusServiceUnavailable:
		h.log.Warn("too busy", "id", id, "path", loggedPath(c.Request().URL.Path)) // admission.go: nothing went wrong
	case status >= 500:
		h.log.Error("internal error", "id", id, "path", loggedPath(c.Request().URL.Path), "err", err)
		msg = "internal error"
	default:
		h.log.Warn("request refused", "id", id, "path", loggedPath(c.Request().URL.Path), "status", status, "msg", msg)
	}
	// A HEAD is answered as its GET, headers and all: net/http leaves the
	// body out.
	if isAPI(c) {
		// Pipelines read JSON, whatever went wrong: a missing route, a
		// wrong method, a body too large or a panic included.
		if status == http.StatusUnauthorized {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="gonogo"`)
		}
		body := apiErrorBody(msg, err)
		if status >= 500 {
			body.Reasons = []string{"request id " + id}
		}
		c.JSON(status, body)
		return
	}
	if isPartial(c) {
		// Show the message in the flash area (#notice) rather than where the
		// fragment would have gone.
		c.Response().Header().Set("HX-Retarget", "#notice")
		c.Response().Header().Set("HX-Reswap", "innerHTML")
		if rerr := render(c, status, views.Flash("error", msg)); rerr != nil {
			c.String(status, msg)
		}
		return
	}
	p := h.page(c, http.StatusText(status), "")
	p.RequestID = id
	if rerr := render(c, status, views.ErrorPage(p, status, msg)); rerr != nil {
		c.String(status, msg)
	}
}
