// Package invite writes the iCalendar invitation to a release's Go/No-Go
// meeting (RFC 5545 as an iTIP message, RFC 5546), with the library the
// calendar feed is written with. The store puts it in the mail it sends
// attendees; the release page offers it for download. Presentation only:
// what it says is the domain's (gonogo.InviteTo).
package invite

import (
	"strings"

	ics "github.com/arran4/golang-ical"

	"github.com/gonogo/gonogo"
)

// ICS writes inv as an iCalendar object. Times are in UTC, which every
// calendar reads without a VTIMEZONE; lines end in CRLF (RFC 5545 §3.1).
// A REQUEST or CANCEL carries the ORGANIZER and an ATTENDEE per person,
// each asked to reply (RSVP), as Google Calendar, Outlook and Apple
// Calendar need to show an invitation; a CANCEL keeps the UID, raises the
// SEQUENCE and says STATUS:CANCELLED, so the event goes from their
// calendars.
func ICS(inv gonogo.Invitation) string {
	cal := ics.NewCalendarFor("gonogo")
	cal.SetMethod(ics.Method(inv.Method))
	e := cal.AddEvent(inv.UID)
	e.SetSequence(inv.Seq)
	e.SetDtStampTime(inv.Stamp)
	e.SetLastModifiedAt(inv.Stamp)
	e.SetStartAt(inv.Start)
	e.SetEndAt(inv.End)
	e.SetSummary(text(inv.Summary))
	e.SetLocation(text(inv.Location))
	e.SetDescription(text(inv.Description))
	e.SetURL(inv.URL)
	if inv.Organizer.Email != "" {
		e.SetOrganizer(inv.Organizer.Email, ics.WithCN(name(inv.Organizer)))
	}
	if inv.Method != gonogo.MethodPublish {
		for _, a := range inv.Attendees {
			e.AddAttendee(a.Email, ics.WithCN(name(a)), ics.CalendarUserTypeIndividual,
				ics.ParticipationRoleReqParticipant, ics.ParticipationStatusNeedsAction, rsvp)
		}
	}
	status := ics.ObjectStatusConfirmed
	if inv.Cancelled {
		status = ics.ObjectStatusCancelled
	}
	e.SetStatus(status)
	return cal.Serialize(ics.WithNewLine("\r\n"))
}

// rsvp asks an attendee to reply, spelled as RFC 5545 §3.2.17 does (the
// library's WithRSVP writes it in lower case).
var rsvp = &ics.KeyValues{Key: string(ics.ParameterRsvp), Value: []string{"TRUE"}}

// name is how a person is called on the invitation (CN): their name, or
// their address when they have none. RFC 5545 §3.2 quotes a parameter
// value holding , ; or : and allows no DQUOTE in it; the library escapes
// them with backslashes instead, which readers take as the end of the
// name. So they are left out (an apostrophe becomes a typographic one).
func name(a gonogo.Attendee) string {
	n := strings.Join(strings.Fields(paramUnsafe.Replace(a.Name)), " ")
	if n == "" {
		return a.Email
	}
	return n
}

var paramUnsafe = strings.NewReplacer(`'`, "’", `"`, "", `,`, " ", `;`, " ", `:`, " ", `\`, " ")

// text is s with every line break as LF, the one iCalendar TEXT escapes.
func text(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
