package seed

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gonogo/gonogo"
)

// The demo's past: a year of its three products' releases before today's
// board, so that /insights has a year to read. Each is made by the same
// rules as today's releases (items settled by their owners, reviews,
// votes, decisions, deploys, rollbacks, the pipeline's smoke results),
// each step at its moment. Every one closed well before today's board
// began, and at lower versions, so none shows on the board, not even in
// its "recently closed" lane.

const (
	pastBegins = 360 * 24 * time.Hour // the first past release is created about this long before now
	pastQuiet  = 32 * 24 * time.Hour  // every past release closed at least this long before now: the closed lane keeps 30 days
	pastCycle  = 3                    // weeks between two releases of a product; the products start a week apart
	readEvery  = 42                   // days between two times everyone reads their inbox
)

// pastRelease is one release of the demo's past, as planned; its id and
// checklist are learned when it is created.
type pastRelease struct {
	p       *pastProduct
	n       int // its place in its product's year, from 0
	version string
	start   time.Time
	turn    pastTurn
	window  gonogo.Window          // the window it is created with
	issues  []int                  // its defects' tracker numbers, in the order filed
	id      int64                  // once created
	items   map[string]gonogo.Item // its template items by title, once created
	defects map[string]int64       // its defects' ids by title, once filed
	shipped pastShipped            // what it ships
	freezes []gonogo.Freeze        // the demo's freezes, whose hours its windows keep clear of
	people  map[gonogo.Role]gonogo.Actor
}

func (r *pastRelease) name() string { return r.p.key + " " + r.shipped.title }

// planPast plans the demo's past: the team's low-traffic hours set a year
// ago, every past release's life, everyone reading their inbox every six
// weeks, and the low-traffic hours cleared as the past ends, so that
// today's board warns of nothing it did not warn of before (a window's
// warning would come and go with the hour the demo starts). Closed
// releases keep what their Gos carried, off-hours windows included.
func (w *writer) planPast(users map[gonogo.Role]gonogo.Actor, ids map[string]int64, now time.Time) []demoStep {
	loc := w.zone()
	cutoff := now.Add(-pastQuiet)
	first := monday(now.Add(-pastBegins), loc)
	var freezes []gonogo.Freeze
	for _, in := range demoFreezes(now, loc) {
		freezes = append(freezes, gonogo.Freeze{Name: in.Name, Weekly: in.Weekly, Once: in.Once, Week: in.Week, Products: in.Products})
	}
	var steps []demoStep
	for pi, p := range pastProducts {
		rng := rand.New(rand.NewPCG(uint64(pi)+1, 2026))
		issue := p.firstIssue
		var made []*pastRelease
		for n := 0; ; n++ {
			r := &pastRelease{p: p, n: n, turn: p.turns[n], shipped: p.releases[n%len(p.releases)], freezes: freezes, people: users,
				start: first.AddDate(0, 0, 7*(pastCycle*n+p.week))}
			for range r.defectCount() {
				r.issues = append(r.issues, issue)
				issue++
			}
			life := (&pastLife{pastRelease: r, w: w, loc: loc, rng: rng}).plan()
			if !lastOf(life).Before(cutoff) {
				break // it would still be on the board
			}
			steps = append(steps, life...)
			made = append(made, r)
		}
		for i, r := range made {
			r.version = p.version(len(made) - 1 - i)
		}
	}
	return append(steps, w.pastSettings(first, cutoff, ids)...)
}

