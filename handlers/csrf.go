package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
)

// Cross-site request forgery is stopped three times over:
//
//  1. refuseForeign turns away a change that the browser says comes from
//     another site (Sec-Fetch-Site) or another origin (Origin).
//  2. checkToken wants, with every change, a token that only the board's
//     own pages hold, derived from the browser's session.
//  3. Over https the cookies are named __Host-, which no other host, a
//     sibling subdomain included, can set.
//
// We used to run Echo's CSRF middleware, a double-submit cookie: the token
// was whatever the gonogo_csrf cookie said. Anything that can set a cookie
// for the domain could plant a cookie and a matching field of its own, and
// the check vouched for it. Echo offers no way to bind its token to our
// session, so these few lines replace it.

const (
	csrfField = "_csrf"
	// csrfHeader is where htmx sends the token, from the body's data-hx-headers.
	csrfHeader = "X-CSRF-Token"
	// preSessionCookie holds a random value for a browser that is not
	// signed in, so the sign-in and setup forms carry a token too.
	preSessionCookie = "gonogo_csrf"
)

// csrfToken is the token of the pages a browser is shown: an HMAC keyed by
// the browser's secret, its session id once signed in. The id is 256 random
// bits that only that browser holds (the cookie is HttpOnly; the database
// keeps only its hash), so it serves as a per-session key with nothing new
// to store or rotate: a new session at sign-in makes a new token, and the
// token, which pages show, gives nothing of the id away. purpose keeps the
// tokens of sessions and pre-sessions apart.
func csrfToken(secret, purpose string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("gonogo csrf " + purpose))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkToken gives the page its token (the context key "csrf", which
// views read) and refuses a change that does not carry it.
func (h *Handler) checkToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if skipCSRF(c) {
			return next(c)
		}
		var want string
		if id, _ := c.Get("session").(string); id != "" {
			want = csrfToken(id, "session")
		} else {
			want = csrfToken(h.preSession(c), "pre-session")
		}
		c.Response().Header().Add(echo.HeaderVary, echo.HeaderCookie)
		// Set before the check, so that even the page saying no carries
		// a working sign-out button; it goes only to this browser.
		c.Set("csrf", want)
		if !isSafeMethod(c.Request().Method) && !carriesToken(c, want) {
			return gonogo.Errorf(gonogo.EFORBIDDEN, "this form has expired or did not come from gonogo; reload the page and try again")
		}
		return next(c)
	}
}

// carriesToken is true if the request carries want: in the header htmx
// sends, or in the form's field.
func carriesToken(c echo.Context, want string) bool {
	return sameToken(c.Request().Header.Get(csrfHeader), want) || sameToken(c.FormValue(csrfField), want)
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// preSession returns the random value that binds the token of a browser
// not yet signed in, setting a new one if the browser has none. A planted
// value is no session: it can forge only a sign-in, which the origin
// check and, over https, the __Host- name stand in the way of.
func (h *Handler) preSession(c echo.Context) string {
	name := h.sessions.cookieName(preSessionCookie)
	if ck, err := c.Cookie(name); err == nil && validID(ck.Value) {
		return ck.Value
	}
	v := newSessionID()
	opts := h.sessions.options
	c.SetCookie(&http.Cookie{
		Name: name, Value: v, Path: opts.Path, HttpOnly: true, Secure: opts.Secure, SameSite: opts.SameSite,
		MaxAge: opts.MaxAge, Expires: time.Now().Add(time.Duration(opts.MaxAge) * time.Second),
	})
	return v
}

// validID is true for a value shaped as newSessionID makes them.
func validID(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}

// refuseForeign turns away a change that a browser says comes from
// elsewhere. Sec-Fetch-Site other than same-origin (or none, typed by the
// user) means another site, a sibling subdomain included; Origin names the
// page that sent the request. Clients that send neither, such as curl and
// old browsers, still need the token.
func (h *Handler) refuseForeign(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if skipCSRF(c) || isSafeMethod(r.Method) {
			return next(c)
		}
		if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
			return gonogo.Errorf(gonogo.EFORBIDDEN, "requests from other sites may not change anything")
		}
		if o := r.Header.Get("Origin"); o != "" && !h.ownOrigin(o, r.Host) {
			return gonogo.Errorf(gonogo.EFORBIDDEN, "requests from other sites may not change anything")
		}
		return next(c)
	}
}

// ownOrigin is true if origin is the board's: the host the request was sent
// to, or that of the base URL. The request's host alone is enough, as a page
// that forges a request is on another host; it is what a browser sees when
// the board is reached by another name than the base URL (a container
// started with -addr :8080 has the base URL http://:8080). The base URL
// covers a proxy in front that rewrites Host. The scheme is not compared
// with the request's: behind a TLS proxy we are spoken to in http. "null",
// which opaque origins send, is never ours.
func (h *Handler) ownOrigin(origin, host string) bool {
	o, err := url.Parse(origin)
	if err != nil || o.Host == "" || (o.Scheme != "http" && o.Scheme != "https") {
		return false
	}
	if strings.EqualFold(withoutDefaultPort(o.Scheme, o.Host), withoutDefaultPort(o.Scheme, host)) {
		return true
	}
	b, err := url.Parse(h.cfg.BaseURL)
	return h.cfg.BaseURL != "" && err == nil && strings.EqualFold(o.Scheme, b.Scheme) &&
		strings.EqualFold(withoutDefaultPort(o.Scheme, o.Host), withoutDefaultPort(b.Scheme, b.Host))
}

// withoutDefaultPort drops :80 from http and :443 from https hosts, which
// browsers leave out of Origin.
func withoutDefaultPort(scheme, host string) string {
	if scheme == "http" {
		return strings.TrimSuffix(host, ":80")
	}
	return strings.TrimSuffix(host, ":443")
}

// hostCookie is a cookie's name as it is sent: over https with the __Host-
// prefix, which browsers accept only from this very host, Secure, with
// Path=/ and no Domain, so no sibling subdomain can plant or shadow it.
func hostCookie(name string, secure bool) string {
	if secure {
		return "__Host-" + name
	}
	return name
}
