package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// icalJSInvitation reads an invitation as Thunderbird does, with ical.js:
// the calendar's METHOD and its one event's UID, SEQUENCE, STATUS, start
// and end (UTC seconds), organizer and attendees.
const icalJSInvitation = `((text) => {
	const cal = new ICAL.Component(ICAL.parse(text));
	const events = cal.getAllSubcomponents("vevent");
	const e = new ICAL.Event(events[0]);
	return {
		method: cal.getFirstPropertyValue("method"), events: events.length,
		uid: e.uid, sequence: e.sequence, status: events[0].getFirstPropertyValue("status") || "",
		start: e.startDate.toUnixTime(), end: e.endDate.toUnixTime(),
		organizer: e.organizer || "", attendees: e.attendees.map(a => a.getFirstValue()),
		url: events[0].getFirstPropertyValue("url") || "",
	};
})`

type icalJSEvent struct {
	Method, UID, Status, Organizer, URL string
	Events, Sequence                    int
	Start, End                          int64
	Attendees                           []string
}

func readWithICalJS(t *testing.T, b context.Context, text string) icalJSEvent {
	t.Helper()
	arg, _ := json.Marshal(text)
	got, err := chromedp.Run(b, chromedp.Evaluate[icalJSEvent](icalJSInvitation+"("+string(arg)+")"))
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, text)
	}
	return got
}

// TestMeetingInvitationInICalJS lets Thunderbird's iCalendar library read
// the meeting's invitation as mailed (REQUEST, then CANCEL) and as
// downloaded: one event, the same UID throughout, SEQUENCE rising, the
// time scheduled, the organizer and every required role as attendees.
func TestMeetingInvitationInICalJS(t *testing.T) {
	b := newICalJS(t)
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := relURL(rel.ID)
	rm := s.signIn(t, "rm")
	rm.get(page)
	start := future(3, 14)
	wantStatus(t, rm.post(page+"/meeting", meetingAt(start, "45", "https://meet.example.com/go-no-go")), http.StatusSeeOther)

	mailed := func(method string) string {
		t.Helper()
		out, err := s.store.FindOutbox(t.Context(), "", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out {
			if m.CalendarMethod == method {
				return m.Calendar
			}
		}
		t.Fatalf("no invitation with METHOD:%s in the outbox", method)
		return ""
	}
	req := readWithICalJS(t, b, mailed(gonogo.MethodRequest))
	if req.Method != "REQUEST" || req.Events != 1 || req.Status == "CANCELLED" {
		t.Errorf("the mailed invitation reads as %+v", req)
	}
	if req.Start != start.Unix() || req.End != start.Unix()+45*60 {
		t.Errorf("ical.js puts the meeting at %d–%d, want %d–%d", req.Start, req.End, start.Unix(), start.Unix()+45*60)
	}
	if req.Organizer != "mailto:rm@example.com" || len(req.Attendees) < 5 {
		t.Errorf("organizer %q, attendees %v: want the release manager inviting every required role", req.Organizer, req.Attendees)
	}
	if req.URL != s.URL+page+"/meeting" {
		t.Errorf("URL %q, want meeting mode", req.URL)
	}
	dl := readWithICalJS(t, b, fetchICS(t, rm, page+"/meeting.ics"))
	if dl.Method != "PUBLISH" || dl.UID != req.UID || dl.Start != req.Start {
		t.Errorf("the download reads as %+v, want the invitation's event published", dl)
	}

	wantStatus(t, rm.post(page+"/meeting/cancel", nil), http.StatusSeeOther)
	cancel := readWithICalJS(t, b, mailed(gonogo.MethodCancel))
	if cancel.Method != "CANCEL" || cancel.UID != req.UID || cancel.Sequence <= req.Sequence || cancel.Status != "CANCELLED" {
		t.Errorf("the cancel reads as %+v after %+v: want the same UID, a higher SEQUENCE, STATUS:CANCELLED", cancel, req)
	}
}
