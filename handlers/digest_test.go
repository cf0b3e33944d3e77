package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// TestTheDailyDigestComesOnceADayAtTheChosenHour: a person who chose a
// digest at 08:00 in Berlin gets one, on the day clocks spring forward
// at 06:00 UTC, listing what waits on them; one only, however often the
// scheduler looks; and the next day another.
func TestTheDailyDigestComesOnceADayAtTheChosenHour(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	item := s.mustItem(t, rel.ID, "Integration tests pass")
	if _, err := s.store.UpdateItem(t.Context(), s.actorOf("qa"), rel.ID, item.ID, gonogo.ItemChange{Status: gonogo.ItemFailed}); err != nil {
		t.Fatal(err)
	}

	qa := s.signIn(t, "qa")
	_, doc := qa.get("/profile")
	if got := doc.Find(`[data-testid=digest-form] select[name=digest_hour] option[selected]`).AttrOr("value", ""); got != "off" {
		t.Errorf("the digest starts %q, want off", got)
	}
	res := qa.post("/profile/digest", url.Values{"digest_hour": {"25"}, "digest_zone": {"Mars/Olympus"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	if text(doc, "#digest-digest_hour-error") == "" || !strings.Contains(text(doc, "#digest-digest_zone-error"), "not a time zone") {
		t.Error("the refusal is not beside the fields")
	}
	if v, _ := doc.Find(`input[name=digest_zone]`).Attr("value"); v != "Mars/Olympus" {
		t.Errorf("the refused zone was not kept: %q", v)
	}
	wantStatus(t, qa.post("/profile/digest", url.Values{"digest_hour": {"8"}, "digest_zone": {"Europe/Berlin"}}), http.StatusSeeOther)
	_, doc = s.signIn(t, "admin").get("/admin/audit")
	if !strings.Contains(doc.Text(), "chose a daily digest at 08:00 in Europe/Berlin") {
		t.Error("the choice is not audited")
	}

	// 29 March 2026: Berlin moves to summer time at 01:00 UTC, so 08:00
	// there is 06:00 UTC.
	s.at(time.Date(2026, 3, 29, 5, 59, 0, 0, time.UTC))
	s.tick(t)
	wantCount(t, s, "qa", gonogo.NotifyDigest, 0)
	s.at(time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC))
	s.tick(t)
	s.at(time.Date(2026, 3, 29, 21, 0, 0, 0, time.UTC))
	s.tick(t)
	rows := wantCount(t, s, "qa", gonogo.NotifyDigest, 1)
	if len(rows) == 1 {
		for _, want := range []string{"sign off payments 2.4.0 as the QA lead", "“Integration tests pass” failed on payments 2.4.0"} {
			if !strings.Contains(rows[0].text, want) {
				t.Errorf("the digest says %q, not %q", rows[0].text, want)
			}
		}
	}
	// Nobody else chose a digest.
	wantNotHeard(t, s, gonogo.NotifyDigest, "ops", "rm", "po")

	s.at(time.Date(2026, 3, 30, 6, 1, 0, 0, time.UTC))
	s.tick(t)
	wantCount(t, s, "qa", gonogo.NotifyDigest, 2)

	// Off: no more.
	qa.get("/profile")
	wantStatus(t, qa.post("/profile/digest", url.Values{"digest_hour": {"off"}}), http.StatusSeeOther)
	s.at(time.Date(2026, 3, 31, 7, 0, 0, 0, time.UTC))
	s.tick(t)
	wantCount(t, s, "qa", gonogo.NotifyDigest, 2)
}

// TestTheDigestListsConditionsOfTheRole: a condition given to a role is
// in the digest of its holder.
func TestTheDigestListsConditionsOfTheRole(t *testing.T) {
	s := inboxServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	if _, err := s.store.CastVote(t.Context(), s.actorOf("qa"), rel.ID, gonogo.VoteInput{Role: gonogo.QALead, Value: gonogo.VoteGo,
		Conditions: "ops: watch the error rate for an hour"}); err != nil {
		t.Fatal(err)
	}
	ops := s.signIn(t, "ops")
	ops.get("/profile")
	wantStatus(t, ops.post("/profile/digest", url.Values{"digest_hour": {"0"}}), http.StatusSeeOther)
	s.at(time.Now().UTC().Add(time.Minute))
	s.tick(t)
	rows := wantCount(t, s, "ops", gonogo.NotifyDigest, 1)
	if len(rows) == 1 && (!strings.Contains(rows[0].text, "1 condition: on payments 2.4.0 for ops") || !strings.Contains(rows[0].text, "sign off payments 2.4.0 as ops")) {
		t.Errorf("the digest says %q", rows[0].text)
	}
}
