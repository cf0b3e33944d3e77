package handlers_test

import (
	"encoding/base64"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// The authorization matrix: every route the router serves, against every
// kind of caller, each cell with the outcome the caller must get. The rows
// are the entries of authTable, apiAuthTable and publicTable; the outcome of
// a cell follows from its row by the rules in expect.

// columns are the callers: signed out, each role held for every product
// and an admin (actors); each role held for the fixtures' product only
// ("qa@authz") and for another product only ("qa@web"); someone who held
// every role and lost them while signed in ("demoted"); an admin whose
// admin flag was taken away while signed in ("ex-admin"); and API tokens of
// every kind; and a person's feed token in the address ("token:feed"),
// which opens feeds and nothing else. Signed-out callers carry a CSRF token
// taken from the sign-in page, as a script could, so that what refuses
// them is the sign-in check, not the CSRF check.
var columns = append(append(slices.Clone(actors), scopedColumns...), "demoted", "ex-admin",
	"token", "token:product", "token:other", "token:revoked", "token:unknown", "token:basic", "token:feed")

// Every release the matrix acts on is of thisProduct; a role held for
// otherProduct only is held for another product.
const thisProduct, otherProduct = "authz", "web"

// roleOf is the role each actor of a role holds.
var roleOf = map[string]gonogo.Role{"po": gonogo.ProductOwner, "eng": gonogo.EngineeringLead, "qa": gonogo.QALead,
	"ops": gonogo.Ops, "support": gonogo.SupportLead, "rm": gonogo.ReleaseManager}

// scopedColumns are each actor of a role, holding the role for one product
// only: "qa@authz", "qa@web", and so on.
var scopedColumns = func() []string {
	var out []string
	for _, a := range actors {
		if _, ok := roleOf[a]; ok {
			out = append(out, a+"@"+thisProduct, a+"@"+otherProduct)
		}
	}
	return out
}()

// scoped splits a column of scopedColumns into the actor whose role it
// holds and the product it holds it for.
func scoped(col string) (actor, product string, ok bool) {
	actor, product, ok = strings.Cut(col, "@")
	return actor, product, ok
}

// anyProductRoutes check the role on no one release: someone who holds it
// for any product passes. Creating a release is judged on the product the
// form names (POST /releases is not here), and a freeze on the products it
// covers (the fixtures' freezes cover thisProduct).
var anyProductRoutes = []string{"GET /releases/new"}

// productRoleRoutes let in admins and every role, but a role only for
// the release's product: someone holding roles for another product only,
// or none any more, is refused.
var productRoleRoutes = []string{"POST /releases/:id/exceptions/:exception/approve"}

// authorRoutes let in the author alone, whom the row's allowed list names:
// the rm column wrote the comment; the scoped columns are other people.
var authorRoutes = []string{"POST /releases/:id/comments/:comment"}

// scopedAllowed reports whether a person holding actor's role for product
// only may use the route key, whose row allows allowed.
func scopedAllowed(key, actor, product string, allowed []string) bool {
	switch {
	case slices.Contains(authorRoutes, key):
		return false
	case anyoneSignedIn(allowed) && !slices.Contains(productRoleRoutes, key):
		return true
	case !slices.Contains(allowed, actor):
		return false
	}
	return product == thisProduct || slices.Contains(anyProductRoutes, key)
}

// endsSession are the routes whose success ends or replaces the caller's
// session: each of their cells gets a session of its own.
var endsSession = []string{"POST /logout", "POST /profile/password", "POST /admin/users/:id/status", "POST /login"}

// outcome is what a cell must get.
type outcome struct {
	status    int
	signIn    bool // a redirect to the sign-in page
	challenge bool // a 401 with a Bearer challenge, as the API answers
	plain     bool // a 401 in plain text, as feeds answer feed readers
}

// signedOut is true for the columns without a live session.
func signedOut(col string) bool {
	return col == "anon" || col == "ex-admin" || strings.HasPrefix(col, "token")
}

// anyoneSignedIn is true when a row lets in every signed-in person, whatever
// roles they hold: then someone who holds none gets in too.
func anyoneSignedIn(allowed []string) bool {
	for _, a := range everyone {
		if !slices.Contains(allowed, a) {
			return false
		}
	}
	return true
}

// expect is the outcome of one cell. A token opens no page or form, and a
// session opens no API route; a feed token opens feeds, and feeds answer
// the signed out with a 401 a feed reader can show.
func expect(key, col string) (outcome, bool) {
	method, _, _ := strings.Cut(key, " ")
	if tc, ok := authTable[key]; ok {
		feed := slices.Contains(feedRoutes, key) && (strings.HasSuffix(tc.path, ".atom") || strings.HasSuffix(tc.path, ".ics"))
		switch {
		case feed && col == "token:feed":
			return outcome{status: tc.ok}, true
		case feed && signedOut(col):
			return outcome{status: http.StatusUnauthorized, plain: true}, true
		case signedOut(col) && method == http.MethodGet:
			return outcome{status: http.StatusSeeOther, signIn: true}, true
		case signedOut(col):
			return outcome{status: http.StatusUnauthorized}, true
		case col == "demoted" && anyoneSignedIn(tc.allowed) && !slices.Contains(productRoleRoutes, key), slices.Contains(tc.allowed, col):
			return outcome{status: tc.ok}, true
		}
		if actor, product, ok := scoped(col); ok && scopedAllowed(key, actor, product, tc.allowed) {
			return outcome{status: tc.ok}, true
		}
		return outcome{status: http.StatusForbidden}, true
	}
	if tc, ok := apiAuthTable[key]; ok {
		switch col {
		case "token", "token:product":
			return outcome{status: tc.ok}, true
		case "token:other": // acting on another product's release
			return outcome{status: http.StatusForbidden}, true
		}
		return outcome{status: http.StatusUnauthorized, challenge: true}, true
	}
	if pc, ok := publicTable[key]; ok {
		if signedOut(col) {
			return outcome{status: pc.anon}, true
		}
		return outcome{status: pc.session}, true
	}
	return outcome{}, false
}

func TestAuthorizationTableIsComplete(t *testing.T) {
	s := newServer(t)
	declared := map[string]bool{}
	for _, r := range s.h.Routes() {
		key := r.Method + " " + r.Path
		declared[key] = true
		_, inAuth := authTable[key]
		_, inAPI := apiAuthTable[key]
		_, inPublic := publicTable[key]
		switch {
		case !inAuth && !inAPI && !inPublic:
			t.Errorf("route %s has no entry in the authorization tables", key)
		case r.Token && !inAPI:
			t.Errorf("API route %s belongs in apiAuthTable", key)
		case r.Public && !inPublic:
			t.Errorf("route %s is public: it belongs in publicTable", key)
		case !r.Token && !r.Public && !inAuth:
			t.Errorf("route %s needs a session: it belongs in authTable", key)
		}
		if r.PublicNotes != slices.Contains(publicNotesRoutes, key) {
			t.Errorf("route %s: public with public notes %t, but the list of such routes says otherwise", key, r.PublicNotes)
		}
		if r.Feed != slices.Contains(feedRoutes, key) {
			t.Errorf("route %s: takes feed tokens %t, but the list of feed routes says otherwise", key, r.Feed)
		}
		if api := strings.HasPrefix(r.Path, "/api/"); (api && !r.Token && !r.Public) || (!api && r.Token) {
			t.Errorf("route %s: the API is authorized by token, and only the API", key)
		}
	}
	for _, r := range s.h.EchoRoutes() {
		if !declared[r.Method+" "+r.Path] {
			t.Errorf("the router serves %s %s, which routes.go does not declare", r.Method, r.Path)
		}
	}
	for _, keys := range [][]string{slices.Collect(maps.Keys(authTable)), slices.Collect(maps.Keys(apiAuthTable)),
		slices.Collect(maps.Keys(publicTable)), streamRoutes, endsSession} {
		for _, key := range keys {
			if !declared[key] {
				t.Errorf("the tables list %s, which is not a route", key)
			}
		}
	}
}

// matrix holds what every cell shares: a client per column, the header each
// token column sends, and the fixtures that cells which change nothing act on.
type matrix struct {
	s       *testServer
	clients map[string]*client
	auth    map[string]string // the Authorization header of each token column
	api     map[string]string // the API's placeholders
	shared  fixture
	hook    int64
	sink    string
	feed    string // the token:feed column's feed token
	n       int
}

func TestAuthorizationMatrix(t *testing.T) {
	s := newServer(t)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer sink.Close()
	m := &matrix{s: s, sink: sink.URL + "/hook", clients: map[string]*client{}}
	hook, err := s.store.CreateWebhook(t.Context(), s.actorOf("admin"), gonogo.WebhookInput{URL: m.sink,
		Secret: "a long enough secret", Topics: []gonogo.Topic{gonogo.TopicWindow, gonogo.TopicNudge}})
	if err != nil {
		t.Fatal(err)
	}
	m.hook = hook.ID
	s.mustCreateUser(t, "login", nil, false)      // whom POST /login signs in
	s.mustCreateRelease(t, otherProduct, "1.0.0") // a product to hold roles for

	// The API acts on releases of the fixtures' product, "authz".
	goRel := s.mustGoRelease(t, "authz", "2.0.0")
	draft := s.mustCreateRelease(t, "authz", "2.1.0")
	deploying := s.mustCreateRelease(t, "authz", "2.2.0")
	s.setState(t, deploying.ID, gonogo.Deploying)
	m.api = map[string]string{"{product}": "authz", "{draft}": draft.Version, "{go}": goRel.Version,
		"{goID}": itoa(goRel.ID), "{deploying}": deploying.Version}
	secrets := map[string]string{
		"token":         s.mustToken(t, "ci", ""),
		"token:product": s.mustToken(t, "authz-ci", "authz"),
		"token:other":   s.mustToken(t, "web-ci", "web"),
		"token:revoked": s.mustRevokedToken(t, "old-ci"),
		"token:unknown": "gng_" + strings.Repeat("x", 43),
	}
	m.auth = map[string]string{"token:basic": "Basic " + base64.StdEncoding.EncodeToString([]byte("ci:"+secrets["token"]))}
	for col, secret := range secrets {
		m.auth[col] = "Bearer " + secret
	}
	// The feed token is a support lead's of its own, whom no cell changes,
	// carried in the address.
	reader := s.mustCreateUser(t, "feedreader", gonogo.RoleSet{gonogo.SupportLead}, false)
	m.feed = "feed-" + strings.Repeat("f", 40)
	if err := s.store.SetFeedToken(t.Context(), gonogo.Actor{UserID: reader.ID, Name: reader.Name}, hashForTest(m.feed)); err != nil {
		t.Fatal(err)
	}

	for _, col := range columns {
		if _, person := s.users[col]; person {
			m.clients[col] = s.signIn(t, col) // the comment's author is the rm user itself
		} else {
			m.clients[col] = m.newClient(t, col)
		}
	}
	m.shared = m.fixture(t, "")

	for _, r := range s.h.Routes() {
		key := r.Method + " " + r.Path
		if _, ok := expect(key, "anon"); !ok {
			t.Errorf("%s has no row in the authorization tables", key)
			continue
		}
		for _, col := range columns {
			t.Run(key+"/"+col, func(t *testing.T) {
				want, _ := expect(key, col)
				res := m.run(t, key, col, want)
				if res.StatusCode != want.status {
					body, _ := io.ReadAll(res.Body)
					t.Fatalf("%s as %s: status %d, want %d\n%.400s", res.Request.URL, col, res.StatusCode, want.status, body)
				}
				if loc := res.Header.Get("Location"); want.signIn && !strings.HasPrefix(loc, "/login?next=") {
					t.Fatalf("redirected to %q, want the sign-in page", loc)
				}
				if want.challenge && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("401 without a Bearer challenge: %v", res.Header)
				}
				if want.plain && (!strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") || res.Header.Get("Location") != "") {
					t.Fatalf("a feed refused without plain text, or with a redirect: %v", res.Header)
				}
			})
		}
	}

	// A token's use is recorded for the admin page; a refused one is not.
	tok, _ := s.store.FindTokenBySecret(t.Context(), secrets["token:product"])
	if tok.LastUsedAt.IsZero() {
		t.Error("the token's last use was not recorded")
	}
	if never, _ := s.store.FindTokenBySecret(t.Context(), secrets["token:revoked"]); !never.LastUsedAt.IsZero() {
		t.Error("a refused, revoked token was recorded as used")
	}
}
