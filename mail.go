package gonogo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// MailStatus is where a message of the outbox stands.
type MailStatus string

const (
	// MailQueued waits for its turn (its next attempt, after a failure).
	MailQueued MailStatus = "queued"
	// MailSending is claimed by the worker, which is sending it. A
	// message left so by a worker that died is queued again at the next
	// start (see the mail package).
	MailSending MailStatus = "sending"
	MailSent    MailStatus = "sent"
	// MailFailed gave up after the last attempt; an admin may retry it.
	MailFailed MailStatus = "failed"
)

// MailStatuses lists the statuses in the order Admin → Email filters by.
var MailStatuses = []MailStatus{MailQueued, MailSending, MailSent, MailFailed}

// Valid reports whether s is a known status.
func (s MailStatus) Valid() bool {
	for _, v := range MailStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// Calendar methods of a message's iCalendar part (RFC 5546).
const (
	CalendarRequest = "REQUEST"
	CalendarCancel  = "CANCEL"
)

// Mail is one message of the outbox: written in the same transaction as
// the change it tells of, sent by the worker afterwards. It holds what
// the message says, not its rendered body: the worker renders it (text
// and HTML) with the board's address when it sends.
type Mail struct {
	ID     int64
	UserID int64  // the person it goes to
	To     string // their address when it was written
	// Kind is the notification kind it tells of; "" for mail that is not
	// a notification (a meeting invitation), which has no unsubscribe link.
	Kind      NotificationKind
	ReleaseID int64  // 0 for mail about no release
	Release   string // the release's name when it was written
	Subject   string
	Text      string // what happened, one sentence
	Link      string // the place it leads to, a path of the board
	Actor     string
	// Calendar is an iCalendar object sent as a text/calendar part
	// beside the text and HTML, with its METHOD (CalendarRequest or
	// CalendarCancel); both "" for mail without one.
	Calendar       string
	CalendarMethod string

	Status        MailStatus
	Attempts      int
	Error         string // why the last attempt failed
	NextAttemptAt time.Time
	LastAttemptAt time.Time
	CreatedAt     time.Time
	SentAt        time.Time
}

// MailBackoff is how long the worker waits after each failed attempt
// before the next: six attempts over about two and a half hours, as a
// webhook's; then the message is failed and shown so on Admin → Email.
var MailBackoff = DefaultBackoff

// Attempted returns m after an attempt at now that failed with errText
// ("" when it was sent): sent, or queued again after the backoff for its
// number of attempts, or failed once the backoff is used up.
func (m Mail) Attempted(errText string, backoff []time.Duration, now time.Time) Mail {
	m.Attempts++
	m.Error, m.LastAttemptAt = errText, now
	switch {
	case errText == "":
		m.Status, m.SentAt = MailSent, now
	case m.Attempts > len(backoff):
		m.Status = MailFailed
	default:
		m.Status, m.NextAttemptAt = MailQueued, now.Add(backoff[m.Attempts-1])
	}
	return m
}

// Outbox bounds: a sent message is kept for a week (Admin → Email shows
// what went out lately), a failed or never sent one for 30 days (a mail
// about a sign-off a month late helps nobody, and its inbox row stays).
// Without SMTP settings the queue so holds at most a month of mail.
const (
	SentMailKept   = 7 * 24 * time.Hour
	UnsentMailKept = 30 * 24 * time.Hour
)

// MailSubject is the subject of a notification's mail: the release in
// brackets, then what happened, so an inbox sorts and reads at a glance.
func MailSubject(kind NotificationKind, release, text string) string {
	what := kind.Label()
	if text != "" {
		what = text
	}
	if release == "" {
		return Excerpt(what)
	}
	// The release is in brackets already: the sentence need not name it.
	for _, cut := range []string{" on " + release, " of " + release} {
		what = strings.Replace(what, cut, "", 1)
	}
	what = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(what, release+": "), release+" "), " "+release)
	if r := []rune(what); len(r) > 0 {
		what = strings.ToUpper(string(r[0])) + string(r[1:])
	}
	return Excerpt("[" + release + "] " + what)
}

