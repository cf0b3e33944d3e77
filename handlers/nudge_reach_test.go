package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// TestANudgeSaysWhoWasToldAndHow: after a nudge, the release page says
// whom it reached, by which channel and as whose deputy, and which
// webhook carries it; or, when nobody could be told, why.
func TestANudgeSaysWhoWasToldAndHow(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(t *testing.T, s *testServer)
		status  int
		said    string // the notice after a nudge, or the refusal
	}{
		{name: "the holder by email, a deputy in the inbox, a Slack webhook", status: http.StatusSeeOther,
			prepare: func(t *testing.T, s *testServer) {
				now := time.Now()
				if _, err := s.store.NameDeputy(t.Context(), s.actorOf("qa"), gonogo.DeputyInput{Role: gonogo.QALead,
					DeputyID: s.users["admin"].ID, From: now.Add(-time.Hour), Until: now.Add(24 * time.Hour)}); err != nil {
					t.Fatal(err)
				}
				if err := s.store.SetNotificationPrefs(t.Context(), s.actorOf("admin"), gonogo.Prefs{gonogo.NotifyNudge: gonogo.ChannelInbox}); err != nil {
					t.Fatal(err)
				}
				admin := s.signIn(t, "admin")
				admin.get("/admin/webhooks")
				wantStatus(t, admin.post("/admin/webhooks", url.Values{"url": {"http://127.0.0.1:9/payments"}, "secret": {hookSecret},
					"topics": {string(gonogo.TopicNudge)}, "format": {"slack"}, "product_keys": {"payments"}}), http.StatusSeeOther)
			},
			said: "told Admin Tester (inbox, deputy for QA lead) and Qa Tester (inbox and email); the Slack webhook to 127.0.0.1:9 carries it."},
		{name: "the holder, no webhook", status: http.StatusSeeOther,
			said: "told Qa Tester (inbox and email); no webhook carries nudges for payments."},
		{name: "the holder switched nudges off, a webhook carries it", status: http.StatusSeeOther,
			prepare: func(t *testing.T, s *testServer) {
				switchNudgesOff(t, s, "qa")
				s.registerWebhook(t, s.signIn(t, "admin"), "http://127.0.0.1:9/all", gonogo.TopicNudge)
			},
			said: "nobody was told in the board: 1 holder switched nudges off; the Generic JSON webhook to 127.0.0.1:9 carries it."},
		{name: "nobody could be told", status: http.StatusConflict,
			prepare: func(t *testing.T, s *testServer) {
				s.mustScopedUser(t, "quentin", gonogo.Grant{Role: gonogo.QALead, Product: "payments"})
				switchNudgesOff(t, s, "qa")
				switchNudgesOff(t, s, "quentin")
				s.registerWebhook(t, s.signIn(t, "admin"), "http://127.0.0.1:9/state", gonogo.TopicState)
			},
			said: "Nobody could be told: 2 holders switched nudges off; and no webhook carries nudges for payments (an admin can add one under Admin → Webhooks"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			rel := s.mustCreateRelease(t, "payments", "2.4.0")
			s.move(t, rel.ID, gonogo.OpenReview)
			if tc.prepare != nil {
				tc.prepare(t, s)
			}
			rm := s.signIn(t, "rm")
			rm.get(relURL(rel.ID))
			res := rm.post(relURL(rel.ID)+"/nudge", url.Values{"role": {"qa-lead"}})
			wantStatus(t, res, tc.status)
			var got string
			if tc.status == http.StatusSeeOther {
				_, doc := rm.get(res.Header.Get("Location"))
				got = text(doc, "[data-testid=notice] span")
				if !strings.HasPrefix(got, "Nudged the QA lead to sign off payments 2.4.0") {
					t.Errorf("the notice begins %q", got)
				}
			} else {
				got = text(parse(t, res), "#signoffs [data-testid=nudge-refused]")
			}
			if !strings.Contains(got, tc.said) {
				t.Errorf("said %q\nwant %q", got, tc.said)
			}
		})
	}
}

func switchNudgesOff(t *testing.T, s *testServer, name string) {
	t.Helper()
	c := s.signIn(t, name)
	c.get("/profile")
	wantStatus(t, c.post("/profile/notifications", url.Values{"nudge": {"off"}}), http.StatusSeeOther)
}
