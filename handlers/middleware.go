package handlers

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/static"
)

// csp allows nothing inline: every script and style comes from our own files.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func (h *Handler) middleware(e *echo.Echo) {
	secure := strings.HasPrefix(h.cfg.BaseURL, "https://")
	e.Pre(middleware.RequestIDWithConfig(middleware.RequestIDConfig{Skipper: isAsset}))
	e.Use(h.measure)
	e.Use(h.compress()) // compress.go; outside logRequests, which writes the errors
	e.Use(h.logRequests)
	e.Use(middleware.Recover())
	e.Use(h.admit) // admission.go: work on a bounded number at once
	// The trackers' webhooks cap their own bodies, to count and answer
	// what is too large (hooks.go).
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: "1M",
		Skipper: func(c echo.Context) bool { return isHook(c.Request().URL.Path) }}))
	hsts := 0
	if secure {
		hsts = 31536000
	}
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		Skipper:               isAsset,
		XSSProtection:         "0", // the old XSS auditor did harm; CSP does the job
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		HSTSMaxAge:            hsts,
		ContentSecurityPolicy: h.contentSecurityPolicy(),
		ReferrerPolicy:        "same-origin",
	}))
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			if !strings.HasPrefix(c.Request().URL.Path, static.Prefix) {
				// Pages hold what only signed-in people may see; never keep
				// them, unless render finds a signed-in viewer's page, which
				// their browser may keep and must validate (etag.go).
				c.Response().Header().Set("Cache-Control", "no-store")
			}
			return next(c)
		}
	})
	e.Use(h.loadUser)
	e.Use(h.requireSetup)
	e.Use(h.refuseForeign) // csrf.go: changes from other sites and origins
	e.Use(requireForm)
	e.Use(h.checkToken) // csrf.go: the token bound to the session
}

// skipCSRF leaves out what is not a browser session: static files, the
// token-authenticated API, which never reads the session cookie, so a forged
// cross-site request has nothing to ride on, the probes, which change
// nothing and should not collect cookies, and the signed unsubscribe links
// of messages, which a mail client posts to without cookies (RFC 8058):
// the link's signature is their authority, and all they do is stop mail.
// The trackers' webhooks, likewise, carry a signature and no cookie.
func skipCSRF(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, static.Prefix) || strings.HasPrefix(p, "/api/") || isProbe(p) || strings.HasPrefix(p, "/unsubscribe/") ||
		isHook(p)
}

// isAsset is true for the stylesheets and scripts of the static files:
// the document's policies govern them, none of theirs would, and on a
// slow line a page's seven of them would carry 3 KB of headers for
// nothing. They keep nosniff (static.Handler), which does apply to them.
// The logo, an image that may be opened as a document, keeps them all.
func isAsset(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, static.Prefix) && (strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".css"))
}

// isProbe is true for the health and metrics endpoints, which machines
// read, with or without any account on the board.
func isProbe(path string) bool { return path == "/healthz" || path == "/metrics" }

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// logRequests writes one line per request with its id.
func (h *Handler) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		if strings.HasPrefix(c.Request().URL.Path, static.Prefix) {
			return nil
		}
		status := c.Response().Status
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		attrs := []any{
			"id", c.Response().Header().Get(echo.HeaderXRequestID),
			"method", c.Request().Method,
			"path", loggedPath(c.Request().URL.Path),
			"status", status,
			"ms", float64(time.Since(start).Microseconds()) / 1000,
			"ip", c.RealIP(),
		}
		if u := currentUser(c); u != nil {
			attrs = append(attrs, "user", u.ID)
		}
		if tok := apiToken(c); tok.ID != 0 {
			attrs = append(attrs, "token", tok.ID)
		}
		h.log.Log(c.Request().Context(), level, "request", attrs...)
		return nil
	}
}

