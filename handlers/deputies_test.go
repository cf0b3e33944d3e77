package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// deputyEnv is a server with Oskar, who holds ops for every product, and
// Ana, who holds ops for mobile only, on a clock the test moves.
type deputyEnv struct {
	*testServer
	oskar, ana gonogo.User
	clock      atomic.Int64 // unix seconds of the store's Now
}

func newDeputyEnv(t *testing.T) *deputyEnv {
	t.Helper()
	e := &deputyEnv{testServer: newServer(t)}
	e.clock.Store(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC).Unix())
	e.store.Now = func() time.Time { return time.Unix(e.clock.Load(), 0).UTC() }
	e.oskar = e.mustPerson(t, "oskar", "Oskar Ops", gonogo.Grants{{Role: gonogo.Ops}})
	e.ana = e.mustPerson(t, "ana", "Ana Ops", gonogo.Grants{{Role: gonogo.Ops, Product: "mobile"}})
	return e
}

func (e *deputyEnv) now() time.Time { return time.Unix(e.clock.Load(), 0).UTC() }

func (e *deputyEnv) move(d time.Duration) { e.clock.Add(int64(d / time.Second)) }

// mustPerson makes a person with a name and grants of their own.
func (e *deputyEnv) mustPerson(t *testing.T, short, name string, gs gonogo.Grants) gonogo.User {
	t.Helper()
	u, err := e.store.CreateUser(t.Context(), gonogo.SystemActor, gonogo.NewUser{
		Email: short + "@example.com", Name: name, Password: testPassword, Products: gs,
	})
	if err != nil {
		t.Fatalf("create %s: %v", short, err)
	}
	return u
}

// local is t as a datetime-local field holds it (the team's zone is UTC).
func local(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") }

func deputyForm(role gonogo.Role, deputy int64, from, until time.Time) url.Values {
	return url.Values{"role": {string(role)}, "deputy": {itoa(deputy)}, "from": {local(from)}, "until": {local(until)}}
}

// Oskar names Ana his deputy as ops for a week; Ana signs payments'
// release as ops, and the vote, the release page, the audit trail and the
// decision record say she signed as Oskar's deputy. After the week she is
// refused, and told why.
func TestDeputySignsForTheHolderInTheirPeriod(t *testing.T) {
	e := newDeputyEnv(t)
	rel := e.mustCreateRelease(t, "payments", "3.0.0")
	e.testServer.move(t, rel.ID, gonogo.OpenReview)
	oskar := e.signIn(t, "oskar")
	_, doc := oskar.get("/profile")
	if doc.Find(`[data-testid=deputies-form] select[name=deputy] option[value="`+itoa(e.ana.ID)+`"]`).Length() != 1 {
		t.Fatal("the profile offers no form to name Ana as a deputy")
	}
	from, until := e.now().Add(-time.Hour), e.now().Add(7*24*time.Hour)
	wantStatus(t, oskar.post("/profile/deputies", deputyForm(gonogo.Ops, e.ana.ID, from, until)), http.StatusSeeOther)
	_, doc = oskar.get("/profile")
	row := doc.Find(`[data-testid=deputyship]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), "Ana Ops") || !strings.Contains(row.Text(), "Ops") {
		t.Fatalf("the profile lists %d deputyships: %q", row.Length(), row.Text())
	}

	ana := e.signIn(t, "ana")
	vote := func() url.Values {
		return url.Values{"role": {"ops"}, "value": {"go"}, "comment": {"Runbook checked."}}
	}
	wantStatus(t, ana.post("/releases/"+itoa(rel.ID)+"/votes", vote()), http.StatusSeeOther)
	const signer = "Ana Ops (deputy for Oskar Ops)"
	votes, err := e.store.FindVotes(t.Context(), rel.ID)
	if err != nil || len(votes) != 1 || votes[0].UserName != signer || votes[0].UserID != e.ana.ID {
		t.Fatalf("votes %+v, %v", votes, err)
	}
	_, doc = ana.get("/releases/" + itoa(rel.ID))
	if got := doc.Find(`#role-ops`).Text(); !strings.Contains(got, signer) {
		t.Errorf("the release page's ops sign-off reads %q", got)
	}
	events, _ := e.store.FindEvents(t.Context(), 20)
	if !hasEvent(events, gonogo.ActionVote, "Ana Ops", "deputy for Oskar Ops") {
		t.Errorf("the audit trail does not say Ana signed as Oskar's deputy: %+v", events)
	}
	if !hasEvent(events, "deputy.name", "Oskar Ops", "Ana Ops") {
		t.Errorf("the audit trail does not record naming the deputy")
	}
	d := e.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "Not this week."})
	_, doc = ana.get("/releases/" + itoa(rel.ID) + "/decisions/" + itoa(int64(d.Number)))
	if got := doc.Find(`[data-testid=record-vote][data-role=ops]`).Text(); !strings.Contains(got, signer) {
		t.Errorf("the decision record's ops vote reads %q", got)
	}

	// After the week Ana no longer holds ops for payments.
	later := e.mustCreateRelease(t, "payments", "3.0.1")
	e.testServer.move(t, later.ID, gonogo.OpenReview)
	e.move(8 * 24 * time.Hour)
	ana = e.signIn(t, "ana") // her session of a week ago has run out
	res := ana.post("/releases/"+itoa(later.ID)+"/votes", vote())
	msg := strings.Join(strings.Fields(mustParse(t, res).Find("main").Text()), " ")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(msg, "deputy for Oskar Ops ended") {
		t.Fatalf("a vote after the period: %d %q", res.StatusCode, msg)
	}
	if votes, _ := e.store.FindVotes(t.Context(), later.ID); len(votes) != 0 {
		t.Fatalf("the later release holds %d votes", len(votes))
	}
}

