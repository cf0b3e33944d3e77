package handlers_test

import (
	"bytes"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
	"github.com/gonogo/gonogo/mail"
	"github.com/gonogo/gonogo/mail/smtptest"
	"github.com/gonogo/gonogo/webhook"
)

// lateWorker stands for the mail worker in the server's configuration
// until it starts, which needs the server's address for its links.
type lateWorker struct{ w atomic.Pointer[mail.Worker] }

func (l *lateWorker) Server() (string, int, string) {
	if w := l.w.Load(); w != nil {
		return w.Server()
	}
	return "", 0, ""
}

func (l *lateWorker) Counts() (uint64, uint64, uint64) {
	if w := l.w.Load(); w != nil {
		return w.Counts()
	}
	return 0, 0, 0
}

// mailServer is the board with its mail worker, as cmd/web wires them,
// sending to a real SMTP server (smtptest: STARTTLS, AUTH PLAIN) that
// the worker trusts through the test's CA. The people are inboxServer's.
type mailServer struct {
	*testServer
	smtp *smtptest.Server
}

const mailFrom = "gonogo <gonogo@example.com>"

func newMailServer(t *testing.T, configured bool) *mailServer {
	t.Helper()
	smtp := smtptest.Start(t)
	late := &lateWorker{}
	s := newConfiguredServer(t, func(cfg *handlers.Config, _ *webhook.Options) { cfg.Mail = late })
	opt := mail.Options{BaseURL: s.URL, Backoff: testBackoff, TLSConfig: smtp.TLSConfig(), Timeout: 10 * time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if configured {
		settings, err := mail.Parse(smtp.URL(), mailFrom, smtptest.Password)
		if err != nil {
			t.Fatal(err)
		}
		opt.Settings = settings
	}
	w := mail.Start(s.store, opt)
	t.Cleanup(w.Close) // before the store closes: cleanups run last first
	late.w.Store(w)
	s.users = map[string]gonogo.User{}
	for name, roles := range map[string]gonogo.RoleSet{
		"po": {gonogo.ProductOwner}, "eng": {gonogo.EngineeringLead}, "qa": {gonogo.QALead},
		"ops": {gonogo.Ops}, "support": {gonogo.SupportLead}, "rm": {gonogo.ReleaseManager}, "admin": nil,
	} {
		s.users[name] = s.mustCreateUser(t, name, roles, name == "admin")
	}
	s.mustScopedUser(t, "otherqa", gonogo.Grant{Role: gonogo.QALead, Product: "web"})
	s.mustCreateUser(t, "alice", nil, false)
	return &mailServer{testServer: s, smtp: smtp}
}

// letter is a delivered message as an independent parser reads it:
// net/mail for the headers, mime/multipart for the parts (which undoes
// their quoted-printable).
type letter struct {
	rcpt    []string // the envelope's recipients
	header  netmail.Header
	subject string
	text    string
	html    string
}

func readLetter(t *testing.T, m smtptest.Message) letter {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("not a message: %v\n%s", err, m.Data)
	}
	l := letter{rcpt: m.To, header: msg.Header}
	if l.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
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
		switch pt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); pt {
		case "text/plain":
			l.text = string(body)
		case "text/html":
			l.html = string(body)
		}
	}
	return l
}

func (l letter) kind() string { return l.header.Get("X-Gonogo-Kind") }

// to reports whether the letter went to the named test person.
func (l letter) to(name string) bool {
	return len(l.rcpt) == 1 && l.rcpt[0] == name+"@example.com" && l.header.Get("To") == "<"+name+"@example.com>"
}

