package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/views"
)

// SignIn is how people sign in: with a password, through the company's
// OpenID provider, or both.
type SignIn struct {
	// Issuer is the provider's issuer URL; "" leaves sign-in to passwords.
	Issuer       string
	ClientID     string
	ClientSecret string
	// Scopes are asked for beside openid, email and profile (e.g. groups,
	// which Okta needs to send the groups claim).
	Scopes []string
	// GroupsClaim names the ID token's claim that lists the person's
	// groups ("groups" unless set).
	GroupsClaim string
	// ProviderName is what the sign-in button calls the provider; ""
	// calls it "your company account".
	ProviderName string
	// NoPasswords turns password sign-in off, but for BreakGlassAdmin, the
	// email of an admin account that may still use its password.
	NoPasswords     bool
	BreakGlassAdmin string
	// HTTPClient reaches the provider; nil is one with a 10 s timeout.
	HTTPClient *http.Client
}

const (
	// signInPath starts a sign-in at the provider; callbackPath is where
	// the provider sends the browser back (the redirect URL registered
	// with the provider is the base URL followed by it).
	signInPath   = "/auth/login"
	callbackPath = "/auth/callback"
	// flowCookie holds the secret of a sign-in under way, from which its
	// state, nonce and PKCE verifier are derived, and where to go after.
	flowCookie = "gonogo_signin"
	// flowMaxAge is how long a person has at the provider's sign-in page.
	flowMaxAge = 10 * time.Minute
	// providerTimeout bounds each call to the provider.
	providerTimeout = 10 * time.Second
)

// label is what the sign-in button and messages call the provider.
func (s SignIn) label() string {
	if s.ProviderName != "" {
		return s.ProviderName
	}
	return "your company account"
}

// oidcClient is the board's side of the OpenID Connect authorization code
// flow. The provider is discovered at the first sign-in and kept: a
// provider that is down when the board starts does not stop the board.
type oidcClient struct {
	cfg         SignIn
	redirectURL string
	signedOut   string // where the provider sends the browser after its sign-out
	now         func() time.Time

	mu         sync.Mutex
	provider   *oidc.Provider
	endSession string
}

func newOIDCClient(cfg SignIn, baseURL string, now func() time.Time) *oidcClient {
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: providerTimeout}
	}
	base := strings.TrimSuffix(baseURL, "/")
	return &oidcClient{cfg: cfg, redirectURL: base + callbackPath, signedOut: base + "/login", now: now}
}

// discover returns the provider, asking it for its configuration the
// first time. It checks that the configuration names the issuer we were
// given (go-oidc refuses any other).
func (o *oidcClient) discover(ctx context.Context) (*oidc.Provider, string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, o.endSession, nil
	}
	ctx, cancel := context.WithTimeout(o.context(ctx), providerTimeout)
	defer cancel()
	p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
	if err != nil {
		return nil, "", err
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, "", err
	}
	o.provider, o.endSession = p, meta.EndSession
	return p, meta.EndSession, nil
}

// context carries the client that reaches the provider, for go-oidc and
// oauth2 alike.
func (o *oidcClient) context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, o.cfg.HTTPClient)
}

func (o *oidcClient) oauth2(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.redirectURL,
		Endpoint: p.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID, "email", "profile"}, o.cfg.Scopes...),
	}
}

// flow is a sign-in under way. Its secret lives only in this browser's
// HttpOnly cookie; state, nonce and the PKCE verifier are derived from it,
// so the board keeps nothing per sign-in, and an answer from the provider
// is taken only in the browser that asked: a forged or replayed state
// matches no cookie's.
type flow struct {
	secret string
	next   string
}

