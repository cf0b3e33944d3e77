package seed

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// DemoAccounts are the accounts -demo creates, one per role plus an admin.
var DemoAccounts = []struct {
	Email, Name string
	Role        gonogo.Role // "" for the admin
	Product     string      // the one product the role is held for; "" for all
}{
	{"admin@example.com", "Avery Admin", "", ""},
	{"po@example.com", "Priya Owner", gonogo.ProductOwner, ""},
	{"eng@example.com", "Eli Engineer", gonogo.EngineeringLead, ""},
	{"qa@example.com", "Quinn Tester", gonogo.QALead, ""},
	{"ops@example.com", "Oskar Ops", gonogo.Ops, ""},
	{"support@example.com", "Sam Support", gonogo.SupportLead, ""},
	{"rm@example.com", "Rita Manager", gonogo.ReleaseManager, ""},
	// People of one team: their role holds for their team's product only.
	{"pay-qa@example.com", "Paz Checkout", gonogo.QALead, "payments"},
	{"shop-support@example.com", "Sol Storefront", gonogo.SupportLead, "storefront"},
}

// demoProducts name the demo's products and their teams.
var demoProducts = []gonogo.ProductInput{
	{Key: "payments", Name: "Payments", OwnerTeam: "Checkout", Description: "Card, wallet and bank payments for every storefront."},
	{Key: "storefront", Name: "Storefront", OwnerTeam: "Web shop", Description: "The web shop customers browse and buy in."},
	{Key: "mobile", Name: "Mobile app", OwnerTeam: "Mobile", Description: "The iOS and Android apps, shared by both teams."},
}

// demoRelease is one release of the demo board and how far along it is.
type demoRelease struct {
	product, version, title, summary string
	state                            gonogo.State
	readinessDone                    int // readiness items settled, in template order (all, once past review)
	failed                           int // how many of the next are failed
	verificationDone                 int
	votes                            []demoVote    // for a release in review; past it, every role votes Go
	rationale, conditions            string        // of the decision
	windowIn                         time.Duration // from now to the window's start, for one yet to deploy; 0 for none
	age                              time.Duration // how long ago it was last changed: the last step of its story
	kind                             gonogo.Kind   // "" for standard
}

type demoVote struct {
	role                gonogo.Role
	value               gonogo.VoteValue
	comment, conditions string
}

