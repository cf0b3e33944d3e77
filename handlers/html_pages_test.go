package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/seed"
)

// htmlPage is one page as a browser receives it, for the validators.
type htmlPage struct {
	name, path string
	body       []byte
}

// mainPages starts a server on the demo board, with a discussion, a token,
// a webhook and a cancelled release added so that every part of every page
// has something to show, and fetches the main pages as the people who see
// the most of each: the release manager for releases, the QA lead for a
// release's defects, the admin for administration, nobody for the sign-in
// and setup pages.
func mainPages(t *testing.T) []htmlPage {
	t.Helper()
	s := newEmptyServer(t)
	if ok, err := seed.Demo(t.Context(), s.store, testPassword); !ok || err != nil {
		t.Fatalf("seed demo: %t, %v", ok, err)
	}
	s.users = demoUsers(t, s)
	review := s.demoRelease(t, "payments", "2.4.0")
	s.discuss(t, review.ID)
	s.mustToken(t, "deploy pipeline", "payments")
	admin := s.signIn(t, "admin")
	hook := s.registerWebhook(t, admin, "https://hooks.example.com/gonogo", gonogo.TopicDecision, gonogo.TopicState)
	cancelled := s.mustCreateRelease(t, "mobile", "4.0.0")
	s.move(t, cancelled.ID, gonogo.Cancel)

	var pages []htmlPage
	fetch := func(c *client, name, path string, status int) {
		t.Helper()
		res, body := c.getText(path)
		if res.StatusCode != status {
			t.Fatalf("GET %s: status %d, want %d", path, res.StatusCode, status)
		}
		pages = append(pages, htmlPage{name: name, path: path, body: []byte(body)})
	}

	rm := s.signIn(t, "rm")
	fetch(rm, "board", "/", http.StatusOK)
	releases, err := s.store.FindReleases(t.Context(), gonogo.ReleaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[gonogo.State]bool{}
	for _, r := range releases {
		seen[r.State] = true
		fetch(rm, fmt.Sprintf("release %s %s (%s)", r.Product, r.Version, r.State), "/releases/"+itoa(r.ID), http.StatusOK)
	}
	for _, st := range gonogo.States {
		if !seen[st] {
			t.Fatalf("no release in state %s to check", st)
		}
	}
	shipped := s.demoRelease(t, "storefront", "5.11.0")
	noGo := s.demoRelease(t, "storefront", "5.9.0")
	fetch(rm, "meeting mode", "/releases/"+itoa(review.ID)+"/meeting", http.StatusOK)
	fetch(rm, "a Go decision", "/releases/"+itoa(shipped.ID)+"/decisions/1", http.StatusOK)
	fetch(rm, "a No-Go decision", "/releases/"+itoa(noGo.ID)+"/decisions/1", http.StatusOK)
	fetch(rm, "new release", "/releases/new", http.StatusOK)
	reviewed, awaiting := s.demoRelease(t, "storefront", "5.10.0"), s.demoRelease(t, "payments", "2.3.1")
	fetch(rm, "a post-release review", "/releases/"+itoa(reviewed.ID)+"/post-release-review", http.StatusOK)
	fetch(rm, "the post-release review form", "/releases/"+itoa(awaiting.ID)+"/post-release-review", http.StatusOK)
	fetch(rm, "edit release", "/releases/"+itoa(review.ID)+"/edit", http.StatusOK)
	fetch(rm, "edit notes", "/releases/"+itoa(review.ID)+"/notes", http.StatusOK)
	fetch(rm, "defects", "/defects", http.StatusOK)
	fetch(rm, "calendar", "/calendar", http.StatusOK)
	fetch(rm, "calendar list", "/calendar?view=list", http.StatusOK)
	fetch(rm, "freezes", "/freezes", http.StatusOK)
	fetch(rm, "notes list", "/notes", http.StatusOK)
	fetch(rm, "notes search", "/notes?q=refund", http.StatusOK)
	fetch(rm, "product notes", "/notes/payments", http.StatusOK)
	fetch(rm, "version notes", "/notes/payments/2.3.1", http.StatusOK)
	fetch(rm, "profile", "/profile", http.StatusOK)
	fetch(rm, "inbox", "/inbox", http.StatusOK)
	fetch(rm, "not found", "/releases/999999", http.StatusNotFound)
	// Forms answered with their messages, each field's beside it.
	submit := func(c *client, name, form, path string, in url.Values, status int) {
		t.Helper()
		c.get(form) // for the form's CSRF token
		res := c.post(path, in)
		wantStatus(t, res, status)
		body, _ := io.ReadAll(res.Body)
		pages = append(pages, htmlPage{name: name, path: path + " (POST)", body: body})
	}
	submit(rm, "new release with errors", "/releases/new", "/releases",
		url.Values{"product": {"payments"}, "version": {"2.4.0"}, "title": {""}, "window_start": {"2020-01-01T10:00"}}, http.StatusUnprocessableEntity)
	submit(rm, "freeze with errors", "/freezes", "/freezes",
		url.Values{"name": {""}, "kind": {"weekly"}, "start_day": {"5"}, "end_day": {"1"}}, http.StatusUnprocessableEntity)
	submit(rm, "notes with errors", "/releases/"+itoa(review.ID)+"/notes", "/releases/"+itoa(review.ID)+"/notes/publish",
		url.Values{"title": {""}, "links": {"Help | ftp://help.example.com"}}, http.StatusUnprocessableEntity)
	submit(rm, "post-release review with errors", "/releases/"+itoa(awaiting.ID)+"/post-release-review", "/releases/"+itoa(awaiting.ID)+"/post-release-review",
		url.Values{"outcome": {"fine"}, "summary": {""}, "links": {"ftp://x.example.com"}, "confirm": {"1"}}, http.StatusUnprocessableEntity)
	submit(rm, "password with errors", "/profile", "/profile/password",
		url.Values{"current": {testPassword}, "new": {"short"}}, http.StatusUnprocessableEntity)
	// A final step asks first; a refused one is answered at the buttons.
	submit(rm, "cancel, asked first", "/releases/"+itoa(review.ID), "/releases/"+itoa(review.ID)+"/transitions",
		url.Values{"transition": {string(gonogo.Cancel)}}, http.StatusOK)
	submit(rm, "transition refused", "/releases/"+itoa(review.ID), "/releases/"+itoa(review.ID)+"/transitions",
		url.Values{"transition": {string(gonogo.MarkReleased)}}, http.StatusConflict)

	rp := "/releases/" + itoa(review.ID)
	item := s.mustItem(t, review.ID, s.firstItemTitle(t, review.ID))
	submit(rm, "n/a without a reason", rp, rp+"/items/"+itoa(item.ID),
		url.Values{"status": {"n/a"}, "evidence": {""}}, http.StatusUnprocessableEntity)
	submit(rm, "No-Go decision without a rationale", rp, rp+"/decisions",
		url.Values{"outcome": {"no-go"}, "rationale": {""}}, http.StatusUnprocessableEntity)

	qa := s.signIn(t, "qa")
	fetch(qa, "release as QA", rp, http.StatusOK)
	submit(qa, "No-Go without a comment", rp, rp+"/votes",
		url.Values{"role": {string(gonogo.QALead)}, "value": {string(gonogo.VoteNoGo)}}, http.StatusUnprocessableEntity)
	submit(qa, "defect with errors", rp, rp+"/defects",
		url.Values{"title": {" "}, "severity": {"major"}, "tracker_url": {"ftp://tracker.example.com/1"}}, http.StatusUnprocessableEntity)
	blocker := s.mustDefect(t, review.ID, gonogo.DefectInput{Title: "Refunds round down", Severity: gonogo.Blocker})
	status := rp + "/defects/" + itoa(blocker.ID) + "/status"
	submit(qa, "blocker deferred without a reason", rp, status, url.Values{"status": {"deferred"}}, http.StatusUnprocessableEntity)
	submit(qa, "blocker deferred without a reason, on the defects page", "/defects", status,
		url.Values{"status": {"wont-fix"}, "view": {"list"}}, http.StatusUnprocessableEntity)
	submit(qa, "empty reply", rp, rp+"/comments", url.Values{"body": {""}, "parent_id": {itoa(s.firstComment(t, review.ID))}},
		http.StatusUnprocessableEntity)

	fetch(rm, "product page", "/products/payments", http.StatusOK)
	fetch(rm, "insights", "/insights", http.StatusOK)
	fetch(rm, "insights of a product over a range", "/insights?product=payments&from=2026-01-01&to=2026-12-31", http.StatusOK)
	fetch(rm, "insights with a bad period", "/insights?last=abc", http.StatusBadRequest)
	fetch(admin, "product page, as an admin", "/products/payments", http.StatusOK)
	for _, p := range []string{"/admin/products", "/admin/products/payments", "/admin/template?product=payments"} {
		fetch(admin, "admin "+p, p, http.StatusOK)
	}
	fetch(admin, "alerts", "/admin/alerts", http.StatusOK)
	submit(admin, "alert labels with errors", "/admin/alerts", "/admin/alerts/grafana",
		url.Values{"product_label": {"9team"}, "version_label": {""}}, http.StatusUnprocessableEntity)
	submit(admin, "new product with errors", "/admin/products", "/admin/products",
		url.Values{"key": {"Bad key"}, "name": {""}, "owner_team": {strings.Repeat("x", gonogo.MaxTeamLen+1)}}, http.StatusUnprocessableEntity)
	submit(admin, "product with errors", "/admin/products/payments", "/admin/products/payments",
		url.Values{"name": {""}}, http.StatusUnprocessableEntity)
	for _, p := range []string{"/admin/users", "/admin/users/" + itoa(s.users["rm"].ID), "/admin/template",
		"/admin/audit", "/admin/tokens", "/admin/webhooks", "/admin/webhooks/" + itoa(hook.ID), "/admin/backup", "/admin/settings",
		"/admin/email"} {
		fetch(admin, "admin "+p, p, http.StatusOK)
	}

	submit(admin, "new user with errors", "/admin/users", "/admin/users",
		url.Values{"name": {""}, "email": {"not-an-email"}, "password": {"short"}}, http.StatusUnprocessableEntity)
	submit(admin, "webhook with errors", "/admin/webhooks", "/admin/webhooks",
		url.Values{"url": {"ftp://hooks.example.com"}, "secret": {""}}, http.StatusUnprocessableEntity)
	submit(admin, "person with errors", "/admin/users/"+itoa(s.users["rm"].ID), "/admin/users/"+itoa(s.users["rm"].ID),
		url.Values{"name": {""}, "roles": {string(gonogo.ReleaseManager)}}, http.StatusUnprocessableEntity)
	submit(admin, "settings with errors", "/admin/settings", "/admin/settings",
		url.Values{"zone": {"Mars/Olympus"}, "start_2": {"22:00"}}, http.StatusUnprocessableEntity)
	submit(admin, "template item with errors", "/admin/template", "/admin/template",
		url.Values{"phase": {"readiness"}, "pillar": {"technical"}, "title": {""}, "owner_role": {"ops"}}, http.StatusUnprocessableEntity)

	anon := s.client(t)
	fetch(anon, "sign-in", "/login", http.StatusOK)
	key, err := s.store.MailKey(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	unsubscribe := gonogo.UnsubscribePath(key, s.users["qa"].ID, gonogo.NotifyReview)
	fetch(anon, "unsubscribe", unsubscribe, http.StatusOK)
	submit(anon, "unsubscribed", unsubscribe, unsubscribe, url.Values{}, http.StatusOK)
	submit(anon, "sign-in refused", "/login", "/login",
		url.Values{"email": {"rm@example.com"}, "password": {"not the password"}}, http.StatusUnauthorized)
	// The pilot (pilot.go): meeting mode with its answers, a refused
	// invitation, a tester's page, a refused answer, a link never made.
	pilot := s.demoRelease(t, "mobile", "3.7.1")
	pp := "/releases/" + itoa(pilot.ID)
	fetch(rm, "meeting mode with a pilot", pp+"/meeting", http.StatusOK)
	submit(rm, "pilot invitation with errors", pp, pp+"/pilot", url.Values{"emails": {"nobody"}}, http.StatusUnprocessableEntity)
	link := s.mustPilotLink(t, pilot.ID, "html@customer.example", s.store.Now())
	fetch(anon, "pilot page", link, http.StatusOK)
	submit(anon, "pilot answer with errors", link, link, url.Values{"answer": {"problem"}, "link": {"ftp://x"}}, http.StatusUnprocessableEntity)
	fetch(anon, "pilot link never made", "/pilot/gnp_unknown", http.StatusNotFound)
	fresh := newEmptyServer(t).client(t)
	fetch(fresh, "setup", "/setup", http.StatusOK)
	submit(fresh, "setup with errors", "/setup", "/setup",
		url.Values{"name": {"Ada"}, "email": {"not-an-email"}, "password": {"short"}}, http.StatusUnprocessableEntity)
	return pages
}

// demoUsers are the demo board's accounts, by the short names the test
// client signs in with (the part of the address before the @).
func demoUsers(t *testing.T, s *testServer) map[string]gonogo.User {
	t.Helper()
	users, err := s.store.FindUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]gonogo.User{}
	for _, u := range users {
		name, _, _ := strings.Cut(u.Email, "@")
		out[name] = u
	}
	return out
}

// demoRelease finds a release of the demo board.
func (s *testServer) demoRelease(t *testing.T, product, version string) gonogo.Release {
	t.Helper()
	r, err := s.store.FindReleaseByName(t.Context(), product, version)
	if err != nil {
		t.Fatalf("demo release %s %s: %v", product, version, err)
	}
	return r
}

// discuss adds a comment and a reply to a release, so its discussion has
// both to show.
func (s *testServer) discuss(t *testing.T, id int64) {
	t.Helper()
	var parent *gonogo.Comment
	for _, who := range []string{"qa", "eng"} {
		a := s.actorOf(who)
		in := gonogo.CommentInput{Body: "Is PAY-142 reproduced on **Safari 17.1** too? See [the ticket](https://acme.atlassian.net/browse/PAY-142)."}
		var parentID int64
		if parent != nil {
			parentID = parent.ID
		}
		in.ParentID = parentID
		c, err := s.store.AddComment(t.Context(), a, id, in)
		if err != nil {
			t.Fatal(err)
		}
		parent = &c
	}
}

// firstComment is the id of the first comment that starts a thread in a
// release's current discussion.
func (s *testServer) firstComment(t *testing.T, releaseID int64) int64 {
	t.Helper()
	rel, err := s.store.FindRelease(t.Context(), releaseID)
	if err != nil {
		t.Fatal(err)
	}
	comments, err := s.store.FindCommentPage(t.Context(), releaseID, rel.Cycle, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range comments {
		if c.ParentID == 0 {
			return c.ID
		}
	}
	t.Fatal("no comment starts a thread")
	return 0
}
