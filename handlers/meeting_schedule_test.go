package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/gonogo/gonogo"
)

// meetingAt is a valid meeting form for a meeting starting at start.
func meetingAt(start time.Time, minutes, where string) url.Values {
	return url.Values{"start": {formTime(start)}, "minutes": {minutes}, "where": {where}}
}

func TestScheduleMeetingRefusesWithEveryReason(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	page := relURL(rel.ID)
	rm := s.signIn(t, "rm")
	rm.get(page)
	start := future(3, 15)
	tests := []struct {
		name   string
		form   url.Values
		fields []string
	}{
		{"a plain http link", meetingAt(start, "30", "http://meet.example.com/abc"), []string{"where"}},
		{"nowhere", meetingAt(start, "30", "  "), []string{"where"}},
		{"in the past", meetingAt(future(-1, 15), "30", "Room 4"), []string{"start"}},
		{"too short", meetingAt(start, "5", "Room 4"), []string{"length"}},
		{"not a time", url.Values{"start": {"tomorrow"}, "minutes": {"30"}, "where": {"Room 4"}}, []string{"start"}},
		{"everything wrong", url.Values{"start": {"tomorrow"}, "minutes": {"half an hour"}, "where": {"ftp://x"}}, []string{"start", "length", "where"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, hx := range []bool{false, true} {
				send := rm.post
				if hx {
					send = rm.postHX
				}
				res := send(page+"/meeting", tc.form)
				wantStatus(t, res, http.StatusUnprocessableEntity)
				doc := parse(t, res)
				for _, f := range tc.fields {
					if text(doc, "#meeting [data-testid=error-"+f+"]") == "" {
						t.Errorf("htmx %t: no message beside %s", hx, f)
					}
				}
				if n := doc.Find("#meeting [data-testid=error-summary] li").Length(); n != len(tc.fields) {
					t.Errorf("htmx %t: the summary names %d reasons, want %d", hx, n, len(tc.fields))
				}
				if v, _ := doc.Find(`#meeting input[name=where]`).Attr("value"); v != tc.form.Get("where") {
					t.Errorf("htmx %t: the form lost what was typed: %q", hx, v)
				}
				if hx && doc.Find("[data-testid=release-head]").Length() != 0 {
					t.Error("htmx got the whole page, not the panel")
				}
			}
		})
	}
	if m, _ := s.store.FindMeeting(t.Context(), rel.ID); m.ReleaseID != 0 {
		t.Fatalf("a refused meeting was stored: %+v", m)
	}
	po := s.signIn(t, "po")
	po.get(page)
	wantStatus(t, po.post(page+"/meeting", meetingAt(start, "30", "Room 4")), http.StatusForbidden)
}

func TestScheduleMeetingInvitesTheRequiredRoles(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := relURL(rel.ID)
	rm := s.signIn(t, "rm")
	rm.get(page)
	start := future(3, 15)
	res := rm.post(page+"/meeting", meetingAt(start, "45", "https://meet.example.com/abc-defg"))
	wantStatus(t, res, http.StatusSeeOther)
	m, err := s.store.FindMeeting(t.Context(), rel.ID)
	if err != nil || !m.Start.Equal(start) || m.Length != 45*time.Minute || m.Seq != 0 {
		t.Fatalf("stored %+v %v", m, err)
	}
	if e := s.lastEvents(t, 1)[0]; e.Action != string(gonogo.ActionMeetingSchedule) || !strings.Contains(e.Detail, "scheduled the Go/No-Go meeting") {
		t.Errorf("audited as %+v", e)
	}
	wantHeard(t, s, gonogo.NotifyMeeting, page+"#meeting", "qa", "ops", "eng", "support", "po")
	wantNotHeard(t, s, gonogo.NotifyMeeting, "rm", "otherqa", "alice")

	_, doc := rm.get(page)
	if got := text(doc, "#meeting [data-testid=meeting-where]"); !strings.Contains(got, "https://meet.example.com/abc-defg") {
		t.Errorf("the panel says where %q", got)
	}
	if href, _ := doc.Find("#meeting [data-testid=meeting-where] a").Attr("href"); href != "https://meet.example.com/abc-defg" {
		t.Errorf("the call's link is %q", href)
	}
	if _, doc := s.signIn(t, "qa").get(page + "/meeting"); text(doc, "[data-testid=m-meeting]") == "" {
		t.Error("meeting mode does not say when the meeting is")
	}

	// Moved with htmx: the panel comes back, and everyone hears of it again.
	res = rm.postHX(page+"/meeting", meetingAt(start.Add(time.Hour), "30", "Room 4"))
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	if !strings.Contains(text(doc, "#meeting [data-testid=meeting-where]"), "Room 4") {
		t.Errorf("the panel after the move: %q", text(doc, "#meeting"))
	}
	if m, _ := s.store.FindMeeting(t.Context(), rel.ID); m.Seq != 1 || m.Where != "Room 4" {
		t.Fatalf("moved %+v", m)
	}
	if rows := ofKind(inbox(t, s.signIn(t, "qa")), gonogo.NotifyMeeting); len(rows) != 2 || !strings.Contains(rows[0].text, "moved") {
		t.Errorf("the QA lead's inbox: %+v", rows)
	}
}