var demoReleases = []demoRelease{
	{product: "payments", version: "2.4.0", title: "Apple Pay in checkout", state: gonogo.Review,
		summary:       "Adds Apple Pay as a payment method in the web checkout for EU and US customers.",
		readinessDone: 14, windowIn: 3*24*time.Hour + 20*time.Hour, age: 2 * time.Hour,
		votes: []demoVote{
			{gonogo.EngineeringLead, gonogo.VoteGo, "Code reviewed, feature flag in place.", ""},
			{gonogo.Ops, gonogo.VoteGo, "Runbook updated.", "keep the old payment pods running for an hour after the switch"},
			{gonogo.SupportLead, gonogo.VoteGo, "", "support: macro for Apple Pay refunds live before launch"},
			{gonogo.QALead, gonogo.VoteNoGo, "PAY-142 must be fixed and verified first: Safari users cannot pay.", ""},
		}},
	// Its window overlaps payments 2.4.0's: the demo's conflict.
	{product: "payments", version: "2.5.0", title: "Multi-currency payouts", state: gonogo.Draft,
		summary: "Merchants can receive payouts in EUR, GBP and USD.", readinessDone: 2, age: 26 * time.Hour,
		windowIn: 3*24*time.Hour + 21*time.Hour},
	{product: "payments", version: "2.3.1", title: "Refund rounding fix", state: gonogo.Released,
		summary: "Fixes a one-cent rounding error on partial refunds in JPY.", verificationDone: 5, age: 5 * 24 * time.Hour},
	{product: "payments", version: "2.3.0", title: "Hourly payouts", state: gonogo.Released,
		summary: "Merchants are paid out every hour instead of once a day.", verificationDone: 5, age: 19 * 24 * time.Hour},
	{product: "storefront", version: "5.12.0", title: "New search ranking", state: gonogo.Draft,
		summary:       "Search results ranked by a learned model instead of keyword match.",
		readinessDone: 5, windowIn: 10*24*time.Hour + 21*time.Hour, age: 3 * time.Hour},
	{product: "storefront", version: "5.11.0", title: "Holiday campaign banner", state: gonogo.Go,
		summary: "Seasonal banner and landing page for the December campaign.", windowIn: 20 * time.Hour, age: 30 * time.Minute,
		rationale:  "Every pillar is green; the deferred banner overlap is accepted for a week.",
		conditions: "ops: deploy after 20:00, when traffic is low\nsupport: brief the chat team on the campaign codes"},
	{product: "storefront", version: "5.10.0", title: "Wishlist sharing", state: gonogo.RolledBack,
		summary: "Shoppers share a wishlist by link.", age: 2 * 24 * time.Hour},
	{product: "storefront", version: "5.9.0", title: "Gift cards", state: gonogo.NoGo,
		summary: "Customers buy and redeem gift cards.", readinessDone: 16, age: 3 * 24 * time.Hour,
		votes: []demoVote{
			{gonogo.EngineeringLead, gonogo.VoteGo, "", ""},
			{gonogo.ProductOwner, gonogo.VoteGo, "", ""},
			{gonogo.QALead, gonogo.VoteNoGo, "Load test: checkout p99 at 2.1 s with gift cards, budget is 800 ms.", ""},
		},
		rationale: "Performance budget missed; rerun the load test after the caching fix and review again."},
	{product: "mobile", version: "3.8.0", title: "Offline mode", state: gonogo.Review,
		summary:       "The app keeps working without a connection and syncs when back online.",
		readinessDone: 11, failed: 2, windowIn: 6*24*time.Hour + 19*time.Hour, age: 5 * time.Hour,
		votes: []demoVote{
			{gonogo.ProductOwner, gonogo.VoteGo, "Stories accepted in the sprint review.", ""},
			{gonogo.EngineeringLead, gonogo.VoteGo, "", "eng: sync conflict fix (#318) merged before the store release"},
		}},
	{product: "mobile", version: "3.7.2", title: "Crash fix on Android 15", state: gonogo.Deploying,
		summary: "Fixes a crash at start-up on some Android 15 devices.", age: 20 * time.Minute},
	{product: "mobile", version: "3.7.1", title: "Faster cold start", state: gonogo.Verifying,
		summary: "Cuts cold-start time by deferring analytics set-up.", verificationDone: 2, age: 25 * time.Hour},
}

// demoDefects are the demo board's known problems: every severity and
// status, and a blocker that holds payments 2.4.0 back.
var demoDefects = map[string][]gonogo.Defect{
	"payments 2.4.0": {
		{Title: "Apple Pay sheet does not open on Safari 17", Severity: gonogo.Blocker, Status: gonogo.DefectOpen,
			TrackerURL: "https://acme.atlassian.net/browse/PAY-142", Notes: "Reproduced on macOS 14.2; fine on iOS."},
		{Title: "Double charge when the customer retries", Severity: gonogo.Critical, Status: gonogo.DefectVerified,
			TrackerURL: "https://acme.atlassian.net/browse/PAY-139"},
		{Title: "Receipt email shows the wrong currency symbol", Severity: gonogo.Major, Status: gonogo.DefectInProgress,
			TrackerURL: "https://acme.atlassian.net/browse/PAY-150"},
		{Title: "Pay button misaligned on iPad", Severity: gonogo.Minor, Status: gonogo.DefectFixed, Key: "PAY-151"},
	},
	"mobile 3.8.0": {
		{Title: "Edits made offline are lost after a conflict", Severity: gonogo.Critical, Status: gonogo.DefectInProgress,
			TrackerURL: "https://github.com/acme/mobile/issues/318"},
		{Title: "Offline banner flickers when the signal is weak", Severity: gonogo.Major, Status: gonogo.DefectDeferred,
			Reason: "cosmetic; fix planned for 3.8.1", TrackerURL: "https://github.com/acme/mobile/issues/322"},
		{Title: "Sync spinner uses the old brand colour", Severity: gonogo.Minor, Status: gonogo.DefectWontFix,
			Reason: "the spinner goes away with the redesign"},
	},
	"storefront 5.11.0": {
		{Title: "Banner overlaps the cookie notice on 320px screens", Severity: gonogo.Critical, Status: gonogo.DefectDeferred,
			Reason: "under 0.5% of traffic; fixed in 5.11.1 within the week", TrackerURL: "https://gitlab.com/acme/storefront/-/issues/77"},
	},
	"storefront 5.12.0": {
		{Title: "Quoted queries return no results", Severity: gonogo.Blocker, Status: gonogo.DefectOpen,
			TrackerURL: "https://gitlab.com/acme/storefront/-/issues/81"},
		{Title: "Ranking ignores stock level", Severity: gonogo.Major, Status: gonogo.DefectOpen},
		{Title: "Banner overlaps the cookie notice on 320px screens", Severity: gonogo.Major, Status: gonogo.DefectVerified,
			TrackerURL: "https://gitlab.com/acme/storefront/-/issues/77"},
	},
	"mobile 3.7.1": {
		{Title: "Analytics consent asked twice on first start", Severity: gonogo.Minor, Status: gonogo.DefectFixed},
	},
	// Known issues of earlier releases, fixed: payments 1.17.0 shipped with
	// PAY-44, which 2.3.1 verified and shipped; storefront 5.11.0 goes out
	// with #77, which 5.12.0 has verified already.
	"payments 2.3.1": {
		{Title: "Wallet payment times out when the bank app is closed", Severity: gonogo.Major, Status: gonogo.DefectVerified,
			TrackerURL: "https://acme.atlassian.net/browse/PAY-44"},
	},
}

