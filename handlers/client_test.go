package handlers_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
	"github.com/gonogo/gonogo/webhook"

	_ "modernc.org/sqlite"
)

func TestMain(m *testing.M) {
	db.BcryptCost = bcrypt.MinCost // signing in stays realistic; creating users stays fast
	os.Exit(m.Run())
}

const testPassword = "correct horse battery"

// testServer is the real server on a real SQLite file, over real HTTP.
type testServer struct {
	*httptest.Server
	store *db.Store
	h     *handlers.Handler
	users map[string]gonogo.User // by short name: po, eng, qa, ops, support, rm, admin
	key   ed25519.PrivateKey     // signs the audit trail's checkpoints
}

// newServer starts a server with one user per role, plus an admin; opts
// change its configuration.
func newServer(t *testing.T, opts ...func(*handlers.Config)) *testServer {
	t.Helper()
	s := newEmptyServer(t, opts...)
	s.users = map[string]gonogo.User{}
	for name, roles := range map[string]gonogo.RoleSet{
		"po": {gonogo.ProductOwner}, "eng": {gonogo.EngineeringLead}, "qa": {gonogo.QALead},
		"ops": {gonogo.Ops}, "support": {gonogo.SupportLead}, "rm": {gonogo.ReleaseManager}, "admin": nil,
	} {
		s.users[name] = s.mustCreateUser(t, name, roles, name == "admin")
	}
	return s
}

// newEmptyServer starts a server on a database without users.
func newEmptyServer(t *testing.T, opts ...func(*handlers.Config)) *testServer {
	t.Helper()
	return newConfiguredServer(t, func(cfg *handlers.Config, _ *webhook.Options) {
		for _, o := range opts {
			o(cfg)
		}
	})
}

// testBackoff makes webhook retries quick; the tests wait for outcomes,
// never for a time.
var testBackoff = []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond}

// newConfiguredServer starts a server without users, as cmd/web wires it:
// the handler and the webhook dispatcher on one store. Receivers in tests
// listen on loopback, so private targets are allowed unless configure says
// otherwise.
func newConfiguredServer(t *testing.T, configure func(*handlers.Config, *webhook.Options)) *testServer {
	t.Helper()
	store := db.OpenTest(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	cfg := handlers.Config{Logger: log, LoginDelay: time.Millisecond, WebhookAllowPrivate: true, CheckpointKey: key}
	opt := webhook.Options{AllowPrivate: true, Backoff: testBackoff, Logger: log}
	if configure != nil {
		configure(&cfg, &opt)
	}
	srv := httptest.NewUnstartedServer(nil)
	cfg.BaseURL, opt.BaseURL = "http://"+srv.Listener.Addr().String(), "http://"+srv.Listener.Addr().String()
	store.BaseURL = cfg.BaseURL
	hooks := webhook.Start(store, opt)
	t.Cleanup(hooks.Close) // before the store closes: cleanups run last first
	cfg.Webhooks = hooks
	h := handlers.New(store, cfg)
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, store: store, h: h, key: cfg.CheckpointKey}
}