// loadUser finds the signed-in user, if any, from the session cookie. The
// API never looks at the cookie: a request to it is authorized by its token
// alone, so a browser that happens to be signed in lends it nothing.
func (h *Handler) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, static.Prefix) || isAPI(c) || isHook(c.Request().URL.Path) {
			return next(c)
		}
		sess, err := h.sessions.Get(c.Request(), sessionCookie)
		if err != nil {
			return err
		}
		if u, ok := sess.Values[userKey].(gonogo.User); ok {
			c.Set("user", &u)
			c.Set("session", sess.ID)
			if err := h.loadDeputyships(c, u); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// requireSetup sends every page of an instance without users to /setup.
// The API is left alone: a pipeline cannot follow a redirect to a form, and
// its tokens may be made from the command line before anyone signs up.
func (h *Handler) requireSetup(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		p := c.Request().URL.Path
		if h.hasUsers.Load() || p == "/setup" || strings.HasPrefix(p, static.Prefix) || isProbe(p) || isFeedPath(p) || isAPI(c) {
			return next(c)
		}
		n, err := h.store.CountUsers(c.Request().Context())
		if err != nil {
			return err
		}
		if n > 0 {
			h.hasUsers.Store(true) // users are never deleted, so this stays true
			return next(c)
		}
		return redirect(c, "/setup")
	}
}

// require enforces a route's access rule from the table in routes.go.
func (h *Handler) require(a access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if a.feed && isFeedPath(c.Request().URL.Path) {
				return h.requireFeed(c, a, next)
			}
			if a.public || (a.publicNotes && h.cfg.PublicNotes) {
				return next(c)
			}
			if a.token {
				if err := h.authenticateToken(c); err != nil {
					return err
				}
				return next(c)
			}
			u := currentUser(c)
			if u == nil {
				if c.Request().Method == http.MethodGet && !isPartial(c) {
					return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(withoutToken(c.Request().URL)))
				}
				if isPartial(c) {
					c.Response().Header().Set("HX-Redirect", "/login")
				}
				return gonogo.Errorf(gonogo.EUNAUTHORIZED, "please sign in")
			}
			if a.admin && !u.Admin {
				return gonogo.Errorf(gonogo.EFORBIDDEN, "only admins may do this")
			}
			if len(a.roles) > 0 && !h.actor(c).Roles.Any(a.roles...) && !(a.orAdmin && u.Admin) { // a deputy's roles count
				return gonogo.Errorf(gonogo.EFORBIDDEN, "this needs the role of %s", rolesLabel(a.roles))
			}
			if err := h.requireOnProduct(c, u, a); err != nil {
				return err
			}
			return next(c)
		}
	}
}

// requireOnProduct asks, on a route of one release, for the route's roles
// held for the release's product: the check before took them held for any
// product. A route open to every role (signing, working one's own items)
// is left to its action, which names the role and product at stake.
func (h *Handler) requireOnProduct(c echo.Context, u *gonogo.User, a access) error {
	if len(a.roles) == 0 || len(a.roles) == len(gonogo.Roles) || !strings.HasPrefix(c.Path(), "/releases/:id") {
		return nil
	}
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rel, err := h.store.FindRelease(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if h.actor(c).RolesOn(rel.Product).Any(a.roles...) || (a.orAdmin && u.Admin) { // a deputy's roles count

		return nil
	}
	return gonogo.Errorf(gonogo.EFORBIDDEN, "this needs the role of %s for %s", rolesLabel(a.roles), rel.Product)
}

func rolesLabel(rs []gonogo.Role) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, strings.ToLower(r.Label()))
	}
	if len(parts) == len(gonogo.Roles) {
		return "any release role"
	}
	return strings.Join(parts, " or ")
}

// redirect sends the browser elsewhere: a 303 for a page, HX-Redirect for htmx.
func redirect(c echo.Context, to string) error {
	if isPartial(c) {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

func currentUser(c echo.Context) *gonogo.User {
	u, _ := c.Get("user").(*gonogo.User)
	return u
}

// withoutToken is the address to come back to after sign-in, less any feed
// token a page was wrongly opened with: a secret has no place in the
// sign-in page's address, where it would reach the history and the logs.
func withoutToken(u *url.URL) string {
	q := u.Query()
	if !q.Has("token") {
		return u.RequestURI()
	}
	q.Del("token")
	v := *u
	v.RawQuery = q.Encode()
	return v.RequestURI()
}