// Demo fills an empty database with a realistic board and one account per
// role, all with password. It changes nothing, and says so by returning
// false, when the database already has users or releases.
func Demo(ctx context.Context, store *db.Store, password string) (bool, error) {
	if msg := gonogo.PasswordProblem(password); msg != "" {
		return false, gonogo.Errorf(gonogo.EINVALID, "demo password: %s", msg)
	}
	if empty, err := isEmpty(ctx, store); err != nil || !empty {
		return false, err
	}
	// Every step of every release is planned first, each at the moment
	// it describes, then taken in time order: the trail reads as the
	// board's history, and the people exist before any of it.
	w := newWriter(ctx, store)
	now := w.now
	users := map[gonogo.Role]gonogo.Actor{} // filled before any step is taken
	ids := map[string]int64{}               // the demo accounts' ids, by email
	var steps []demoStep
	for _, d := range demoReleases {
		steps = append(steps, w.planRelease(d, users, now)...)
	}
	steps = append(steps, w.planPast(users, ids, now)...) // the year before: closed, below today's versions
	steps = append(steps, w.planReviews(steps, users, now)...)
	steps = append(steps, w.planKinds(users, now)...)   // hotfixes under the payments policy
	steps = append(steps, w.planAlerts(users, now)...)  // alerts that halt (demo_alerts.go)
	steps = append(steps, w.planPilot(users, now)...)   // mobile 3.7.1's pilot (demo_pilot.go)
	steps = append(steps, w.planRollout(users, now)...) // payments 2.3.3, deploying in stages (demo_rollout.go)
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].at.Before(steps[j].at) })
	w.at(steps[0].at.Add(-time.Hour))
	for _, acc := range DemoAccounts {
		in := gonogo.NewUser{Email: acc.Email, Name: acc.Name, Password: password, OperatorSet: true}
		switch {
		case acc.Role == "":
			in.Admin = true
		case acc.Product != "":
			in.Products = gonogo.Grants{{Role: acc.Role, Product: acc.Product}}
		default:
			in.Roles = gonogo.RoleSet{acc.Role}
		}
		u, err := store.CreateUser(w.ctx, gonogo.SystemActor, in)
		if err != nil {
			return false, fmt.Errorf("demo user %s: %w", acc.Email, err)
		}
		ids[acc.Email] = u.ID
		if acc.Role != "" && acc.Product == "" {
			users[acc.Role] = gonogo.Actor{UserID: u.ID, Name: acc.Name, Roles: in.Roles, RemoteAddr: "demo"}
		}
	}
	for _, st := range steps {
		w.at(st.at)
		if err := st.do(); err != nil {
			return false, fmt.Errorf("demo release %s: %w", st.release, err)
		}
	}
	if err := w.seedTrackers(users[gonogo.QALead], now); err != nil {
		return false, fmt.Errorf("demo trackers: %w", err)
	}
	w.at(now)
	admin := gonogo.Actor{Name: "Avery Admin", Admin: true, RemoteAddr: "demo"}
	for _, p := range demoProducts {
		if err := store.UpdateProduct(w.ctx, admin, p.Key, p); err != nil {
			return false, fmt.Errorf("demo product %s: %w", p.Key, err)
		}
	}
	// Oskar is away this week: Paz signs for ops meanwhile.
	ops := users[gonogo.Ops]
	ops.Grants = gonogo.Everywhere(ops.Roles)
	if _, err := store.NameDeputy(w.ctx, ops, gonogo.DeputyInput{Role: gonogo.Ops, DeputyID: ids["pay-qa@example.com"],
		From: now, Until: now.Add(7 * 24 * time.Hour)}); err != nil {
		return false, fmt.Errorf("demo deputy: %w", err)
	}
	if err := w.seedFreezes(users[gonogo.ReleaseManager], now); err != nil {
		return false, fmt.Errorf("demo freezes: %w", err)
	}
	if err := w.seedExceptions(users); err != nil {
		return false, fmt.Errorf("demo freeze exceptions: %w", err)
	}
	return true, nil
}

