package handlers_test

import (
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
)

var update = flag.Bool("update", false, "rewrite golden files")

// future is a wall-clock time this many days from now, in UTC, on the hour.
func future(days, hour int) time.Time {
	d := time.Now().UTC().AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, time.UTC)
}

func formTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") }

func TestScheduleWindow(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	page := "/releases/" + itoa(rel.ID)
	rm := s.signIn(t, "rm")
	rm.get(page)
	start := future(5, 20)
	tests := []struct {
		name       string
		start, end string
		status     int
	}{
		{"end before start", formTime(start), formTime(start.Add(-time.Hour)), http.StatusUnprocessableEntity},
		{"in the past", formTime(future(-2, 20)), formTime(future(-2, 22)), http.StatusUnprocessableEntity},
		{"malformed", "next friday", formTime(start), http.StatusUnprocessableEntity},
		{"missing end", formTime(start), "", http.StatusUnprocessableEntity},
		{"longer than a week", formTime(start), formTime(start.AddDate(0, 0, 9)), http.StatusUnprocessableEntity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := rm.post(page+"/window", url.Values{"window_start": {tc.start}, "window_end": {tc.end}})
			wantStatus(t, res, tc.status)
			doc := parse(t, res)
			if text(doc, "#window [data-testid=error-window]") == "" {
				t.Fatal("no message beside the window")
			}
			if v, _ := doc.Find(`#window input[name=window_start]`).Attr("value"); v != tc.start {
				t.Errorf("the form lost the start: %q", v)
			}
		})
	}
	if r, _ := s.store.FindRelease(t.Context(), rel.ID); !r.Window.IsZero() {
		t.Fatal("a refused window was stored")
	}
	po := s.signIn(t, "po")
	res := po.post(page+"/window", url.Values{"window_start": {formTime(start)}, "window_end": {formTime(start.Add(2 * time.Hour))}})
	wantStatus(t, res, http.StatusForbidden)

	res = rm.post(page+"/window", url.Values{"window_start": {formTime(start)}, "window_end": {formTime(start.Add(2 * time.Hour))}})
	wantStatus(t, res, http.StatusSeeOther)
	r, _ := s.store.FindRelease(t.Context(), rel.ID)
	if !r.Window.Start.Equal(start) || !r.Window.End.Equal(start.Add(2*time.Hour)) {
		t.Fatalf("stored window %+v", r.Window)
	}
	events, _ := s.store.FindReleaseEvents(t.Context(), rel.ID, 1)
	if events[0].Action != "release.window" {
		t.Fatalf("audit %+v", events[0])
	}
	res = rm.post(page+"/window", url.Values{"clear": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if r, _ := s.store.FindRelease(t.Context(), rel.ID); !r.Window.IsZero() {
		t.Fatal("the window was not cleared")
	}
}

func TestWindowInFreezeBlocksAndConflictsWarn(t *testing.T) {
	s := newServer(t)
	a := s.mustCreateRelease(t, "storefront", "5.0.0")
	b := s.mustCreateRelease(t, "storefront", "5.1.0")
	rm := s.signIn(t, "rm")
	rm.get("/freezes")
	sale := future(10, 0)
	res := rm.post("/freezes", url.Values{"name": {"Winter sale"}, "kind": {"once"},
		"start": {formTime(sale)}, "end": {formTime(sale.Add(48 * time.Hour))}, "products": {"storefront"}})
	wantStatus(t, res, http.StatusSeeOther)

	for _, id := range []int64{a.ID, b.ID} {
		res = rm.post("/releases/"+itoa(id)+"/window", url.Values{"window_start": {formTime(sale.Add(20 * time.Hour))}, "window_end": {formTime(sale.Add(22 * time.Hour))}})
		wantStatus(t, res, http.StatusSeeOther)
	}
	_, doc := rm.get("/releases/" + itoa(a.ID))
	if !strings.Contains(doc.Find(`[data-testid=gate-reasons] li[data-kind=freeze]`).Text(), "Winter sale") {
		t.Fatalf("the gate does not name the freeze: %s", doc.Find("#gate").Text())
	}
	if !strings.Contains(text(doc, `[data-testid=window-warnings] li[data-kind=conflict]`), "storefront 5.1.0") {
		t.Fatal("the conflict with the other storefront release is not named")
	}
	_, doc = rm.get("/")
	if !strings.Contains(doc.Find(`[data-release="storefront 5.1.0"] [data-testid=card-warning]`).Text(), "storefront 5.0.0") {
		t.Fatal("the board card does not warn of the conflict")
	}
	if got := text(doc, "[data-testid=next-freeze]"); got != "Winter sale" {
		t.Errorf("next freeze %q", got)
	}
	// A freeze for another product does not block.
	c := s.mustCreateRelease(t, "payments", "1.0.0")
	res = rm.post("/releases/"+itoa(c.ID)+"/window", url.Values{"window_start": {formTime(sale.Add(20 * time.Hour))}, "window_end": {formTime(sale.Add(22 * time.Hour))}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc = rm.get("/releases/" + itoa(c.ID))
	if doc.Find(`[data-testid=gate-reasons] li[data-kind=freeze]`).Length() != 0 {
		t.Fatal("a storefront freeze blocks payments")
	}
}

func TestFreezesBadInputAndRoles(t *testing.T) {
	s := newServer(t)
	rm := s.signIn(t, "rm")
	rm.get("/freezes")
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"no name", url.Values{"kind": {"once"}, "start": {formTime(future(3, 0))}, "end": {formTime(future(4, 0))}}, "name"},
		{"end before start", url.Values{"name": {"x"}, "kind": {"once"}, "start": {formTime(future(4, 0))}, "end": {formTime(future(3, 0))}}, "once"},
		{"malformed date", url.Values{"name": {"x"}, "kind": {"once"}, "start": {"soon"}, "end": {formTime(future(3, 0))}}, "once"},
		{"weekly without times", url.Values{"name": {"x"}, "kind": {"weekly"}, "start_day": {"5"}, "end_day": {"1"}}, "week"},
		{"weekly with a bad day", url.Values{"name": {"x"}, "kind": {"weekly"}, "start_day": {"9"}, "start_time": {"12:00"}, "end_day": {"1"}, "end_time": {"06:00"}}, "week"},
		{"weekly ending as it starts", url.Values{"name": {"x"}, "kind": {"weekly"}, "start_day": {"5"}, "start_time": {"12:00"}, "end_day": {"5"}, "end_time": {"12:00"}}, "week"},
		{"bad product", url.Values{"name": {"x"}, "kind": {"once"}, "start": {formTime(future(3, 0))}, "end": {formTime(future(4, 0))}, "products": {"Web Shop!"}}, "products"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := rm.post("/freezes", tc.form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if text(parse(t, res), "[data-testid=error-"+tc.field+"]") == "" {
				t.Fatalf("no message beside %s", tc.field)
			}
		})
	}
	res := rm.post("/freezes", url.Values{"name": {"Weekend"}, "kind": {"weekly"}, "start_day": {"5"}, "start_time": {"12:00"}, "end_day": {"1"}, "end_time": {"06:00"}})
	wantStatus(t, res, http.StatusSeeOther)
	freezes, _ := s.store.FindFreezes(t.Context())
	if len(freezes) != 1 || !freezes[0].Weekly || freezes[0].Week.StartDay != time.Friday || freezes[0].Week.EndMin != 360 {
		t.Fatalf("stored %+v", freezes)
	}
	ops := s.signIn(t, "ops")
	_, doc := ops.get("/freezes")
	if doc.Find("[data-testid=freeze-form]").Length() != 0 {
		t.Error("ops sees the form to add freezes")
	}
	res = ops.post("/freezes/"+itoa(freezes[0].ID)+"/delete", nil)
	wantStatus(t, res, http.StatusForbidden)
	res = rm.post("/freezes/"+itoa(freezes[0].ID)+"/delete", nil)
	wantStatus(t, res, http.StatusSeeOther)
	res = rm.post("/freezes/"+itoa(freezes[0].ID)+"/delete", nil)
	wantStatus(t, res, http.StatusNotFound)
}

func TestTeamSettings(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	admin.get("/admin/settings")
	res := admin.post("/admin/settings", url.Values{"zone": {"Mars/Olympus"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if text(parse(t, res), "[data-testid=error-zone]") == "" {
		t.Fatal("no message beside the zone")
	}
	res = admin.post("/admin/settings", url.Values{"zone": {"Europe/Berlin"}, "start_2": {"20:00"}, "end_2": {"nope"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if text(parse(t, res), "[data-testid=error-hours]") == "" {
		t.Fatal("no message beside the hours")
	}
	res = admin.post("/admin/settings", url.Values{"zone": {"Europe/Berlin"}, "start_2": {"20:00"}, "end_2": {"23:00"}})
	wantStatus(t, res, http.StatusSeeOther)

	// The zone is how people enter and read times: 20:00 in Berlin in winter is 19:00 UTC.
	rm := s.signIn(t, "rm")
	day := future(30, 0)
	for day.Weekday() != time.Tuesday || day.Month() == time.March || day.Month() == time.October {
		day = day.AddDate(0, 0, 1)
	}
	local := func(h int) string {
		return day.Format("2006-01-02") + "T" + time.Date(0, 1, 1, h, 0, 0, 0, time.UTC).Format("15:04")
	}
	res = rm.post("/releases/"+itoa(rel.ID)+"/window", url.Values{"window_start": {local(21)}, "window_end": {local(22)}})
	wantStatus(t, res, http.StatusSeeOther)
	r, _ := s.store.FindRelease(t.Context(), rel.ID)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if want := time.Date(day.Year(), day.Month(), day.Day(), 21, 0, 0, 0, berlin); !r.Window.Start.Equal(want) {
		t.Fatalf("stored %v, want %v", r.Window.Start, want.UTC())
	}
	_, doc := rm.get("/releases/" + itoa(rel.ID))
	if doc.Find("[data-testid=window-warnings]").Length() != 0 {
		t.Error("a Tuesday window inside the low-traffic hours is warned about")
	}
	res = rm.post("/releases/"+itoa(rel.ID)+"/window", url.Values{"window_start": {local(14)}, "window_end": {local(16)}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc = rm.get("/releases/" + itoa(rel.ID))
	if doc.Find(`[data-testid=window-warnings] li[data-kind=low-traffic]`).Length() != 1 {
		t.Error("a Tuesday afternoon window is not warned about")
	}
}

func TestCalendarPage(t *testing.T) {
	s := newServer(t)
	a := s.mustCreateRelease(t, "payments", "2.4.0")
	b := s.mustCreateRelease(t, "web", "1.0.0")
	start := future(40, 20)
	rm := s.signIn(t, "rm")
	rm.get("/")
	for _, id := range []int64{a.ID, b.ID} {
		res := rm.post("/releases/"+itoa(id)+"/window", url.Values{"window_start": {formTime(start)}, "window_end": {formTime(start.Add(2 * time.Hour))}})
		wantStatus(t, res, http.StatusSeeOther)
	}
	res := rm.post("/freezes", url.Values{"name": {"Audit week"}, "kind": {"once"}, "start": {formTime(start.AddDate(0, 0, 1))}, "end": {formTime(start.AddDate(0, 0, 2))}})
	wantStatus(t, res, http.StatusSeeOther)

	month := start.Format("2006-01")
	res, doc := rm.get("/calendar?month=" + month)
	wantStatus(t, res, http.StatusOK)
	day := doc.Find(`[data-testid=cal-day][data-date="` + start.Format("2006-01-02") + `"]`)
	if got := day.Find("[data-testid=cal-window]").Length(); got != 2 {
		t.Fatalf("%d windows on the day, want 2", got)
	}
	if href, _ := day.Find(`[data-testid=cal-window]`).First().Attr("href"); !strings.HasPrefix(href, "/releases/") {
		t.Errorf("a window does not link its release: %q", href)
	}
	// Its colour is its release's state, and so are its words.
	chip := day.Find("[data-testid=cal-window]").First()
	if title, _ := chip.Attr("title"); !strings.Contains(title, "Draft") || strings.TrimSpace(chip.Find("[data-testid=cal-state]").Text()) != ", Draft" {
		t.Errorf("the chip names no state: title %q, text %q", title, chip.Text())
	}
	if !day.Find("[data-testid=cal-window]").First().HasClass("overlap") {
		t.Error("windows of different products at the same time are not marked")
	}
	frozen := doc.Find(`[data-testid=cal-day][data-date="` + start.AddDate(0, 0, 1).Format("2006-01-02") + `"]`)
	if !frozen.HasClass("frozen") || !strings.Contains(frozen.Text(), "Audit week") {
		t.Error("the freeze is not shaded")
	}
	if got := text(doc, "[data-testid=cal-month]"); got != start.Format("January 2006") {
		t.Errorf("month heading %q", got)
	}
	next, _ := doc.Find("[data-testid=cal-next]").Attr("href")
	if want := "/calendar?month=" + start.AddDate(0, 1, -start.Day()+1).Format("2006-01"); next != want {
		t.Errorf("next link %q, want %q", next, want)
	}
	// Previous and next swap with htmx.
	res, doc = rm.getHX(next)
	wantStatus(t, res, http.StatusOK)
	if doc.Find("title").Length() != 0 || doc.Find("#calendar").Length() != 1 {
		t.Error("htmx navigation should get the calendar fragment")
	}
	// The product filter is in the URL.
	_, doc = rm.get("/calendar?month=" + month + "&product=web")
	if got := doc.Find("[data-testid=cal-window]").Length(); got != 1 {
		t.Errorf("product filter shows %d windows", got)
	}
	// The list view holds the next 90 days.
	_, doc = rm.get("/calendar?view=list")
	if got := doc.Find("[data-testid=cal-item]").Length(); got != 3 {
		t.Errorf("list shows %d items, want two windows and a freeze", got)
	}
	res, _ = rm.get("/calendar?month=2026-13")
	wantStatus(t, res, http.StatusUnprocessableEntity)
}

func TestCalendarFeed(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	start := future(20, 20)
	rm := s.signIn(t, "rm")
	rm.get("/")
	res := rm.post("/releases/"+itoa(rel.ID)+"/window", url.Values{"window_start": {formTime(start)}, "window_end": {formTime(start.Add(2 * time.Hour))}})
	wantStatus(t, res, http.StatusSeeOther)
	res = rm.post("/freezes", url.Values{"name": {"Weekend"}, "kind": {"weekly"}, "start_day": {"5"}, "start_time": {"12:00"}, "end_day": {"1"}, "end_time": {"06:00"}})
	wantStatus(t, res, http.StatusSeeOther)

	anon := s.client(t)
	res, _ = anon.get("/calendar.ics")
	wantStatus(t, res, http.StatusUnauthorized)
	res, _ = anon.get("/calendar.ics?token=guess")
	wantStatus(t, res, http.StatusUnauthorized)

	rm.get("/profile")
	res = rm.post("/profile/feed-token", nil)
	wantStatus(t, res, http.StatusOK)
	feedURL := parse(t, res).Find("[data-testid=feed-url][data-feed=calendar]").AttrOr("value", "")
	u, err := url.Parse(feedURL)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("feed address %q", feedURL)
	}
	feed := func() *ical.Calendar {
		t.Helper()
		res, body := anon.getText("/calendar.ics?token=" + u.Query().Get("token"))
		wantStatus(t, res, http.StatusOK)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
			t.Fatalf("content type %q", ct)
		}
		cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
		if err != nil {
			t.Fatalf("the feed does not parse: %v\n%s", err, body)
		}
		return cal
	}
	cal := feed()
	events := map[string]ical.Event{}
	for _, e := range cal.Events() {
		uid, _ := e.Props.Text(ical.PropUID)
		events[uid] = e
	}
	win, ok := events["release-"+itoa(rel.ID)+"-window@gonogo"]
	if !ok {
		t.Fatalf("no event for the window; events %v", events)
	}
	if got, _ := win.DateTimeStart(time.UTC); !got.Equal(start) {
		t.Errorf("window starts %v, want %v", got, start)
	}
	if desc, _ := win.Props.Text(ical.PropDescription); !strings.Contains(desc, "State: Draft") || !strings.Contains(desc, "/releases/"+itoa(rel.ID)) {
		t.Errorf("description %q lacks the state and the link", desc)
	}
	seq := func(e ical.Event) string { return e.Props.Get(ical.PropSequence).Value }
	if seq(win) != "1" {
		t.Errorf("sequence %q after one scheduling", seq(win))
	}
	var weekly *ical.Event
	for uid, e := range events {
		if strings.HasPrefix(uid, "freeze-") {
			weekly = &e
		}
	}
	if weekly == nil || weekly.Props.Get(ical.PropRecurrenceRule) == nil {
		t.Fatal("the weekly freeze is not a recurring event")
	}
	set, err := weekly.RecurrenceSet(time.UTC)
	if err != nil || set == nil {
		t.Fatalf("recurrence: %v", err)
	}
	for _, occ := range set.Between(time.Now(), time.Now().AddDate(0, 0, 21), true) {
		if occ.Weekday() != time.Friday || occ.Hour() != 12 {
			t.Errorf("a weekend freeze occurrence starts %v", occ)
		}
	}

	// Moving the window keeps the UID and bumps the sequence.
	res = rm.post("/releases/"+itoa(rel.ID)+"/window", url.Values{"window_start": {formTime(start.Add(time.Hour))}, "window_end": {formTime(start.Add(3 * time.Hour))}})
	wantStatus(t, res, http.StatusSeeOther)
	for _, e := range feed().Events() {
		if uid, _ := e.Props.Text(ical.PropUID); uid == "release-"+itoa(rel.ID)+"-window@gonogo" && seq(e) != "2" {
			t.Errorf("sequence %q after moving", seq(e))
		}
	}
	// Revoking the address ends it.
	res = rm.post("/profile/feed-token/delete", url.Values{"confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	res, _ = anon.get("/calendar.ics?token=" + u.Query().Get("token"))
	wantStatus(t, res, http.StatusUnauthorized)
}

// TestCalendarFeedGolden pins the feed's exact text for fixed data, in a
// zone with daylight saving time.
func TestCalendarFeedGolden(t *testing.T) {
	store := db.OpenTest(t)
	clock := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	store.Now = func() time.Time { return clock }
	berlin, _ := time.LoadLocation("Europe/Berlin")
	h := handlers.New(store, handlers.Config{BaseURL: "https://gonogo.example.com", Location: berlin,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), LoginDelay: time.Millisecond})
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := t.Context()
	rm := gonogo.Actor{Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	u, err := store.CreateUser(ctx, gonogo.SystemActor, gonogo.NewUser{Email: "rm@example.com", Name: "Rita", Password: testPassword, Roles: gonogo.RoleSet{gonogo.ReleaseManager}})
	if err != nil {
		t.Fatal(err)
	}
	rm.UserID = u.ID
	rel, err := store.CreateRelease(ctx, rm, gonogo.ReleaseInput{Product: "payments", Version: "2.4.0", Title: "Apple Pay"})
	if err != nil {
		t.Fatal(err)
	}
	w := gonogo.Window{Start: time.Date(2026, 11, 20, 19, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 20, 21, 0, 0, 0, time.UTC)}
	if err := store.SetWindow(ctx, rm, rel.ID, w); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateFreeze(ctx, rm, gonogo.FreezeInput{Name: "Weekend", Weekly: true, Reason: "Thin staffing.",
		Week: gonogo.WeeklySpan{StartDay: time.Friday, StartMin: 12 * 60, EndDay: time.Monday, EndMin: 6 * 60}}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateFreeze(ctx, rm, gonogo.FreezeInput{Name: "Black Friday", Products: []string{"storefront"},
		Once: gonogo.Window{Start: time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	const token = "golden-token"
	if err := store.SetFeedToken(ctx, rm, hashForTest(token)); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(srv.URL + "/calendar.ics?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	wantStatus(t, res, http.StatusOK)
	golden := filepath.Join("testdata", "calendar.golden.ics")
	if *update {
		os.WriteFile(golden, body, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run Golden -update to create it)", err)
	}
	if string(body) != string(want) {
		t.Fatalf("the feed differs from %s:\n%s", golden, body)
	}
	if _, err := ical.NewDecoder(strings.NewReader(string(body))).Decode(); err != nil {
		t.Fatalf("the golden feed does not parse: %v", err)
	}
}

func TestWindowMovedAfterTheGoShowsOnTheRecord(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.settleReadiness(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	s.signAll(t, rel.ID)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	var heard []gonogo.Notice
	s.store.Listen(func(ns []gonogo.Notice) { heard = append(heard, ns...) })
	rm := s.signIn(t, "rm")
	rm.get("/releases/" + itoa(rel.ID))
	start := future(3, 20)
	res := rm.post("/releases/"+itoa(rel.ID)+"/window", url.Values{"window_start": {formTime(start)}, "window_end": {formTime(start.Add(time.Hour))}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc := rm.get("/releases/" + itoa(rel.ID) + "/decisions/1")
	if !strings.Contains(text(doc, "[data-testid=after-decision]"), "after the Go") {
		t.Fatalf("the record does not show the window change: %q", text(doc, "[data-testid=after-decision]"))
	}
	_, md := rm.getText("/releases/" + itoa(rel.ID) + "/decisions/1.md")
	if !strings.Contains(md, "## Changed after the decision") {
		t.Error("the minutes do not show the window change")
	}
	announced := false
	for _, n := range heard {
		for _, tp := range n.Topics {
			announced = announced || tp == gonogo.TopicWindow
		}
	}
	if !announced {
		t.Error("the window change was not announced for webhooks")
	}
}

func TestGateAPIRefusesADeployDuringAFreeze(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	rel := s.mustGoRelease(t, "payments", "2.4.0")
	s.call(t, http.MethodGet, "/api/v1/releases/payments/2.4.0/gate", token, "").want(t, http.StatusOK)
	now := s.store.Now()
	if _, err := s.store.CreateFreeze(t.Context(), s.rmActor(), gonogo.FreezeInput{Name: "Incident freeze",
		Once: gonogo.Window{Start: now.Add(-time.Minute), End: now.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	res := s.call(t, http.MethodGet, "/api/v1/releases/"+itoa(rel.ID)+"/gate", token, "").want(t, http.StatusConflict)
	if !strings.Contains(strings.Join(res.list("reasons"), " "), "Incident freeze") {
		t.Fatalf("reasons %q do not name the freeze", res.list("reasons"))
	}
}
