package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// inboxRow is one notification as a person sees it on /inbox.
type inboxRow struct {
	id, kind, text, link string
	unread               bool
}

// inbox reads the first page of c's inbox.
func inbox(t *testing.T, c *client) []inboxRow {
	t.Helper()
	res, doc := c.get("/inbox")
	wantStatus(t, res, http.StatusOK)
	return inboxRows(doc)
}

func inboxRows(doc *goquery.Document) []inboxRow {
	var out []inboxRow
	doc.Find("[data-testid=notification]").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		kind, _ := s.Attr("data-kind")
		link, _ := s.Find("[data-testid=notification-link]").Attr("href")
		unread, _ := s.Attr("data-unread")
		text := strings.Join(strings.Fields(strings.TrimPrefix(strings.TrimSpace(s.Find("[data-testid=notification-link]").Text()), "Unread:")), " ")
		out = append(out, inboxRow{id: strings.TrimPrefix(id, "notification-"), kind: kind, text: text, link: link, unread: unread == "true"})
	})
	return out
}

// ofKind is the rows of kind.
func ofKind(rows []inboxRow, kind gonogo.NotificationKind) []inboxRow {
	var out []inboxRow
	for _, r := range rows {
		if r.kind == string(kind) {
			out = append(out, r)
		}
	}
	return out
}

// wantHeard fails unless each of the people heard exactly one
// notification of kind, leading to link.
func wantHeard(t *testing.T, s *testServer, kind gonogo.NotificationKind, link string, names ...string) {
	t.Helper()
	for _, name := range names {
		rows := ofKind(inbox(t, s.signIn(t, name)), kind)
		if len(rows) != 1 || rows[0].link != link || !rows[0].unread {
			t.Errorf("%s's inbox has %+v of %s, want one unread leading to %s", name, rows, kind, link)
		}
	}
}

// wantNotHeard fails if any of the people heard of kind.
func wantNotHeard(t *testing.T, s *testServer, kind gonogo.NotificationKind, names ...string) {
	t.Helper()
	for _, name := range names {
		if rows := ofKind(inbox(t, s.signIn(t, name)), kind); len(rows) != 0 {
			t.Errorf("%s heard %+v, who should not hear of %s", name, rows, kind)
		}
	}
}

// inboxServer is a server with, beside one person per role for every
// product, a QA lead of another product only and a person without roles.
func inboxServer(t *testing.T) *testServer {
	t.Helper()
	s := newServer(t)
	s.mustScopedUser(t, "otherqa", gonogo.Grant{Role: gonogo.QALead, Product: "web"})
	s.mustCreateUser(t, "alice", nil, false)
	return s
}

func relURL(id int64) string { return "/releases/" + itoa(id) }

func TestOpeningAReviewTellsTheRequiredRoles(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	rm := s.signIn(t, "rm")
	rm.get(relURL(rel.ID))
	wantStatus(t, rm.post(relURL(rel.ID)+"/transitions", url.Values{"transition": {"open-review"}, "confirm": {"1"}}), http.StatusSeeOther)

	wantHeard(t, s, gonogo.NotifyReview, relURL(rel.ID)+"#role-qa-lead", "qa")
	wantHeard(t, s, gonogo.NotifyReview, relURL(rel.ID)+"#role-ops", "ops")
	// Not the release manager who opened it, not the QA lead of another
	// product, not a person without a role.
	wantNotHeard(t, s, gonogo.NotifyReview, "rm", "otherqa", "alice")
	rows := ofKind(inbox(t, s.signIn(t, "qa")), gonogo.NotifyReview)
	if !strings.Contains(rows[0].text, "payments 2.4.0") || !strings.Contains(rows[0].text, "your sign-off is needed") {
		t.Errorf("the notification says %q", rows[0].text)
	}
}

