package mail

import (
	"context"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// message renders m: text and HTML parts, its calendar part if it has
// one, and the headers that thread a release's mail (a fixed
// Message-ID per message; In-Reply-To and References naming the
// release's thread) and let its reader stop a kind in one click (RFC
// 8058, signed with key).
func (w *Worker) message(m gonogo.Mail, key []byte) (*gomail.Msg, error) {
	base := strings.TrimSuffix(w.opt.BaseURL, "/")
	v := views.MailView{Subject: m.Subject, Text: m.Text, Release: m.Release, Actor: m.Actor, Profile: base + "/profile#notifications"}
	if m.Link != "" {
		v.Link = base + m.Link
	}
	msg := gomail.NewMsg()
	if m.Kind != "" {
		v.Kind = m.Kind.Label()
		if m.UserID != 0 && len(key) > 0 {
			v.Unsubscribe = base + gonogo.UnsubscribePath(key, m.UserID, m.Kind)
			msg.SetListUnsubscribe(v.Unsubscribe)
			msg.SetListUnsubscribePost()
		}
		// The kind, for the reader's mail filters.
		msg.SetGenHeader(gomail.Header("X-Gonogo-Kind"), string(m.Kind))
		// Notifications are machine-written: no out-of-office replies.
		msg.SetBulk()
		msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	}
	text, html, err := views.RenderMail(context.WithoutCancel(w.ctx), v)
	if err != nil {
		return nil, err
	}
	if err := msg.From(w.opt.Settings.From); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, err
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetMessageIDWithValue(gonogo.MessageID(m, w.host))
	if m.ReleaseID != 0 {
		thread := "<" + gonogo.ThreadID(m.ReleaseID, w.host) + ">"
		msg.SetGenHeader(gomail.HeaderInReplyTo, thread)
		msg.SetGenHeader(gomail.HeaderReferences, thread)
	}
	msg.SetUserAgent("gonogo")
	msg.SetBodyString(gomail.TypeTextPlain, text)
	msg.AddAlternativeString(gomail.TypeTextHTML, html)
	if m.Calendar != "" {
		msg.AddAlternativeString(gomail.ContentType("text/calendar; method="+m.CalendarMethod), m.Calendar)
	}
	return msg, nil
}
