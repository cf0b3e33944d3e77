package handlers_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/mail/smtptest"
)

// invitation is a delivered meeting invitation: to whom, its subject,
// its text, and its calendar part with the method its Content-Type
// names, read with net/mail and mime/multipart.
type invitation struct {
	rcpt     []string
	subject  string
	text     string
	method   string
	calendar string
}

func readInvitation(t *testing.T, m smtptest.Message) (invitation, bool) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("not a message: %v", err)
	}
	inv := invitation{rcpt: m.To}
	inv.subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return inv, false
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch pt {
		case "text/plain":
			inv.text = string(body)
		case "text/calendar":
			inv.method, inv.calendar = pp["method"], string(body)
		}
	}
	return inv, inv.calendar != ""
}

// waitInvitation waits for the invitation with method and sequence seq
// to the named person.
func (s *mailServer) waitInvitation(t *testing.T, name, method, seq string) invitation {
	t.Helper()
	var inv invitation
	s.smtp.WaitFor(t, method+" "+seq+" to "+name, func(m smtptest.Message) bool {
		var ok bool
		inv, ok = readInvitation(t, m)
		return ok && len(inv.rcpt) == 1 && inv.rcpt[0] == name+"@example.com" && inv.method == method &&
			strings.Contains(inv.calendar, "\r\nSEQUENCE:"+seq+"\r\n")
	})
	return inv
}

// invitations counts the invitations delivered to the named person.
func (s *mailServer) invitations(t *testing.T, name string) int {
	t.Helper()
	n := 0
	for _, m := range s.smtp.Messages() {
		if inv, ok := readInvitation(t, m); ok && len(inv.rcpt) == 1 && inv.rcpt[0] == name+"@example.com" {
			n++
		}
	}
	return n
}

// TestMeetingInvitationArrivesByMail sends the invitation through the
// real SMTP server to everyone who holds a required role: a text/calendar
// part with method=REQUEST that an independent parser reads and that
// carries what calendar apps need; moving it sends a higher SEQUENCE of
// the same UID, cancelling it a CANCEL; a person who switched meetings
// off gets none, and nobody gets a second, plain message beside it.
func TestMeetingInvitationArrivesByMail(t *testing.T) {
	s := newMailServer(t, true)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := relURL(rel.ID)
	rm := s.signIn(t, "rm")
	rm.get(page)
	start := future(3, 15)
	wantStatus(t, rm.post(page+"/meeting", meetingAt(start, "30", "https://meet.example.com/abc")), http.StatusSeeOther)

	team := []string{"po@example.com", "eng@example.com", "qa@example.com", "ops@example.com", "support@example.com"}
	var uid string
	for _, name := range []string{"qa", "ops", "eng", "support", "po"} {
		inv := s.waitInvitation(t, name, "REQUEST", "0")
		e := checkInvitation(t, inv.calendar, "REQUEST", team...)
		uid, _ = e.Props.Text(ical.PropUID)
		if link := propValue(e, ical.PropURL); link != s.URL+page+"/meeting" {
			t.Errorf("%s's invitation links to %q", name, link)
		}
		if org := propValue(e, ical.PropOrganizer); !strings.EqualFold(org, "mailto:rm@example.com") {
			t.Errorf("ORGANIZER %q", org)
		}
		if at, _ := e.DateTimeStart(nil); !at.Equal(start) {
			t.Errorf("DTSTART %s, want %s", at, start)
		}
		if !strings.HasPrefix(inv.subject, "[payments 2.4.0] Go/No-Go meeting, ") || !strings.Contains(inv.text, s.URL+page+"/meeting") {
			t.Errorf("%s's invitation: subject %q, text %q", name, inv.subject, inv.text)
		}
	}

	// The QA lead switches meetings off; the meeting moves.
	if err := s.store.SetNotificationPrefs(t.Context(), s.actorOf("qa"), gonogo.Prefs{gonogo.NotifyMeeting: gonogo.ChannelOff}); err != nil {
		t.Fatal(err)
	}
	rm.get(page)
	wantStatus(t, rm.post(page+"/meeting", meetingAt(start.Add(24*time.Hour), "45", "Room 4")), http.StatusSeeOther)
	inv := s.waitInvitation(t, "ops", "REQUEST", "1")
	e := checkInvitation(t, inv.calendar, "REQUEST", "po@example.com", "eng@example.com", "ops@example.com", "support@example.com")
	if got, _ := e.Props.Text(ical.PropUID); got != uid {
		t.Errorf("the moved meeting is %q, was %q", got, uid)
	}

	rm.get(page)
	wantStatus(t, rm.post(page+"/meeting/cancel", nil), http.StatusSeeOther)
	inv = s.waitInvitation(t, "ops", "CANCEL", "2")
	if !strings.HasPrefix(inv.subject, "[payments 2.4.0] Cancelled: Go/No-Go meeting, ") {
		t.Errorf("the cancel's subject %q", inv.subject)
	}
	e = checkInvitation(t, inv.calendar, "CANCEL", "po@example.com", "eng@example.com", "ops@example.com", "support@example.com")
	if got, _ := e.Props.Text(ical.PropUID); got != uid || propValue(e, ical.PropStatus) != "CANCELLED" {
		t.Errorf("the cancel: UID %q (was %q), STATUS %q", got, uid, propValue(e, ical.PropStatus))
	}
	for _, name := range []string{"po", "eng", "support"} {
		s.waitInvitation(t, name, "REQUEST", "1")
		s.waitInvitation(t, name, "CANCEL", "2")
	}

	if n := s.invitations(t, "qa"); n != 1 {
		t.Errorf("the QA lead, who switched meetings off after the first, got %d invitations", n)
	}
	for _, name := range []string{"rm", "otherqa", "alice"} {
		if n := s.invitations(t, name); n != 0 {
			t.Errorf("%s got %d invitations", name, n)
		}
	}
	// One message per person per change: the invitation is the meeting's email.
	for _, m := range s.smtp.Messages() {
		if _, ok := readInvitation(t, m); !ok {
			if l := readLetter(t, m); l.kind() == string(gonogo.NotifyMeeting) {
				t.Errorf("%v got a plain message of the meeting beside its invitation: %q", l.rcpt, l.subject)
			}
		}
	}
	n := 0
	for _, m := range s.smtp.Messages() {
		if _, ok := readInvitation(t, m); ok {
			n++
		}
	}
	if n != 5+4+4 {
		t.Errorf("%d invitations, want 13: five, then four of the move and four of the cancel", n)
	}
}