func TestADeputyInTheirPeriodHearsWhatTheHolderWould(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	now := time.Now()
	if _, err := s.store.NameDeputy(t.Context(), s.actorOf("qa"), gonogo.DeputyInput{
		Role: gonogo.QALead, DeputyID: s.users["admin"].ID, From: now.Add(-time.Hour), Until: now.Add(24 * time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	s.move(t, rel.ID, gonogo.OpenReview)
	wantHeard(t, s, gonogo.NotifyReview, relURL(rel.ID)+"#role-qa-lead", "admin", "qa")
}

func TestANudgeTellsTheHoldersOfTheRole(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.registerWebhook(t, s.signIn(t, "admin"), "http://127.0.0.1:9/nudges", gonogo.TopicNudge)
	rm := s.signIn(t, "rm")
	rm.get(relURL(rel.ID))
	wantStatus(t, rm.post(relURL(rel.ID)+"/nudge", url.Values{"role": {"qa-lead"}}), http.StatusSeeOther)

	wantHeard(t, s, gonogo.NotifyNudge, relURL(rel.ID)+"#role-qa-lead", "qa")
	wantNotHeard(t, s, gonogo.NotifyNudge, "ops", "rm", "otherqa")
}

func TestAMentionTellsThePersonAndTheRole(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	ops := s.signIn(t, "ops")
	ops.get(relURL(rel.ID))
	wantStatus(t, ops.post(relURL(rel.ID)+"/comments", url.Values{"body": {"@qa and @alice: the refund flow needs a look. @ops FYI"}}), http.StatusSeeOther)
	comments, err := s.store.FindComments(t.Context(), rel.ID, rel.Cycle)
	if err != nil || len(comments) != 1 {
		t.Fatalf("comments %v %v", comments, err)
	}
	link := relURL(rel.ID) + "#comment-" + itoa(comments[0].ID)
	wantHeard(t, s, gonogo.NotifyMention, link, "qa", "alice")
	// Ops wrote it (and called on their own role); the others were not called.
	wantNotHeard(t, s, gonogo.NotifyMention, "ops", "eng", "otherqa")
}

func TestAFailedItemTellsItsOwnerByHandAndByCI(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	items, _ := s.store.FindItems(t.Context(), rel.ID)
	var byHand, byCI gonogo.Item
	for _, it := range items {
		switch {
		case it.Phase != gonogo.Readiness:
		case it.CheckKey != "" && byCI.ID == 0:
			byCI = it
		case it.CheckKey == "" && it.OwnerRole == gonogo.Ops && byHand.ID == 0:
			byHand = it
		}
	}
	if byHand.ID == 0 || byCI.ID == 0 {
		t.Fatal("the template has no ops item and no checked item")
	}
	rm := s.signIn(t, "rm")
	rm.get(relURL(rel.ID))
	wantStatus(t, rm.post(relURL(rel.ID)+"/items/"+itoa(byHand.ID), url.Values{"status": {"failed"}, "evidence": {"https://ci.example.com/1"}}), http.StatusSeeOther)
	wantHeard(t, s, gonogo.NotifyItemFailed, relURL(rel.ID)+"#item-"+itoa(byHand.ID), "ops")
	wantNotHeard(t, s, gonogo.NotifyItemFailed, "rm", "qa", "otherqa")

	token := s.mustToken(t, "ci", "")
	s.call(t, http.MethodPost, "/api/v1/releases/payments/2.4.0/checks/"+byCI.CheckKey, token, `{"status":"fail","summary":"3 tests failed"}`).want(t, http.StatusOK)
	owner := map[gonogo.Role]string{gonogo.ProductOwner: "po", gonogo.EngineeringLead: "eng", gonogo.QALead: "qa", gonogo.Ops: "ops",
		gonogo.SupportLead: "support", gonogo.ReleaseManager: "rm"}[byCI.OwnerRole]
	c := s.signIn(t, owner)
	var found bool
	for _, r := range ofKind(inbox(t, c), gonogo.NotifyItemFailed) {
		found = found || r.link == relURL(rel.ID)+"#item-"+itoa(byCI.ID)
	}
	if !found {
		t.Errorf("%s, who owns %q, did not hear that CI failed it", owner, byCI.Title)
	}
}

func TestAConditionTellsItsRole(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	qa := s.signIn(t, "qa")
	qa.get(relURL(rel.ID))
	wantStatus(t, qa.post(relURL(rel.ID)+"/votes", url.Values{"role": {"qa-lead"}, "value": {"go"}, "conditions": {"ops: deploy off-peak"}}), http.StatusSeeOther)
	var cond gonogo.Item
	items, _ := s.store.FindItems(t.Context(), rel.ID)
	for _, it := range items {
		if it.IsCondition() {
			cond = it
		}
	}
	wantHeard(t, s, gonogo.NotifyCondition, relURL(rel.ID)+"#item-"+itoa(cond.ID), "ops")
	wantNotHeard(t, s, gonogo.NotifyCondition, "qa", "eng")
}

func TestADecisionTellsThoseWhoSigned(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteNoGo, "refunds untested")
	s.vote(t, rel.ID, "eng", gonogo.EngineeringLead, gonogo.VoteGo, "")
	wantStatus(t, s.decideNoGo(t, s.signIn(t, "rm"), rel.ID), http.StatusSeeOther)

	wantHeard(t, s, gonogo.NotifyDecision, relURL(rel.ID)+"/decisions/1", "qa", "eng")
	wantNotHeard(t, s, gonogo.NotifyDecision, "po", "rm", "otherqa")
}

func TestAMovedWindowTellsThoseWhoSigned(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.vote(t, rel.ID, "ops", gonogo.Ops, gonogo.VoteGo, "")
	rm := s.signIn(t, "rm")
	rm.get(relURL(rel.ID))
	wantStatus(t, rm.post(relURL(rel.ID)+"/window", url.Values{"window_start": {"2099-03-03T20:00"}, "window_end": {"2099-03-03T22:00"}}), http.StatusSeeOther)

	wantHeard(t, s, gonogo.NotifyWindow, relURL(rel.ID)+"#release-head", "ops")
	wantNotHeard(t, s, gonogo.NotifyWindow, "qa", "rm")
}

func TestShippingAndRollingBackTellThoseWhoSigned(t *testing.T) {
	s := inboxServer(t)
	shipped := s.mustGoRelease(t, "payments", "2.4.0")
	s.move(t, shipped.ID, gonogo.StartDeploy)
	s.move(t, shipped.ID, gonogo.FinishDeploy)
	s.settleVerification(t, shipped.ID)
	rm := s.signIn(t, "rm")
	rm.get(relURL(shipped.ID))
	wantStatus(t, rm.post(relURL(shipped.ID)+"/transitions", url.Values{"transition": {"mark-released"}, "confirm": {"1"}}), http.StatusSeeOther)
	wantHeard(t, s, gonogo.NotifyShipped, relURL(shipped.ID)+"#release-head", "qa", "ops")
	wantNotHeard(t, s, gonogo.NotifyShipped, "rm", "otherqa", "alice")

	// A pipeline's rollback tells them too: a token is nobody, so the
	// release manager, who signed, hears of it as well.
	back := s.mustGoRelease(t, "payments", "2.5.0")
	s.move(t, back.ID, gonogo.StartDeploy)
	token := s.mustToken(t, "deploy", "")
	s.call(t, http.MethodPost, "/api/v1/releases/payments/2.5.0/events", token, `{"event":"rolled-back","summary":"error rate up"}`).want(t, http.StatusOK)
	for _, name := range []string{"qa", "rm"} {
		var found bool
		for _, r := range ofKind(inbox(t, s.signIn(t, name)), gonogo.NotifyShipped) {
			found = found || (r.link == relURL(back.ID)+"#release-head" && strings.Contains(r.text, "rolled back"))
		}
		if !found {
			t.Errorf("%s did not hear that payments 2.5.0 rolled back", name)
		}
	}
}

func TestSwitchingAKindOffStopsIt(t *testing.T) {
	s := inboxServer(t)
	qa := s.signIn(t, "qa")
	res, doc := qa.get("/profile")
	wantStatus(t, res, http.StatusOK)
	if _, ok := doc.Find("[data-testid=pref-review-email]").Attr("checked"); !ok {
		t.Error("“your sign-off is needed” is not by email by default")
	}
	if _, ok := doc.Find("[data-testid=pref-window-inbox]").Attr("checked"); !ok {
		t.Error("“the window moved” is not in the inbox by default")
	}
	action, form := formOf(t, doc, "[data-testid=prefs-form]", "")
	form.Set("review", "off")
	form.Set("decision", "email")
	wantStatus(t, qa.post(action, form), http.StatusSeeOther)
	_, doc = qa.get("/profile")
	if _, ok := doc.Find("[data-testid=pref-review-off]").Attr("checked"); !ok {
		t.Fatal("the choice of off was not kept")
	}
	events := s.lastEvents(t, 1)
	if events[0].Action != string(gonogo.ActionNotifyPrefs) || !strings.Contains(events[0].Detail, "Your sign-off is needed: off") {
		t.Errorf("the change was audited as %+v", events[0])
	}

	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	wantNotHeard(t, s, gonogo.NotifyReview, "qa")
	wantHeard(t, s, gonogo.NotifyReview, relURL(rel.ID)+"#role-ops", "ops")

	// A channel that is none of the three is refused, next to its kind.
	_, doc = qa.get("/profile")
	action, form = formOf(t, doc, "[data-testid=prefs-form]", "")
	form.Set("nudge", "pager")
	res = qa.post(action, form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := text(parse(t, res), "[data-testid=pref-nudge] [data-testid=prefs-error]"); !strings.Contains(msg, "inbox, email or off") {
		t.Errorf("the refusal says %q", msg)
	}
}

func TestMarkingReadOneAndAll(t *testing.T) {
	s := inboxServer(t)
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		s.move(t, s.mustCreateRelease(t, "payments", v).ID, gonogo.OpenReview)
	}
	qa := s.signIn(t, "qa")
	res, doc := qa.get("/")
	wantStatus(t, res, http.StatusOK)
	bell := doc.Find("[data-testid=inbox-bell]")
	if label, _ := bell.Attr("aria-label"); label != "Inbox, 3 unread" || text(doc, "[data-testid=bell-count]") != "3" {
		t.Fatalf("the bell reads %q %q", label, text(doc, "[data-testid=bell-count]"))
	}

	// Without JavaScript: the form marks it read and returns to the inbox.
	_, doc = qa.get("/inbox")
	rows := inboxRows(doc)
	action, form := formOf(t, doc, "#notification-"+rows[0].id+" form", "")
	res = qa.post(action, form)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/inbox" {
		t.Errorf("marking read led to %q", loc)
	}
	rows = inbox(t, qa)
	if rows[0].unread || !rows[1].unread {
		t.Fatalf("after marking the first read: %+v", rows)
	}

	// With htmx: the row swaps, and the bell beside it.
	res = qa.postHX("/inbox/"+rows[1].id+"/read", url.Values{})
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	if got := inboxRows(doc); len(got) != 1 || got[0].unread {
		t.Errorf("the answer's row is %+v", got)
	}
	if l, _ := doc.Find("[data-testid=inbox-bell][data-hx-swap-oob]").Attr("aria-label"); l != "Inbox, 1 unread" {
		t.Errorf("the answer's bell reads %q", l)
	}

	// Another person's notification is not found, and nothing is read.
	ops := s.signIn(t, "ops")
	ops.get("/inbox")
	wantStatus(t, ops.post("/inbox/"+rows[2].id+"/read", url.Values{}), http.StatusNotFound)
	if !inbox(t, qa)[2].unread {
		t.Error("another person marked qa's notification read")
	}

	_, doc = qa.get("/inbox")
	action, form = formOf(t, doc, "form:has([data-testid=mark-all-read])", "")
	wantStatus(t, qa.post(action, form), http.StatusSeeOther)
	_, doc = qa.get("/inbox")
	if doc.Find("[data-testid=notification][data-unread=true]").Length() != 0 || doc.Find("[data-testid=bell-count]").Length() != 0 {
		t.Error("mark all read left some unread")
	}
	if l, _ := doc.Find("[data-testid=inbox-bell]").Attr("aria-label"); l != "Inbox, nothing unread" {
		t.Errorf("the bell reads %q", l)
	}
	if len(inbox(t, ops)) == 0 {
		t.Error("qa's mark all read read ops's inbox too")
	}
	// Without a CSRF token nothing is marked.
	wantStatus(t, ops.postRaw("/inbox/read-all", url.Values{}, map[string]string{"X-CSRF-Token": "forged"}), http.StatusForbidden)
}

func TestTheInboxIsPagedNewestFirst(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	for i := range 54 {
		if _, err := s.store.AddComment(t.Context(), s.actorOf("ops"), rel.ID, gonogo.CommentInput{Body: "@qa look at " + itoa(int64(i))}); err != nil {
			t.Fatal(err)
		}
	}
	qa := s.signIn(t, "qa")
	_, doc := qa.get("/inbox")
	first := inboxRows(doc)
	if len(first) != 50 || !strings.HasSuffix(first[0].text, "look at 53") {
		t.Fatalf("the first page has %d rows, the first %+v", len(first), first[0])
	}
	older, ok := doc.Find("[data-testid=older-link]").Attr("href")
	if !ok {
		t.Fatal("no link to older notifications")
	}
	_, doc = qa.get(older)
	second := inboxRows(doc)
	if len(second) != 5 || second[4].kind != string(gonogo.NotifyReview) || doc.Find("[data-testid=older-link]").Length() != 0 {
		t.Fatalf("the second page: %+v", second)
	}
	if href, _ := doc.Find("[data-testid=newest-link]").Attr("href"); href != "/inbox" {
		t.Errorf("the way back to the newest is %q", href)
	}
	wantStatus(t, func() *http.Response { r, _ := qa.get("/inbox?before=abc"); return r }(), http.StatusUnprocessableEntity)
}

func TestTheBellFollowsTheStream(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	qa := s.signIn(t, "qa")
	events, stop := openStream(t, qa, "scope=board", "")
	defer stop()
	if b := next(t, events, "inbox"); !strings.Contains(b.data, `aria-label="Inbox, nothing unread"`) {
		t.Fatalf("the stream opened with the bell %q", b.data)
	}
	ops := s.signIn(t, "ops")
	opsEvents, stopOps := openStream(t, ops, "scope=release&release="+itoa(rel.ID), "")
	defer stopOps()
	next(t, opsEvents, "inbox")

	s.move(t, rel.ID, gonogo.OpenReview)
	b := next(t, events, "inbox")
	if !strings.Contains(b.data, `aria-label="Inbox, 1 unread"`) {
		t.Fatalf("the bell after the review opened: %q", b.data)
	}
	next(t, opsEvents, "inbox")

	// Reading in one tab sets the bell of the others.
	row := inbox(t, qa)[0]
	wantStatus(t, qa.postHX("/inbox/"+row.id+"/read", url.Values{}), http.StatusOK)
	if b := next(t, events, "inbox"); !strings.Contains(b.data, `aria-label="Inbox, nothing unread"`) {
		t.Fatalf("the bell after reading: %q", b.data)
	}
	// Ops's stream heard nothing of qa's reading: the count is per person.
	s.vote(t, rel.ID, "eng", gonogo.EngineeringLead, gonogo.VoteGo, "")
	for e := range opsEvents {
		if e.name == "inbox" {
			t.Fatalf("ops's stream was sent a bell %q for qa's reading", e.data)
		}
		if e.name == "vote" {
			break
		}
	}
}