// hasEvent reports whether an event of action by actor mentions text.
func hasEvent(es []gonogo.Event, action gonogo.Action, actor, text string) bool {
	for _, ev := range es {
		if ev.Action == string(action) && ev.Actor == actor && strings.Contains(ev.Detail, text) {
			return true
		}
	}
	return false
}

// Ending a deputyship early takes the role away at once; naming the
// deputy again gives it back. Dana holds no role of her own: as a deputy
// she signs for Oskar, and for nobody else.
func TestEndingADeputyshipEarly(t *testing.T) {
	e := newDeputyEnv(t)
	dana := e.mustPerson(t, "dana", "Dana Doe", nil)
	rel := e.mustCreateRelease(t, "payments", "3.1.0")
	e.testServer.move(t, rel.ID, gonogo.OpenReview)
	oskar := e.signIn(t, "oskar")
	name := func() url.Values { return deputyForm(gonogo.Ops, dana.ID, e.now(), e.now().Add(48*time.Hour)) }
	wantStatus(t, oskar.post("/profile/deputies", name()), http.StatusSeeOther)
	ds, err := e.store.FindDeputyships(t.Context(), e.oskar.ID)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deputyships %+v, %v", ds, err)
	}
	_, doc := oskar.get("/profile")
	if doc.Find(`[data-testid=deputyship] form[action="/profile/deputies/`+itoa(ds[0].ID)+`/end"]`).Length() != 1 {
		t.Fatal("the profile offers no way to end the deputyship")
	}
	d := e.signIn(t, "dana")
	vote := func(role gonogo.Role) url.Values { return url.Values{"role": {string(role)}, "value": {"go"}} }
	wantStatus(t, d.post("/releases/"+itoa(rel.ID)+"/votes", vote(gonogo.QALead)), http.StatusForbidden)
	wantStatus(t, d.post("/releases/"+itoa(rel.ID)+"/votes", vote(gonogo.Ops)), http.StatusSeeOther)
	votes, _ := e.store.FindVotes(t.Context(), rel.ID)
	if len(votes) != 1 || votes[0].UserName != "Dana Doe (deputy for Oskar Ops)" {
		t.Fatalf("votes %+v", votes)
	}

	wantStatus(t, oskar.post("/profile/deputies/"+itoa(ds[0].ID)+"/end", nil), http.StatusSeeOther)
	wantStatus(t, d.post("/releases/"+itoa(rel.ID)+"/votes", vote(gonogo.Ops)), http.StatusForbidden)
	// Naming her again gives the role back; she cannot end it herself.
	wantStatus(t, oskar.post("/profile/deputies", name()), http.StatusSeeOther)
	ds, _ = e.store.FindDeputyships(t.Context(), e.oskar.ID)
	wantStatus(t, d.post("/profile/deputies/"+itoa(ds[0].ID)+"/end", nil), http.StatusForbidden)
	wantStatus(t, d.post("/releases/"+itoa(rel.ID)+"/votes", vote(gonogo.Ops)), http.StatusSeeOther)
}