// waitLetter waits for the message of kind to the named person whose
// link leads to link, and checks what every notification's message
// carries: both parts, the exact place as an absolute link in each, the
// release in the subject, threading on the release and a one-click
// unsubscribe link.
func (s *mailServer) waitLetter(t *testing.T, name string, kind gonogo.NotificationKind, release, link string) letter {
	t.Helper()
	abs := s.URL + link
	var l letter
	s.smtp.WaitFor(t, string(kind)+" to "+name+" leading to "+link, func(m smtptest.Message) bool {
		l = readLetter(t, m)
		return l.to(name) && l.kind() == string(kind) && strings.Contains(l.text, abs)
	})
	if !strings.Contains(l.subject, "["+release+"]") {
		t.Errorf("%s's %s mail has the subject %q", name, kind, l.subject)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(l.html))
	if err != nil {
		t.Fatal(err)
	}
	if href, _ := doc.Find("[data-testid=mail-link]").Attr("href"); href != abs {
		t.Errorf("%s's %s mail links to %q in HTML, want %q", name, kind, href, abs)
	}
	if l.header.Get("From") != `"gonogo" <gonogo@example.com>` {
		t.Errorf("From: %q", l.header.Get("From"))
	}
	if !strings.HasPrefix(l.header.Get("List-Unsubscribe"), "<"+s.URL+"/unsubscribe/") ||
		l.header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("unsubscribe headers %q %q", l.header.Get("List-Unsubscribe"), l.header.Get("List-Unsubscribe-Post"))
	}
	if l.header.Get("Message-Id") == "" || l.header.Get("References") == "" || l.header.Get("In-Reply-To") != l.header.Get("References") {
		t.Errorf("threading headers: Message-ID %q, In-Reply-To %q, References %q", l.header.Get("Message-Id"),
			l.header.Get("In-Reply-To"), l.header.Get("References"))
	}
	return l
}

// emailEverything has each of the people choose email for every kind.
func (s *mailServer) emailEverything(t *testing.T, names ...string) {
	t.Helper()
	prefs := gonogo.Prefs{}
	for _, k := range gonogo.NotificationKinds {
		prefs[k] = gonogo.ChannelEmail
	}
	for _, name := range names {
		if err := s.store.SetNotificationPrefs(t.Context(), s.actorOf(name), prefs); err != nil {
			t.Fatal(err)
		}
	}
}

