package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/mail/smtptest"
)

// TestMailSurvivesSIGKILL runs the real server binary with a real SMTP
// server (STARTTLS, AUTH PLAIN), kills it with SIGKILL twice, once while
// it is in the middle of sending a message (the mail server holds its
// RCPT) and once after a change was committed with no mail server set,
// and checks after each restart that the message arrives, once.
func TestMailSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server and kills it; skipped with -short")
	}
	dir := t.TempDir()
	bin := buildServer(t, dir)
	path := filepath.Join(dir, "gonogo.db")
	releases := seedMailBoard(t, path)
	smtp := smtptest.Start(t)
	// The binary trusts the test's mail server as Go trusts any: through
	// the roots SSL_CERT_FILE names, here its self-signed certificate.
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, smtp.CA, 0o600); err != nil {
		t.Fatal(err)
	}
	withMail := []string{"-smtp-url", smtp.URL(), "-mail-from", "gonogo@example.com"}
	mailEnv := []string{"SSL_CERT_FILE=" + ca, "GONOGO_SMTP_PASSWORD=" + smtptest.Password}

	// Killed mid-send: the change is committed, the message claimed, and
	// the mail server has not got it.
	held := smtp.Hold()
	srv := startServerWith(t, bin, path, withMail, mailEnv)
	openReview(t, srv, releases[0])
	select {
	case <-held:
	case <-time.After(time.Minute):
		t.Fatalf("the worker did not start sending\n%s", srv.log)
	}
	srv.kill()
	smtp.Release()
	if got := outboxStatuses(t, path); strings.Join(got, ",") != "sending" {
		t.Fatalf("after the kill the outbox is %v, want one message claimed", got)
	}
	srv = startServerWith(t, bin, path, withMail, mailEnv)
	smtp.Wait(t, 1)
	waitOutbox(t, path, "sent")

	// Killed after the commit, before any send: no mail server is set.
	srv.kill()
	srv = startServerWith(t, bin, path, nil, nil)
	openReview(t, srv, releases[1])
	if got := outboxStatuses(t, path); strings.Join(got, ",") != "sent,queued" {
		t.Fatalf("without a mail server the outbox is %v", got)
	}
	srv.kill()
	srv = startServerWith(t, bin, path, withMail, mailEnv)
	smtp.Wait(t, 2)
	waitOutbox(t, path, "sent,sent")
	if err := srv.stop(); err != nil {
		t.Fatalf("graceful stop: %v\n%s", err, srv.log)
	}

	got := smtp.Messages()
	if len(got) != 2 {
		t.Fatalf("the mail server got %d messages, want 2 (one per change)", len(got))
	}
	for i, m := range got {
		if len(m.To) != 1 || m.To[0] != "qa@example.com" || !strings.Contains(string(m.Data), fmt.Sprintf("/releases/%d#role-qa-lead", releases[i])) {
			t.Errorf("message %d went to %v:\n%.600s", i, m.To, m.Data)
		}
	}
}

// seedMailBoard makes a release manager, a QA lead (who hears of a review
// by email, the default) and two releases in draft.
func seedMailBoard(t *testing.T, path string) []int64 {
	t.Helper()
	db.BcryptCost = bcrypt.MinCost
	ctx := context.Background()
	store, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rm, err := store.CreateUser(ctx, gonogo.SystemActor, gonogo.NewUser{Email: "rm@example.com", Name: "Rita Manager",
		Password: crashPassword, Roles: gonogo.RoleSet{gonogo.ReleaseManager}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateUser(ctx, gonogo.SystemActor, gonogo.NewUser{Email: "qa@example.com", Name: "Quinn QA",
		Password: crashPassword, Roles: gonogo.RoleSet{gonogo.QALead}}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 2 {
		rel, err := store.CreateRelease(ctx, gonogo.SystemActor, gonogo.ReleaseInput{Product: "mail", Version: fmt.Sprintf("1.%d.0", i),
			Title: "Mail safety", ManagerID: rm.ID})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rel.ID)
	}
	return ids
}

// openReview opens a release's review as its manager, through the page.
func openReview(t *testing.T, srv *server, id int64) {
	t.Helper()
	rm := signInBrowser(t, srv.url, "rm@example.com")
	page := fmt.Sprintf("/releases/%d", id)
	if _, err := rm.do(http.MethodGet, page, nil); err != nil {
		t.Fatal(err)
	}
	code, err := rm.do(http.MethodPost, page+"/transitions", url.Values{"transition": {"open-review"}, "confirm": {"1"}})
	if err != nil || code != http.StatusSeeOther {
		t.Fatalf("open review: %d %v\n%s", code, err, srv.log)
	}
}

// outboxStatuses reads the outbox's statuses, oldest first, from the file.
func outboxStatuses(t *testing.T, path string) []string {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	got, err := queryStrings(raw, `SELECT status FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// waitOutbox waits for the outbox to read want (statuses, oldest first).
func waitOutbox(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got := strings.Join(outboxStatuses(t, path), ",")
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outbox reads %s, want %s", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
