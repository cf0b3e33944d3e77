package seed_test

import (
	"database/sql"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/seed"
)

const demoPassword = "demo password 1"

// tableCounts returns the number of rows of every table that demo data fills.
func tableCounts(t *testing.T, s *db.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"users", "user_roles", "releases", "items", "audit_events", "sessions"} {
		out[table] = count(t, s, table)
	}
	return out
}

func TestSeedDemo(t *testing.T) {
	s := db.OpenTest(t)
	seeded, err := seed.Demo(t.Context(), s, demoPassword)
	if err != nil || !seeded {
		t.Fatalf("Demo = %t, %v; want true", seeded, err)
	}

	users, err := s.FindUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	var rm gonogo.User
	for _, u := range users {
		emails = append(emails, u.Email)
		if u.Grants.Text() == "release-manager" {
			rm = u
		}
	}
	wantEmails := []string{"admin@example.com", "po@example.com", "eng@example.com", "qa@example.com",
		"ops@example.com", "support@example.com", "rm@example.com", "pay-qa@example.com", "shop-support@example.com"}
	if !sameSet(emails, wantEmails) {
		t.Fatalf("demo users %v, want %v", emails, wantEmails)
	}

	t.Run("accounts", func(t *testing.T) {
		// Today's demo accounts hold their roles for every product, so
		// scripts that sign in as them work as before; two people of one
		// team hold theirs for their team's product.
		roles := map[string]string{
			"admin@example.com": "no roles", "po@example.com": "product-owner", "eng@example.com": "engineering-lead",
			"qa@example.com": "qa-lead", "ops@example.com": "ops", "support@example.com": "support-lead",
			"rm@example.com": "release-manager", "pay-qa@example.com": "qa-lead@payments",
			"shop-support@example.com": "support-lead@storefront",
		}
		for _, email := range wantEmails {
			t.Run(email, func(t *testing.T) {
				u, err := s.Authenticate(t.Context(), email, demoPassword)
				if err != nil {
					t.Fatalf("demo password refused: %v", err)
				}
				if u.Grants.Text() != roles[email] || u.Admin != (email == "admin@example.com") || u.Disabled {
					t.Errorf("user = %+v", u)
				}
			})
		}
	})

	t.Run("products", func(t *testing.T) {
		ps, err := s.FindProducts(t.Context())
		if err != nil || len(ps) != 3 {
			t.Fatalf("products %+v, %v", ps, err)
		}
		for _, p := range ps {
			if p.Name == p.Key || p.OwnerTeam == "" || p.Description == "" {
				t.Errorf("product %+v is not named", p)
			}
		}
	})

	t.Run("deputy", func(t *testing.T) {
		var paz gonogo.User
		for _, u := range users {
			if u.Email == "pay-qa@example.com" {
				paz = u
			}
		}
		ds, err := s.FindDeputyshipsFor(t.Context(), paz.ID)
		if err != nil || len(ds) != 1 || ds[0].Role != gonogo.Ops || ds[0].HolderName != "Oskar Ops" {
			t.Fatalf("Paz's deputyships %+v, %v; want one, for Oskar Ops as ops", ds, err)
		}
	})

	t.Run("releases", func(t *testing.T) {
		rels, err := s.FindReleases(t.Context(), gonogo.ReleaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rels) < 8 || len(rels) > 12 {
			t.Errorf("%d demo releases, want about ten", len(rels))
		}
		products, err := s.FindProductKeys(t.Context())
		if err != nil || len(products) != 3 {
			t.Errorf("products %v, %v; want 3", products, err)
		}
		states := map[gonogo.State]bool{}
		for _, r := range rels {
			states[r.State] = true
			if r.ManagerID != rm.ID {
				t.Errorf("%s is managed by %d, want the demo release manager %d", r.Name(), r.ManagerID, rm.ID)
			}
			if err := r.Window.Validate(); err != nil {
				t.Errorf("%s: %v", r.Name(), err)
			}
			snap, err := s.FindSnapshot(t.Context(), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			conditions := 0
			for _, it := range snap.Items {
				if it.IsCondition() {
					conditions++
				}
			}
			if len(snap.Items)-conditions != len(gonogo.DefaultTemplate()) {
				t.Errorf("%s has %d items besides %d conditions", r.Name(), len(snap.Items)-conditions, conditions)
			}
			// A Go can only be recorded on a ready gate, so every release past
			// its Go must have one.
			past := r.State == gonogo.Go || r.State == gonogo.Deploying || r.State == gonogo.Verifying ||
				r.State == gonogo.Released || r.State == gonogo.RolledBack
			if g := gonogo.Evaluate(snap); past && !g.Ready {
				t.Errorf("%s is %s with a gate that is not ready: %v", r.Name(), r.State, g.Reasons)
			}
		}
		if len(states) < 4 {
			t.Errorf("demo releases in %d states, want several", len(states))
		}
	})

	t.Run("release notes", func(t *testing.T) {
		rels, _ := s.FindReleases(t.Context(), gonogo.ReleaseFilter{})
		drafts, amended := 0, 0
		for _, r := range rels {
			n, err := s.FindNotes(t.Context(), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			past := r.State == gonogo.Go || r.State == gonogo.Deploying || r.State == gonogo.Verifying ||
				r.State == gonogo.Released || r.State == gonogo.RolledBack
			if past && !n.Published() {
				t.Errorf("%s is %s without published notes", r.Name(), r.State)
			}
			if r.State == gonogo.Review && n.Status == gonogo.NotesDraft {
				drafts++
			}
			if n.Amended() {
				amended++
			}
		}
		if drafts == 0 || amended == 0 {
			t.Errorf("%d drafts in review and %d amended notes, want some of each", drafts, amended)
		}
		shipped, err := s.FindPublishedNotes(t.Context(), gonogo.NotesFilter{Product: "payments", ShippedOnly: true})
		if err != nil || len(shipped) < 2 {
			t.Fatalf("shipped payments notes %d, %v; want a history to roll up", len(shipped), err)
		}
		for _, e := range shipped {
			if e.ShippedAt.IsZero() || e.Notes.PublishedAt.After(e.ShippedAt) {
				t.Errorf("%s: shipped %v, published %v", e.Release.Name(), e.ShippedAt, e.Notes.PublishedAt)
			}
		}
	})

	t.Run("audit trail verifies", func(t *testing.T) {
		brk, n, err := s.VerifyAudit(t.Context())
		if brk != nil || err != nil || n == 0 {
			t.Fatalf("VerifyAudit = %+v, %d, %v", brk, n, err)
		}
	})

	t.Run("again changes nothing", func(t *testing.T) {
		before := tableCounts(t, s)
		seeded, err := seed.Demo(t.Context(), s, demoPassword)
		if err != nil || seeded {
			t.Fatalf("Demo again = %t, %v; want false", seeded, err)
		}
		if after := tableCounts(t, s); !maps.Equal(after, before) {
			t.Errorf("counts %v, were %v", after, before)
		}
	})
}

func TestSeedDemoRefused(t *testing.T) {
	t.Run("a board with a user", func(t *testing.T) {
		s := db.OpenTest(t)
		mustCreateUser(t, s, "someone@example.com", true)
		before := tableCounts(t, s)
		seeded, err := seed.Demo(t.Context(), s, demoPassword)
		if err != nil || seeded {
			t.Fatalf("Demo = %t, %v; want false", seeded, err)
		}
		if after := tableCounts(t, s); !maps.Equal(after, before) {
			t.Errorf("counts %v, were %v", after, before)
		}
	})
	t.Run("a board with a release", func(t *testing.T) {
		s := db.OpenTest(t)
		mustCreateRelease(t, s, "payments", "1.0.0")
		seeded, err := seed.Demo(t.Context(), s, demoPassword)
		if err != nil || seeded || count(t, s, "users") != 0 {
			t.Fatalf("Demo = %t, %v with %d users", seeded, err, count(t, s, "users"))
		}
	})
	t.Run("a weak password", func(t *testing.T) {
		s := db.OpenTest(t)
		seeded, err := seed.Demo(t.Context(), s, "demo")
		wantCode(t, err, gonogo.EINVALID)
		if seeded || count(t, s, "users") != 0 {
			t.Fatal("seeded with a weak password")
		}
	})
}

func TestDemoShowsEveryPartOfTheReview(t *testing.T) {
	s := db.OpenTest(t)
	if ok, err := seed.Demo(t.Context(), s, "a demo password"); !ok || err != nil {
		t.Fatalf("seed: %v %v", ok, err)
	}
	rels, _ := s.FindReleases(t.Context(), gonogo.ReleaseFilter{})
	var reviewWithVotes, noGoVote, goDecision, noGoDecision bool
	for _, r := range rels {
		snap, _ := s.FindSnapshot(t.Context(), r.ID)
		cur := gonogo.CurrentVotes(r, snap.Votes)
		if r.State == gonogo.Review && len(cur) > 0 {
			reviewWithVotes = true
			for _, v := range cur {
				noGoVote = noGoVote || v.Value == gonogo.VoteNoGo
			}
		}
		if d, ok, _ := s.FindCycleDecision(t.Context(), r.ID, r.Cycle); ok {
			goDecision = goDecision || (d.Outcome == gonogo.OutcomeGo && r.State == gonogo.Go)
			noGoDecision = noGoDecision || d.Outcome == gonogo.OutcomeNoGo
		}
	}
	if !reviewWithVotes || !noGoVote || !goDecision || !noGoDecision {
		t.Fatalf("review with votes %v, a No-Go vote %v, a recorded Go %v, a recorded No-Go %v", reviewWithVotes, noGoVote, goDecision, noGoDecision)
	}
}

func TestDemoHasDefectsOfEverySeverityAndStatus(t *testing.T) {
	s := db.OpenTest(t)
	if ok, err := seed.Demo(t.Context(), s, "a demo password"); !ok || err != nil {
		t.Fatalf("seed: %v %v", ok, err)
	}
	snaps, _ := s.FindSnapshots(t.Context(), gonogo.ReleaseFilter{})
	severities, statuses := map[gonogo.Severity]bool{}, map[gonogo.DefectStatus]bool{}
	heldBack := false
	for _, sn := range snaps {
		for _, d := range sn.Defects {
			severities[d.Severity], statuses[d.Status] = true, true
		}
		if gonogo.CountDefects(sn.Defects).Blocking > 0 && sn.Release.State.Active() {
			heldBack = true
		}
	}
	if len(severities) != len(gonogo.Severities) || len(statuses) != len(gonogo.DefectStatuses) {
		t.Fatalf("demo defects cover severities %v and statuses %v", severities, statuses)
	}
	if !heldBack {
		t.Fatal("no demo release is held back by a blocking defect")
	}
}

// The demo's story holds together: every event is written at the moment it
// describes, so the trail reads in time order, nothing lies in the future,
// a release ships when its history says it did, and it deploys inside its
// window after its Go.
func TestDemoEventsHappenWhenTheyDescribe(t *testing.T) {
	s := db.OpenTest(t)
	now := time.Date(2026, 11, 30, 9, 17, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	if ok, err := seed.Demo(t.Context(), s, demoPassword); !ok || err != nil {
		t.Fatalf("seed: %v %v", ok, err)
	}

	es := mustEvents(t, s) // newest first
	if es[0].At.After(now) {
		t.Errorf("event %d (%s) is in the future: %v", es[0].ID, es[0].Detail, es[0].At)
	}
	for i := 1; i < len(es); i++ {
		if es[i].At.After(es[i-1].At) {
			t.Errorf("event %d (%s, %v) was written after event %d (%s, %v), which came before it",
				es[i].ID, es[i].Detail, es[i].At, es[i-1].ID, es[i-1].Detail, es[i-1].At)
		}
	}

	raw := rawDB(t, s)
	rels, err := s.FindReleases(t.Context(), gonogo.ReleaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rels {
		t.Run(r.Name(), func(t *testing.T) {
			moved := map[gonogo.State]time.Time{} // when the release moved to each state
			evs, err := s.FindReleaseEvents(t.Context(), r.ID, 1000)
			if err != nil {
				t.Fatal(err)
			}
			first := evs[len(evs)-1]
			if first.Action != "release.create" || !first.At.Equal(r.CreatedAt) {
				t.Errorf("created %v, but its history starts with %s at %v", r.CreatedAt, first.Action, first.At)
			}
			for _, e := range evs {
				if e.Action != "release.state" {
					continue
				}
				for _, st := range gonogo.States {
					if strings.HasSuffix(e.Detail, " to "+st.Label()) || strings.Contains(e.Detail, " to "+st.Label()+",") {
						moved[st] = e.At
					}
				}
			}
			if r.UpdatedAt.After(evs[0].At) || r.UpdatedAt.Before(first.At) {
				t.Errorf("last changed %v, outside its history, %v to %v", r.UpdatedAt, first.At, evs[0].At)
			}
			var released sql.NullString
			if err := raw.QueryRowContext(t.Context(), `SELECT released_at FROM releases WHERE id = ?`, r.ID).Scan(&released); err != nil {
				t.Fatal(err)
			}
			if r.State == gonogo.Released {
				if at, ok := moved[gonogo.Released]; !ok || !released.Valid || at.UTC().Format("2006-01-02T15:04:05.000Z") != released.String {
					t.Errorf("shipped %q, but moved to Released at %v", released.String, at)
				}
			}
			if at, ok := moved[gonogo.Review]; ok && !at.Equal(r.ReviewAt) {
				t.Errorf("review opened %v by its history, %v by the release", at, r.ReviewAt)
			}
			snap, err := s.FindSnapshot(t.Context(), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			d, decided, err := s.FindCycleDecision(t.Context(), r.ID, r.Cycle)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range snap.Votes {
				if v.At.Before(r.ReviewAt) || decided && v.At.After(d.At) {
					t.Errorf("%s voted at %v: review opened %v, decided %v", v.Role, v.At, r.ReviewAt, d.At)
				}
			}
			if deployed, ok := moved[gonogo.Deploying]; ok {
				if !decided || !d.At.Before(deployed) {
					t.Errorf("deployed at %v, decided %v", deployed, d.At)
				}
				if !r.Window.Contains(deployed) {
					t.Errorf("deployed at %v, outside its window %v–%v", deployed, r.Window.Start, r.Window.End)
				}
			}
		})
	}
}

// TestDemoHasAnInboxAndAnOutbox checks that the demo shows what people
// hear about: every account that holds a role has unread notifications
// waiting, and the outbox holds messages, none of them sent (the demo has
// no mail server), even after the server prunes it at start.
func TestDemoHasAnInboxAndAnOutbox(t *testing.T) {
	s := db.OpenTest(t)
	if seeded, err := seed.Demo(t.Context(), s, demoPassword); err != nil || !seeded {
		t.Fatalf("Demo = %t, %v; want true", seeded, err)
	}
	users, err := s.FindUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if len(u.Grants) == 0 {
			continue // the admin holds no role, so no sign-off of theirs is awaited
		}
		n, err := s.CountUnread(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n < 2 {
			t.Errorf("%s has %d unread notifications in the demo, want a few", u.Email, n)
		}
	}
	if _, err := s.PruneOutbox(t.Context()); err != nil {
		t.Fatal(err)
	}
	counts, err := s.CountOutbox(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if counts[gonogo.MailQueued] < 5 || counts[gonogo.MailSent] != 0 {
		t.Errorf("the demo's outbox holds %v, want some messages queued and none sent", counts)
	}
}
