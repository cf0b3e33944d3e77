package gonogo_test

import (
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestMailSubjectNamesTheReleaseOnce(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"review", "Review opened on payments 2.4.0: your sign-off is needed", "[payments 2.4.0] Review opened: your sign-off is needed"},
		{"nudge", "Rm Tester asks the QA lead to sign off payments 2.4.0", "[payments 2.4.0] Rm Tester asks the QA lead to sign off"},
		{"shipped", "payments 2.4.0 shipped", "[payments 2.4.0] Shipped"},
		{"none", "", "[payments 2.4.0] Your sign-off is needed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gonogo.MailSubject(gonogo.NotifyReview, "payments 2.4.0", tc.text); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMailAttemptsBackOffThenFail(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	backoff := []time.Duration{time.Minute, time.Hour}
	m := gonogo.Mail{Status: gonogo.MailSending}
	m = m.Attempted("421 try later", backoff, now)
	if m.Status != gonogo.MailQueued || !m.NextAttemptAt.Equal(now.Add(time.Minute)) || m.Attempts != 1 {
		t.Fatalf("after one failure: %+v", m)
	}
	m = m.Attempted("421 try later", backoff, now)
	m = m.Attempted("554 refused", backoff, now)
	if m.Status != gonogo.MailFailed || m.Attempts != 3 || m.Error != "554 refused" {
		t.Fatalf("after the last attempt: %+v", m)
	}
	if _, _, err := gonogo.RetryMail(gonogo.Actor{Name: "qa"}, m, now); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Errorf("a non-admin retried: %v", err)
	}
	m, _, err := gonogo.RetryMail(gonogo.Actor{Name: "admin", Admin: true}, m, now)
	if err != nil || m.Status != gonogo.MailQueued || m.Attempts != 0 {
		t.Fatalf("retried: %+v %v", m, err)
	}
	if _, _, err := gonogo.RetryMail(gonogo.Actor{Name: "admin", Admin: true}, m, now); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Errorf("a queued message was retried: %v", err)
	}
	if m = m.Attempted("", backoff, now); m.Status != gonogo.MailSent || !m.SentAt.Equal(now) {
		t.Errorf("sent: %+v", m)
	}
}

func TestUnsubscribeLinksAreSignedPerPersonAndKind(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	path := gonogo.UnsubscribePath(key, 7, gonogo.NotifyReview)
	sig := path[len("/unsubscribe/7/review/"):]
	if !gonogo.CheckUnsubscribe(key, 7, gonogo.NotifyReview, sig) {
		t.Fatal("the link's own signature is refused")
	}
	if gonogo.CheckUnsubscribe(key, 8, gonogo.NotifyReview, sig) || gonogo.CheckUnsubscribe(key, 7, gonogo.NotifyNudge, sig) ||
		gonogo.CheckUnsubscribe([]byte("another key"), 7, gonogo.NotifyReview, sig) || gonogo.CheckUnsubscribe(nil, 7, gonogo.NotifyReview, sig) {
		t.Error("a signature stands for another person, kind or key")
	}
	prefs, au, err := gonogo.Unsubscribe(gonogo.Actor{UserID: 7}, gonogo.Prefs{gonogo.NotifyNudge: gonogo.ChannelOff}, gonogo.NotifyReview)
	if err != nil || au == nil || prefs.For(gonogo.NotifyReview) != gonogo.ChannelInbox || prefs.For(gonogo.NotifyNudge) != gonogo.ChannelOff {
		t.Fatalf("unsubscribed: %v %v %v", prefs, au, err)
	}
	if _, au, _ := gonogo.Unsubscribe(gonogo.Actor{UserID: 7}, prefs, gonogo.NotifyReview); au != nil {
		t.Error("a second click was audited again")
	}
}
