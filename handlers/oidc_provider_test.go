package handlers_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// testProvider is a real OpenID Provider, zitadel/oidc's op package (which
// is OpenID-certified), run in the test process with people and groups of
// its own, a sign-in page, and the ways a provider, or someone between it
// and us, can go wrong: a wrong nonce, an expired ID token, an ID token
// signed with a key it does not publish. What it does not do is pretend:
// discovery, the authorization endpoint, PKCE, the token endpoint, the keys
// and end_session are the library's.
type testProvider struct {
	*httptest.Server
	clientID, secret string

	mu      sync.Mutex
	users   map[string]*opUser // by username
	clients []string           // redirect URIs, then post-logout ones
	logouts []string           // post-logout redirect URIs, one per base URL
	reqs    map[string]*opRequest
	codes   map[string]string // code → request id
	key     opKey             // what signs, and what /keys publishes
	rogue   *opKey            // signs instead of key, unpublished
	// lifetime of the ID tokens; negative mints expired ones.
	lifetime  time.Duration
	nonceLie  string   // if set, the ID token carries this nonce
	challenge []string // code challenge methods seen, one per request
	ended     []string // subjects whose sessions were ended at end_session
}

// opUser is a person at the provider.
type opUser struct {
	id, username, password string
	email                  string
	verified               bool
	// edov sends Entra ID's xms_edov in place of email_verified.
	edov   *bool
	name   string
	groups []string
}

