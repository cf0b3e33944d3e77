package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestDigestDue(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	eight := gonogo.DigestChoice{Hour: 8, Zone: "Europe/Berlin"}
	two := gonogo.DigestChoice{Hour: 2, Zone: "Europe/Berlin"}
	cases := []struct {
		name   string
		choice gonogo.DigestChoice
		team   *time.Location
		last   string
		now    string // UTC
		day    string
		due    bool
	}{
		{name: "before the hour (CET)", choice: eight, now: "2026-03-28 06:59", day: "2026-03-28"},
		{name: "at the hour (CET, 07:00 UTC)", choice: eight, now: "2026-03-28 07:00", day: "2026-03-28", due: true},
		{name: "once a day", choice: eight, last: "2026-03-28", now: "2026-03-28 21:00", day: "2026-03-28"},
		{name: "spring forward: 08:00 CEST is 06:00 UTC", choice: eight, last: "2026-03-28", now: "2026-03-29 06:00", day: "2026-03-29", due: true},
		{name: "spring forward: not an hour early", choice: eight, last: "2026-03-28", now: "2026-03-29 05:59", day: "2026-03-29"},
		{name: "spring forward: 02:00 does not exist, it comes after the gap", choice: two, last: "2026-03-28", now: "2026-03-29 00:59", day: "2026-03-29"},
		{name: "spring forward: at 03:00 CEST", choice: two, last: "2026-03-28", now: "2026-03-29 01:00", day: "2026-03-29", due: true},
		{name: "fall back: 02:00 comes twice, the second after the first went", choice: two, last: "2026-10-25", now: "2026-10-25 01:30", day: "2026-10-25"},
		{name: "fall back: by the second 02:00 at the latest", choice: two, last: "2026-10-24", now: "2026-10-25 01:00", day: "2026-10-25", due: true},
		{name: "fall back: 08:00 CET is 07:00 UTC", choice: eight, last: "2026-10-24", now: "2026-10-25 06:30", day: "2026-10-25"},
		{name: "fall back: at 08:00 CET", choice: eight, last: "2026-10-24", now: "2026-10-25 07:00", day: "2026-10-25", due: true},
		{name: "the team's zone when none is chosen", choice: gonogo.DigestChoice{Hour: 8}, team: berlin, now: "2026-03-28 07:00", day: "2026-03-28", due: true},
		{name: "the local day, not UTC's", choice: gonogo.DigestChoice{Hour: 0, Zone: "Pacific/Auckland"}, last: "2026-03-28",
			now: "2026-03-28 11:30", day: "2026-03-29", due: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			day, due := gonogo.DigestDue(tc.choice, tc.team, tc.last, utc(tc.now))
			if day != tc.day || due != tc.due {
				t.Errorf("got %s %t, want %s %t", day, due, tc.day, tc.due)
			}
		})
	}
}

