package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// decodePath decodes the route's path values, once, before anything reads
// them. Echo routes on the escaped path whenever it differs from the one Go
// would write (a client's "%2B" for "+", "%7E" for "~"), and then hands the
// values out still escaped; otherwise it routes on the decoded path and
// hands them out decoded. Either way a handler sees "4.0.0+build.5",
// however the client wrote it; a version that holds "%" is written "%25".
func decodePath(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.RawPath == "" {
			return next(c)
		}
		vals := c.ParamValues()
		decoded := make([]string, len(vals))
		for i, v := range vals {
			d, err := url.PathUnescape(v)
			if err != nil { // net/http refuses such paths first; kept for safety
				return echo.NewHTTPError(http.StatusBadRequest, "the path is not escaped properly")
			}
			decoded[i] = d
		}
		c.SetParamValues(decoded...)
		return next(c)
	}
}

// headKey marks a HEAD request that is routed as a GET.
const headKey = "head"

// routeHeadAsGet lets every GET route answer HEAD: the probes, the gate
// (curl -I), the pages. The router sees a GET; the method is put back
// (keepHead) before anything else reads it, so net/http leaves the body out
// and the logs and metrics say HEAD.
func routeHeadAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if r := c.Request(); r.Method == http.MethodHead {
			r.Method = http.MethodGet
			c.Set(headKey, true)
		}
		return next(c)
	}
}

// keepHead puts back the HEAD that routeHeadAsGet routed as a GET. It runs
// first after routing, whether or not a route matched. The Allow header of
// a 405, which the router lists, gains the HEAD that each GET answers.
func keepHead(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if head, _ := c.Get(headKey).(bool); head {
			c.Request().Method = http.MethodHead
		}
		if allow, ok := c.Get(echo.ContextKeyHeaderAllow).(string); ok {
			if ms := strings.Split(allow, ", "); slices.Contains(ms, http.MethodGet) && !slices.Contains(ms, http.MethodHead) {
				c.Set(echo.ContextKeyHeaderAllow, allow+", "+http.MethodHead)
			}
		}
		return next(c)
	}
}
