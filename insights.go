package gonogo

import (
	"cmp"
	"maps"
	"slices"
	"sort"
	"time"
)

// Insights are what a period of the board's history says: how often it
// ships, how long reviews wait and on whom, why No-Gos happen and what
// preceded its rollbacks, each beside the same figure of the period before.
type Insights struct {
	Product string // "" for every product
	Period  Period
	Prev    Period

	Weeks                  []Week
	Shipped, PrevShipped   int
	Cancelled, PrevCancels int
	// Lead times of the releases shipped: from their first review opened,
	// and from the Go that shipped them.
	LeadReview, PrevLeadReview Spread
	LeadGo, PrevLeadGo         Spread
	InState                    []StateSpread

	// The DORA four: deployments started in the period, those of them
	// that ended and those that failed; time from a rollback to the
	// product's next release shipped.
	Deploys, PrevDeploys   int
	Ended, PrevEnded       int
	Failures, PrevFailures int
	Restore, PrevRestore   Spread

	Go, NoGo, PrevGo, PrevNoGo int
	Why                        []Count
	// MultiCycle counts the releases shipped that needed more than one
	// review cycle.
	MultiCycle int

	Waits        []RoleWait
	ProductWaits []RoleWait

	Failed, NA, LastDone []Count

	Defects       []ReleaseDefects // per release shipped, newest first, at most MaxDefectRows
	DefectsMore   int
	DefectsFound  map[Severity]int
	Deferring     int // releases shipped with a deferred blocker or critical
	DeferringBack int // ... of which a deployment rolled back

	Quality []QualitySplit
	// Reviews are the post-release outcomes of the releases whose
	// deployment ended in each period, and how many still lack a review.
	Reviews, PrevReviews ReviewMix
}

// Week is one week of the period (from Monday), with its counts.
type Week struct {
	Start            time.Time
	Shipped, Deploys int
	// The lead times of the releases shipped that week, from review
	// and from Go.
	LeadReview, LeadGo Spread
}

// StateSpread is how long shipped releases spent in one state.
type StateSpread struct {
	State  State
	Spread Spread
}

// RoleWait is how long reviews waited on a role's first vote, for one
// product ("" for all).
type RoleWait struct {
	Product string
	Role    Role
	Spread  Spread
}

// Count is how often something happened; Words, for items set not
// applicable, are the reasons' most common words.
type Count struct {
	Key, Label string
	N          int
	Words      []string
}

// ReleaseDefects are the defects found on one shipped release.
type ReleaseDefects struct {
	ReleaseID        int64
	Product, Version string
	Found            map[Severity]int
}

// MaxDefectRows bounds the per-release defect table on the page; the CSV
// export holds the same rows.
const MaxDefectRows = 60

// MaxCounts bounds every "most often" list.
const MaxCounts = 10

// Outcomes count how Go decisions' deployments ended.
type Outcomes struct {
	Clean, SmokeFailed, RolledBack int
}

// Total is how many deployments ended.
func (o Outcomes) Total() int { return o.Clean + o.SmokeFailed + o.RolledBack }

// QualitySplit compares the outcomes of Gos that carried something with
// those that did not.
type QualitySplit struct {
	Key, Label    string
	With, Without Outcomes
}

// Summarize counts the facts into the insights of product ("" for all)
// over p, compared with the period before. facts must hold every release
// with a move since the previous period began (later ones are harmless):
// those are all a period's figures read.
func Summarize(facts []Facts, product string, p Period) Insights {
	in := Insights{Product: product, Period: p, Prev: p.Prev(), DefectsFound: map[Severity]int{}}
	var cur []Facts
	for _, f := range facts {
		if product == "" || f.Product == product {
			cur = append(cur, f)
		}
	}
	in.flow(cur)
	in.stability(cur)
	in.decisions(cur)
	in.waits(cur)
	in.checklist(cur)
	in.defects(cur)
	in.quality(cur)
	in.reviews(cur)
	return in
}

// counted reports whether a release counts in insights at all: a
// cancelled release counts nowhere but the cancelled count.
func counted(f Facts) bool { return f.Cancelled.IsZero() }

