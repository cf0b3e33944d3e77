package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// TestReachOfNudge: a nudge says truthfully whom it reached and how, and
// which webhooks carry it; with nobody at all, it is refused, naming why.
func TestReachOfNudge(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	rel := gonogo.Release{ID: 1, Product: "payments", Version: "2.4.0", State: gonogo.Review}
	rm := gonogo.Actor{UserID: 1, Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	qa := func(id int64, name string) gonogo.Person {
		return gonogo.Person{ID: id, Name: name, Grants: gonogo.Everywhere(gonogo.RoleSet{gonogo.QALead})}
	}
	off := func(p gonogo.Person) gonogo.Person {
		p.Prefs = gonogo.Prefs{gonogo.NotifyNudge: gonogo.ChannelOff}
		return p
	}
	inboxOnly := func(p gonogo.Person) gonogo.Person {
		p.Prefs = gonogo.Prefs{gonogo.NotifyNudge: gonogo.ChannelInbox}
		return p
	}
	disabled := func(p gonogo.Person) gonogo.Person { p.Disabled = true; return p }
	deputy := gonogo.Person{ID: 7, Name: "Sam", Deputies: []gonogo.Deputyship{{Role: gonogo.QALead, HolderID: 2, DeputyID: 7, Grants: gonogo.Everywhere(gonogo.RoleSet{gonogo.QALead}),
		From: now.Add(-time.Hour), Until: now.Add(time.Hour)}}}
	slack := gonogo.Webhook{ID: 1, URL: "https://hooks.slack.com/services/T0/B0/secret", Topics: []gonogo.Topic{gonogo.TopicNudge},
		Format: gonogo.FormatSlack}
	otherProduct := gonogo.Webhook{ID: 2, URL: "https://chat.example.org/in", Topics: []gonogo.Topic{gonogo.TopicNudge},
		Format: gonogo.FormatJSON, Products: []string{"web"}}
	stateOnly := gonogo.Webhook{ID: 3, URL: "https://ci.example.com/hook", Topics: []gonogo.Topic{gonogo.TopicState}, Format: gonogo.FormatJSON}
	cases := []struct {
		name    string
		people  []gonogo.Person
		hooks   []gonogo.Webhook
		said    string // the whole sentence, when it is said
		refused []string
	}{
		{name: "holder and deputy, a webhook", people: []gonogo.Person{qa(2, "Quinn"), inboxOnly(deputy)},
			hooks: []gonogo.Webhook{slack, otherProduct, stateOnly},
			said:  "told Quinn (inbox and email) and Sam (inbox, deputy for QA lead); the Slack webhook to hooks.slack.com carries it"},
		{name: "holders but no webhook", people: []gonogo.Person{qa(2, "Quinn")}, hooks: []gonogo.Webhook{otherProduct},
			said: "told Quinn (inbox and email); no webhook carries nudges for payments"},
		{name: "everyone switched nudges off, a webhook carries it", people: []gonogo.Person{off(qa(2, "Quinn"))}, hooks: []gonogo.Webhook{slack},
			said: "nobody was told in the board: 1 holder switched nudges off; the Slack webhook to hooks.slack.com carries it"},
		{name: "nobody at all", people: []gonogo.Person{off(qa(2, "Quinn")), off(qa(3, "Quentin")), disabled(qa(4, "Gone"))},
			hooks:   []gonogo.Webhook{stateOnly, otherProduct},
			refused: []string{"Nobody could be told", "1 holder's account is disabled", "2 holders switched nudges off", "no webhook carries nudges for payments", "Admin → Webhooks"}},
		{name: "only the nudger holds it", people: []gonogo.Person{{ID: 1, Name: "Rita", Grants: gonogo.Everywhere(gonogo.RoleSet{gonogo.QALead})}},
			refused: []string{"you hold the role yourself"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := gonogo.ReachOfNudge(rm, rel, gonogo.QALead, tc.people, tc.hooks, now)
			if len(tc.refused) > 0 {
				if gonogo.ErrorCode(err) != gonogo.ECONFLICT {
					t.Fatalf("not refused: %v, %s", err, r)
				}
				for _, w := range tc.refused {
					if !strings.Contains(gonogo.ErrorMessage(err), w) {
						t.Errorf("refusal %q does not say %q", gonogo.ErrorMessage(err), w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.String(); got != tc.said {
				t.Errorf("said %q\nwant %q", got, tc.said)
			}
		})
	}
}

// TestReachOfNudgeNamesAFewAndCountsTheRest: a role held by many is told
// in a sentence of bounded length.
func TestReachOfNudgeNamesAFewAndCountsTheRest(t *testing.T) {
	var people []gonogo.Person
	for i := range 9 {
		people = append(people, gonogo.Person{ID: int64(10 + i), Name: "P" + string(rune('a'+i)), Grants: gonogo.Everywhere(gonogo.RoleSet{gonogo.Ops})})
	}
	r, err := gonogo.ReachOfNudge(gonogo.Actor{UserID: 1}, gonogo.Release{Product: "payments"}, gonogo.Ops, people, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.String(); !strings.Contains(got, "Pe (inbox and email) and 4 more;") {
		t.Errorf("said %q", got)
	}
}

// TestReachOfNudgeNamesPeopleByName checks that the people told are named
// in the order of their names, whatever order the store read them in.
func TestReachOfNudgeNamesPeopleByName(t *testing.T) {
	ops := gonogo.Everywhere(gonogo.RoleSet{gonogo.Ops})
	for _, people := range [][]gonogo.Person{
		{{ID: 10, Name: "Quinn", Grants: ops}, {ID: 11, Name: "alex", Grants: ops}, {ID: 12, Name: "Mo", Grants: ops}},
		{{ID: 12, Name: "Mo", Grants: ops}, {ID: 10, Name: "Quinn", Grants: ops}, {ID: 11, Name: "alex", Grants: ops}},
	} {
		r, err := gonogo.ReachOfNudge(gonogo.Actor{UserID: 1}, gonogo.Release{Product: "payments"}, gonogo.Ops, people, nil, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range r.People {
			names = append(names, p.Name)
		}
		if got := strings.Join(names, ", "); got != "alex, Mo, Quinn" {
			t.Errorf("named %s, want alex, Mo, Quinn", got)
		}
	}
}
