package seed_test

import (
	"database/sql"
	"maps"
	"slices"
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
		// Today's board is the demo's eleven releases: the year of releases
		// before them closed over a month ago, so not even the board's
		// recently closed lane shows them.
		board, err := s.FindReleases(t.Context(), gonogo.ReleaseFilter{ClosedSince: s.Now().Add(-30 * 24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range board {
			names = append(names, r.Name())
		}
		if !sameSet(names, todaysBoard) {
			t.Errorf("the board shows %v, want %v", names, todaysBoard)
		}
		if len(rels) < 40 {
			t.Errorf("%d demo releases, want a year of them behind today's board", len(rels))
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
				// Conditions, the follow-ups of a post-release review, the
				// support lead's review of known issues and a rollout stage's
				// items are added to the template's items.
				if it.IsCondition() || it.Custom || it.CheckKey == gonogo.KnownIssuesCheckKey || it.StageID != 0 {
					conditions++
				}
			}
			template := len(gonogo.DefaultTemplate())
			if r.Kind == gonogo.KindHotfix {
				template = len(gonogo.HotfixTemplate())
			}
			if len(snap.Items)-conditions != template {
				t.Errorf("%s has %d items besides %d conditions and follow-ups", r.Name(), len(snap.Items)-conditions, conditions)
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

// todaysBoard are the demo's releases on the board, as they were before
// the demo had a past.
var todaysBoard = []string{"payments 2.4.0", "payments 2.5.0", "payments 2.3.1", "payments 2.3.0", "storefront 5.12.0",
	"storefront 5.11.0", "storefront 5.10.0", "storefront 5.9.0", "mobile 3.8.0", "mobile 3.7.2", "mobile 3.7.1",
	"payments 2.3.2", "storefront 5.11.1", // and the hotfixes (demo_kinds.go)
	"storefront 5.10.1",
	"payments 2.3.3"} // deploying in stages (demo_rollout.go)

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
			moved := map[gonogo.State]time.Time{} // when the release last moved to each state
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
					_, later := moved[st] // the events come newest first
					if !later && (strings.HasSuffix(e.Detail, " to "+st.Label()) || strings.Contains(e.Detail, " to "+st.Label()+",")) {
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
			// Each vote came before its cycle's decision; those of the
			// current cycle after its review opened.
			decisions, err := s.FindDecisions(t.Context(), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			decidedAt := map[int]time.Time{}
			for _, d := range decisions {
				decidedAt[d.Cycle] = d.At
			}
			for _, v := range snap.Votes {
				at, ok := decidedAt[v.Cycle]
				if v.Cycle == r.Cycle && v.At.Before(r.ReviewAt) || ok && v.At.After(at) {
					t.Errorf("%s voted at %v in cycle %d: review opened %v, decided %v", v.Role, v.At, v.Cycle, r.ReviewAt, at)
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

// demoNow is the moment the insights tests seed the demo at: a year back
// from it crosses both changes of summer time in the team's zone.
var demoNow = time.Date(2026, 11, 30, 9, 17, 0, 0, time.UTC)

// seedDemoAt seeds the demo into a fresh store whose clock stands at now
// and whose team works in loc.
func seedDemoAt(t *testing.T, now time.Time, loc *time.Location) *db.Store {
	t.Helper()
	s := db.OpenTest(t)
	s.Now = func() time.Time { return now }
	s.DefaultZone = loc
	if ok, err := seed.Demo(t.Context(), s, demoPassword); !ok || err != nil {
		t.Fatalf("Demo = %t, %v; want true", ok, err)
	}
	return s
}

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// The demo holds a year of closed releases behind today's board, made by
// the same rules, so that every figure of the year's insights says
// something: each section has figures, the No-Gos more than one reason,
// the waits one role clearly slowest, every quality split both sides.
// The demo is seeded whenever someone starts it: the year says as much
// from a winter's day as from a summer's.
func TestDemoYearFillsEveryInsight(t *testing.T) {
	loc := berlin(t)
	for _, now := range []time.Time{demoNow, time.Date(2027, 6, 17, 15, 40, 0, 0, time.UTC)} {
		t.Run(now.Format(time.DateOnly), func(t *testing.T) {
			wantYearInsights(t, seedDemoAt(t, now, loc), now, loc)
		})
	}
}

// wantYearInsights checks the insights of the year up to now.
func wantYearInsights(t *testing.T, s *db.Store, now time.Time, loc *time.Location) {
	t.Helper()
	in, err := s.FindInsights(t.Context(), "", gonogo.LastDays(365, now, loc))
	if err != nil {
		t.Fatal(err)
	}
	weeks := 0
	for _, w := range in.Weeks {
		if w.Shipped > 0 {
			weeks++
		}
	}
	if in.Shipped < 40 || weeks*4 < len(in.Weeks)*3 {
		t.Errorf("%d releases shipped, in %d of %d weeks; want one most weeks", in.Shipped, weeks, len(in.Weeks))
	}
	for name, sp := range map[string]gonogo.Spread{"from review": in.LeadReview, "from the Go": in.LeadGo, "to restore": in.Restore} {
		if sp.N == 0 || sp.P90 <= sp.Median {
			t.Errorf("lead time %s %+v; want some, and varied", name, sp)
		}
	}
	if in.Deploys <= in.Shipped || in.Failures == 0 || in.Deploys-in.Ended > 3 { // three deploying today, one in stages
		t.Errorf("%d deploys, %d ended, %d failed, for %d shipped; want some failures among them", in.Deploys, in.Ended, in.Failures, in.Shipped)
	}
	if in.Go == 0 || in.NoGo < 4 || len(in.Why) < 3 || in.MultiCycle == 0 {
		t.Errorf("%d Go, %d No-Go for %v, %d shipped in a second cycle; want No-Gos of three kinds or more, and second cycles",
			in.Go, in.NoGo, in.Why, in.MultiCycle)
	}
	wantSlowest(t, in.Waits, gonogo.SupportLead)
	if len(in.Failed) == 0 || len(in.LastDone) == 0 || len(in.NA) == 0 {
		t.Errorf("items failed %v, set n/a %v, done last %v; want each", in.Failed, in.NA, in.LastDone)
	}
	// The production smoke test that failed and was fixed forward.
	if !slices.ContainsFunc(in.Failed, func(c gonogo.Count) bool { return c.Key == "Smoke test passes in production" }) {
		t.Errorf("items failed %v; want the smoke test in production among them", in.Failed)
	}
	for _, c := range in.NA {
		if len(c.Words) == 0 {
			t.Errorf("%q set n/a %d times without the reasons' words", c.Key, c.N)
		}
	}
	found := 0
	for _, n := range in.DefectsFound {
		found += n
	}
	if len(in.Defects) == 0 || found == 0 || in.Deferring == 0 || in.DeferringBack == 0 || in.DeferringBack >= in.Deferring {
		t.Errorf("%d defects on %d releases; %d shipped deferring a blocker or critical, %d of them rolled back; want some of each, not all rolled back",
			found, len(in.Defects), in.Deferring, in.DeferringBack)
	}
	for _, q := range in.Quality {
		if q.With.Total() == 0 || q.Without.Total() == 0 {
			t.Errorf("quality split %q: with %+v, without %+v; want both sides", q.Key, q.With, q.Without)
		}
	}
	if in.Cancelled == 0 || in.Cancelled > 2 {
		t.Errorf("%d cancelled, want one or two", in.Cancelled)
	}
}

// wantSlowest fails unless every role has waits and role's median is at
// least twice any other's: the one reviews clearly wait on.
func wantSlowest(t *testing.T, waits []gonogo.RoleWait, role gonogo.Role) {
	t.Helper()
	median := map[gonogo.Role]time.Duration{}
	for _, w := range waits {
		median[w.Role] = w.Spread.Median
	}
	for _, r := range gonogo.Roles {
		if _, ok := median[r]; !ok {
			t.Errorf("no waits on %s", r)
		}
		if r != role && median[r]*2 > median[role] {
			t.Errorf("reviews waited %v on %s and %v on %s; want %s clearly slowest", median[r], r, median[role], role, role)
		}
	}
}

// Payments is the demo's product whose rollbacks follow deferred
// criticals: every release of it that shipped with one deferred rolled
// back first, and none of its others failed.
func TestDemoPaymentsRollsBackAfterDeferringCriticals(t *testing.T) {
	loc := berlin(t)
	s := seedDemoAt(t, demoNow, loc)
	in, err := s.FindInsights(t.Context(), "payments", gonogo.LastDays(365, demoNow, loc))
	if err != nil {
		t.Fatal(err)
	}
	if in.Deferring == 0 || in.DeferringBack != in.Deferring || in.Failures == 0 {
		t.Fatalf("payments: %d shipped deferring a critical, %d of them rolled back, %d failed deploys; want every one rolled back",
			in.Deferring, in.DeferringBack, in.Failures)
	}
	for _, q := range in.Quality {
		if q.Key == "deferred" && (q.With.RolledBack == 0 || q.Without.Total() != q.Without.Clean) {
			t.Errorf("payments' Gos with a deferred critical ended %+v, the others %+v; want rollbacks only with", q.With, q.Without)
		}
	}
}

// The demo shows a hotfix whose post-release review is overdue, and the
// payments hotfix policy it was made under.
func TestSeedDemoHotfixes(t *testing.T) {
	s := db.OpenTest(t)
	if _, err := seed.Demo(t.Context(), s, "gonogo-demo"); err != nil {
		t.Fatal(err)
	}
	over, err := s.FindOverdueReviews(t.Context(), 10)
	if err != nil || len(over) != 1 || over[0].Name() != "payments 2.3.2" || over[0].State != gonogo.Released {
		t.Fatalf("overdue reviews %v, %v; want the released payments 2.3.2", over, err)
	}
	p, err := s.FindPolicy(t.Context(), "payments", gonogo.KindHotfix)
	if err != nil || !p.Set || p.ReviewWithinDays != 3 {
		t.Fatalf("payments hotfix policy %+v, %v", p, err)
	}
}