func (in *Insights) flow(facts []Facts) {
	loc := in.Period.From.Location()
	for w := weekStart(in.Period.From); w.Before(in.Period.To); w = w.AddDate(0, 0, 7) {
		in.Weeks = append(in.Weeks, Week{Start: w})
	}
	week := func(t time.Time) int {
		i := sort.Search(len(in.Weeks), func(i int) bool { return in.Weeks[i].Start.After(t.In(loc)) }) - 1
		return max(i, 0)
	}
	var lr, plr, lg, plg []time.Duration
	weekReview, weekGo := make([][]time.Duration, len(in.Weeks)), make([][]time.Duration, len(in.Weeks))
	inState := map[State][]time.Duration{}
	for _, f := range facts {
		switch {
		case in.Period.Has(f.Cancelled):
			in.Cancelled++
		case in.Prev.Has(f.Cancelled):
			in.PrevCancels++
		}
		if !counted(f) {
			continue
		}
		for _, d := range f.Deploys {
			if in.Period.Has(d.At) {
				in.Weeks[week(d.At)].Deploys++
			}
		}
		switch {
		case in.Period.Has(f.ReleasedAt):
			in.Shipped++
			i := week(f.ReleasedAt)
			in.Weeks[i].Shipped++
			lr, lg = appendLead(lr, lg, f)
			weekReview[i], weekGo[i] = appendLead(weekReview[i], weekGo[i], f)
			for s, d := range f.InState {
				inState[s] = append(inState[s], d)
			}
			if f.Cycles > 1 {
				in.MultiCycle++
			}
		case in.Prev.Has(f.ReleasedAt):
			in.PrevShipped++
			plr, plg = appendLead(plr, plg, f)
		}
	}
	for i := range in.Weeks {
		in.Weeks[i].LeadReview, in.Weeks[i].LeadGo = SpreadOf(weekReview[i]), SpreadOf(weekGo[i])
	}
	in.LeadReview, in.PrevLeadReview = SpreadOf(lr), SpreadOf(plr)
	in.LeadGo, in.PrevLeadGo = SpreadOf(lg), SpreadOf(plg)
	for _, s := range States {
		if d, ok := inState[s]; ok {
			in.InState = append(in.InState, StateSpread{State: s, Spread: SpreadOf(d)})
		}
	}
}

func appendLead(review, goes []time.Duration, f Facts) ([]time.Duration, []time.Duration) {
	if !f.ReviewAt.IsZero() {
		review = append(review, f.ReleasedAt.Sub(f.ReviewAt))
	}
	if !f.GoAt.IsZero() {
		goes = append(goes, f.ReleasedAt.Sub(f.GoAt))
	}
	return review, goes
}

// stability counts the DORA four: deployments started in each period,
// how many of them ended and failed, and the time from each rollback to
// the product's next release shipped.
func (in *Insights) stability(facts []Facts) {
	shipped := map[string][]time.Time{}
	for _, f := range facts {
		if counted(f) && !f.ReleasedAt.IsZero() {
			shipped[f.Product] = append(shipped[f.Product], f.ReleasedAt)
		}
	}
	for _, ts := range shipped {
		slices.SortFunc(ts, time.Time.Compare)
	}
	var restore, prevRestore []time.Duration
	for _, f := range facts {
		if !counted(f) {
			continue
		}
		for _, d := range f.Deploys {
			cur := in.Period.Has(d.At)
			if !cur && !in.Prev.Has(d.At) {
				continue
			}
			ended, failed := b2i(d.Outcome != DeployRunning), b2i(d.Outcome.Failed())
			if cur {
				in.Deploys, in.Ended, in.Failures = in.Deploys+1, in.Ended+ended, in.Failures+failed
			} else {
				in.PrevDeploys, in.PrevEnded, in.PrevFailures = in.PrevDeploys+1, in.PrevEnded+ended, in.PrevFailures+failed
			}
			if d.Outcome != DeployRolledBack {
				continue
			}
			if back, ok := nextAfter(shipped[f.Product], d.EndAt); ok {
				if cur {
					restore = append(restore, back.Sub(d.EndAt))
				} else {
					prevRestore = append(prevRestore, back.Sub(d.EndAt))
				}
			}
		}
	}
	in.Restore, in.PrevRestore = SpreadOf(restore), SpreadOf(prevRestore)
}