// NotificationMail is the mail of notification n for a person at to.
func NotificationMail(n Notification, to string) Mail {
	return Mail{UserID: n.UserID, To: to, Kind: n.Kind, ReleaseID: n.ReleaseID, Release: n.Release,
		Subject: MailSubject(n.Kind, n.Release, n.Text), Text: n.Text, Link: n.Link, Actor: n.Actor}
}

// Mailable reports whether a person can be mailed at all: enabled, with
// an address that parses.
func Mailable(email string, disabled bool) bool {
	if disabled || email == "" {
		return false
	}
	_, err := mail.ParseAddress(email)
	return err == nil
}

// ThreadID is the Message-ID a release's messages all refer to
// (In-Reply-To and References), so a mail client shows one release's
// mail as one thread; host is the board's.
func ThreadID(releaseID int64, host string) string {
	return "release-" + strconv.FormatInt(releaseID, 10) + "@" + host
}

// MessageID is the Message-ID of outbox message m: the same at every
// attempt, so a message sent twice (the worker killed after the server
// took it, before it was marked sent) is one message to the reader.
func MessageID(m Mail, host string) string {
	return fmt.Sprintf("mail-%d.%d@%s", m.ID, m.CreatedAt.Unix(), host)
}

// UnsubscribePath is the address that switches off, for one person, the
// email of one kind: signed with key, so it needs no sign-in (RFC 8058).
func UnsubscribePath(key []byte, userID int64, kind NotificationKind) string {
	return fmt.Sprintf("/unsubscribe/%d/%s/%s", userID, kind, unsubscribeSig(key, userID, kind))
}

// CheckUnsubscribe reports whether sig is key's signature of userID and
// kind, as UnsubscribePath made it.
func CheckUnsubscribe(key []byte, userID int64, kind NotificationKind, sig string) bool {
	return len(key) > 0 && hmac.Equal([]byte(sig), []byte(unsubscribeSig(key, userID, kind)))
}

func unsubscribeSig(key []byte, userID int64, kind NotificationKind) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "gonogo unsubscribe %d %s", userID, kind)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ActionUnsubscribe is a person switching off a kind's email from the
// link in a message; ActionMailRetry an admin sending a failed message
// again.
const (
	ActionUnsubscribe Action = "notify.unsubscribe"
	ActionMailRetry   Action = "mail.retry"
)

// Unsubscribe is a person switching off the email of kind from a
// message's link: the kind stays in their inbox. It returns their prefs
// after, and the audit; nil when the kind was not by email already.
func Unsubscribe(actor Actor, was Prefs, kind NotificationKind) (Prefs, *Audit, error) {
	if !kind.Valid() {
		return was, nil, Errorf(ENOTFOUND, "there is no such kind of notification")
	}
	if was.For(kind) != ChannelEmail {
		return was, nil, nil
	}
	next := Prefs{}
	for k, c := range was {
		next[k] = c
	}
	next[kind] = ChannelInbox
	a := audit(ActionUnsubscribe, "switched off the email of “%s” from the link in a message; it stays in the inbox", kind.Label())
	return next, &a, nil
}

// RetryMail is an admin sending a failed message again: it is queued
// with its attempts counted afresh.
func RetryMail(actor Actor, m Mail, now time.Time) (Mail, Audit, error) {
	if !actor.Admin {
		return m, Audit{}, Errorf(EFORBIDDEN, "only admins may retry mail")
	}
	if m.Status != MailFailed {
		return m, Audit{}, Errorf(ECONFLICT, "only a failed message can be retried; this one is %s", m.Status)
	}
	m.Status, m.Attempts, m.NextAttemptAt = MailQueued, 0, now
	return m, audit(ActionMailRetry, "retried the mail “%s” to %s, which had failed: %s", m.Subject, m.To, m.Error), nil
}