// pastSettings are the steps of the past that belong to no release: the
// team's low-traffic hours, set before the first release and cleared at
// the end, and everyone reading their inbox now and then, so that the
// past's notifications do not wait unread on today's board.
func (w *writer) pastSettings(first, cutoff time.Time, ids map[string]int64) []demoStep {
	admin := gonogo.Actor{Name: "Avery Admin", Admin: true, RemoteAddr: "demo"}
	var evenings gonogo.LowTraffic
	for d := range evenings {
		evenings[d] = &gonogo.DailySpan{StartMin: 20 * 60, EndMin: 6 * 60}
	}
	settings := func(t gonogo.TeamSettings) func() error {
		return func() error { return w.store.SaveTeamSettings(w.ctx, admin, t) }
	}
	read := func() error {
		for _, acc := range DemoAccounts {
			if _, err := w.store.MarkAllRead(w.ctx, ids[acc.Email]); err != nil {
				return err
			}
		}
		return nil
	}
	steps := []demoStep{{release: "team settings", at: first.Add(-30 * time.Minute), do: settings(gonogo.TeamSettings{LowTraffic: evenings})}}
	for t := first.AddDate(0, 0, readEvery); t.Before(cutoff); t = t.AddDate(0, 0, readEvery) {
		steps = append(steps, demoStep{release: "inbox", at: t.Add(-2 * time.Hour), do: read})
	}
	return append(steps, demoStep{release: "inbox", at: cutoff, do: read},
		demoStep{release: "team settings", at: cutoff.Add(time.Minute), do: settings(gonogo.TeamSettings{})})
}

// lastOf is when the last of steps is taken.
func lastOf(steps []demoStep) time.Time {
	var last time.Time
	for _, st := range steps {
		if st.at.After(last) {
			last = st.at
		}
	}
	return last
}

// monday is 09:30 on the first Monday from t, in loc.
func monday(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	days := (int(time.Monday) - int(t.Weekday()) + 7) % 7
	return time.Date(t.Year(), t.Month(), t.Day()+days, 9, 30, 0, 0, loc)
}

// defectCount is how many defects the release's team filed while
// building it: one to three, a critical among them now and then, and the
// one a turn of its life brings.
func (r *pastRelease) defectCount() int {
	n := 1 + r.n%3
	if r.n%5 == 3 {
		n++ // a critical, fixed and verified before the review
	}
	if r.turn.deferCritical {
		n++
	}
	if r.turn.noGo == "qa" || r.turn.noGo == "defects" || r.turn.rollBack {
		n++ // the defect the No-Go or the rollback was about
	}
	return n
}

// issue is the tracker link of the release's i-th defect.
func (r *pastRelease) issue(i int) string { return fmt.Sprintf(r.p.issueURL, r.issues[i]) }

// waived says whether the release needs no support sign-off: payments'
// back-end releases change nothing customers or support see.
func (r *pastRelease) waived() bool {
	return r.p.key == "payments" && r.n%4 == 1 && r.turn == (pastTurn{})
}

// dayWindow says whether the release deploys in the afternoon, outside
// the team's low-traffic hours: campaigns that must be live by a set hour.
func (r *pastRelease) dayWindow() bool {
	switch r.p.key {
	case "payments":
		return r.n%5 == 2
	case "storefront":
		return r.n%4 == 1 || r.turn.deferCritical
	}
	return r.n%6 == 3
}

// naReason is why the release set the item titled title not applicable,
// or "" when it did not.
func (r *pastRelease) naReason(title string) string {
	reasons, n := naReasons[title], r.n
	switch {
	case title == "Privacy review done" && n%3 == 0,
		title == "Performance thresholds met" && n%4 == 1 && r.turn.noGo == "",
		title == "Technical documentation updated" && n%2 == 0,
		title == "Knowledge base updated" && n%3 == 1:
		return reasons[(n/2)%len(reasons)]
	}
	return ""
}

// failing is the readiness item that failed on the release's way to its
// review, and what failed; "" for none. A release whose review stopped at
// a failed security scan failed that.
func (r *pastRelease) failing() (title, why string) {
	switch {
	case r.turn.noGo == "checklist":
		return "Security scan clean", "a critical finding in the PDF library; no fixed version yet"
	case r.n%3 == 2:
		f := failingItems[(r.n/3)%len(failingItems)]
		return f.title, f.why
	}
	return "", ""
}
