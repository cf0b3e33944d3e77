package invite_test

import (
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/invite"
)

var (
	rel   = gonogo.Release{ID: 42, Product: "payments", Version: "2.4.0", Title: "Cards; faster, safer"}
	start = time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)
	rita  = gonogo.Attendee{Name: "Rita Manager", Email: "rm@example.com"}
	team  = []gonogo.Attendee{{Name: "Quinn, QA", Email: "qa@example.com"}, {Email: "ops@example.com"}}
)

// parse reads an invitation with go-ical, which nobody here wrote, and
// returns its method and its one event.
func parse(t *testing.T, body string) (string, ical.Event) {
	t.Helper()
	if strings.Count(body, "\r") != strings.Count(body, "\n") {
		t.Error("a line does not end in CRLF")
	}
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("does not parse: %v\n%s", err, body)
	}
	method, _ := cal.Props.Text(ical.PropMethod)
	if len(cal.Events()) != 1 {
		t.Fatalf("%d events", len(cal.Events()))
	}
	return method, cal.Events()[0]
}

func value(e ical.Event, name string) string {
	if p := e.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

// TestRequestCarriesWhatCalendarsNeed: a REQUEST names its organizer and
// asks each attendee to reply, with the fields Google Calendar, Outlook
// and Apple Calendar need to show it as an invitation.
func TestRequestCarriesWhatCalendarsNeed(t *testing.T) {
	m := gonogo.Meeting{ReleaseID: rel.ID, Start: start, Length: 45 * time.Minute, Where: "https://meet.example.com/abc", Seq: 3, Changed: start.Add(-48 * time.Hour)}
	method, e := parse(t, invite.ICS(gonogo.InviteTo(rel, m, gonogo.MethodRequest, "https://gonogo.example.com/", rita, team)))
	if method != "REQUEST" {
		t.Errorf("METHOD %q", method)
	}
	want := map[string]string{
		ical.PropUID: "release-42-meeting@gonogo", ical.PropSequence: "3", ical.PropStatus: "CONFIRMED",
		ical.PropURL: "https://gonogo.example.com/releases/42/meeting", ical.PropOrganizer: "mailto:rm@example.com",
	}
	for p, v := range want {
		if got := value(e, p); got != v {
			t.Errorf("%s %q, want %q", p, got, v)
		}
	}
	if cn := e.Props.Get(ical.PropOrganizer).Params.Get(ical.ParamCommonName); cn != "Rita Manager" {
		t.Errorf("organizer CN %q", cn)
	}
	if s, err := e.DateTimeStart(time.UTC); err != nil || !s.Equal(start) {
		t.Errorf("DTSTART %s %v", s, err)
	}
	if en, err := e.DateTimeEnd(time.UTC); err != nil || !en.Equal(start.Add(45*time.Minute)) {
		t.Errorf("DTEND %s %v", en, err)
	}
	if st, err := e.Props.DateTime(ical.PropDateTimeStamp, time.UTC); err != nil || !st.Equal(m.Changed) {
		t.Errorf("DTSTAMP %s %v", st, err)
	}
	if s, _ := e.Props.Text(ical.PropSummary); s != "Go/No-Go: payments 2.4.0" {
		t.Errorf("SUMMARY %q", s)
	}
	if d, _ := e.Props.Text(ical.PropDescription); !strings.Contains(d, "https://gonogo.example.com/releases/42/meeting") || !strings.Contains(d, "Cards; faster, safer") {
		t.Errorf("DESCRIPTION %q", d)
	}
	atts := e.Props.Values(ical.PropAttendee)
	if len(atts) != 2 {
		t.Fatalf("%d attendees", len(atts))
	}
	for i, a := range atts {
		if a.Value != "mailto:"+team[i].Email || a.Params.Get(ical.ParamRSVP) != "TRUE" ||
			a.Params.Get(ical.ParamParticipationStatus) != "NEEDS-ACTION" || a.Params.Get(ical.ParamRole) != "REQ-PARTICIPANT" {
			t.Errorf("attendee %s %v", a.Value, a.Params)
		}
	}
	// RFC 5545 would quote the comma; the library escapes it, which
	// readers take for the end of the name: it is left out.
	if cn := atts[0].Params.Get(ical.ParamCommonName); cn != "Quinn QA" {
		t.Errorf("a name with a comma comes back as %q", cn)
	}
	if cn := atts[1].Params.Get(ical.ParamCommonName); cn != "ops@example.com" {
		t.Errorf("a person without a name is called %q", cn)
	}
}

// TestCancelKeepsTheUID: a CANCEL is the same event, a higher SEQUENCE,
// STATUS:CANCELLED, so calendars take it off.
func TestCancelKeepsTheUID(t *testing.T) {
	m := gonogo.Meeting{ReleaseID: rel.ID, Start: start, Length: 30 * time.Minute, Where: "Room 4", Seq: 4, Cancelled: true, Changed: start}
	method, e := parse(t, invite.ICS(gonogo.InviteTo(rel, m, gonogo.MethodCancel, "https://gonogo.example.com", rita, team)))
	if method != "CANCEL" || value(e, ical.PropStatus) != "CANCELLED" || value(e, ical.PropSequence) != "4" ||
		value(e, ical.PropUID) != "release-42-meeting@gonogo" || len(e.Props.Values(ical.PropAttendee)) != 2 {
		t.Errorf("cancel: %s %v", method, e.Props)
	}
	if loc, _ := e.Props.Text(ical.PropLocation); loc != "Room 4" {
		t.Errorf("LOCATION %q", loc)
	}
}
