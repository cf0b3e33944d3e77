package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/remind"
)

// at sets the store's clock to t, for the changes and ticks that follow.
func (s *testServer) at(t time.Time) { s.store.Now = func() time.Time { return t } }

// tick runs one pass of the reminders, as the scheduler does every minute.
func (s *testServer) tick(t *testing.T) {
	t.Helper()
	if err := remind.Tick(t.Context(), s.store); err != nil {
		t.Fatalf("tick: %v", err)
	}
}

// wantCount fails unless name's inbox holds n notifications of kind.
func wantCount(t *testing.T, s *testServer, name string, kind gonogo.NotificationKind, n int) []inboxRow {
	t.Helper()
	rows := ofKind(inbox(t, s.signIn(t, name)), kind)
	if len(rows) != n {
		t.Errorf("%s has %d notifications of %s, want %d: %+v", name, len(rows), kind, n, rows)
	}
	return rows
}

// remindedRelease is payments 2.4.0 opened for review at t0 with its
// window three days later, signed by every role but the QA lead and the
// support lead, whose sign-off is waived.
func remindedRelease(t *testing.T, s *testServer, t0 time.Time) gonogo.Release {
	t.Helper()
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.scheduleWindow(t, rel.ID, gonogo.Window{Start: t0.Add(72 * time.Hour), End: t0.Add(74 * time.Hour)})
	s.at(t0)
	s.move(t, rel.ID, gonogo.OpenReview)
	if err := s.store.SetWaiver(t.Context(), s.rmActor(), rel.ID, gonogo.WaiverChange{Role: gonogo.SupportLead, Reason: "no support impact"}); err != nil {
		t.Fatal(err)
	}
	for name, role := range map[string]gonogo.Role{"po": gonogo.ProductOwner, "eng": gonogo.EngineeringLead, "ops": gonogo.Ops, "rm": gonogo.ReleaseManager} {
		s.vote(t, rel.ID, name, role, gonogo.VoteGo, "")
	}
	return rel
}

func TestRemindersReachTheAwaitedRoleOnceAtTheirTime(t *testing.T) {
	s := inboxServer(t)
	t0 := time.Now().UTC().Truncate(time.Hour)
	rel := remindedRelease(t, s, t0)

	s.at(t0.Add(23 * time.Hour))
	s.tick(t)
	wantCount(t, s, "qa", gonogo.NotifyReminder, 0)

	// A day after the review opened: the QA lead hears, once however
	// often the scheduler looks.
	s.at(t0.Add(24 * time.Hour))
	s.tick(t)
	s.tick(t)
	rows := wantCount(t, s, "qa", gonogo.NotifyReminder, 1)
	if len(rows) == 1 && (rows[0].link != relURL(rel.ID)+"#role-qa-lead" || !strings.Contains(rows[0].text, "review has been open 24h")) {
		t.Errorf("the reminder is %+v", rows[0])
	}
	// Not those who signed, the waived role, the QA lead of another
	// product, anyone without a role.
	wantNotHeard(t, s, gonogo.NotifyReminder, "po", "ops", "rm", "support", "otherqa", "alice")

	// A day before the window: once more.
	s.at(t0.Add(48 * time.Hour))
	s.tick(t)
	s.at(t0.Add(50 * time.Hour))
	s.tick(t)
	rows = wantCount(t, s, "qa", gonogo.NotifyReminder, 2)
	if len(rows) == 2 && !strings.Contains(rows[0].text, "window starts in 24h") {
		t.Errorf("the second reminder says %q", rows[0].text)
	}

	// Four hours before the window, the QA lead still missing: the release
	// manager and the product owner hear of it, once.
	s.at(t0.Add(67 * time.Hour))
	s.tick(t)
	wantCount(t, s, "rm", gonogo.NotifyEscalation, 0)
	s.at(t0.Add(68 * time.Hour))
	s.tick(t)
	s.tick(t)
	for _, name := range []string{"rm", "po"} {
		rows := wantCount(t, s, name, gonogo.NotifyEscalation, 1)
		if len(rows) == 1 && !strings.Contains(rows[0].text, "the QA lead has not signed payments 2.4.0 and its window starts in 4h") {
			t.Errorf("%s's escalation says %q", name, rows[0].text)
		}
	}
	wantNotHeard(t, s, gonogo.NotifyEscalation, "qa", "support", "alice")
	wantCount(t, s, "qa", gonogo.NotifyReminder, 2)

	// The trail says what the board sent, by itself.
	_, doc := s.signIn(t, "admin").get("/admin/audit")
	trail := doc.Text()
	for _, want := range []string{"reminded the QA lead to sign off payments 2.4.0", "escalated payments 2.4.0"} {
		if !strings.Contains(trail, want) {
			t.Errorf("the trail does not say %q", want)
		}
	}
}

