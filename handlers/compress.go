package handlers

import (
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo/static"
)

// compressMin is the smallest answer compressed on the fly: below a
// packet's worth, the gzip header and trailer and the CPU buy nothing.
const compressMin = 1400

// compressedTypes are the answers worth compressing: text. Backups and
// exports of other kinds are left as they are.
var compressedTypes = []string{
	"text/html", "text/plain", "text/markdown", "text/csv", "text/calendar", "text/css",
	"application/json", "application/problem+json", "application/atom+xml", "application/xml",
	"application/yaml", "application/javascript", "image/svg+xml",
}

// compress gzips the pages and fragments rendered per request, at the
// fastest level, when the browser takes gzip and the answer is worth it.
// What is compressed already passes through untouched: the static files
// (compressed at build time) and the pages kept until the next commit,
// which keep their compressed bytes (splice.go). Event streams are never
// touched: a compressor would hold their events back.
func (h *Handler) compress() echo.MiddlewareFunc {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(compressMin), gzhttp.CompressionLevel(gzip.BestSpeed),
		gzhttp.EnableZstd(false), gzhttp.ContentTypes(compressedTypes))
	if err != nil {
		panic(err) // the options above are constants
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if isStream(r) || strings.HasPrefix(r.URL.Path, static.Prefix) {
				return next(c)
			}
			res := c.Response()
			orig := res.Writer
			defer func() { res.Writer = orig }()
			var err error
			wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				res.Writer = w
				c.SetRequest(r)
				err = next(c)
			})).ServeHTTP(orig, r)
			return err
		}
	}
}

// isStream reports whether r opens a server-sent event stream: an
// EventSource always asks for one by its Accept header.
func isStream(r *http.Request) bool {
	return strings.Contains(r.Header.Get(echo.HeaderAccept), "text/event-stream") || r.URL.Path == "/events"
}