// nextAfter is the first time in sorted ts after t.
func nextAfter(ts []time.Time, t time.Time) (time.Time, bool) {
	i := sort.Search(len(ts), func(i int) bool { return ts[i].After(t) })
	if i == len(ts) {
		return time.Time{}, false
	}
	return ts[i], true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DeploysPerWeek is the deployment frequency of the period.
func (in Insights) DeploysPerWeek() float64 {
	return float64(in.Deploys) * 7 / float64(max(in.Period.Days, 1))
}

// decisions counts Gos and No-Gos recorded in each period, and the
// No-Gos' reasons by kind.
func (in *Insights) decisions(facts []Facts) {
	why := map[string]int{}
	for _, f := range facts {
		if !counted(f) {
			continue
		}
		for _, d := range f.Decisions {
			switch {
			case in.Period.Has(d.At) && d.Outcome == OutcomeGo:
				in.Go++
			case in.Period.Has(d.At):
				in.NoGo++
				for _, w := range d.Why {
					why[w]++
				}
			case in.Prev.Has(d.At) && d.Outcome == OutcomeGo:
				in.PrevGo++
			case in.Prev.Has(d.At):
				in.PrevNoGo++
			}
		}
	}
	in.Why = topCounts(why, 0, WhyLabel)
}

// waits gathers how long reviews opened in the period waited on each
// role's first vote, for all products and for each.
func (in *Insights) waits(facts []Facts) {
	all := map[Role][]time.Duration{}
	per := map[[2]string][]time.Duration{}
	for _, f := range facts {
		if !counted(f) {
			continue
		}
		for _, w := range f.Waits {
			if !in.Period.Has(w.Opened) {
				continue
			}
			all[w.Role] = append(all[w.Role], w.Wait)
			k := [2]string{f.Product, string(w.Role)}
			per[k] = append(per[k], w.Wait)
		}
	}
	for _, r := range Roles {
		if d, ok := all[r]; ok {
			in.Waits = append(in.Waits, RoleWait{Role: r, Spread: SpreadOf(d)})
		}
	}
	for k, d := range per {
		in.ProductWaits = append(in.ProductWaits, RoleWait{Product: k[0], Role: Role(k[1]), Spread: SpreadOf(d)})
	}
	slices.SortFunc(in.ProductWaits, func(a, b RoleWait) int {
		if a.Product != b.Product {
			return cmp.Compare(a.Product, b.Product)
		}
		return slices.Index(Roles, a.Role) - slices.Index(Roles, b.Role)
	})
}

// WaitsOn is the role the reviews waited on longest, by median.
func (in Insights) WaitsOn() (RoleWait, bool) {
	var out RoleWait
	for _, w := range in.Waits {
		if w.Spread.Median > out.Spread.Median {
			out = w
		}
	}
	return out, out.Role != ""
}

// checklist counts, over the releases shipped in the period, the items
// that failed, those set not applicable (with their reasons' words) and
// the item done last before the Go.
func (in *Insights) checklist(facts []Facts) {
	failed, na, last := map[string]int{}, map[string]int{}, map[string]int{}
	reasons := map[string][]string{}
	for _, f := range facts {
		if !counted(f) || !in.Period.Has(f.ReleasedAt) {
			continue
		}
		for _, t := range f.Failed {
			failed[t]++
		}
		for _, n := range f.NA {
			na[n.Title]++
			reasons[n.Title] = append(reasons[n.Title], n.Reason)
		}
		if f.LastDone != "" {
			last[f.LastDone]++
		}
	}
	in.Failed = topCounts(failed, MaxCounts, nil)
	in.NA = topCounts(na, MaxCounts, nil)
	for i := range in.NA {
		in.NA[i].Words = CommonWords(reasons[in.NA[i].Key], 3)
	}
	in.LastDone = topCounts(last, MaxCounts, nil)
}

// defects counts what was found on the releases shipped in the period,
// and how many of those that deferred a blocker or critical rolled back.
func (in *Insights) defects(facts []Facts) {
	var rows []ReleaseDefects
	var shipped []time.Time
	for _, f := range facts {
		if !counted(f) || !in.Period.Has(f.ReleasedAt) {
			continue
		}
		rows = append(rows, ReleaseDefects{ReleaseID: f.ReleaseID, Product: f.Product, Version: f.Version, Found: f.Found})
		shipped = append(shipped, f.ReleasedAt)
		for s, n := range f.Found {
			in.DefectsFound[s] += n
		}
		if f.DeferredGrave > 0 {
			in.Deferring++
			if slices.ContainsFunc(f.Deploys, func(d DeployFact) bool { return d.Outcome == DeployRolledBack }) {
				in.DeferringBack++
			}
		}
	}
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return shipped[idx[a]].After(shipped[idx[b]]) })
	for _, i := range idx {
		in.Defects = append(in.Defects, rows[i])
	}
	if len(in.Defects) > MaxDefectRows {
		in.DefectsMore = len(in.Defects) - MaxDefectRows
		in.Defects = in.Defects[:MaxDefectRows]
	}
}

