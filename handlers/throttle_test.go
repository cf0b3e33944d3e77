package handlers_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
)

// The limits the manual promises (docs/security.md).
const (
	guessLimit   = 10 // failed checks of one account's password from one address, per 15 minutes
	addressLimit = 30 // failed checks from one address, at any accounts, per 15 minutes
)

// trustLoopback makes the test client a trusted proxy, so a request can
// say which client address it comes from, as it would in production.
func trustLoopback(cfg *handlers.Config) {
	cfg.TrustedProxies = []*net.IPNet{{IP: net.IPv4(127, 0, 0, 0), Mask: net.CIDRMask(8, 32)}}
}

// answer is what one request got back.
type answer struct {
	code       int
	retryAfter string
}

// postAll sends every form to path at once from c's browser (its cookies
// and CSRF token) and returns the answers once all have come.
func postAll(t *testing.T, c *client, path string, forms []url.Values) []answer {
	t.Helper()
	answers := make([]answer, len(forms))
	errs := make([]error, len(forms))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, form := range forms {
		form.Set("_csrf", c.csrf)
		req, _ := http.NewRequest(http.MethodPost, c.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := c.http.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			answers[i] = answer{res.StatusCode, res.Header.Get("Retry-After")}
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return answers
}

// postFrom posts form as c would from the client address addr, behind
// the trusted proxy.
func postFrom(c *client, addr, path string, form url.Values) *http.Response {
	c.t.Helper()
	form.Set("_csrf", c.csrf)
	return c.postRaw(path, form, map[string]string{"X-Forwarded-For": addr})
}

// tally counts answers by status, and fails the test on a status other
// than wrong (the password was checked), 429 or 503, or on a refusal that
// does not say when to come back.
func tally(t *testing.T, answers []answer, wrong int) map[int]int {
	t.Helper()
	n := map[int]int{}
	for _, a := range answers {
		n[a.code]++
		switch a.code {
		case wrong:
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			if a.retryAfter == "" {
				t.Errorf("a %d without Retry-After", a.code)
			}
		default:
			t.Errorf("a guess got %d", a.code)
		}
	}
	return n
}

// guessUntilRefused posts form(i) one at a time until the throttle
// refuses, which it must within the limit, and returns the answers. One at
// a time, a 429 means the limit is reached by failures already checked,
// not by guesses still in flight that may yet be taken back.
func guessUntilRefused(c *client, path string, form func(i int) url.Values) []answer {
	c.t.Helper()
	var answers []answer
	for i := range guessLimit + 1 {
		res := c.post(path, form(i))
		answers = append(answers, answer{res.StatusCode, res.Header.Get("Retry-After")})
		if res.StatusCode == http.StatusTooManyRequests {
			return answers
		}
	}
	c.t.Fatalf("%d more guesses at %s one at a time, none refused", guessLimit+1, path)
	return nil
}

// passwordHashes is how many passwords the server has checked or hashed,
// from its metrics.
func passwordHashes(t *testing.T, s *testServer) float64 {
	t.Helper()
	code, fams := scrape(t, s, nil)
	v, ok := series(fams, "gonogo_password_hashes_total", nil)
	if code != http.StatusOK || !ok {
		t.Fatalf("/metrics (%d) does not count password hashes", code)
	}
	return v
}

// TestParallelGuessesAreBounded: a burst of guesses at one account from
// one address gets no more password checks than the limit, however many
// arrive at once, and then even the right password is refused.
func TestParallelGuessesAreBounded(t *testing.T) {
	s := newServer(t)
	// A hash of the real cost, so that checks take as long as in production
	// and a race between counting and checking has room to show.
	db.BcryptCost = bcrypt.DefaultCost
	s.mustCreateUser(t, "target", nil, false)
	db.BcryptCost = bcrypt.MinCost
	c := s.client(t)
	c.get("/login")
	forms := make([]url.Values, 200)
	for i := range forms {
		forms[i] = url.Values{"email": {"target@example.com"}, "password": {fmt.Sprintf("guess number %d", i)}}
	}
	answers := postAll(t, c, "/login", forms)
	// Guesses turned away busy were not counted, and neither were those
	// that were refused only while others were still in flight: go on, one
	// at a time, until the throttle refuses for good.
	answers = append(answers, guessUntilRefused(c, "/login", func(i int) url.Values {
		return url.Values{"email": {"target@example.com"}, "password": {fmt.Sprintf("one more guess %d", i)}}
	})...)

	res := c.post("/login", url.Values{"email": {"target@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	n := tally(t, answers, http.StatusUnauthorized)
	t.Logf("%d guesses: %d checked and wrong, %d refused, %d turned away busy",
		len(answers), n[http.StatusUnauthorized], n[http.StatusTooManyRequests], n[http.StatusServiceUnavailable])
	if n[http.StatusUnauthorized] > guessLimit {
		t.Errorf("%d guesses were checked, want at most %d", n[http.StatusUnauthorized], guessLimit)
	}
	if got := passwordHashes(t, s); got != float64(n[http.StatusUnauthorized]) || got > guessLimit {
		t.Errorf("%v passwords hashed for %d checked guesses, want as many and at most %d", got, n[http.StatusUnauthorized], guessLimit)
	}
}

// TestOwnerSignsInWhileAttackerIsRefused: guessing at the only admin's
// password from one address locks out that address, not the admin.
func TestOwnerSignsInWhileAttackerIsRefused(t *testing.T) {
	s := newServer(t, trustLoopback)
	const attackerAddr, ownerAddr = "203.0.113.7", "198.51.100.20"
	attacker := s.client(t)
	attacker.get("/login")
	for i := 1; i <= guessLimit; i++ {
		res := postFrom(attacker, attackerAddr, "/login", url.Values{"email": {"admin@example.com"}, "password": {fmt.Sprintf("guess %d", i)}})
		wantStatus(t, res, http.StatusUnauthorized)
	}
	res := postFrom(attacker, attackerAddr, "/login", url.Values{"email": {"admin@example.com"}, "password": {"guess 11"}})
	wantStatus(t, res, http.StatusTooManyRequests)

	owner := s.client(t)
	owner.get("/login")
	res = postFrom(owner, ownerAddr, "/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	if _, doc := owner.get("/admin/users"); text(doc, "[data-testid=whoami]") != "Admin Tester" {
		t.Fatal("the owner is not signed in")
	}

	// The attacker's address stays refused, the right password included.
	res = postFrom(attacker, attackerAddr, "/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

// TestGuessingAtManyAccountsFromOneAddressIsRefused: trying a common
// password on account after account from one address is refused too. An
// IPv6 client is one address per /64, the block a single site is given.
func TestGuessingAtManyAccountsFromOneAddressIsRefused(t *testing.T) {
	s := newServer(t, trustLoopback)
	c := s.client(t)
	c.get("/login")
	for i := 1; i <= addressLimit; i++ {
		addr := fmt.Sprintf("2001:db8:1:2::%x", i)
		res := postFrom(c, addr, "/login", url.Values{"email": {fmt.Sprintf("person%d@example.com", i)}, "password": {"Summer2025!!"}})
		wantStatus(t, res, http.StatusUnauthorized)
	}
	res := postFrom(c, "2001:db8:1:2::ffff", "/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusTooManyRequests)

	neighbour := s.client(t)
	neighbour.get("/login")
	res = postFrom(neighbour, "2001:db8:1:3::1", "/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
}

// TestProfilePasswordGuessesAreRefused: someone holding a signed-in
// browser cannot guess the current password at speed to take the account.
func TestProfilePasswordGuessesAreRefused(t *testing.T) {
	s := newServer(t, unlimitedWrites) // the throttle, not the write limit, must refuse them
	c := s.signIn(t, "eng")
	c.get("/profile")
	forms := make([]url.Values, 30)
	for i := range forms {
		forms[i] = url.Values{"current": {fmt.Sprintf("guess number %d", i)}, "new": {"a brand new password"}}
	}
	answers := postAll(t, c, "/profile/password", forms)
	answers = append(answers, guessUntilRefused(c, "/profile/password", func(i int) url.Values {
		return url.Values{"current": {fmt.Sprintf("one more guess %d", i)}, "new": {"a brand new password"}}
	})...)
	n := tally(t, answers, http.StatusUnprocessableEntity)
	if n[http.StatusUnprocessableEntity] > guessLimit {
		t.Errorf("%d wrong current passwords were checked, want at most %d", n[http.StatusUnprocessableEntity], guessLimit)
	}

	res := c.post("/profile/password", url.Values{"current": {testPassword}, "new": {"a brand new password"}})
	wantStatus(t, res, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	if text(parse(t, res), "[data-testid=error-current]") == "" {
		t.Error("no message beside the current password")
	}
	if _, err := s.store.Authenticate(t.Context(), "eng@example.com", testPassword); err != nil {
		t.Fatalf("the password changed while refused: %v", err)
	}
}

// TestEveryPasswordGoesThroughTheLimiter: setup, adding a person, an
// admin's reset, signing in and changing one's own password each hash
// once, within the bound, and /metrics counts them.
func TestEveryPasswordGoesThroughTheLimiter(t *testing.T) {
	s := newEmptyServer(t)
	admin := s.client(t)
	step := func(name string, want int, do func() *http.Response) {
		t.Helper()
		before := passwordHashes(t, s)
		wantStatus(t, do(), want)
		if got := passwordHashes(t, s) - before; got != 1 {
			t.Errorf("%s: %v passwords hashed, want 1", name, got)
		}
	}
	admin.get("/setup")
	step("setup", http.StatusSeeOther, func() *http.Response {
		return admin.post("/setup", url.Values{"name": {"Ada Admin"}, "email": {"ada@example.com"}, "password": {testPassword}})
	})
	admin.get("/admin/users")
	step("adding a person", http.StatusSeeOther, func() *http.Response {
		return admin.post("/admin/users", url.Values{"name": {"Pat"}, "email": {"pat@example.com"}, "password": {"a long password"}})
	})
	users, _ := s.store.FindUsers(t.Context())
	var pat int64
	for _, u := range users {
		if u.Email == "pat@example.com" {
			pat = u.ID
		}
	}
	admin.get("/admin/users/" + itoa(pat))
	step("an admin's reset", http.StatusSeeOther, func() *http.Response {
		return admin.post("/admin/users/"+itoa(pat)+"/password", url.Values{"password": {"another long password"}})
	})
	c := s.client(t)
	c.get("/login")
	step("signing in", http.StatusSeeOther, func() *http.Response {
		return c.post("/login", url.Values{"email": {"pat@example.com"}, "password": {"another long password"}})
	})
	c.get("/profile")
	step("changing one's own password", http.StatusOK, func() *http.Response {
		return c.post("/profile/password", url.Values{"current": {"another long password"}, "new": {"pat's very own password"}})
	})
}

// TestBusyPasswordChecksAreTurnedAway: while every hashing slot is taken,
// each form that checks or hashes a password answers 503 at once with
// Retry-After and a message beside the field, and changes nothing.
func TestBusyPasswordChecksAreTurnedAway(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	eng := s.signIn(t, "eng")
	anon := s.client(t)
	anon.get("/login")
	admin.get("/admin/users/" + itoa(s.users["qa"].ID))
	eng.get("/profile")

	release := s.h.OccupyPasswordSlots()
	res := anon.post("/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}})
	wantBusy(t, res, "[data-testid=error-password]")
	if v, _ := parse(t, res).Find(`input[name=email]`).Attr("value"); v != "qa@example.com" {
		t.Errorf("the sign-in form lost the email: %q", v)
	}
	res = eng.post("/profile/password", url.Values{"current": {testPassword}, "new": {"a brand new password"}})
	wantBusy(t, res, "[data-testid=error-current]")
	res = admin.post("/admin/users/"+itoa(s.users["qa"].ID)+"/password", url.Values{"password": {"another long password"}})
	wantBusy(t, res, "[data-testid=error-password]")
	admin.get("/admin/users")
	res = admin.post("/admin/users", url.Values{"name": {"Pat"}, "email": {"pat@example.com"}, "password": {"a long password"}})
	wantBusy(t, res, "[data-testid=error-password]")
	if v, _ := parse(t, res).Find(`[data-testid=new-user-form] input[name=email]`).Attr("value"); v != "pat@example.com" {
		t.Errorf("the new person's form lost the email: %q", v)
	}
	release()

	if _, err := s.store.Authenticate(t.Context(), "qa@example.com", testPassword); err != nil {
		t.Errorf("qa's password changed while busy: %v", err)
	}
	if _, err := s.store.Authenticate(t.Context(), "eng@example.com", testPassword); err != nil {
		t.Errorf("eng's password changed while busy: %v", err)
	}
	// Turned away is not a failed guess: the same forms go through now.
	res = anon.post("/login", url.Values{"email": {"qa@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
	res = eng.post("/profile/password", url.Values{"current": {testPassword}, "new": {"a brand new password"}})
	wantStatus(t, res, http.StatusOK)
}

func TestBusySetupIsTurnedAway(t *testing.T) {
	s := newEmptyServer(t)
	c := s.client(t)
	c.get("/setup")
	release := s.h.OccupyPasswordSlots()
	res := c.post("/setup", url.Values{"name": {"Ada Admin"}, "email": {"ada@example.com"}, "password": {testPassword}})
	wantBusy(t, res, "[data-testid=error-password]")
	if v, _ := parse(t, res).Find(`input[name=email]`).Attr("value"); v != "ada@example.com" {
		t.Errorf("the setup form lost the email: %q", v)
	}
	if n, _ := s.store.CountUsers(t.Context()); n != 0 {
		t.Fatalf("%d users after a busy setup", n)
	}
	release()
	res = c.post("/setup", url.Values{"name": {"Ada Admin"}, "email": {"ada@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)
}

// wantBusy fails the test unless res is a 503 that says when to come back
// and shows its message at sel.
func wantBusy(t *testing.T, res *http.Response, sel string) {
	t.Helper()
	wantStatus(t, res, http.StatusServiceUnavailable)
	if res.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	body, _ := io.ReadAll(res.Body)
	res.Body = io.NopCloser(strings.NewReader(string(body)))
	if msg := text(parse(t, res), sel); !strings.Contains(msg, "busy") {
		t.Errorf("message at %s: %q", sel, msg)
	}
	res.Body = io.NopCloser(strings.NewReader(string(body)))
}

// TestPasswordPolicyBesideTheField: a weak new password is refused with
// 422, the message beside the field and the rest of the form kept.
func TestPasswordPolicyBesideTheField(t *testing.T) {
	s := newEmptyServer(t)
	c := s.client(t)
	_, doc := c.get("/setup")
	if v, _ := doc.Find(`input[name=password]`).Attr("minlength"); v != "12" {
		t.Errorf("the password field asks for at least %q characters, want 12", v)
	}
	res := c.post("/setup", url.Values{"name": {"Ada Admin"}, "email": {"ada@example.com"}, "password": {"Ada@Example.com"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	if msg := text(doc, "[data-testid=error-password]"); !strings.Contains(msg, "email") {
		t.Errorf("message beside the password: %q", msg)
	}
	if v, _ := doc.Find(`input[name=email]`).Attr("value"); v != "ada@example.com" {
		t.Errorf("the email was not kept: %q", v)
	}
	res = c.post("/setup", url.Values{"name": {"Ada Admin"}, "email": {"ada@example.com"}, "password": {testPassword}})
	wantStatus(t, res, http.StatusSeeOther)

	c.get("/profile")
	for _, tc := range []struct{ name, pw, want string }{
		{"the current password again", testPassword, "differ"},
		{"eleven characters", "elevenchars", "12"},
		{"one character repeated", "xxxxxxxxxxxxxxxx", "repeated"},
	} {
		res := c.post("/profile/password", url.Values{"current": {testPassword}, "new": {tc.pw}})
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if msg := text(parse(t, res), "[data-testid=error-new]"); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: message beside the new password %q", tc.name, msg)
		}
	}
}