// An admin sees a person's deputyships on their page, those they named
// and those naming them, and ends one early there: someone left, or a
// holiday was cut short.
func TestAdminEndsADeputyship(t *testing.T) {
	e := newDeputyEnv(t)
	dana := e.mustPerson(t, "dana", "Dana Doe", nil)
	oskar := e.signIn(t, "oskar")
	wantStatus(t, oskar.post("/profile/deputies", deputyForm(gonogo.Ops, dana.ID, e.now(), e.now().Add(48*time.Hour))), http.StatusSeeOther)
	ds, _ := e.store.FindDeputyships(t.Context(), e.oskar.ID)

	admin := e.signIn(t, "admin")
	for _, tc := range []struct {
		user gonogo.User
		says string
	}{{e.oskar, "Dana Doe is deputy for Oskar Ops as ops"}, {dana, "Dana Doe is deputy for Oskar Ops as ops"}} {
		_, doc := admin.get("/admin/users/" + itoa(tc.user.ID))
		row := doc.Find(`[data-testid=person-deputyship]`)
		if row.Length() != 1 || !strings.Contains(row.Text(), tc.says) {
			t.Fatalf("%s's page lists the deputyships %q", tc.user.Name, row.Text())
		}
	}
	_, doc := admin.get("/admin/users/" + itoa(dana.ID))
	action, form := formOf(t, doc, `[data-testid=person-deputyship] form`, "")
	res := admin.post(action, form)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/admin/users/"+itoa(dana.ID)+"#deputies" {
		t.Errorf("back to %q", loc)
	}
	if open, _ := e.store.FindDeputyships(t.Context(), e.oskar.ID); len(open) != 0 {
		t.Fatalf("still open: %+v", open)
	}
	if ev := e.lastEvents(t, 1)[0]; ev.Action != "deputy.end" || !strings.Contains(ev.Detail, "ended the deputyship of Oskar Ops") {
		t.Errorf("event %+v", ev)
	}
	_, doc = admin.get("/admin/users/" + itoa(dana.ID))
	if doc.Find(`[data-testid=no-deputyships]`).Length() != 1 {
		t.Error("the ended deputyship is still listed")
	}
	// Only admins: Oskar may end his own on his profile, not here.
	wantStatus(t, oskar.post("/admin/users/"+itoa(e.oskar.ID)+"/deputies/"+itoa(ds[0].ID)+"/end", nil), http.StatusForbidden)
}

// Naming a deputy is checked, and every problem is shown at its field.
func TestNamingADeputyIsChecked(t *testing.T) {
	e := newDeputyEnv(t)
	gone := e.mustPerson(t, "gone", "Gone Person", nil)
	yes := true
	if _, err := e.store.UpdateUser(t.Context(), e.actorOf("admin"), gone.ID, db.UserUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	now := e.now()
	oskar := e.signIn(t, "oskar")
	for _, tc := range []struct {
		name  string
		form  url.Values
		field string
	}{
		{"ends before it begins", deputyForm(gonogo.Ops, e.ana.ID, now.Add(48*time.Hour), now.Add(24*time.Hour)), "until"},
		{"longer than 90 days", deputyForm(gonogo.Ops, e.ana.ID, now, now.Add(100*24*time.Hour)), "until"},
		{"no dates", url.Values{"role": {"ops"}, "deputy": {itoa(e.ana.ID)}}, "from"},
		{"a disabled person", deputyForm(gonogo.Ops, gone.ID, now, now.Add(24*time.Hour)), "deputy"},
		{"oneself", deputyForm(gonogo.Ops, e.oskar.ID, now, now.Add(24*time.Hour)), "deputy"},
		{"nobody", deputyForm(gonogo.Ops, 99999, now, now.Add(24*time.Hour)), "deputy"},
		{"a role Oskar does not hold", deputyForm(gonogo.QALead, e.ana.ID, now, now.Add(24*time.Hour)), "role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := oskar.post("/profile/deputies", tc.form)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			doc := mustParse(t, res)
			if msg := strings.TrimSpace(doc.Find(`#deputies-` + tc.field + `-error`).Text()); msg == "" {
				t.Fatalf("no message at the %s field", tc.field)
			}
			if doc.Find(`#deputies-`+tc.field+`[aria-invalid=true]`).Length() != 1 {
				t.Errorf("the %s field is not marked invalid", tc.field)
			}
		})
	}
	if ds, _ := e.store.FindDeputyships(t.Context(), e.oskar.ID); len(ds) != 0 {
		t.Fatalf("refused forms stored %d deputyships", len(ds))
	}
}
