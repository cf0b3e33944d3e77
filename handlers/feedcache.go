package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo/static"
)

// rendered is a page or feed built and rendered once, kept in the
// handler's db.Cache until the next commit, as the board is
// (boardcache.go): the calendar and the feeds read the same rows for
// everyone between two changes, calendar apps and feed readers poll them
// all day, and after a change one request builds them while the others
// wait for it. What is kept never depends on who reads it: the calendar
// shows every signed-in person the same windows, and a feed carries only
// what customers may read, the same with a personal feed token, a session
// or neither (requireFeed decides who may read before the cache is asked).
// Keys name everything else a body depends on: the address's filters,
// the team's zone, the base URL it links to, the minute.
type rendered struct {
	body     string
	packed   packed    // the body, compressed once (splice.go)
	gzipped  []byte    // a feed's body as a whole gzip stream (newFeed)
	etag     string    // a strong validator: the body's hash
	modified time.Time // Last-Modified, when the body has one
}

func newRendered(body []byte, modified time.Time) rendered {
	sum := sha256.Sum256(body)
	return rendered{body: string(body), packed: pack(body),
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`, modified: modified}
}

// newFeed is newRendered for a feed, which serveFeed sends whole: gzipped
// once here, not for every reader that polls it.
func newFeed(body []byte, modified time.Time) rendered {
	r := newRendered(body, modified)
	var gz bytes.Buffer
	r.packed.writeGzip(&gz, nil, nil) // into memory: it cannot fail
	r.gzipped = gz.Bytes()
	return r
}

// cached returns what key holds at the database's current version, built
// now with build if nothing is kept, and counts the builds of kind.
func (h *Handler) cached(ctx context.Context, kind, key string, build func(context.Context) (rendered, error)) (rendered, error) {
	v, err := h.store.Version(ctx)
	if err != nil {
		return rendered{}, err
	}
	return h.renders.Get(ctx, v, kind+" "+key, func(ctx context.Context) (rendered, error) {
		h.builds.add(kind)
		return build(ctx)
	}, func(r rendered) rendered { return r })
}

// cachedNotes is cached for the notes list and its searches, in a cache of
// their own: every search typed makes a key, and they should not push the
// calendars and feeds out.
func (h *Handler) cachedNotes(ctx context.Context, key string, build func(context.Context) (rendered, error)) (rendered, error) {
	v, err := h.store.Version(ctx)
	if err != nil {
		return rendered{}, err
	}
	return h.noteLists.Get(ctx, v, key, func(ctx context.Context) (rendered, error) {
		h.builds.add("notes")
		return build(ctx)
	}, func(r rendered) rendered { return r })
}

// serveFeed answers a feed from what was rendered, with its validators, so
// that a feed reader or calendar app that has the current copy gets a 304
// and nothing else. Feeds may be kept by the reader itself (private: the
// address may carry a personal token), and asked about again every time.
func serveFeed(c echo.Context, contentType string, r rendered) error {
	hd := c.Response().Header()
	hd.Set("Content-Type", contentType)
	hd.Set("Cache-Control", "private, no-cache")
	if !static.Accepts(c.Request().Header.Get(echo.HeaderAcceptEncoding), "gzip") {
		hd.Set("ETag", r.etag)
		http.ServeContent(c.Response(), c.Request(), "", r.modified, strings.NewReader(r.body))
		return nil
	}
	// The gzipped feed is another representation: a validator of its own.
	hd.Set("ETag", strings.TrimSuffix(r.etag, `"`)+`-gzip"`)
	hd.Set(echo.HeaderContentEncoding, "gzip")
	http.ServeContent(c.Response(), c.Request(), "", r.modified, bytes.NewReader(r.gzipped))
	return nil
}

// buildCounts counts, per kind, how often a cached page or feed was built
// rather than found kept: what tests observe of the cache.
type buildCounts struct{ m sync.Map }

func (b *buildCounts) add(kind string) {
	n, _ := b.m.LoadOrStore(kind, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
}

func (b *buildCounts) get(kind string) int64 {
	if n, ok := b.m.Load(kind); ok {
		return n.(*atomic.Int64).Load()
	}
	return 0
}
