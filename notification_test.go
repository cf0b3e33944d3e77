package gonogo_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestRecipients(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	qaEverywhere := gonogo.Grants{{Role: gonogo.QALead}}
	qaWeb := gonogo.Grants{{Role: gonogo.QALead, Product: "web"}}
	deputy := func(from, until time.Time) []gonogo.Deputyship {
		return []gonogo.Deputyship{{Role: gonogo.QALead, Grants: qaEverywhere, From: from, Until: until}}
	}
	review := gonogo.Cause{Kind: gonogo.NotifyReview, Roles: gonogo.RoleSet{gonogo.QALead}}
	for _, tc := range []struct {
		name   string
		cause  gonogo.Cause
		person gonogo.Person
		want   gonogo.Channel // "" for not reached
	}{
		{"a holder for every product", review, gonogo.Person{ID: 2, Grants: qaEverywhere}, gonogo.ChannelEmail},
		{"a holder for another product", review, gonogo.Person{ID: 2, Grants: qaWeb}, ""},
		{"the actor", review, gonogo.Person{ID: 1, Grants: qaEverywhere}, ""},
		{"a disabled holder", review, gonogo.Person{ID: 2, Grants: qaEverywhere, Disabled: true}, ""},
		{"a holder who switched it off", review, gonogo.Person{ID: 2, Grants: qaEverywhere, Prefs: gonogo.Prefs{gonogo.NotifyReview: gonogo.ChannelOff}}, ""},
		{"a holder who chose the inbox", review, gonogo.Person{ID: 2, Grants: qaEverywhere, Prefs: gonogo.Prefs{gonogo.NotifyReview: gonogo.ChannelInbox}}, gonogo.ChannelInbox},
		{"a deputy in their period", review, gonogo.Person{ID: 3, Deputies: deputy(now.Add(-time.Hour), now.Add(time.Hour))}, gonogo.ChannelEmail},
		{"a deputy before their period", review, gonogo.Person{ID: 3, Deputies: deputy(now.Add(time.Hour), now.Add(2*time.Hour))}, ""},
		{"a signer, for signers", gonogo.Cause{Kind: gonogo.NotifyDecision, Signers: true}, gonogo.Person{ID: 4, Signed: true}, gonogo.ChannelInbox},
		{"one who did not sign", gonogo.Cause{Kind: gonogo.NotifyDecision, Signers: true}, gonogo.Person{ID: 4}, ""},
		{"a person called by handle", gonogo.Cause{Kind: gonogo.NotifyMention, Handles: []string{"alice"}}, gonogo.Person{ID: 5, Email: "Alice@example.com"}, gonogo.ChannelEmail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := gonogo.Recipients(tc.cause, "payments", 1, []gonogo.Person{tc.person}, now)
			switch {
			case tc.want == "" && len(got) != 0:
				t.Errorf("reached %+v", got)
			case tc.want != "" && (len(got) != 1 || got[0].Channel != tc.want):
				t.Errorf("got %+v, want one by %s", got, tc.want)
			}
		})
	}
}

func TestRecipientsAreBounded(t *testing.T) {
	var people []gonogo.Person
	for i := range gonogo.MaxRecipients + 10 {
		people = append(people, gonogo.Person{ID: int64(i + 2), Signed: true}, gonogo.Person{ID: int64(i + 2), Signed: true})
	}
	got := gonogo.Recipients(gonogo.Cause{Kind: gonogo.NotifyShipped, Signers: true}, "payments", 1, people, time.Now())
	if len(got) != gonogo.MaxRecipients || got[0].UserID != 2 || got[1].UserID != 3 {
		t.Fatalf("%d recipients, starting %+v", len(got), got[:2])
	}
}

func TestParseHandles(t *testing.T) {
	got := gonogo.ParseHandles("@alice and @J.Doe, mail bob@example.com; @qa and @qa-lead are roles; @alice again")
	if want := []string{"alice", "j.doe"}; !slices.Equal(got, want) {
		t.Fatalf("handles %q, want %q", got, want)
	}
	if h := gonogo.MentionHandle("J.Doe@Example.com"); h != "j.doe" {
		t.Errorf("handle %q", h)
	}
}

func TestParsePrefs(t *testing.T) {
	p, err := gonogo.ParsePrefs(map[string]string{"review": "off", "window": "email"})
	if err != nil || p.For(gonogo.NotifyReview) != gonogo.ChannelOff || p.For(gonogo.NotifyWindow) != gonogo.ChannelEmail ||
		p.For(gonogo.NotifyNudge) != gonogo.ChannelEmail || p.For(gonogo.NotifyShipped) != gonogo.ChannelInbox {
		t.Fatalf("%v %v", p, err)
	}
	if _, err := gonogo.ParsePrefs(map[string]string{"nudge": "pager"}); gonogo.ErrorFields(err)["nudge"] == "" {
		t.Errorf("a channel that is none was taken: %v", err)
	}
}