// propValue is the raw value of an event's property, "" without one.
func propValue(e ical.Event, name string) string {
	if p := e.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

// fetchICS downloads an iCalendar file as a signed-in browser does.
func fetchICS(t *testing.T, c *client, path string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.srv.URL+path, nil)
	res := c.do(req)
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("content type %q", ct)
	}
	body, _ := io.ReadAll(res.Body)
	return string(body)
}

// checkInvitation checks an invitation as calendar apps read it: it
// parses (go-ical, which nobody here wrote), its lines end in CRLF, and
// it carries what Google Calendar, Outlook and Apple Calendar need to
// take an iTIP message: METHOD, and in its one event UID, SEQUENCE,
// DTSTAMP, DTSTART, DTEND and ORGANIZER, with an ATTENDEE asked to reply
// per person but for a copy published for one's own calendar. It
// returns the event.
func checkInvitation(t *testing.T, body, method string, attendees ...string) ical.Event {
	t.Helper()
	if strings.Count(body, "\r") != strings.Count(body, "\n") || !strings.HasSuffix(body, "END:VCALENDAR\r\n") {
		t.Error("not every line ends in CRLF")
	}
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("the invitation does not parse: %v\n%s", err, body)
	}
	if got, _ := cal.Props.Text(ical.PropMethod); got != method {
		t.Errorf("METHOD %q, want %q", got, method)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events, want one", len(events))
	}
	e := events[0]
	for _, p := range []string{ical.PropUID, ical.PropSequence, ical.PropDateTimeStamp, ical.PropDateTimeStart, ical.PropDateTimeEnd,
		ical.PropOrganizer, ical.PropSummary, ical.PropURL} {
		if e.Props.Get(p) == nil {
			t.Errorf("the event has no %s", p)
		}
	}
	if _, err := e.DateTimeStart(time.UTC); err != nil {
		t.Errorf("DTSTART: %v", err)
	}
	var got []string
	for _, a := range e.Props.Values(ical.PropAttendee) {
		if a.Params.Get(ical.ParamRSVP) != "TRUE" || a.Params.Get(ical.ParamCommonName) == "" {
			t.Errorf("attendee %s: RSVP %q, CN %q", a.Value, a.Params.Get(ical.ParamRSVP), a.Params.Get(ical.ParamCommonName))
		}
		got = append(got, strings.TrimPrefix(strings.ToLower(a.Value), "mailto:"))
	}
	for _, want := range attendees {
		if !strings.Contains(strings.Join(got, " "), want) {
			t.Errorf("attendees %v lack %s", got, want)
		}
	}
	if len(got) != len(attendees) {
		t.Errorf("attendees %v, want %v", got, attendees)
	}
	return e
}