func (s *testServer) mustCreateUser(t *testing.T, name string, roles gonogo.RoleSet, admin bool) gonogo.User {
	t.Helper()
	u, err := s.store.CreateUser(context.Background(), gonogo.SystemActor, gonogo.NewUser{
		Email: name + "@example.com", Name: strings.ToUpper(name[:1]) + name[1:] + " Tester",
		Password: testPassword, Roles: roles, Admin: admin,
	})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// mustCreateRelease adds a release in draft, managed by the rm user.
func (s *testServer) mustCreateRelease(t *testing.T, product, version string) gonogo.Release {
	t.Helper()
	r, err := s.store.CreateRelease(context.Background(), gonogo.SystemActor, gonogo.ReleaseInput{
		Product: product, Version: version, Title: "Release " + version, ManagerID: s.users["rm"].ID,
	})
	if err != nil {
		t.Fatalf("create release: %v", err)
	}
	return r
}

// mustItem returns the item of a release with title.
func (s *testServer) mustItem(t *testing.T, releaseID int64, title string) gonogo.Item {
	t.Helper()
	items, err := s.store.FindItems(context.Background(), releaseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Title == title {
			return it
		}
	}
	t.Fatalf("release %d has no item %q", releaseID, title)
	return gonogo.Item{}
}

// client is a browser without JavaScript: it keeps cookies, does not follow
// redirects, and posts forms with the CSRF token scraped from the last page.
type client struct {
	t    *testing.T
	srv  *testServer
	http *http.Client
	csrf string
}

func (s *testServer) client(t *testing.T) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &client{t: t, srv: s, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// signIn returns a client signed in as the named test user.
func (s *testServer) signIn(t *testing.T, name string) *client {
	t.Helper()
	c := s.client(t)
	c.get("/login")
	res := c.post("/login", url.Values{"email": {name + "@example.com"}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", name, res.StatusCode)
	}
	c.get("/") // a page to take a fresh token from
	return c
}

// maxBody bounds what a test client keeps of an answer.
const maxBody = 64 << 20

func (c *client) do(req *http.Request) *http.Response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	// A test keeps at most maxBody of an answer: the backup of a board the
	// authorization matrix has filled is gigabytes, and only its status
	// matters there.
	body, _ := io.ReadAll(io.LimitReader(res.Body, maxBody))
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body))); err == nil {
		if tok, ok := doc.Find(`input[name=_csrf]`).First().Attr("value"); ok && tok != "" {
			c.csrf = tok
		}
	}
	res.Body = io.NopCloser(strings.NewReader(string(body)))
	return res
}

// get fetches path and parses the answer.
func (c *client) get(path string) (*http.Response, *goquery.Document) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.srv.URL+path, nil)
	res := c.do(req)
	return res, mustParse(c.t, res)
}

// getText fetches path and returns its body as text.
func (c *client) getText(path string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.srv.URL+path, nil)
	res := c.do(req)
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// getHX fetches path as htmx does.
func (c *client) getHX(path string) (*http.Response, *goquery.Document) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.srv.URL+path, nil)
	req.Header.Set("HX-Request", "true")
	res := c.do(req)
	return res, mustParse(c.t, res)
}

// post submits a plain form with the page's CSRF token.
func (c *client) post(path string, form url.Values) *http.Response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.csrf)
	}
	return c.postRaw(path, form, nil)
}

// postHX submits a form as htmx does: the token travels in a header.
func (c *client) postHX(path string, form url.Values) *http.Response {
	c.t.Helper()
	return c.postRaw(path, form, map[string]string{"HX-Request": "true", "X-CSRF-Token": c.csrf})
}

// postRaw submits form exactly as given, with extra headers.
func (c *client) postRaw(path string, form url.Values, headers map[string]string) *http.Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

func mustParse(t *testing.T, res *http.Response) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return doc
}

func parse(t *testing.T, res *http.Response) *goquery.Document { t.Helper(); return mustParse(t, res) }

// wantStatus fails the test unless res has status.
func wantStatus(t *testing.T, res *http.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("%s %s: status %d, want %d\n%.600s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, body)
	}
}

