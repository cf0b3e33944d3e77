package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

var deputyNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func deputyPeople() (oskar, ana gonogo.User) {
	oskar = gonogo.User{ID: 1, Name: "Oskar Ops", Grants: gonogo.Grants{{Role: gonogo.Ops, Product: "payments"}, {Role: gonogo.QALead}}}
	ana = gonogo.User{ID: 2, Name: "Ana Ops", Grants: gonogo.Grants{}}
	return oskar, ana
}

func TestNameDeputy(t *testing.T) {
	oskar, ana := deputyPeople()
	day := 24 * time.Hour
	ok := gonogo.DeputyInput{Role: gonogo.Ops, DeputyID: ana.ID, From: deputyNow, Until: deputyNow.Add(14 * day)}
	d, a, err := gonogo.NameDeputy(oskar, ana, true, ok, nil, 0, deputyNow)
	if err != nil {
		t.Fatal(err)
	}
	if d.Grants.Text() != "ops@payments" || d.Signer() != "Ana Ops (deputy for Oskar Ops)" {
		t.Errorf("deputyship %+v signs as %q", d, d.Signer())
	}
	if a.Action != gonogo.ActionDeputyName || !strings.Contains(a.Detail, "named Ana Ops deputy as ops for payments") {
		t.Errorf("audit %+v", a)
	}
	disabled := ana
	disabled.Disabled = true
	open := []gonogo.Deputyship{d}
	five := make([]gonogo.Deputyship, gonogo.MaxOpenDeputyships)
	for _, tc := range []struct {
		name    string
		deputy  gonogo.User
		found   bool
		in      func(*gonogo.DeputyInput)
		open    []gonogo.Deputyship
		load    int
		field   string
		message string
	}{
		{"a role not held", ana, true, func(in *gonogo.DeputyInput) { in.Role = gonogo.SupportLead }, nil, 0, "role", "not one of your roles"},
		{"no such role", ana, true, func(in *gonogo.DeputyInput) { in.Role = "boss" }, nil, 0, "role", "choose"},
		{"nobody", gonogo.User{}, false, nil, nil, 0, "deputy", "from the list"},
		{"oneself", oskar, true, nil, nil, 0, "deputy", "your own deputy"},
		{"disabled", disabled, true, nil, nil, 0, "deputy", "cannot sign in"},
		{"a busy deputy", ana, true, nil, nil, gonogo.MaxDeputyFor, "deputy", "already deputy"},
		{"too many named", ana, true, nil, five, 0, "deputy", "end one first"},
		{"no beginning", ana, true, func(in *gonogo.DeputyInput) { in.From = time.Time{} }, nil, 0, "from", "begins"},
		{"far ahead", ana, true, func(in *gonogo.DeputyInput) {
			in.From, in.Until = deputyNow.Add(400*day), deputyNow.Add(401*day)
		}, nil, 0, "from", "365 days"},
		{"no end", ana, true, func(in *gonogo.DeputyInput) { in.Until = time.Time{} }, nil, 0, "until", "ends"},
		{"wrong order", ana, true, func(in *gonogo.DeputyInput) { in.Until = in.From.Add(-time.Hour) }, nil, 0, "until", "after the beginning"},
		{"empty", ana, true, func(in *gonogo.DeputyInput) { in.Until = in.From }, nil, 0, "until", "after the beginning"},
		{"too long", ana, true, func(in *gonogo.DeputyInput) { in.Until = in.From.Add(91 * day) }, nil, 0, "until", "at most 90 days"},
		{"past", ana, true, func(in *gonogo.DeputyInput) {
			in.From, in.Until = deputyNow.Add(-3*day), deputyNow.Add(-day)
		}, nil, 0, "until", "already past"},
		{"overlapping the same", ana, true, func(in *gonogo.DeputyInput) { in.From = deputyNow.Add(day) }, open, 0, "from", "already your deputy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			if tc.in != nil {
				tc.in(&in)
			}
			_, _, err := gonogo.NameDeputy(oskar, tc.deputy, tc.found, in, tc.open, tc.load, deputyNow)
			if msg := gonogo.ErrorFields(err)[tc.field]; !strings.Contains(strings.ToLower(msg), strings.ToLower(tc.message)) {
				t.Fatalf("%s: %q, want a message at %s containing %q (%v)", tc.name, msg, tc.field, tc.message, err)
			}
		})
	}
	// Exactly the longest period is allowed.
	longest := ok
	longest.Until = longest.From.Add(gonogo.MaxDeputyDays * day)
	if _, _, err := gonogo.NameDeputy(oskar, ana, true, longest, nil, 0, deputyNow); err != nil {
		t.Errorf("%d days: %v", gonogo.MaxDeputyDays, err)
	}
}

