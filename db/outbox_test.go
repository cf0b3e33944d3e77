package db_test

import (
	"bytes"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/mail"
	"github.com/gonogo/gonogo/mail/smtptest"
)

const invitation = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//gonogo//test//EN\r\nMETHOD:REQUEST\r\n" +
	"BEGIN:VEVENT\r\nUID:meeting-1@gonogo.test\r\nDTSTAMP:20261130T120000Z\r\nDTSTART:20261201T090000Z\r\n" +
	"DTEND:20261201T093000Z\r\nSEQUENCE:0\r\nSUMMARY:Go/No-Go: payments 2.4.0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// A message that is not a notification, such as a meeting invitation,
// goes through the same outbox with its calendar part and METHOD; a
// disabled person gets none.
func TestAnInvitationLeavesWithItsCalendarPart(t *testing.T) {
	ctx := t.Context()
	store := db.OpenTest(t)
	qa, err := store.CreateUser(ctx, gonogo.SystemActor, gonogo.NewUser{Email: "qa@example.com", Name: "Quinn QA",
		Password: "a long enough password", Roles: gonogo.RoleSet{gonogo.QALead}})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := store.CreateUser(ctx, gonogo.SystemActor, gonogo.NewUser{Email: "gone@example.com", Name: "Gone",
		Password: "a long enough password", Roles: gonogo.RoleSet{gonogo.QALead}})
	if err != nil {
		t.Fatal(err)
	}
	off := true
	if _, err := store.UpdateUser(ctx, gonogo.Actor{Name: "admin", Admin: true}, gone.ID, gonogo.UserUpdate{Disabled: &off}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{gone.ID, qa.ID} {
		if err := store.EnqueueMail(ctx, gonogo.Mail{UserID: id, Subject: "Invitation: Go/No-Go of payments 2.4.0",
			Text: "The Go/No-Go meeting", Link: "/releases/1/meeting", Calendar: invitation, CalendarMethod: gonogo.CalendarRequest}); err != nil {
			t.Fatal(err)
		}
	}
	smtp := smtptest.Start(t)
	settings, err := mail.Parse(smtp.URL(), "gonogo@example.com", smtptest.Password)
	if err != nil {
		t.Fatal(err)
	}
	w := mail.Start(store, mail.Options{Settings: settings, BaseURL: "https://gonogo.example.com", TLSConfig: smtp.TLSConfig(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(w.Close)
	got := smtp.Wait(t, 1)
	if len(got) != 1 || got[0].To[0] != "qa@example.com" {
		t.Fatalf("the mail server got %+v", got)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("List-Unsubscribe") != "" {
		t.Error("an invitation carries a notification's unsubscribe link")
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	parts := map[string]string{}
	var method string
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		mt, ps, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[mt] = string(body)
		if mt == "text/calendar" {
			method = ps["method"]
		}
	}
	if parts["text/plain"] == "" || parts["text/html"] == "" || method != "REQUEST" {
		t.Fatalf("parts %v, calendar method %q", parts, method)
	}
	cal, err := ical.NewDecoder(strings.NewReader(parts["text/calendar"])).Decode()
	if err != nil {
		t.Fatalf("the calendar part does not parse: %v", err)
	}
	if m, _ := cal.Props.Text(ical.PropMethod); m != "REQUEST" || len(cal.Events()) != 1 {
		t.Errorf("the calendar part has METHOD %q and %d events", m, len(cal.Events()))
	}
	if !strings.Contains(parts["text/plain"], "https://gonogo.example.com/releases/1/meeting") {
		t.Errorf("the text part reads %q", parts["text/plain"])
	}
}

// The outbox keeps sent messages a week and others 30 days.
func TestTheOutboxIsPruned(t *testing.T) {
	ctx := t.Context()
	store := db.OpenTest(t)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	enqueue := func(at time.Time, subject string) {
		store.Now = func() time.Time { return at }
		if err := store.EnqueueMail(ctx, gonogo.Mail{To: "qa@example.com", Subject: subject}); err != nil {
			t.Fatal(err)
		}
	}
	send := func() {
		claimed, err := store.ClaimMail(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range claimed {
			if err := store.SaveMailAttempt(ctx, m.Attempted("", nil, store.Now())); err != nil {
				t.Fatal(err)
			}
		}
	}
	enqueue(now.Add(-8*24*time.Hour), "sent 8 days ago")
	send()
	enqueue(now.Add(-6*24*time.Hour), "sent 6 days ago")
	send()
	enqueue(now.Add(-31*24*time.Hour), "queued 31 days ago")
	enqueue(now.Add(-29*24*time.Hour), "queued 29 days ago")
	store.Now = func() time.Time { return now }
	n, err := store.PruneOutbox(ctx)
	if err != nil || n != 2 {
		t.Fatalf("pruned %d (%v), want 2", n, err)
	}
	left, _ := store.FindOutbox(ctx, "", 0, 10)
	var subjects []string
	for _, m := range left {
		subjects = append(subjects, m.Subject)
	}
	if strings.Join(subjects, "; ") != "queued 29 days ago; sent 6 days ago" {
		t.Errorf("left: %v", subjects)
	}
}