// isEmpty reports whether the database has neither people nor releases.
func isEmpty(ctx context.Context, store *db.Store) (bool, error) {
	n, err := store.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	products, err := store.FindProductKeys(ctx)
	return len(products) == 0, err
}

// planRelease plans one demo release's life, step by step, with the same
// rules as the board: items settled by their owners, the review opened,
// votes cast, notes written, the decision recorded and the transitions
// taken. Its last step falls at its last change, d.age before now, and
// each earlier one as long before the next as that step takes; a deploy
// falls in the release's window. The steps look their people up in users
// when they are taken, so users may be filled after planning.
func (w *writer) planRelease(d demoRelease, users map[gonogo.Role]gonogo.Actor, now time.Time) []demoStep {
	name := d.product + " " + d.version
	in := gonogo.ReleaseInput{Product: d.product, Version: d.version, Title: d.title, Summary: d.summary, Kind: d.kind}
	var id int64
	var story []storyStep
	add := func(gap time.Duration, do func() error) { story = append(story, storyStep{gap, do}) }
	move := func(by gonogo.Role, t gonogo.Transition) func() error {
		return func() error {
			a := users[by]
			_, err := w.store.Transition(w.ctx, a, id, t)
			return err
		}
	}

	add(0, func() error {
		in.ManagerID = users[gonogo.ReleaseManager].UserID
		rel, err := w.store.CreateRelease(w.ctx, users[gonogo.ReleaseManager], in)
		id = rel.ID
		return err
	})
	past := d.state != gonogo.Draft && d.state != gonogo.Review && d.state != gonogo.NoGo
	done, failed := d.readinessDone, d.failed
	if past {
		done, failed = 1000, 0
	}
	if done+failed > 0 {
		add(gapSettle, func() error { return w.seedItems(id, gonogo.Readiness, done, failed, d, users) })
	}
	if len(demoDefects[name]) > 0 {
		add(gapDefects, func() error { return w.seedDefects(id, d, users) })
	}
	deploy := -1 // the step that starts deploying, if the release gets that far
	if d.state != gonogo.Draft {
		add(gapReview, move(gonogo.ReleaseManager, gonogo.OpenReview))
		votes := d.votes
		if past {
			for _, r := range gonogo.Roles {
				votes = append(votes, demoVote{role: r, value: gonogo.VoteGo})
			}
		}
		for i, v := range votes {
			gap := gapVote
			if i == 0 {
				gap = gapFirstVote
			}
			add(gap, func() error {
				a := users[v.role]
				in := gonogo.VoteInput{Role: v.role, Value: v.value, Comment: v.comment, Conditions: v.conditions}
				_, err := w.store.CastVote(w.ctx, a, id, in)
				return err
			})
		}
		if _, ok := demoNotes[name]; ok {
			add(gapNotes, func() error { return w.seedNotes(id, d, users, past) })
		}
		var last int64
		for _, c := range demoComments[name] {
			add(gapComment, func() error { return w.seedComment(id, c, users, &last) })
		}
	}
	if d.state != gonogo.Draft && d.state != gonogo.Review {
		outcome := gonogo.OutcomeGo
		if d.state == gonogo.NoGo {
			outcome = gonogo.OutcomeNoGo
		}
		din := gonogo.DecisionInput{Outcome: outcome, Rationale: d.rationale, Conditions: d.conditions}
		add(gapDecision, func() error {
			rm := users[gonogo.ReleaseManager]
			_, err := w.store.Decide(w.ctx, rm, id, din)
			return err
		})
		switch d.state {
		case gonogo.Deploying, gonogo.Verifying, gonogo.Released, gonogo.RolledBack:
			deploy = len(story)
			add(gapDeploy, move(gonogo.Ops, gonogo.StartDeploy))
		}
		switch d.state {
		case gonogo.Verifying, gonogo.Released:
			add(gapDeployed, move(gonogo.Ops, gonogo.FinishDeploy))
		case gonogo.RolledBack:
			add(gapRollBack, move(gonogo.Ops, gonogo.RollBack))
		}
		if d.verificationDone > 0 {
			add(gapVerified, func() error { return w.seedItems(id, gonogo.Verification, d.verificationDone, 0, d, users) })
		}
		if d.state == gonogo.Released {
			add(gapReleased, move(gonogo.ReleaseManager, gonogo.MarkReleased))
		}
	}

	last := now.Add(-d.age)
	steps := schedule(name, story, last)
	// The window is known once the story is: a release that deployed did
	// so in its window; one yet to deploy has its window ahead.
	switch {
	case deploy >= 0:
		start := steps[deploy].at.Truncate(time.Hour)
		in.Window = gonogo.Window{Start: start, End: start.Add(2 * time.Hour)}
	case d.windowIn != 0:
		in.Window = d.window(now)
	}
	if n, ok := demoNotes[name]; ok && n.amend != nil {
		steps = append(steps, demoStep{release: name, at: last.Add(n.amendAfter),
			do: func() error { return w.amendNotes(id, d, users) }})
	}
	return steps
}