// outboxFor is the outbox's messages to the named person about a release.
func (s *mailServer) outboxFor(t *testing.T, name string, releaseID int64) []gonogo.Mail {
	t.Helper()
	all, err := s.store.FindOutbox(t.Context(), "", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []gonogo.Mail
	for _, m := range all {
		if m.To == name+"@example.com" && m.ReleaseID == releaseID {
			out = append(out, m)
		}
	}
	return out
}

func TestEveryKindOfNotificationArrivesByMail(t *testing.T) {
	s := newMailServer(t, true)
	s.emailEverything(t, "po", "eng", "qa", "ops", "support", "rm")
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	page := relURL(rel.ID)
	rm := s.signIn(t, "rm")
	rm.get(page)
	wantStatus(t, rm.post(page+"/transitions", url.Values{"transition": {"open-review"}, "confirm": {"1"}}), http.StatusSeeOther)
	s.waitLetter(t, "qa", gonogo.NotifyReview, "payments 2.4.0", page+"#role-qa-lead")

	// A nudge needs someone to carry it (today, a webhook).
	s.registerWebhook(t, s.signIn(t, "admin"), "http://127.0.0.1:9/nudges", gonogo.TopicNudge)
	rm.get(page)
	wantStatus(t, rm.post(page+"/nudge", url.Values{"role": {"qa-lead"}}), http.StatusSeeOther)
	s.waitLetter(t, "qa", gonogo.NotifyNudge, "payments 2.4.0", page+"#role-qa-lead")

	ops := s.signIn(t, "ops")
	ops.get(page)
	wantStatus(t, ops.post(page+"/comments", url.Values{"body": {"@qa: the refund flow needs a look"}}), http.StatusSeeOther)
	comments, err := s.store.FindComments(t.Context(), rel.ID, rel.Cycle)
	if err != nil || len(comments) != 1 {
		t.Fatalf("comments %v %v", comments, err)
	}
	s.waitLetter(t, "qa", gonogo.NotifyMention, "payments 2.4.0", page+"#comment-"+itoa(comments[0].ID))

	var opsItem gonogo.Item
	items, _ := s.store.FindItems(t.Context(), rel.ID)
	for _, it := range items {
		if it.Phase == gonogo.Readiness && it.CheckKey == "" && it.OwnerRole == gonogo.Ops && opsItem.ID == 0 {
			opsItem = it
		}
	}
	rm.get(page)
	wantStatus(t, rm.post(page+"/items/"+itoa(opsItem.ID), url.Values{"status": {"failed"}, "evidence": {"https://ci.example.com/1"}}), http.StatusSeeOther)
	s.waitLetter(t, "ops", gonogo.NotifyItemFailed, "payments 2.4.0", page+"#item-"+itoa(opsItem.ID))

	qa := s.signIn(t, "qa")
	qa.get(page)
	wantStatus(t, qa.post(page+"/votes", url.Values{"role": {"qa-lead"}, "value": {"go"}, "conditions": {"ops: deploy off-peak"}}), http.StatusSeeOther)
	var cond gonogo.Item
	items, _ = s.store.FindItems(t.Context(), rel.ID)
	for _, it := range items {
		if it.IsCondition() {
			cond = it
		}
	}
	s.waitLetter(t, "ops", gonogo.NotifyCondition, "payments 2.4.0", page+"#item-"+itoa(cond.ID))

	rm.get(page)
	wantStatus(t, rm.post(page+"/window", url.Values{"window_start": {"2099-03-03T20:00"}, "window_end": {"2099-03-03T22:00"}}), http.StatusSeeOther)
	s.waitLetter(t, "qa", gonogo.NotifyWindow, "payments 2.4.0", page+"#release-head")

	wantStatus(t, s.decideNoGo(t, rm, rel.ID), http.StatusSeeOther)
	s.waitLetter(t, "qa", gonogo.NotifyDecision, "payments 2.4.0", page+"/decisions/1")

	shipped := s.mustGoRelease(t, "payments", "2.5.0")
	s.move(t, shipped.ID, gonogo.StartDeploy)
	s.move(t, shipped.ID, gonogo.FinishDeploy)
	s.settleVerification(t, shipped.ID)
	rm.get(relURL(shipped.ID))
	wantStatus(t, rm.post(relURL(shipped.ID)+"/transitions", url.Values{"transition": {"mark-released"}, "confirm": {"1"}}), http.StatusSeeOther)
	s.waitLetter(t, "ops", gonogo.NotifyShipped, "payments 2.5.0", relURL(shipped.ID)+"#release-head")

	// Nobody outside the release's roles was mailed, and nobody twice
	// for one notification.
	for _, m := range s.smtp.Messages() {
		l := readLetter(t, m)
		if l.to("otherqa") || l.to("alice") {
			t.Errorf("%v got %q", l.rcpt, l.subject)
		}
	}
	seen := map[string]bool{}
	for _, m := range s.smtp.Messages() {
		id := readLetter(t, m).header.Get("Message-Id")
		if seen[id] {
			t.Errorf("message %s arrived twice", id)
		}
		seen[id] = true
	}
}

func TestMailOfOneReleaseIsOneThread(t *testing.T) {
	s := newMailServer(t, true)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	other := s.mustCreateRelease(t, "payments", "2.5.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.move(t, other.ID, gonogo.OpenReview)
	s.registerWebhook(t, s.signIn(t, "admin"), "http://127.0.0.1:9/nudges", gonogo.TopicNudge)
	rm := s.signIn(t, "rm")
	rm.get(relURL(rel.ID))
	wantStatus(t, rm.post(relURL(rel.ID)+"/nudge", url.Values{"role": {"qa-lead"}}), http.StatusSeeOther)

	review := s.waitLetter(t, "qa", gonogo.NotifyReview, "payments 2.4.0", relURL(rel.ID)+"#role-qa-lead")
	nudge := s.waitLetter(t, "qa", gonogo.NotifyNudge, "payments 2.4.0", relURL(rel.ID)+"#role-qa-lead")
	otherReview := s.waitLetter(t, "qa", gonogo.NotifyReview, "payments 2.5.0", relURL(other.ID)+"#role-qa-lead")
	refs := review.header.Get("References")
	if nudge.header.Get("References") != refs || nudge.header.Get("In-Reply-To") != refs {
		t.Errorf("two messages of one release refer to %q and %q", refs, nudge.header.Get("References"))
	}
	if otherReview.header.Get("References") == refs {
		t.Errorf("two releases share the thread %q", refs)
	}
	if review.header.Get("Message-Id") == nudge.header.Get("Message-Id") || review.header.Get("Message-Id") == refs {
		t.Errorf("Message-IDs %q %q, thread %q", review.header.Get("Message-Id"), nudge.header.Get("Message-Id"), refs)
	}
	if _, err := netmail.ParseAddress("x " + refs); err != nil {
		t.Errorf("References %q is not an id in angle brackets: %v", refs, err)
	}
	if !strings.Contains(review.text, "payments 2.4.0") || !strings.Contains(review.text, "Stop these emails") {
		t.Errorf("the text part reads %q", review.text)
	}
	if s.smtp.Auths() == 0 {
		t.Error("the worker sent without signing in")
	}
}

func TestOneClickUnsubscribeSwitchesTheKindsEmailOff(t *testing.T) {
	s := newMailServer(t, true)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	l := s.waitLetter(t, "qa", gonogo.NotifyReview, "payments 2.4.0", relURL(rel.ID)+"#role-qa-lead")
	link := strings.Trim(l.header.Get("List-Unsubscribe"), "<>")
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(l.html))
	if href, _ := doc.Find("[data-testid=mail-unsubscribe]").Attr("href"); href != link {
		t.Errorf("the HTML part's unsubscribe link is %q, the header's %q", href, link)
	}

	// A GET, as a link checker or a click opens it, asks and changes nothing.
	stranger := s.client(t)
	res, page := stranger.get(strings.TrimPrefix(link, s.URL))
	wantStatus(t, res, http.StatusOK)
	if page.Find("[data-testid=unsubscribe-form]").Length() != 1 {
		t.Fatal("the link's page has no button")
	}
	qa := s.signIn(t, "qa")
	_, profile := qa.get("/profile")
	if _, ok := profile.Find("[data-testid=pref-review-email]").Attr("checked"); !ok {
		t.Fatal("opening the link changed the choice")
	}

	// The one-click POST of RFC 8058: no cookie, no CSRF token.
	req, _ := http.NewRequest(http.MethodPost, link, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	wantStatus(t, res2, http.StatusOK)
	_, profile = qa.get("/profile")
	if _, ok := profile.Find("[data-testid=pref-review-inbox]").Attr("checked"); !ok {
		t.Error("the profile does not show “your sign-off is needed” in the inbox only")
	}
	ev := s.lastEvents(t, 1)[0]
	if ev.Action != string(gonogo.ActionUnsubscribe) || ev.ActorID != s.users["qa"].ID || !strings.Contains(ev.Detail, "Your sign-off is needed") {
		t.Errorf("the unsubscribe was audited as %+v", ev)
	}

	// The next review mails ops and not qa, who still hears of it in the inbox.
	next := s.mustCreateRelease(t, "payments", "2.5.0")
	s.move(t, next.ID, gonogo.OpenReview)
	s.waitLetter(t, "ops", gonogo.NotifyReview, "payments 2.5.0", relURL(next.ID)+"#role-ops")
	if got := s.outboxFor(t, "qa", next.ID); len(got) != 0 {
		t.Errorf("qa unsubscribed and was still mailed %+v", got)
	}
	for _, m := range s.smtp.Messages() {
		if l := readLetter(t, m); l.to("qa") && strings.Contains(l.subject, "2.5.0") {
			t.Errorf("qa got %q", l.subject)
		}
	}
	if len(ofKind(inbox(t, qa), gonogo.NotifyReview)) != 2 {
		t.Error("the review left qa's inbox too")
	}

	// A link gonogo did not sign, or signed for another person, changes nothing.
	forged := strings.Replace(link, "/review/", "/nudge/", 1)
	for _, bad := range []string{forged, s.URL + "/unsubscribe/" + itoa(s.users["ops"].ID) + "/review/" + link[strings.LastIndex(link, "/")+1:]} {
		req, _ := http.NewRequest(http.MethodPost, bad, strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		wantStatus(t, res, http.StatusNotFound)
	}
	ops := s.signIn(t, "ops")
	_, profile = ops.get("/profile")
	if _, ok := profile.Find("[data-testid=pref-review-email]").Attr("checked"); !ok {
		t.Error("a link signed for qa switched ops's mail off")
	}
}

func TestAKindSwitchedOffSendsNoMail(t *testing.T) {
	s := newMailServer(t, true)
	qa := s.signIn(t, "qa")
	_, doc := qa.get("/profile")
	action, form := formOf(t, doc, "[data-testid=prefs-form]", "")
	form.Set("review", "off")
	wantStatus(t, qa.post(action, form), http.StatusSeeOther)
	support := s.signIn(t, "support")
	_, doc = support.get("/profile")
	action, form = formOf(t, doc, "[data-testid=prefs-form]", "")
	form.Set("review", "inbox")
	wantStatus(t, support.post(action, form), http.StatusSeeOther)
	// A disabled person is mailed nothing either.
	off := true
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), s.users["eng"].ID, gonogo.UserUpdate{Disabled: &off}); err != nil {
		t.Fatal(err)
	}

	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.waitLetter(t, "ops", gonogo.NotifyReview, "payments 2.4.0", relURL(rel.ID)+"#role-ops")
	for _, name := range []string{"qa", "support", "eng"} {
		if got := s.outboxFor(t, name, rel.ID); len(got) != 0 {
			t.Errorf("%s was mailed %+v", name, got)
		}
	}
	for _, m := range s.smtp.Messages() {
		if l := readLetter(t, m); l.to("qa") || l.to("support") || l.to("eng") {
			t.Errorf("%v got %q", l.rcpt, l.subject)
		}
	}
}

// mailRow is one message as Admin → Email shows it.
type mailRow struct {
	id, to, subject, status, attempts, err string
	retry                                  bool
}

func outboxRows(doc *goquery.Document) []mailRow {
	var out []mailRow
	doc.Find("[data-testid=mail-row]").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("data-id")
		status, _ := s.Attr("data-status")
		out = append(out, mailRow{id: id, to: text2(s, "mail-to"), subject: text2(s, "mail-subject"), status: status,
			attempts: text2(s, "mail-attempts"), err: text2(s, "mail-error"), retry: s.Find("[data-testid=mail-retry]").Length() == 1})
	})
	return out
}