func TestBuildDigest(t *testing.T) {
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	pay := gonogo.Release{ID: 1, Product: "payments", Version: "2.4.0", State: gonogo.Review}
	web := gonogo.Release{ID: 2, Product: "web", Version: "7.1", State: gonogo.Verifying}
	item := func(id int64, title string, role gonogo.Role, phase gonogo.Phase, st gonogo.ItemStatus, source string) gonogo.Item {
		return gonogo.Item{ID: id, Title: title, OwnerRole: role, Phase: phase, Status: st, Source: source}
	}
	releases := []gonogo.DigestRelease{{Release: pay, Waiting: []gonogo.Role{gonogo.QALead, gonogo.Ops}}, {Release: web}}
	items := []gonogo.DigestItem{
		{pay, item(10, "Regression suite green", gonogo.QALead, gonogo.Readiness, gonogo.ItemFailed, "")},
		{pay, item(11, "Test plan reviewed", gonogo.QALead, gonogo.Readiness, gonogo.ItemOpen, "")},
		{pay, item(12, "Smoke test after deploy", gonogo.QALead, gonogo.Verification, gonogo.ItemOpen, "")}, // not yet
		{pay, item(13, "Rollback rehearsed", gonogo.Ops, gonogo.Readiness, gonogo.ItemOpen, "")},            // another role
		{web, item(20, "Watch the error rate for an hour", gonogo.QALead, gonogo.Verification, gonogo.ItemOpen, gonogo.SourceVote)},
		{web, item(21, "Dashboards green", gonogo.QALead, gonogo.Verification, gonogo.ItemOpen, "")},
	}
	qaEverywhere := gonogo.Person{ID: 3, Grants: gonogo.Everywhere(gonogo.RoleSet{gonogo.QALead})}
	qaOfWeb := gonogo.Person{ID: 4, Grants: gonogo.Grants{{Role: gonogo.QALead, Product: "web"}}}
	deputy := gonogo.Person{ID: 5, Deputies: []gonogo.Deputyship{{Role: gonogo.QALead, HolderID: 3, DeputyID: 5,
		Grants: gonogo.Everywhere(gonogo.RoleSet{gonogo.QALead}), From: now.Add(-time.Hour), Until: now.Add(time.Hour)}}}
	pastDeputy := deputy
	pastDeputy.Deputies = []gonogo.Deputyship{deputy.Deputies[0]}
	pastDeputy.Deputies[0].Until = now.Add(-time.Minute)
	links := func(ls []gonogo.DigestLine) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.Link)
		}
		return out
	}
	cases := []struct {
		name                        string
		person                      gonogo.Person
		signOffs, items, conditions []string
	}{
		{name: "QA lead everywhere", person: qaEverywhere, signOffs: []string{"/releases/1#role-qa-lead"},
			items: []string{"/releases/1#item-10", "/releases/1#item-11", "/releases/2#item-21"}, conditions: []string{"/releases/2#item-20"}},
		{name: "QA lead of web only", person: qaOfWeb, items: []string{"/releases/2#item-21"}, conditions: []string{"/releases/2#item-20"}},
		{name: "a deputy in force", person: deputy, signOffs: []string{"/releases/1#role-qa-lead"},
			items: []string{"/releases/1#item-10", "/releases/1#item-11", "/releases/2#item-21"}, conditions: []string{"/releases/2#item-20"}},
		{name: "a deputy whose period ended", person: pastDeputy},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := gonogo.BuildDigest(tc.person, releases, items, now)
			if got := links(d.SignOffs); strings.Join(got, " ") != strings.Join(tc.signOffs, " ") {
				t.Errorf("sign-offs %v, want %v", got, tc.signOffs)
			}
			if got := links(d.Items); strings.Join(got, " ") != strings.Join(tc.items, " ") {
				t.Errorf("items %v, want %v", got, tc.items)
			}
			if got := links(d.Conditions); strings.Join(got, " ") != strings.Join(tc.conditions, " ") {
				t.Errorf("conditions %v, want %v", got, tc.conditions)
			}
			if d.Empty() != (len(tc.signOffs)+len(tc.items)+len(tc.conditions) == 0) {
				t.Errorf("empty: %t", d.Empty())
			}
		})
	}
	text := gonogo.BuildDigest(qaEverywhere, releases, items, now).Text()
	for _, want := range []string{"1 sign-off awaited: sign off payments 2.4.0 as the QA lead.", "3 checklist items: “Regression suite green” failed on payments 2.4.0;",
		"1 condition: on web 7.1 for the QA lead: Watch the error rate for an hour."} {
		if !strings.Contains(text, want) {
			t.Errorf("the digest says %q, not %q", text, want)
		}
	}
}

func TestParseDigestChoice(t *testing.T) {
	if c, err := gonogo.ParseDigestChoice("off", "whatever"); c != nil || err != nil {
		t.Errorf("off: %v, %v", c, err)
	}
	if c, err := gonogo.ParseDigestChoice("8", ""); err != nil || *c != (gonogo.DigestChoice{Hour: 8}) {
		t.Errorf("8: %v, %v", c, err)
	}
	_, err := gonogo.ParseDigestChoice("24", "Mars/Olympus")
	if f := gonogo.ErrorFields(err); f["digest_hour"] == "" || f["digest_zone"] == "" {
		t.Errorf("not refused beside both fields: %v", err)
	}
}