// A deputy signs for the holder's products while the period runs, under
// their own name and the holder's; before and after, they are told why not.
func TestDeputySignsForTheHolder(t *testing.T) {
	oskar, ana := deputyPeople()
	d, _, err := gonogo.NameDeputy(oskar, ana, true, gonogo.DeputyInput{Role: gonogo.Ops, DeputyID: ana.ID,
		From: deputyNow, Until: deputyNow.Add(time.Hour)}, nil, 0, deputyNow)
	if err != nil {
		t.Fatal(err)
	}
	rel := gonogo.Release{ID: 1, Product: "payments", State: gonogo.Review, Cycle: 1}
	in := gonogo.VoteInput{Role: gonogo.Ops, Value: gonogo.VoteGo}
	for _, tc := range []struct {
		name    string
		at      time.Time
		product string
		ended   bool
		want    string // the signer, or what the refusal says
	}{
		{"at the beginning", deputyNow, "payments", false, "Ana Ops (deputy for Oskar Ops)"},
		{"a minute before the end", deputyNow.Add(59 * time.Minute), "payments", false, "Ana Ops (deputy for Oskar Ops)"},
		{"at the end", deputyNow.Add(time.Hour), "payments", false, "deputy for Oskar Ops ended"},
		{"before the beginning", deputyNow.Add(-time.Minute), "payments", false, "deputy for Oskar Ops begins"},
		{"ended early", deputyNow.Add(time.Minute), "payments", true, "was ended"},
		{"another product of nobody's", deputyNow, "storefront", false, "do not hold"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dd := d
			if tc.ended {
				dd.EndedAt = deputyNow
			}
			actor := gonogo.Actor{UserID: ana.ID, Name: ana.Name, Grants: ana.Grants}
			actor.Deputies, actor.Lapsed = gonogo.SplitDeputyships([]gonogo.Deputyship{dd}, tc.at)
			r := rel
			r.Product = tc.product
			res, err := gonogo.CastVote(actor, gonogo.VoteSnapshot{Release: r}, in, tc.at)
			got := res.Vote.UserName
			if err != nil {
				got = gonogo.ErrorMessage(err)
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if err == nil && !strings.Contains(res.Audit.Detail, "signed Go for Ops as deputy for Oskar Ops") {
				t.Errorf("audit %q", res.Audit.Detail)
			}
		})
	}
	// Someone who holds the role in their own right signs as themselves.
	own := gonogo.Actor{UserID: 3, Name: "Olga Ops", Grants: gonogo.Grants{{Role: gonogo.Ops}}, Deputies: []gonogo.Deputyship{d}}
	res, err := gonogo.CastVote(own, gonogo.VoteSnapshot{Release: rel}, in, deputyNow)
	if err != nil || res.Vote.UserName != "Olga Ops" {
		t.Errorf("an ops lead who is also a deputy signs as %q (%v)", res.Vote.UserName, err)
	}
}

// Only the holder or an admin ends a deputyship, and only one not over.
func TestEndDeputyship(t *testing.T) {
	d := gonogo.Deputyship{HolderID: 1, HolderName: "Oskar Ops", DeputyID: 2, DeputyName: "Ana Ops", Role: gonogo.Ops,
		From: deputyNow, Until: deputyNow.Add(time.Hour)}
	if _, err := gonogo.EndDeputyship(gonogo.Actor{UserID: 2}, d, deputyNow); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Errorf("the deputy ends it: %v", err)
	}
	if a, err := gonogo.EndDeputyship(gonogo.Actor{UserID: 9, Admin: true}, d, deputyNow); err != nil || !strings.Contains(a.Detail, "of Oskar Ops") {
		t.Errorf("an admin ends it: %+v %v", a, err)
	}
	if _, err := gonogo.EndDeputyship(gonogo.Actor{UserID: 1}, d, deputyNow.Add(time.Hour)); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Errorf("ending one over: %v", err)
	}
}
