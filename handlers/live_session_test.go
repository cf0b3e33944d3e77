package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
)

// testHeartbeat is the heartbeat of the servers these tests start: short,
// so that "within one heartbeat" is a deadline a test can wait on.
const testHeartbeat = time.Second

// oneHeartbeat is how long a test waits for what must happen within one
// heartbeat: the heartbeat, and a second's grace for a loaded machine.
const oneHeartbeat = testHeartbeat + time.Second

func withHeartbeat(cfg *handlers.Config) { cfg.Heartbeat = testHeartbeat }

// noticeOf rejects the notice of a change whose detail says what.
func noticeOf(what string) func(sseEvent) bool {
	return func(e sseEvent) bool { return e.name == "notice" && strings.Contains(e.data, what) }
}

func TestLiveStreamEndsWhenAdminDisablesUser(t *testing.T) {
	s := newServer(t, withHeartbeat)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	qa := s.signIn(t, "qa")
	events, stop := openStream(t, qa, "scope=release&release="+itoa(rel.ID), "")
	defer stop()

	admin := s.signIn(t, "admin")
	_, doc := admin.get("/admin/users/" + itoa(s.users["qa"].ID))
	form := doc.Find(`[data-testid=disable-user]`).Closest("form")
	action, _ := form.Attr("action")
	values := url.Values{}
	form.Find("input[type=hidden]").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		value, _ := in.Attr("value")
		values.Set(name, value)
	})
	values.Set("confirm", "1") // as the dialog or the confirmation page sends it
	wantStatus(t, admin.post(action, values), http.StatusSeeOther)

	// What happens after the disable must not reach the disabled person.
	s.vote(t, rel.ID, "ops", gonogo.Ops, gonogo.VoteGo, "after the disable")
	waitClosed(t, events, oneHeartbeat, noticeOf("after the disable"))
	res, stop2 := dialStream(t, qa, "scope=release&release="+itoa(rel.ID), "")
	defer stop2()
	if res.StatusCode == http.StatusOK {
		t.Fatal("a disabled user opened a new stream")
	}
}

func TestLiveStreamEndsAtSignOut(t *testing.T) {
	s := newServer(t, withHeartbeat)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	laptop, phone := s.signIn(t, "po"), s.signIn(t, "po")
	gone, stop := openStream(t, laptop, "scope=board", "")
	defer stop()
	kept, stop2 := openStream(t, phone, "scope=board", "")
	defer stop2()

	wantStatus(t, laptop.post("/logout", nil), http.StatusSeeOther)
	s.vote(t, rel.ID, "ops", gonogo.Ops, gonogo.VoteGo, "after the sign-out")
	waitClosed(t, gone, oneHeartbeat, noticeOf("after the sign-out"))
	// The person's other browser is another session: it keeps following.
	if n := next(t, kept, "notice"); !strings.Contains(n.data, "after the sign-out") {
		t.Fatalf("the other session's stream got %q", n.data)
	}
}

func TestLiveStreamEndsWhenPasswordChanges(t *testing.T) {
	s := newServer(t, withHeartbeat)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	stolen, own := s.signIn(t, "po"), s.signIn(t, "po")
	gone, stop := openStream(t, stolen, "scope=board", "")
	defer stop()
	kept, stop2 := openStream(t, own, "scope=board", "")
	defer stop2()

	own.get("/profile")
	res := own.post("/profile/password", url.Values{"current": {testPassword}, "new": {"a brand new password"}})
	wantStatus(t, res, http.StatusOK)
	s.vote(t, rel.ID, "ops", gonogo.Ops, gonogo.VoteGo, "after the change")
	waitClosed(t, gone, oneHeartbeat, noticeOf("after the change"))
	// The session that changed the password stays signed in, and live.
	if n := next(t, kept, "notice"); !strings.Contains(n.data, "after the change") {
		t.Fatalf("the changing session's stream got %q", n.data)
	}
}

func TestLiveStreamEndsWhenSessionExpires(t *testing.T) {
	s := newServer(t, withHeartbeat)
	var clock atomic.Int64 // the server's time, which the test moves on
	clock.Store(time.Now().UTC().UnixMilli())
	s.store.Now = func() time.Time { return time.UnixMilli(clock.Load()).UTC() }
	po := s.signIn(t, "po")
	events, stop := openStream(t, po, "scope=board", "")
	defer stop()

	// Nothing is committed, so only the heartbeat can notice: a session
	// idle for longer than sessions may idle has ended.
	clock.Add((13 * time.Hour).Milliseconds())
	waitClosed(t, events, oneHeartbeat, nil)
}

// A session ended by another process, which tells the server nothing,
// ends the stream within a heartbeat: the triggers count the end.
func TestLiveStreamEndsWhenAnotherProcessEndsTheSession(t *testing.T) {
	s := newServer(t, withHeartbeat)
	po := s.signIn(t, "po")
	events, stop := openStream(t, po, "scope=board", "")
	defer stop()

	db.ExecElsewhereForTest(t, s.store.Path(), `DELETE FROM sessions WHERE user_id = ?`, s.users["po"].ID)
	waitClosed(t, events, 2*oneHeartbeat, nil)
}

// So does a person disabled by another process.
func TestLiveStreamEndsWhenAnotherProcessDisablesThePerson(t *testing.T) {
	s := newServer(t, withHeartbeat)
	po := s.signIn(t, "po")
	events, stop := openStream(t, po, "scope=board", "")
	defer stop()

	db.ExecElsewhereForTest(t, s.store.Path(), `UPDATE users SET disabled = 1 WHERE id = ?`, s.users["po"].ID)
	waitClosed(t, events, 2*oneHeartbeat, nil)
}

// Commits that end no session leave every stream open: a release page
// keeps following through votes and heartbeats.
func TestLiveStreamOutlivesCommitsThatEndNoSession(t *testing.T) {
	s := newServer(t, withHeartbeat)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	po := s.signIn(t, "po")
	events, stop := openStream(t, po, "scope=board", "")
	defer stop()
	for i, who := range []struct {
		name string
		role gonogo.Role
	}{{"ops", gonogo.Ops}, {"qa", gonogo.QALead}} {
		s.vote(t, rel.ID, who.name, who.role, gonogo.VoteGo, "still here "+itoa(int64(i)))
		time.Sleep(oneHeartbeat) // a heartbeat after the commit
		if n := next(t, events, "notice"); !strings.Contains(n.data, "still here") {
			t.Fatalf("notice %q", n.data)
		}
	}
}