// The things a Go may carry, that decision quality splits outcomes by.
var qualitySplits = []struct {
	key, label string
	has        func(DeployFact) bool
}{
	{"conditions", "Go had conditions", func(d DeployFact) bool { return d.Conditions }},
	{"waived", "A role was waived", func(d DeployFact) bool { return d.Waived }},
	{"deferred", "A blocker or critical was deferred", func(d DeployFact) bool { return d.DeferredGrave }},
	{"off-hours", "Window outside low-traffic hours", func(d DeployFact) bool { return d.OffHours }},
}

// quality splits the outcomes of the deployments started in the period
// by what their Go carried.
func (in *Insights) quality(facts []Facts) {
	in.Quality = make([]QualitySplit, len(qualitySplits))
	for i, q := range qualitySplits {
		in.Quality[i].Key, in.Quality[i].Label = q.key, q.label
	}
	for _, f := range facts {
		if !counted(f) {
			continue
		}
		for _, d := range f.Deploys {
			if !in.Period.Has(d.At) || d.Outcome == DeployRunning {
				continue
			}
			for i, q := range qualitySplits {
				side := &in.Quality[i].Without
				if q.has(d) {
					side = &in.Quality[i].With
				}
				side.add(d.Outcome)
			}
		}
	}
}

func (o *Outcomes) add(out DeployOutcome) {
	switch out {
	case DeployClean:
		o.Clean++
	case DeploySmokeFailed:
		o.SmokeFailed++
	case DeployRolledBack:
		o.RolledBack++
	}
}

// topCounts orders counts by how many, then by key, keeping at most n
// (every one when n is 0).
func topCounts(m map[string]int, n int, label func(string) string) []Count {
	out := make([]Count, 0, len(m))
	for k, c := range m {
		l := k
		if label != nil {
			l = label(k)
		}
		out = append(out, Count{Key: k, Label: l, N: c})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return cmp.Compare(a.Key, b.Key)
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// Clone copies the insights deep enough that changing the copy's lists
// leaves the original as it was: the store shares one until the next commit.
func (in Insights) Clone() Insights {
	out := in
	out.Weeks, out.InState, out.Why = slices.Clone(in.Weeks), slices.Clone(in.InState), slices.Clone(in.Why)
	out.Waits, out.ProductWaits = slices.Clone(in.Waits), slices.Clone(in.ProductWaits)
	out.Failed, out.NA, out.LastDone = slices.Clone(in.Failed), slices.Clone(in.NA), slices.Clone(in.LastDone)
	out.Defects, out.Quality = slices.Clone(in.Defects), slices.Clone(in.Quality)
	out.DefectsFound = maps.Clone(in.DefectsFound)
	out.Reviews.Outcomes, out.PrevReviews.Outcomes = maps.Clone(in.Reviews.Outcomes), maps.Clone(in.PrevReviews.Outcomes)
	return out
}

// ReviewMix counts the post-release outcomes of releases whose deployment
// ended: how many were reviewed with each outcome, and how many have no
// review yet.
type ReviewMix struct {
	Outcomes map[ReviewOutcome]int
	Missing  int
}

// Reviewed is how many of the releases have their review.
func (m ReviewMix) Reviewed() int {
	n := 0
	for _, c := range m.Outcomes {
		n += c
	}
	return n
}

// Total is how many releases ended their deployment, reviewed or not.
func (m ReviewMix) Total() int { return m.Reviewed() + m.Missing }

// reviews counts, per period, the releases whose last deployment ended in
// it (released or rolled back) by their post-release review's outcome.
func (in *Insights) reviews(facts []Facts) {
	in.Reviews.Outcomes, in.PrevReviews.Outcomes = map[ReviewOutcome]int{}, map[ReviewOutcome]int{}
	for _, f := range facts {
		if !counted(f) || len(f.Deploys) == 0 {
			continue
		}
		last := f.Deploys[len(f.Deploys)-1]
		if last.Outcome == DeployRunning {
			continue
		}
		var m *ReviewMix
		switch {
		case in.Period.Has(last.EndAt):
			m = &in.Reviews
		case in.Prev.Has(last.EndAt):
			m = &in.PrevReviews
		default:
			continue
		}
		if f.Review.Valid() {
			m.Outcomes[f.Review]++
		} else {
			m.Missing++
		}
	}
}