// seedItems settles the first done items of phase (then failed more as
// failed), each by its owner. Conditions count among verification items.
func (w *writer) seedItems(id int64, phase gonogo.Phase, done, failed int, d demoRelease, users map[gonogo.Role]gonogo.Actor) error {
	items, err := w.store.FindItems(w.ctx, id)
	if err != nil {
		return err
	}
	n := 0
	for _, it := range items {
		if it.Phase != phase || n >= done+failed {
			continue
		}
		status := gonogo.ItemDone
		if n >= done {
			status = gonogo.ItemFailed
		}
		n++
		change := gonogo.ItemChange{Status: status}
		if it.CheckKey != "" && it.CheckKey != gonogo.PilotCheckKey { // a person closes the pilot's
			change.Evidence = fmt.Sprintf("https://ci.example.com/%s/%s/%s", d.product, d.version, it.CheckKey)
		}
		who := users[it.OwnerRole]
		if _, err := w.store.UpdateItem(w.ctx, who, id, it.ID, change); err != nil {
			return fmt.Errorf("item %q: %w", it.Title, err)
		}
	}
	return nil
}

// seedDefects has QA record a release's known defects. One set aside with
// a reason is added open and then set aside, as the rules ask of a person.
func (w *writer) seedDefects(id int64, d demoRelease, users map[gonogo.Role]gonogo.Actor) error {
	qa := users[gonogo.QALead]
	for _, df := range demoDefects[d.product+" "+d.version] {
		in := gonogo.DefectInput{Title: df.Title, Severity: df.Severity, Status: df.Status, Key: df.Key, TrackerURL: df.TrackerURL, Notes: df.Notes}
		if df.Reason != "" {
			in.Status = gonogo.DefectOpen
		}
		ids, err := w.store.CreateDefects(w.ctx, qa, id, []gonogo.DefectInput{in})
		if err != nil {
			return err
		}
		if df.Reason == "" {
			continue
		}
		change := gonogo.DefectChange{Status: df.Status, Reason: df.Reason}
		if _, err := w.store.SetDefectStatus(w.ctx, qa, id, ids[0], change); err != nil {
			return err
		}
	}
	return w.reviewDemoKnownIssues(id, d, users)
}