func TestMeetingDownloadAndCancel(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := relURL(rel.ID)
	rm := s.signIn(t, "rm")
	_, doc := rm.get(page)
	if doc.Find("#meeting [data-testid=meeting-ics]").Length() != 0 {
		t.Error("a download is offered before there is a meeting")
	}
	qa := s.signIn(t, "qa")
	req, _ := http.NewRequest(http.MethodGet, s.URL+page+"/meeting.ics", nil)
	wantStatus(t, qa.do(req), http.StatusNotFound)

	start := future(2, 9)
	wantStatus(t, rm.post(page+"/meeting", meetingAt(start, "30", "Room 4")), http.StatusSeeOther)
	_, doc = qa.get(page)
	href, _ := doc.Find("#meeting [data-testid=meeting-ics]").Attr("href")
	if href != page+"/meeting.ics" {
		t.Fatalf("download link %q", href)
	}
	e := checkInvitation(t, fetchICS(t, qa, href), gonogo.MethodPublish)
	uid, _ := e.Props.Text(ical.PropUID)
	if at, _ := e.DateTimeStart(time.UTC); !at.Equal(start) {
		t.Errorf("DTSTART %s, want %s", at, start)
	}
	if link := propValue(e, ical.PropURL); link != s.URL+page+"/meeting" {
		t.Errorf("URL %q, want meeting mode at %s", link, s.URL+page+"/meeting")
	}
	if loc, _ := e.Props.Text(ical.PropLocation); loc != "Room 4" {
		t.Errorf("LOCATION %q", loc)
	}
	if org := e.Props.Get(ical.PropOrganizer); org == nil || !strings.EqualFold(org.Value, "mailto:rm@example.com") {
		t.Errorf("ORGANIZER %+v", org)
	}

	// Cancelled: the same UID, a higher SEQUENCE, STATUS:CANCELLED; the
	// required roles hear of it; no question first, since it can be
	// scheduled again.
	_, doc = rm.get(page)
	if doc.Find("#meeting [data-testid=cancel-meeting]").Length() != 1 {
		t.Fatal("no button cancels the meeting")
	}
	wantStatus(t, rm.post(page+"/meeting/cancel", nil), http.StatusSeeOther)
	e = checkInvitation(t, fetchICS(t, qa, href), gonogo.MethodPublish)
	if got, _ := e.Props.Text(ical.PropUID); got != uid {
		t.Errorf("UID %q after the cancel, was %q", got, uid)
	}
	if seq := propValue(e, ical.PropSequence); seq != "1" {
		t.Errorf("SEQUENCE %s after the cancel, want 1", seq)
	}
	if st, _ := e.Props.Text(ical.PropStatus); st != "CANCELLED" {
		t.Errorf("STATUS %q", st)
	}
	if rows := ofKind(inbox(t, qa), gonogo.NotifyMeeting); len(rows) != 2 || !strings.Contains(rows[0].text, "cancelled") {
		t.Errorf("the QA lead's inbox: %+v", rows)
	}
	_, doc = qa.get(page)
	if doc.Find("#meeting [data-testid=meeting-cancelled]").Length() != 1 {
		t.Error("the panel does not say the meeting is cancelled")
	}
	wantStatus(t, rm.post(page+"/meeting/cancel", nil), http.StatusConflict)

	// Scheduled again after the cancel: SEQUENCE goes on rising.
	wantStatus(t, rm.post(page+"/meeting", meetingAt(start, "30", "Room 4")), http.StatusSeeOther)
	if m, _ := s.store.FindMeeting(t.Context(), rel.ID); m.Seq != 2 || m.Cancelled {
		t.Fatalf("scheduled again: %+v", m)
	}
}

func TestCancellingTheReleaseCancelsItsMeeting(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := relURL(rel.ID)
	rm := s.signIn(t, "rm")
	rm.get(page)
	wantStatus(t, rm.post(page+"/meeting", meetingAt(future(2, 9), "30", "Room 4")), http.StatusSeeOther)
	s.move(t, rel.ID, gonogo.Cancel)
	m, err := s.store.FindMeeting(t.Context(), rel.ID)
	if err != nil || !m.Cancelled || m.Seq != 1 {
		t.Fatalf("the meeting of a cancelled release: %+v %v", m, err)
	}
	if e := s.lastEvents(t, 1)[0]; e.Action != string(gonogo.ActionMeetingCancel) {
		t.Errorf("the last event is %+v", e)
	}
	if rows := ofKind(inbox(t, s.signIn(t, "ops")), gonogo.NotifyMeeting); len(rows) != 2 || !strings.Contains(rows[0].text, "cancelled") {
		t.Errorf("ops' inbox: %+v", rows)
	}
}

func TestMeetingClosesWithTheDecision(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := relURL(rel.ID)
	rm := s.signIn(t, "rm")
	rm.get(page)
	wantStatus(t, rm.post(page+"/meeting", meetingAt(future(2, 9), "30", "Room 4")), http.StatusSeeOther)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "not yet"})
	_, doc := rm.get(page)
	if doc.Find("#meeting [data-testid=meeting-form]").Length() != 0 {
		t.Error("the meeting can still be changed after the decision")
	}
	res := rm.postHX(page+"/meeting", meetingAt(future(3, 9), "30", "Room 5"))
	wantStatus(t, res, http.StatusConflict)
	if msg := text(parse(t, res), "#meeting [data-testid=error-summary]"); !strings.Contains(msg, "until the decision") {
		t.Errorf("the refusal says %q", msg)
	}
	wantStatus(t, rm.post(page+"/meeting/cancel", nil), http.StatusConflict)
}