func TestRemindersAreNotRepeatedAfterARestartNorForASignedRole(t *testing.T) {
	s := inboxServer(t)
	t0 := time.Now().UTC().Truncate(time.Hour)
	rel := remindedRelease(t, s, t0)
	s.at(t0.Add(25 * time.Hour))
	// A scheduler started and stopped, as a server is: its first tick
	// sends; a second scheduler, after the "restart", sends nothing new.
	for range 2 {
		sch := remind.Start(s.store, remind.Options{Interval: time.Hour})
		waitFor(t, func() bool { return len(ofKind(inbox(t, s.signIn(t, "qa")), gonogo.NotifyReminder)) > 0 })
		sch.Close()
	}
	wantCount(t, s, "qa", gonogo.NotifyReminder, 1)

	// Once the QA lead signed, nothing more reaches them, nor escalates.
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteGo, "")
	s.at(t0.Add(69 * time.Hour))
	s.tick(t)
	wantCount(t, s, "qa", gonogo.NotifyReminder, 1)
	wantCount(t, s, "rm", gonogo.NotifyEscalation, 0)
}

func TestARemindersKindCanBeSwitchedOff(t *testing.T) {
	s := inboxServer(t)
	t0 := time.Now().UTC().Truncate(time.Hour)
	remindedRelease(t, s, t0)
	qa := s.signIn(t, "qa")
	_, doc := qa.get("/profile")
	if doc.Find(`input[name=reminder][value=off]`).Length() != 1 || doc.Find(`input[name=escalation]`).Length() != 3 {
		t.Fatal("the profile offers no choice for reminders and escalations")
	}
	wantStatus(t, qa.post("/profile/notifications", url.Values{"reminder": {"off"}}), http.StatusSeeOther)
	s.at(t0.Add(30 * time.Hour))
	s.tick(t)
	wantCount(t, s, "qa", gonogo.NotifyReminder, 0)
}

// waitFor waits, up to a deadline, for ok.
func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTheTeamsReminderHoursAreSavedAuditedAndRefusedBesideTheirField(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	_, doc := admin.get("/admin/settings")
	if v, _ := doc.Find(`input[name=remind_after_open]`).Attr("value"); v != "24" {
		t.Errorf("the team's first reminder shows %q, want the default 24", v)
	}
	res := admin.post("/admin/settings", url.Values{"zone": {"Europe/Berlin"}, "remind_after_open": {"-3"}, "remind_before_window": {"soon"},
		"escalate_before_window": {"2"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	for _, f := range []string{"remind_after_open", "remind_before_window"} {
		if msg := text(doc, "#settings-"+f+"-error"); !strings.Contains(msg, "whole number of hours") {
			t.Errorf("beside %s: %q", f, msg)
		}
	}
	if v, _ := doc.Find(`input[name=remind_before_window]`).Attr("value"); v != "soon" {
		t.Errorf("the refused form lost what was typed: %q", v)
	}
	if got, _ := s.store.FindTeamSettings(t.Context()); got.Zone != "" {
		t.Errorf("a refused form saved %+v", got)
	}
	wantStatus(t, admin.post("/admin/settings", url.Values{"zone": {"Europe/Berlin"}, "remind_after_open": {"12"},
		"remind_before_window": {"0"}, "escalate_before_window": {"2"}}), http.StatusSeeOther)
	got, _ := s.store.FindTeamSettings(t.Context())
	if want := (gonogo.ReminderSettings{AfterOpen: 12, Escalate: 2}); got.RemindersOrDefault() != want {
		t.Errorf("saved %+v, want %+v", got.RemindersOrDefault(), want)
	}
	_, doc = admin.get("/admin/audit")
	if !strings.Contains(doc.Text(), "remind after opening 12 hours, remind before the window off, escalate before the window 2 hours") {
		t.Error("the trail does not say which reminder hours were set")
	}
}

func TestAProductsOwnReminderHoursOverrideTheTeams(t *testing.T) {
	s := inboxServer(t)
	admin := s.signIn(t, "admin")
	admin.get("/admin/products")
	wantStatus(t, admin.post("/admin/products", url.Values{"key": {"payments"}, "name": {"Payments"}}), http.StatusSeeOther)
	admin.get("/admin/products/payments")
	res := admin.post("/admin/products/payments/reminders", url.Values{"remind_after_open": {"721"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := text(parse(t, res), "#reminders-remind_after_open-error"); !strings.Contains(msg, "from 0 (off) to 720") {
		t.Errorf("beside the field: %q", msg)
	}
	wantStatus(t, admin.post("/admin/products/payments/reminders", url.Values{"remind_after_open": {"2"}, "remind_before_window": {""},
		"escalate_before_window": {"0"}}), http.StatusSeeOther)
	_, doc := admin.get("/admin/products/payments")
	if v, _ := doc.Find(`[data-testid=product-reminders] input[name=remind_after_open]`).Attr("value"); v != "2" {
		t.Errorf("the product's first reminder shows %q", v)
	}
	if p, _ := doc.Find(`[data-testid=product-reminders] input[name=remind_before_window]`).Attr("placeholder"); p != "team: 24" {
		t.Errorf("an empty field's placeholder is %q, want the team's hours", p)
	}

	// The product's two hours time its release's reminder, and its
	// escalation is off.
	t0 := time.Now().UTC().Truncate(time.Hour)
	remindedRelease(t, s, t0)
	s.at(t0.Add(2 * time.Hour))
	s.tick(t)
	wantCount(t, s, "qa", gonogo.NotifyReminder, 1)
	s.at(t0.Add(71 * time.Hour))
	s.tick(t)
	wantCount(t, s, "rm", gonogo.NotifyEscalation, 0)
}