// seedFreezes adds the demo's freezes (demoFreezes).
func (w *writer) seedFreezes(rm gonogo.Actor, now time.Time) error {
	for _, in := range demoFreezes(now, w.zone()) {
		if _, err := w.store.CreateFreeze(w.ctx, rm, in); err != nil {
			return err
		}
	}
	return nil
}

// zone is the team's time zone: the store's default, as the demo sets none.
func (w *writer) zone() *time.Location {
	if loc := w.store.DefaultZone; loc != nil {
		return loc
	}
	return time.UTC
}

// demoFreezes are a one-off freeze over the day of the storefront's next
// window and a weekly one over the mobile app's, so both show the gate
// blocking. The past's windows keep clear of them.
func demoFreezes(now time.Time, loc *time.Location) []gonogo.FreezeInput {
	search := demoWindow("storefront 5.12.0", now)
	day := search.Start.In(loc)
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	sale := gonogo.FreezeInput{Name: "Winter sale", Reason: "Peak traffic: the shop must not change during the sale.",
		Once: gonogo.Window{Start: start.UTC(), End: start.AddDate(0, 0, 2).UTC()}, Products: []string{"storefront"}}
	offline := demoWindow("mobile 3.8.0", now)
	from, to := offline.Start.In(loc).Add(-time.Hour), offline.End.In(loc).Add(time.Hour)
	batch := gonogo.FreezeInput{Name: "App store review batch", Reason: "The store reviews submissions in one batch; nothing new goes in meanwhile.",
		Weekly: true, Products: []string{"mobile"},
		Week: gonogo.WeeklySpan{StartDay: from.Weekday(), StartMin: from.Hour()*60 + from.Minute(), EndDay: to.Weekday(), EndMin: to.Hour()*60 + to.Minute()}}
	return []gonogo.FreezeInput{sale, batch}
}

// demoWindow is the window ahead of the demo release named name.
func demoWindow(name string, now time.Time) gonogo.Window {
	for _, d := range demoReleases {
		if d.product+" "+d.version == name {
			return d.window(now)
		}
	}
	return gonogo.Window{}
}

// window is the two-hour window ahead of a demo release yet to deploy.
func (d demoRelease) window(now time.Time) gonogo.Window {
	start := now.Add(d.windowIn).Truncate(time.Hour)
	return gonogo.Window{Start: start, End: start.Add(2 * time.Hour)}
}

// demoComment is one comment of a demo discussion.
type demoComment struct {
	role  gonogo.Role
	reply bool // a reply to the comment before it
	body  string
}

// demoComments are the discussions of the demo releases in review.
var demoComments = map[string][]demoComment{
	"payments 2.4.0": {
		{gonogo.QALead, false, "PAY-142 reproduces on Safari 17.1 with a fresh profile: the Apple Pay sheet never opens. Recording: [run 4412](https://ci.example.com/payments/2.4.0/runs/4412). @eng can you take a look before the window?"},
		{gonogo.EngineeringLead, true, "On it. It is the merchant-validation call timing out behind the new CSP; fix is in review."},
		{gonogo.Ops, false, "Checkout dashboards are ready: [latency and errors](https://grafana.example.com/d/checkout). Alerts fire on a 1% error rate for five minutes. @rm the old pods stay up for an hour after the switch."},
	},
	"mobile 3.8.0": {
		{gonogo.ProductOwner, false, "Offline mode is the headline of the store listing; @support please prepare the FAQ on sync conflicts."},
	},
}

// seedComment writes one comment of a demo discussion, a reply to the
// comment *last when c is one, and makes it *last.
func (w *writer) seedComment(id int64, c demoComment, users map[gonogo.Role]gonogo.Actor, last *int64) error {
	a := users[c.role]
	var parent int64
	if c.reply {
		parent = *last
	}
	cm, err := w.store.AddComment(w.ctx, a, id, gonogo.CommentInput{Body: c.body, ParentID: parent})
	if err != nil {
		return err
	}
	*last = cm.ID
	return nil
}
