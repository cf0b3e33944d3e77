package handlers_test

import (
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/mail/smtptest"
)

// verifyingRelease is a release of web in verifying, where a pilot runs.
func (s *testServer) verifyingRelease(t *testing.T, version string) gonogo.Release {
	t.Helper()
	rel := s.mustCreateRelease(t, "web", version)
	s.setState(t, rel.ID, gonogo.Verifying)
	rel.State = gonogo.Verifying
	return rel
}

// mustPilotLink invites email to a release's pilot as the release manager
// at the time ctx says, and returns the feedback page's address.
func (s *testServer) mustPilotLink(t *testing.T, releaseID int64, email string, at time.Time) string {
	t.Helper()
	links, err := s.store.InvitePilot(db.At(t.Context(), at), s.rmActor(), releaseID, gonogo.PilotInviteInput{Emails: email})
	if err != nil || len(links) != 1 {
		t.Fatalf("invite %s: %v (%d links)", email, err, len(links))
	}
	return links[0].Path
}

var pilotLinkPattern = regexp.MustCompile(`https?://\S+/pilot/gnp_[A-Za-z0-9_-]+`)

// TestPilotInviteMailsAPersonalLink: the release manager invites an
// outside tester; the invitation leaves through the outbox with a link
// that is stored nowhere but in the mail (only its hash is kept); the
// tester opens it without an account, sees the feedback form and nothing
// of the board, answers, and the release page shows the answer.
func TestPilotInviteMailsAPersonalLink(t *testing.T) {
	s := newMailServer(t, true)
	rel := s.verifyingRelease(t, "5.0.0")
	rm := s.signIn(t, "rm")

	rm.get(pilotRelPath(rel.ID))
	res := rm.post(pilotRelPath(rel.ID)+"/pilot", url.Values{"emails": {"Tess@Customer.example, qa@example.com"}, "days": {"7"}})
	wantStatus(t, res, http.StatusSeeOther)

	// In the outbox, in the invitation's transaction: to the addresses given.
	all, err := s.store.FindOutbox(t.Context(), "", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var toTess gonogo.Mail
	for _, m := range all {
		if m.To == "tess@customer.example" {
			toTess = m
		}
	}
	if !strings.HasPrefix(toTess.Link, "/pilot/gnp_") || toTess.ReleaseID != rel.ID {
		t.Fatalf("outbox mail to the tester = %+v, want a pilot link of release %d", toTess, rel.ID)
	}
	// The store keeps the hash, never the secret.
	var plain int
	raw, err := sql.Open("sqlite", "file:"+s.store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.QueryRow(`SELECT count(*) FROM pilot_invites WHERE token_hash = ? OR instr(token_hash, 'gnp_') > 0`,
		strings.TrimPrefix(toTess.Link, "/pilot/")).Scan(&plain); err != nil || plain != 0 {
		t.Fatalf("secret stored in plain (%d rows, %v)", plain, err)
	}

	// Delivered by the real mail server, the link in its text.
	m := s.smtp.WaitFor(t, "pilot invitation to the tester", func(m smtptest.Message) bool {
		return len(m.To) == 1 && m.To[0] == "tess@customer.example"
	})
	l := readLetter(t, m)
	link := pilotLinkPattern.FindString(l.text)
	if link == "" || !strings.Contains(l.subject, "pilot") {
		t.Fatalf("letter %q has no pilot link:\n%s", l.subject, l.text)
	}
	path := strings.TrimPrefix(link, s.URL)

	// The tester: no account, no session.
	tess := s.client(t)
	res, doc := tess.get(path)
	wantStatus(t, res, http.StatusOK)
	if doc.Find(`[data-testid=pilot-form]`).Length() != 1 {
		t.Fatal("the link does not open the feedback form")
	}
	if n := doc.Find(`nav, a[href="/"], a[href^="/releases"], [data-testid=menu]`).Length(); n != 0 {
		t.Errorf("the tester's page shows %d ways into the board", n)
	}
	if !strings.Contains(text(doc, "h1"), "web 5.0.0") {
		t.Errorf("page heading %q does not name the release", text(doc, "h1"))
	}
	// The rest of the board stays shut to them.
	res, _ = tess.get(pilotRelPath(rel.ID))
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("the tester reaching the release page: %d %s, want the sign-in page", res.StatusCode, res.Header.Get("Location"))
	}

	// A refused answer keeps what was typed, with the message by its field.
	tess.get(path)
	res = tess.post(path, url.Values{"answer": {"problem"}, "link": {"ftp://x"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	if doc.Find(`#pilot-comment-error`).Length() != 1 || doc.Find(`#pilot-link-error`).Length() != 1 {
		t.Errorf("refusal shows no message by the comment and the link")
	}

	res = tess.post(path, url.Values{"answer": {"problem"}, "comment": {"Export hangs at 90%"}, "link": {"https://example.com/shot.png"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc = tess.get(res.Header.Get("Location"))
	if doc.Find(`[data-testid=pilot-thanks]`).Length() != 1 {
		t.Error("no thanks after answering")
	}

	// The release page: the answer, the tally beside the item.
	_, doc = rm.get(pilotRelPath(rel.ID))
	row := doc.Find(`[data-testid=pilot-row][data-email="tess@customer.example"]`)
	if st, _ := row.Attr("data-status"); st != "problem" || !strings.Contains(row.Find(`[data-testid=pilot-comment]`).Text(), "Export hangs") {
		t.Fatalf("pilot row = %q (%s)", st, row.Text())
	}
	if got := text(doc, `[data-testid=pilot-tally]`); got != "0 works, 1 problem, 1 waiting" {
		t.Errorf("tally = %q", got)
	}
	item := doc.Find(`[data-testid=item][data-title="Pilot users confirm the feature works"]`)
	if got := strings.TrimSpace(item.Find(`[data-testid=item-pilot-tally]`).Text()); !strings.Contains(got, "1 problem") {
		t.Errorf("item's tally = %q", got)
	}
	// The audit names the tester.
	events := pilotEvents(t, s.testServer, rel.ID)
	if !pilotEvent(events, "pilot.invite", "tess@customer.example") || !pilotEvent(events, "pilot.answer", "Export hangs") {
		t.Errorf("audit lacks the invitation or the answer: %v", events)
	}
	for _, e := range events {
		if e.Action == "pilot.answer" && e.Actor != "pilot tester tess@customer.example" {
			t.Errorf("answer audited as %q", e.Actor)
		}
	}
}

// TestPilotProblemBecomesADefect: the QA lead makes a defect of a problem
// in one step; the defect tells where it came from and the row links it;
// a second try is refused; others may not.
func TestPilotProblemBecomesADefect(t *testing.T) {
	s := newServer(t)
	rel := s.verifyingRelease(t, "5.1.0")
	path := s.mustPilotLink(t, rel.ID, "tess@customer.example", s.store.Now())
	tess := s.client(t)
	tess.get(path)
	wantStatus(t, tess.post(path, url.Values{"answer": {"problem"}, "comment": {"Export hangs at 90%"}}), http.StatusSeeOther)
	invites, err := s.store.FindPilot(t.Context(), rel.ID)
	if err != nil || len(invites) != 1 {
		t.Fatal(invites, err)
	}
	defectPath := pilotRelPath(rel.ID) + "/pilot/" + itoa(invites[0].ID) + "/defect"

	po := s.signIn(t, "po")
	po.get(pilotRelPath(rel.ID))
	wantStatus(t, po.post(defectPath, nil), http.StatusForbidden)

	qa := s.signIn(t, "qa")
	_, doc := qa.get(pilotRelPath(rel.ID))
	if doc.Find(`[data-testid=pilot-make-defect]`).Length() != 1 {
		t.Fatal("the QA lead is not offered to make a defect")
	}
	res := qa.post(defectPath, nil)
	wantStatus(t, res, http.StatusSeeOther)
	defects, err := s.store.FindDefects(t.Context(), rel.ID)
	if err != nil || len(defects) != 1 {
		t.Fatalf("defects = %v, %v", defects, err)
	}
	d := defects[0]
	if d.Title != "Pilot: Export hangs at 90%" || !strings.Contains(d.Notes, "tess@customer.example") ||
		!strings.Contains(d.Notes, pilotRelPath(rel.ID)+"#pilot-"+itoa(invites[0].ID)) {
		t.Errorf("defect = %+v", d)
	}
	_, doc = qa.get(pilotRelPath(rel.ID))
	if href, _ := doc.Find(`[data-testid=pilot-defect-link]`).Attr("href"); !strings.HasSuffix(href, "#defect-"+itoa(d.ID)) {
		t.Errorf("the row links %q, want defect %d", href, d.ID)
	}
	wantStatus(t, qa.post(defectPath, nil), http.StatusConflict)
	if !pilotEvent(pilotEvents(t, s, rel.ID), "pilot.defect", "#"+itoa(d.ID)) {
		t.Error("making the defect is not audited")
	}
	// Meeting mode's live part carries the pilot, as the room sees it.
	_, doc = qa.getHX(pilotRelPath(rel.ID) + "/meeting?part=live")
	if got := text(doc, `[data-testid=m-pilot-tally]`); got != "0 works, 1 problem, 0 waiting" {
		t.Errorf("meeting mode's tally = %q", got)
	}
}

// TestPilotLinksRefused: a link never made is not found; a revoked or run
// out one, or one whose pilot is over, is gone; each with a page that says
// why, and none takes an answer.
func TestPilotLinksRefused(t *testing.T) {
	s := newServer(t)
	rel := s.verifyingRelease(t, "5.2.0")
	now := s.store.Now()
	expired := s.mustPilotLink(t, rel.ID, "old@customer.example", now.Add(-8*24*time.Hour))
	revoked := s.mustPilotLink(t, rel.ID, "gone@customer.example", now)
	over := s.verifyingRelease(t, "5.3.0")
	overLink := s.mustPilotLink(t, over.ID, "late@customer.example", now)
	s.setState(t, over.ID, gonogo.Released)

	// Revoking asks first, then stops the link.
	invites, _ := s.store.FindPilot(t.Context(), rel.ID)
	var gone gonogo.PilotInvite
	for _, p := range invites {
		if p.Email == "gone@customer.example" {
			gone = p
		}
	}
	rm := s.signIn(t, "rm")
	rm.get(pilotRelPath(rel.ID))
	revokePath := pilotRelPath(rel.ID) + "/pilot/" + itoa(gone.ID) + "/revoke"
	res := rm.post(revokePath, nil)
	wantStatus(t, res, http.StatusOK)
	if parse(t, res).Find(`[data-testid=confirm-page]`).Length() != 1 {
		t.Fatal("revoking does not ask first")
	}
	wantStatus(t, rm.post(revokePath, url.Values{"confirm": {"1"}}), http.StatusSeeOther)
	if !pilotEvent(pilotEvents(t, s, rel.ID), "pilot.revoke", "gone@customer.example") {
		t.Error("revoking is not audited")
	}
	qa := s.signIn(t, "qa")
	qa.get(pilotRelPath(rel.ID))
	wantStatus(t, qa.post(revokePath, url.Values{"confirm": {"1"}}), http.StatusForbidden)

	for _, tc := range []struct {
		name, path string
		status     int
		reason     string
	}{
		{"never made", "/pilot/gnp_" + strings.Repeat("A", 43), http.StatusNotFound, "not known"},
		{"mangled", "/pilot/x", http.StatusNotFound, "not known"},
		{"ran out", expired, http.StatusGone, "ran out"},
		{"revoked", revoked, http.StatusGone, "revoked"},
		{"pilot over", overLink, http.StatusGone, "over"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.client(t)
			res, doc := c.get(tc.path)
			wantStatus(t, res, tc.status)
			if !strings.Contains(text(doc, `[data-testid=pilot-gone-reason]`), tc.reason) {
				t.Errorf("page says %q, want it to say %q", text(doc, `[data-testid=pilot-gone-reason]`), tc.reason)
			}
			if doc.Find(`nav, [data-testid=pilot-form]`).Length() != 0 {
				t.Error("a refused link shows a form or the navigation")
			}
			c.get("/login") // a form token for this browser
			wantStatus(t, c.post(tc.path, url.Values{"answer": {"works"}}), tc.status)
		})
	}
	for _, p := range append(invites, func() []gonogo.PilotInvite { ps, _ := s.store.FindPilot(t.Context(), over.ID); return ps }()...) {
		if p.Answer != gonogo.PilotWaiting {
			t.Errorf("%s answered through a refused link", p.Email)
		}
	}
}

// TestPilotAnswersAreLimitedPerLink: a burst of answers through one link
// is cut off with a 429; another link is not held up by it.
func TestPilotAnswersAreLimitedPerLink(t *testing.T) {
	s := newServer(t)
	rel := s.verifyingRelease(t, "5.4.0")
	a := s.mustPilotLink(t, rel.ID, "a@customer.example", s.store.Now())
	b := s.mustPilotLink(t, rel.ID, "b@customer.example", s.store.Now())
	c := s.client(t)
	c.get(a)
	var last *http.Response
	for range 11 {
		last = c.post(a, url.Values{"answer": {"works"}})
	}
	wantStatus(t, last, http.StatusTooManyRequests)
	if last.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	c.get(b)
	wantStatus(t, c.post(b, url.Values{"answer": {"works"}}), http.StatusSeeOther)
}

// TestPilotInviteRefusals: only the release manager invites; bad input is
// shown by the field with what was typed; no pilot outside verifying.
func TestPilotInviteRefusals(t *testing.T) {
	s := newServer(t)
	rel := s.verifyingRelease(t, "5.5.0")
	for _, name := range []string{"qa", "po", "ops"} {
		c := s.signIn(t, name)
		c.get(pilotRelPath(rel.ID))
		wantStatus(t, c.post(pilotRelPath(rel.ID)+"/pilot", url.Values{"emails": {"x@customer.example"}}), http.StatusForbidden)
		_, doc := c.get(pilotRelPath(rel.ID))
		if doc.Find(`[data-testid=pilot-invite]`).Length() != 0 {
			t.Errorf("%s is shown the invitation form", name)
		}
	}
	rm := s.signIn(t, "rm")
	rm.get(pilotRelPath(rel.ID))
	res := rm.post(pilotRelPath(rel.ID)+"/pilot", url.Values{"emails": {"ok@customer.example, not an address"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc := parse(t, res)
	if msg := text(doc, `#pilot-invite-emails-error`); !strings.Contains(msg, "not") {
		t.Errorf("message by the field = %q", msg)
	}
	if got := doc.Find(`textarea[name=emails]`).Text(); !strings.Contains(got, "ok@customer.example") {
		t.Errorf("the form lost what was typed: %q", got)
	}
	if ps, _ := s.store.FindPilot(t.Context(), rel.ID); len(ps) != 0 {
		t.Errorf("a refused invitation stored %d rows", len(ps))
	}
	review := s.mustCreateRelease(t, "web", "5.6.0")
	s.move(t, review.ID, gonogo.OpenReview)
	rm.get(pilotRelPath(review.ID))
	wantStatus(t, rm.post(pilotRelPath(review.ID)+"/pilot", url.Values{"emails": {"x@customer.example"}}), http.StatusConflict)
}

// TestPilotItemClosedByAPersonOnly: a pipeline may not report the pilot's
// item; its owner closes it by hand.
func TestPilotItemClosedByAPersonOnly(t *testing.T) {
	s := newServer(t)
	rel := s.verifyingRelease(t, "5.7.0")
	tok := s.mustToken(t, "ci", "")
	s.call(t, http.MethodPost, "/api/v1/releases/web/5.7.0/checks/"+gonogo.PilotCheckKey, tok, `{"status":"pass"}`).want(t, http.StatusConflict)
	it := s.mustItem(t, rel.ID, "Pilot users confirm the feature works")
	po := s.signIn(t, "po")
	po.get(pilotRelPath(rel.ID))
	wantStatus(t, po.post(pilotRelPath(rel.ID)+"/items/"+itoa(it.ID), url.Values{"status": {"done"}, "evidence": {"7 works"}}), http.StatusSeeOther)
}

func pilotRelPath(id int64) string { return "/releases/" + itoa(id) }

// pilotEvents are a release's latest audit events.
func pilotEvents(t *testing.T, s *testServer, releaseID int64) []gonogo.Event {
	t.Helper()
	es, err := s.store.FindEventPage(t.Context(), releaseID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// pilotEvent reports whether an event of action mentions text.
func pilotEvent(es []gonogo.Event, action, text string) bool {
	for _, e := range es {
		if e.Action == action && strings.Contains(e.Detail, text) {
			return true
		}
	}
	return false
}

// TestPilotInvitesPeopleOfTheBoard: the release manager picks people of
// the board beside typing addresses; a person picked is invited as
// themselves and named by their name.
func TestPilotInvitesPeopleOfTheBoard(t *testing.T) {
	s := newServer(t)
	rel := s.verifyingRelease(t, "5.8.0")
	rm := s.signIn(t, "rm")
	_, doc := rm.get(pilotRelPath(rel.ID))
	if doc.Find(`[data-testid=pilot-people] option[value="qa@example.com"]`).Length() != 1 {
		t.Fatal("the form does not offer the QA lead")
	}
	res := rm.post(pilotRelPath(rel.ID)+"/pilot", url.Values{"people": {"qa@example.com", "eng@example.com"}, "emails": {"tess@customer.example"}})
	wantStatus(t, res, http.StatusSeeOther)
	ps, err := s.store.FindPilot(t.Context(), rel.ID)
	if err != nil || len(ps) != 3 {
		t.Fatalf("invites = %+v (%v)", ps, err)
	}
	for _, p := range ps {
		if p.Email == "qa@example.com" && (p.UserID != s.users["qa"].ID || p.Who() != "Qa Tester") {
			t.Errorf("the QA lead invited as %+v", p)
		}
		if p.Email == "tess@customer.example" && p.UserID != 0 {
			t.Errorf("the outside tester is a person of the board: %+v", p)
		}
	}
	// Picked again while their link works: refused, the picks kept.
	res = rm.post(pilotRelPath(rel.ID)+"/pilot", url.Values{"people": {"qa@example.com"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if parse(t, res).Find(`[data-testid=pilot-people] option[value="qa@example.com"][selected]`).Length() != 1 {
		t.Error("the refused form lost the pick")
	}
}