func (f flow) derive(purpose string) string {
	m := hmac.New(sha256.New, []byte(f.secret))
	m.Write([]byte("gonogo sign-in " + purpose))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (f flow) state() string    { return f.derive("state") }
func (f flow) nonce() string    { return f.derive("nonce") }
func (f flow) verifier() string { return f.derive("pkce") } // 43 characters, as RFC 7636 wants at least

// startSignIn sends the browser to the provider's sign-in page.
func (h *Handler) startSignIn(c echo.Context) error {
	if h.oidc == nil {
		return echo.ErrNotFound
	}
	p, _, err := h.oidc.discover(c.Request().Context())
	if err != nil {
		return h.answerRefusal(c, h.providerUnreachable("discovery", err))
	}
	f := flow{secret: newSessionID(), next: safeNext(c.QueryParam("next"))}
	h.setFlowCookie(c, f.secret+"|"+url.QueryEscape(f.next), int(flowMaxAge/time.Second))
	to := h.oidc.oauth2(p).AuthCodeURL(f.state(), oidc.Nonce(f.nonce()), oauth2.S256ChallengeOption(f.verifier()))
	return c.Redirect(http.StatusSeeOther, to)
}

func (h *Handler) setFlowCookie(c echo.Context, value string, maxAge int) {
	opts := h.sessions.options
	// Lax, like the session: the provider sends the browser back by a
	// top-level GET from its own site, which Strict would strip it from.
	c.SetCookie(&http.Cookie{
		Name: h.sessions.cookieName(flowCookie), Value: value, Path: "/", HttpOnly: true,
		Secure: opts.Secure, SameSite: http.SameSiteLaxMode, MaxAge: maxAge,
	})
}

// takeFlow reads the sign-in under way from its cookie and ends it: an
// answer is taken once.
func (h *Handler) takeFlow(c echo.Context) (flow, bool) {
	ck, err := c.Cookie(h.sessions.cookieName(flowCookie))
	h.setFlowCookie(c, "", -1)
	if err != nil {
		return flow{}, false
	}
	secret, next, _ := strings.Cut(ck.Value, "|")
	next, _ = url.QueryUnescape(next)
	if !validID(secret) {
		return flow{}, false
	}
	return flow{secret: secret, next: safeNext(next)}, true
}

// finishSignIn takes the provider's answer: it checks that this browser
// started the sign-in (state), trades the code for tokens (PKCE), verifies
// the ID token (signature, issuer, audience, expiry, then nonce), and signs
// the person in as the store finds, links or makes their account. Every
// refusal is a page that says why, never a 500.
func (h *Handler) finishSignIn(c echo.Context) error {
	if h.oidc == nil {
		return echo.ErrNotFound
	}
	return h.answerRefusal(c, h.answer(c))
}

func (h *Handler) answer(c echo.Context) error {
	f, ok := h.takeFlow(c)
	if !ok {
		return refuseSignIn(http.StatusBadRequest, "This sign-in was not started in this browser, or took longer than 10 minutes. Start again.", nil)
	}
	if subtle.ConstantTimeCompare([]byte(c.QueryParam("state")), []byte(f.state())) != 1 {
		return refuseSignIn(http.StatusBadRequest, "The answer from the identity provider does not belong to the sign-in this browser started (its state differs). Start again.", nil)
	}
	if e := c.QueryParam("error"); e != "" {
		// The description is the provider's free text, and anyone can put
		// it in a link: only the standard code is shown.
		return refuseSignIn(http.StatusForbidden, "The identity provider did not sign you in ("+oauthError(e)+").", nil)
	}
	if c.QueryParam("code") == "" {
		return refuseSignIn(http.StatusBadRequest, "The identity provider sent no sign-in code. Start again.", nil)
	}
	raw, err := h.exchange(c, f)
	if err != nil {
		return err
	}
	id, err := h.verifyIDToken(c, f, raw)
	if err != nil {
		return err
	}
	return h.signInWith(c, id, raw, f.next)
}

// exchange trades the code for tokens and returns the raw ID token.
func (h *Handler) exchange(c echo.Context, f flow) (string, error) {
	p, _, err := h.oidc.discover(c.Request().Context())
	if err != nil {
		return "", h.providerUnreachable("discovery", err)
	}
	ctx, cancel := context.WithTimeout(h.oidc.context(c.Request().Context()), providerTimeout)
	defer cancel()
	tok, err := h.oidc.oauth2(p).Exchange(ctx, c.QueryParam("code"), oauth2.VerifierOption(f.verifier()))
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return "", refuseSignIn(http.StatusUnauthorized,
			"The identity provider would not exchange the sign-in code ("+oauthError(re.ErrorCode)+"): it may have been used already or expired. Start again.", err)
	} else if err != nil {
		return "", h.providerUnreachable("token", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", refuseSignIn(http.StatusBadGateway, "The identity provider sent no ID token. Ask your administrator to check gonogo's client there.", nil)
	}
	return raw, nil
}

// verifyIDToken checks the ID token with go-oidc and reads who it vouches for.
func (h *Handler) verifyIDToken(c echo.Context, f flow, raw string) (gonogo.Identity, error) {
	p, _, err := h.oidc.discover(c.Request().Context())
	if err != nil {
		return gonogo.Identity{}, h.providerUnreachable("discovery", err)
	}
	v := p.Verifier(&oidc.Config{ClientID: h.oidc.cfg.ClientID, Now: h.oidc.now})
	ctx, cancel := context.WithTimeout(h.oidc.context(c.Request().Context()), providerTimeout)
	defer cancel()
	tok, err := v.Verify(ctx, raw)
	var expired *oidc.TokenExpiredError
	switch {
	case errors.As(err, &expired):
		return gonogo.Identity{}, refuseSignIn(http.StatusUnauthorized,
			"The identity provider's ID token had expired when it arrived. Start again; if this keeps happening, this server's clock or the provider's is wrong.", err)
	case err != nil:
		return gonogo.Identity{}, refuseSignIn(http.StatusUnauthorized,
			"The identity provider's ID token could not be verified: its signature, issuer or audience is not what gonogo expects.", err)
	case subtle.ConstantTimeCompare([]byte(tok.Nonce), []byte(f.nonce())) != 1:
		return gonogo.Identity{}, refuseSignIn(http.StatusUnauthorized,
			"The identity provider's ID token was not made for this sign-in (its nonce differs). Start again.", nil)
	}
	var claims map[string]any
	if err := tok.Claims(&claims); err != nil {
		return gonogo.Identity{}, refuseSignIn(http.StatusUnauthorized, "The identity provider's ID token could not be read.", err)
	}
	email, _ := claims["email"].(string)
	name, _ := claims["name"].(string)
	return gonogo.Identity{
		Issuer: tok.Issuer, Subject: tok.Subject, Email: email, Name: name,
		EmailVerified: emailVerified(claims), Groups: stringsClaim(claims[h.oidc.cfg.GroupsClaim]),
	}, nil
}

// emailVerified reads whether the provider verified the email. Microsoft
// Entra ID sends no email_verified for work accounts; its optional claim
// xms_edov says the email's domain is one the tenant proved it owns, which
// stands in for it only where email_verified is missing.
func emailVerified(claims map[string]any) bool {
	if v, sent := claims["email_verified"]; sent {
		return isTrueClaim(v)
	}
	return isTrueClaim(claims["xms_edov"])
}

// signInWith signs in the person id vouches for with a new session, ending
// any session the browser had, and sends them on.
func (h *Handler) signInWith(c echo.Context, id gonogo.Identity, rawIDToken, next string) error {
	ctx := c.Request().Context()
	if old, ok := c.Get("session").(string); ok && old != "" {
		h.store.DeleteSession(ctx, hashID(old))
	}
	sid := newSessionID()
	warn := func(msg string) { h.log.Warn("group mapping", "email", id.Email, "issuer", id.Issuer, "warning", msg) }
	u, err := h.store.SignInWith(ctx, db.IdentitySignIn{Identity: id, RemoteAddr: c.RealIP(), SessionHash: hashID(sid), IDToken: rawIDToken, Warn: warn})
	if code := gonogo.ErrorCode(err); code != "" && code != gonogo.EINTERNAL {
		return refuseSignIn(statusOf[code], gonogo.ErrorMessage(err), err)
	} else if err != nil {
		return err
	}
	h.log.Info("sign-in", "email", u.Email, "ip", c.RealIP(), "user", u.ID, "issuer", id.Issuer, "groups", len(id.Groups))
	sess := sessions.NewSession(h.sessions, sessionCookie)
	opts := h.sessions.options
	sess.Options = &opts
	sess.ID = sid
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// signInRefusal is a sign-in that went wrong: the status and message the
// person sees, and the detail behind it, for the log.
type signInRefusal struct {
	status int
	msg    string
	cause  error
}

func (r *signInRefusal) Error() string { return r.msg }

func refuseSignIn(status int, msg string, cause error) error {
	return &signInRefusal{status, msg, cause}
}

// answerRefusal answers a sign-in refusal with a page that says why, and
// logs the detail behind it; any other error goes on to the error handler.
func (h *Handler) answerRefusal(c echo.Context, err error) error {
	var r *signInRefusal
	if !errors.As(err, &r) {
		return err
	}
	attrs := []any{"status", r.status, "ip", c.RealIP(), "reason", r.msg}
	if r.cause != nil {
		attrs = append(attrs, "err", r.cause)
	}
	h.log.Warn("sign-in refused", attrs...)
	return render(c, r.status, views.SignInRefusedPage(h.page(c, "Sign-in refused", ""), r.status, r.msg))
}

// providerUnreachable is the refusal of a sign-in the provider could not
// be reached for; the detail goes to the log as an error, for the operator.
func (h *Handler) providerUnreachable(step string, err error) error {
	h.log.Error("identity provider unreachable", "step", step, "issuer", h.oidc.cfg.Issuer, "err", err)
	return refuseSignIn(http.StatusBadGateway,
		"gonogo could not reach the identity provider. Try again in a minute; if it stays down, tell your administrator.", nil)
}

// oauthError is an OAuth error code as it may be shown: the codes are
// short ASCII words; anything else is not shown at all.
func oauthError(code string) string {
	if code == "" || len(code) > 64 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz_") != "" {
		return "an error"
	}
	return code
}

// isTrueClaim reads email_verified, which some providers send as the
// string "true".
func isTrueClaim(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// stringsClaim reads a claim that lists strings, or is one.
func stringsClaim(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, s := range v {
			if s, ok := s.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// loginForm fills in how the sign-in page offers to sign in: the
// provider's button, and the password form unless passwords are off. With
// passwords off the form is still at /login?local=1, for the break-glass
// admin, and not linked from anywhere.
func (h *Handler) loginForm(c echo.Context, f views.LoginForm) views.LoginForm {
	f.Local = c.QueryParam("local") == "1" || c.FormValue("local") == "1"
	f.Passwords = !h.cfg.SignIn.NoPasswords || f.Local
	if h.oidc != nil {
		f.Provider = h.cfg.SignIn.label()
	}
	return f
}

// passwordAllowed refuses a right password when passwords are off and u
// is not the break-glass admin.
func (h *Handler) passwordAllowed(u gonogo.User) error {
	s := h.cfg.SignIn
	return gonogo.PasswordSignIn(u, !s.NoPasswords, s.BreakGlassAdmin, s.label())
}

// contentSecurityPolicy is csp, with the provider's origin let in as a
// form's destination when there is a provider: the sign-out button posts to
// /logout, which sends the browser on to the provider's end_session, and
// browsers hold a form's redirects to form-action too.
func (h *Handler) contentSecurityPolicy() string {
	if h.oidc == nil {
		return csp
	}
	return strings.Replace(csp, "form-action 'self'", "form-action 'self' "+h.oidc.origin(), 1)
}

// origin is the scheme and host of the issuer.
func (o *oidcClient) origin() string {
	u, err := url.Parse(o.cfg.Issuer)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// afterSignOut is where a signed-out browser goes: the provider's
// end_session_endpoint when the session came through a provider that has
// one, so the person is signed out there too, else the sign-in page.
func (h *Handler) afterSignOut(ctx context.Context, idToken string) string {
	if h.oidc == nil || idToken == "" {
		return "/login"
	}
	_, end, err := h.oidc.discover(ctx)
	if err != nil || end == "" {
		return "/login"
	}
	u, err := url.Parse(end)
	if err != nil || u.Scheme+"://"+u.Host != h.oidc.origin() {
		// The content security policy lets forms lead to the issuer's
		// origin only (contentSecurityPolicy).
		h.log.Warn("the provider's end_session_endpoint is not at the issuer's origin; signing out of gonogo only", "endpoint", end)
		return "/login"
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("post_logout_redirect_uri", h.oidc.signedOut)
	q.Set("client_id", h.oidc.cfg.ClientID)
	u.RawQuery = q.Encode()
	return u.String()
}

// sessionIDToken is the ID token the browser's session signed in with, if any.
func (h *Handler) sessionIDToken(c echo.Context) string {
	id, _ := c.Get("session").(string)
	if id == "" || h.oidc == nil {
		return ""
	}
	tok, err := h.store.FindSessionIDToken(c.Request().Context(), hashID(id))
	if err != nil {
		h.log.Warn("could not read the session's ID token; signing out here only", "err", err)
	}
	return tok
}