// newTestProvider starts a provider with one client (id gonogo) and these people.
func newTestProvider(t *testing.T, users ...opUser) *testProvider {
	t.Helper()
	p := &testProvider{clientID: "gonogo", secret: "a client secret", users: map[string]*opUser{},
		reqs: map[string]*opRequest{}, codes: map[string]string{}, key: newOPKey(t, "key-1"), lifetime: time.Hour}
	for _, u := range users {
		p.users[u.username] = &u
	}
	p.Server = httptest.NewUnstartedServer(nil)
	issuer := "http://" + p.Listener.Addr().String()
	provider, err := op.NewProvider(&op.Config{
		CryptoKey: [32]byte{1, 2, 3}, CodeMethodS256: true, AuthMethodPost: true,
		SupportedUILocales: []language.Tag{language.English},
	}, p, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	intercept := op.NewIssuerInterceptor(provider.IssuerFromRequest)
	mux.HandleFunc("GET /login", p.showLogin)
	mux.Handle("POST /login", intercept.HandlerFunc(p.login(op.AuthCallbackURL(provider))))
	mux.Handle("/", provider)
	p.Config.Handler = mux
	p.Start()
	t.Cleanup(p.Close)
	return p
}

// issuer is the provider's issuer URL.
func (p *testProvider) issuer() string { return p.URL }

// allow registers base (a gonogo server's base URL) as the client's.
func (p *testProvider) allow(base string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients = append(p.clients, base+"/auth/callback")
	p.logouts = append(p.logouts, base+"/login")
}

// set changes the provider under lock.
func (p *testProvider) set(change func(p *testProvider)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	change(p)
}

// signsWithRogueKey makes the provider sign ID tokens with a key of the
// same id as the one it publishes, but not that key: as a forger would.
func (p *testProvider) signsWithRogueKey(t *testing.T) {
	k := newOPKey(t, p.key.id)
	p.set(func(p *testProvider) { p.rogue = &k })
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><title>Test provider</title><link rel="icon" href="data:,"></head><body>
<h1>Test provider</h1>
{{if .Error}}<p id="error">{{.Error}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<label>Username <input id="username" name="username"></label>
<label>Password <input id="password" name="password" type="password"></label>
<button id="submit" type="submit">Sign in at the provider</button>
</form></body></html>`))

func (p *testProvider) showLogin(w http.ResponseWriter, r *http.Request) {
	loginPage.Execute(w, map[string]string{"ID": r.FormValue("authRequestID")})
}

// login checks the person's password and sends the browser on to the
// provider's callback, which issues the code.
func (p *testProvider) login(callback func(context.Context, string) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue("id")
		if err := p.authenticate(id, r.FormValue("username"), r.FormValue("password")); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			loginPage.Execute(w, map[string]string{"ID": id, "Error": err.Error()})
			return
		}
		http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
	}
}

func (p *testProvider) authenticate(reqID, username, password string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	req, ok := p.reqs[reqID]
	u, known := p.users[username]
	switch {
	case !ok:
		return errors.New("no such sign-in")
	case !known || u.password != password:
		return errors.New("wrong username or password")
	}
	req.subject, req.done, req.authTime = u.id, true, time.Now()
	return nil
}

// opKey is an RSA signing key.
type opKey struct {
	id  string
	key *rsa.PrivateKey
}

func newOPKey(t *testing.T, id string) opKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return opKey{id: id, key: k}
}

func (k opKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k opKey) Key() any                                    { return k.key }
func (k opKey) ID() string                                  { return k.id }

// opPublicKey is what /keys publishes of a key.
type opPublicKey struct{ opKey }

func (k opPublicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k opPublicKey) Use() string                        { return "sig" }
func (k opPublicKey) Key() any                           { return &k.key.PublicKey }

// opRequest is one authorization request, as the provider keeps it.
type opRequest struct {
	id, clientID, redirectURI, state, nonce string
	scopes                                  []string
	challenge                               *oidc.CodeChallenge
	subject                                 string
	done                                    bool
	authTime                                time.Time
	nonceLie                                string
}

func (r *opRequest) GetID() string                         { return r.id }
func (r *opRequest) GetACR() string                        { return "" }
func (r *opRequest) GetAMR() []string                      { return []string{"pwd"} }
func (r *opRequest) GetAudience() []string                 { return []string{r.clientID} }
func (r *opRequest) GetAuthTime() time.Time                { return r.authTime }
func (r *opRequest) GetClientID() string                   { return r.clientID }
func (r *opRequest) GetCodeChallenge() *oidc.CodeChallenge { return r.challenge }
func (r *opRequest) GetRedirectURI() string                { return r.redirectURI }
func (r *opRequest) GetResponseType() oidc.ResponseType    { return oidc.ResponseTypeCode }
func (r *opRequest) GetResponseMode() oidc.ResponseMode    { return oidc.ResponseModeQuery }
func (r *opRequest) GetScopes() []string                   { return r.scopes }
func (r *opRequest) GetState() string                      { return r.state }
func (r *opRequest) GetSubject() string                    { return r.subject }
func (r *opRequest) Done() bool                            { return r.done }

func (r *opRequest) GetNonce() string {
	if r.nonceLie != "" {
		return r.nonceLie
	}
	return r.nonce
}

// op.Storage, kept in memory.

func (p *testProvider) CreateAuthRequest(_ context.Context, ar *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	req := &opRequest{id: fmt.Sprintf("req-%d", len(p.reqs)+1), clientID: ar.ClientID, redirectURI: ar.RedirectURI,
		state: ar.State, nonce: ar.Nonce, scopes: ar.Scopes, nonceLie: p.nonceLie}
	if ar.CodeChallenge != "" {
		req.challenge = &oidc.CodeChallenge{Challenge: ar.CodeChallenge, Method: ar.CodeChallengeMethod}
	}
	p.challenge = append(p.challenge, string(ar.CodeChallengeMethod))
	p.reqs[req.id] = req
	return req, nil
}

func (p *testProvider) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.reqs[id]; ok {
		return r, nil
	}
	return nil, errors.New("no such request")
}

func (p *testProvider) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	p.mu.Lock()
	id, ok := p.codes[code]
	p.mu.Unlock()
	if !ok {
		return nil, errors.New("no such code")
	}
	return p.AuthRequestByID(ctx, id)
}

func (p *testProvider) SaveAuthCode(_ context.Context, id, code string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.codes[code] = id
	return nil
}

func (p *testProvider) DeleteAuthRequest(_ context.Context, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.reqs, id)
	for code, rid := range p.codes {
		if rid == id {
			delete(p.codes, code)
		}
	}
	return nil
}

func (p *testProvider) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return fmt.Sprintf("at-%d", time.Now().UnixNano()), time.Now().Add(5 * time.Minute), nil
}

func (p *testProvider) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("no refresh tokens here")
}

func (p *testProvider) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, errors.New("no refresh tokens here")
}

func (p *testProvider) TerminateSession(_ context.Context, userID, _ string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ended = append(p.ended, userID)
	return nil
}

func (p *testProvider) RevokeToken(context.Context, string, string, string) *oidc.Error { return nil }

func (p *testProvider) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (p *testProvider) SigningKey(context.Context) (op.SigningKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rogue != nil {
		return *p.rogue, nil
	}
	return p.key, nil
}

func (p *testProvider) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (p *testProvider) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{opPublicKey{p.key}}, nil
}

func (p *testProvider) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if id != p.clientID {
		return nil, errors.New("no such client")
	}
	return &opClient{id: id, redirects: slices.Clone(p.clients), logouts: slices.Clone(p.logouts), lifetime: p.lifetime}, nil
}

func (p *testProvider) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != p.clientID || secret != p.secret {
		return errors.New("wrong client or secret")
	}
	return nil
}

func (p *testProvider) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest puts the person's claims in the ID token: email,
// whether it is verified, name and groups.
func (p *testProvider) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range p.users {
		if u.id != req.GetSubject() {
			continue
		}
		info.Subject = u.id
		if slices.Contains(scopes, oidc.ScopeEmail) && u.edov != nil {
			info.Email = u.email
			info.AppendClaims("xms_edov", *u.edov)
		} else if slices.Contains(scopes, oidc.ScopeEmail) {
			info.Email, info.EmailVerified = u.email, oidc.Bool(u.verified)
		}
		if slices.Contains(scopes, oidc.ScopeProfile) {
			info.Name = u.name
		}
		info.AppendClaims("groups", u.groups)
		return nil
	}
	return errors.New("no such user")
}

func (p *testProvider) SetUserinfoFromToken(context.Context, *oidc.UserInfo, string, string, string) error {
	return errors.New("the test provider answers no userinfo requests")
}

func (p *testProvider) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("the test provider answers no introspection requests")
}

func (p *testProvider) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (p *testProvider) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("no client keys here")
}

func (p *testProvider) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("no JWT profile grants here")
}

func (p *testProvider) Health(context.Context) error { return nil }

// opClient is gonogo as the provider knows it: a confidential web client
// with the code flow.
type opClient struct {
	id                 string
	redirects, logouts []string
	lifetime           time.Duration
}

func (c *opClient) GetID() string                       { return c.id }
func (c *opClient) RedirectURIs() []string              { return c.redirects }
func (c *opClient) PostLogoutRedirectURIs() []string    { return c.logouts }
func (c *opClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *opClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *opClient) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *opClient) LoginURL(id string) string            { return "/login?authRequestID=" + id }
func (c *opClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *opClient) IDTokenLifetime() time.Duration       { return c.lifetime }
func (c *opClient) DevMode() bool                        { return true } // http redirect URIs, on loopback
func (c *opClient) IsScopeAllowed(string) bool           { return false }
func (c *opClient) IDTokenUserinfoClaimsAssertion() bool { return true } // claims in the ID token, as most providers do
func (c *opClient) ClockSkew() time.Duration             { return 0 }
func (c *opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