// text returns the trimmed text of the first element matching sel.
func text(doc *goquery.Document, sel string) string {
	return strings.TrimSpace(doc.Find(sel).First().Text())
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// setState puts a release in a state directly in the database, for tests
// that need a release somewhere the UI would take many steps to reach.
func (s *testServer) setState(t *testing.T, id int64, st gonogo.State) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+s.store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE releases SET state = ? WHERE id = ?`, string(st), id); err != nil {
		t.Fatal(err)
	}
}

// rmActor acts as the test release manager in store calls.
func (s *testServer) rmActor() gonogo.Actor {
	u := s.users["rm"]
	return gonogo.Actor{UserID: u.ID, Name: u.Name, Roles: u.Roles}
}

// actorOf acts as the named test user in store calls.
func (s *testServer) actorOf(name string) gonogo.Actor {
	u := s.users[name]
	return gonogo.Actor{UserID: u.ID, Name: u.Name, Roles: u.Roles, Admin: u.Admin}
}

// move takes a transition as the release manager, through the domain's rules.
func (s *testServer) move(t *testing.T, id int64, tr gonogo.Transition) {
	t.Helper()
	a := s.rmActor()
	if tr == gonogo.StartDeploy || tr == gonogo.FinishDeploy || tr == gonogo.RollBack {
		a.Roles = gonogo.RoleSet{gonogo.Ops, gonogo.ReleaseManager}
	}
	if _, err := s.store.Transition(t.Context(), a, id, tr); err != nil {
		t.Fatalf("%s: %v", tr, err)
	}
}

// scheduleWindow gives a release its window as the release manager, through
// the domain's rule, at a moment before the window opens: the store's clock
// is set back for that one change, so that a test's window may be open now
// or over already, as one scheduled in time would be.
func (s *testServer) scheduleWindow(t *testing.T, id int64, w gonogo.Window) {
	t.Helper()
	clock := s.store.Now
	s.store.Now = func() time.Time { return w.Start.Add(-time.Hour) }
	defer func() { s.store.Now = clock }()
	if err := s.store.SetWindow(t.Context(), s.rmActor(), id, w); err != nil {
		t.Fatalf("window: %v", err)
	}
}

// vote signs for role as the named test user.
func (s *testServer) vote(t *testing.T, id int64, name string, role gonogo.Role, value gonogo.VoteValue, comment string) {
	t.Helper()
	a := s.actorOf(name)
	in := gonogo.VoteInput{Role: role, Value: value, Comment: comment}
	if _, err := s.store.CastVote(t.Context(), a, id, in); err != nil {
		t.Fatalf("vote %s: %v", role, err)
	}
}

// settleReadiness makes a release ready but for its sign-offs: its notes
// published and every readiness item done.
func (s *testServer) settleReadiness(t *testing.T, id int64) {
	t.Helper()
	s.publishNotes(t, id)
	s.settleItems(t, id)
}

// publishNotes publishes short release notes as the product owner.
func (s *testServer) publishNotes(t *testing.T, id int64) {
	t.Helper()
	a := s.actorOf("po")
	in := gonogo.NotesInput{Title: "What is new", Highlights: "Something new."}
	if _, err := s.store.SaveNotes(t.Context(), a, id, in, true); err != nil {
		t.Fatalf("publish notes: %v", err)
	}
}

// settleItems marks every readiness item done, as the release manager.
func (s *testServer) settleItems(t *testing.T, id int64) {
	t.Helper()
	items, _ := s.store.FindItems(t.Context(), id)
	a := s.rmActor()
	for _, it := range items {
		if it.Phase != gonogo.Readiness {
			continue
		}
		if _, err := s.store.UpdateItem(t.Context(), a, id, it.ID, gonogo.ItemChange{Status: gonogo.ItemDone}); err != nil {
			t.Fatal(err)
		}
	}
}

// signAll has every test role sign Go: six people, so the quorum holds.
func (s *testServer) signAll(t *testing.T, id int64) {
	t.Helper()
	for name, role := range map[string]gonogo.Role{"po": gonogo.ProductOwner, "eng": gonogo.EngineeringLead, "qa": gonogo.QALead,
		"ops": gonogo.Ops, "support": gonogo.SupportLead, "rm": gonogo.ReleaseManager} {
		s.vote(t, id, name, role, gonogo.VoteGo, "")
	}
}

// decide records a decision as the release manager.
func (s *testServer) decide(t *testing.T, id int64, in gonogo.DecisionInput) gonogo.Decision {
	t.Helper()
	a := s.rmActor()
	d, err := s.store.Decide(t.Context(), a, id, in)
	if err != nil {
		t.Fatalf("decide: %v", err)
	}
	return d
}

// hashForTest is what the store keeps of a token: its SHA-256 in hex.
func hashForTest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