func text2(s *goquery.Selection, testid string) string {
	return strings.TrimSpace(s.Find("[data-testid=" + testid + "]").Text())
}

// waitStatus waits until every message of the outbox is in status.
func (s *mailServer) waitStatus(t *testing.T, status gonogo.MailStatus) []gonogo.Mail {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		all, err := s.store.FindOutbox(t.Context(), "", 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		done := len(all) > 0
		for _, m := range all {
			done = done && m.Status == status
		}
		if done {
			return all
		}
		if time.Now().After(deadline) {
			t.Fatalf("the outbox did not come to %s: %+v", status, all)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestARefusedMessageIsRetriedThenShownFailed(t *testing.T) {
	s := newMailServer(t, true)
	s.smtp.Refuse(true)
	if err := s.store.SetNotificationPrefs(t.Context(), s.actorOf("ops"), gonogo.Prefs{gonogo.NotifyReview: gonogo.ChannelOff}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"po", "eng", "support"} {
		if err := s.store.SetNotificationPrefs(t.Context(), s.actorOf(name), gonogo.Prefs{gonogo.NotifyReview: gonogo.ChannelInbox}); err != nil {
			t.Fatal(err)
		}
	}
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview) // mails qa alone
	failed := s.waitStatus(t, gonogo.MailFailed)
	if len(failed) != 1 || failed[0].Attempts != len(testBackoff)+1 {
		t.Fatalf("the outbox after the refusals: %+v", failed)
	}

	admin := s.signIn(t, "admin")
	res, doc := admin.get("/admin/email")
	wantStatus(t, res, http.StatusOK)
	if host := text(doc, "[data-testid=mail-host]"); host != s.smtp.Host+":"+itoa(int64(s.smtp.Port)) || text(doc, "[data-testid=mail-from]") != mailFrom {
		t.Errorf("the settings show %q from %q", host, text(doc, "[data-testid=mail-from]"))
	}
	if strings.Contains(doc.Text(), smtptest.Password) {
		t.Error("Admin → Email shows the SMTP password")
	}
	rows := outboxRows(doc)
	if len(rows) != 1 || rows[0].status != "failed" || rows[0].attempts != "4" || !strings.Contains(rows[0].err, "refused by the test server") ||
		rows[0].to != "qa@example.com" || !rows[0].retry {
		t.Fatalf("Admin → Email shows %+v", rows)
	}
	_, metrics := admin.getText("/metrics")
	if !strings.Contains(metrics, "gonogo_mail_given_up_total 1") || !strings.Contains(metrics, "gonogo_mail_send_failures_total 4") {
		t.Errorf("/metrics says %s", grepLines(metrics, "gonogo_mail_"))
	}

	// Without the CSRF token nothing is retried; with it, the message
	// goes out once the server takes mail again, and the retry is audited.
	wantStatus(t, admin.postRaw("/admin/email/"+rows[0].id+"/retry", url.Values{}, map[string]string{"X-CSRF-Token": "forged"}), http.StatusForbidden)
	s.smtp.Refuse(false)
	action, form := formOf(t, doc, "[data-testid=mail-row] form", "")
	wantStatus(t, admin.post(action, form), http.StatusSeeOther)
	ev := s.lastEvents(t, 1)[0]
	if ev.Action != string(gonogo.ActionMailRetry) || !strings.Contains(ev.Detail, "qa@example.com") {
		t.Errorf("the retry was audited as %+v", ev)
	}
	s.waitLetter(t, "qa", gonogo.NotifyReview, "payments 2.4.0", relURL(rel.ID)+"#role-qa-lead")
	s.waitStatus(t, gonogo.MailSent)
	_, doc = admin.get("/admin/email?status=sent")
	if rows := outboxRows(doc); len(rows) != 1 || rows[0].retry {
		t.Errorf("the sent filter shows %+v", rows)
	}
	// A message that has not failed is not retried.
	wantStatus(t, admin.post("/admin/email/"+rows[0].id+"/retry", url.Values{}), http.StatusConflict)
	wantStatus(t, func() *http.Response { r, _ := admin.get("/admin/email?status=lost"); return r }(), http.StatusUnprocessableEntity)
}

func grepLines(s, prefix string) string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestWithoutSMTPTheOutboxFillsAndAdminSaysSo(t *testing.T) {
	s := newMailServer(t, false)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	admin := s.signIn(t, "admin")
	res, doc := admin.get("/admin/email")
	wantStatus(t, res, http.StatusOK)
	if doc.Find("[data-testid=mail-not-configured]").Length() != 1 || doc.Find("[data-testid=mail-host]").Length() != 0 {
		t.Error("Admin → Email does not say that mail is not configured")
	}
	if doc.Find(`nav[aria-label=Administration] a[href="/admin/email"]`).Length() != 1 {
		t.Error("the admin navigation does not link Admin → Email")
	}
	rows := outboxRows(doc)
	if len(rows) == 0 {
		t.Fatal("the outbox is empty")
	}
	for _, r := range rows {
		if r.status != "queued" || r.attempts != "0" {
			t.Errorf("a message without SMTP: %+v", r)
		}
	}
	if len(s.smtp.Messages()) != 0 {
		t.Error("mail was sent without settings")
	}
}
