package gonogo

import (
	"sort"
	"strings"
	"time"
)

// StateMove is one change of a release's state, as the store keeps it: the
// history insights read, since a release row holds only where it stands.
type StateMove struct {
	Cycle    int
	From, To State
	At       time.Time
}

// ItemFailure is one moment an item was set failed, by a person or by a
// pipeline's report: an item fixed later still failed once.
type ItemFailure struct {
	Cycle    int
	Title    string
	CheckKey string
	At       time.Time
}

// History is everything insights learn of one release: what the store
// reads when the release changes state, to make its facts.
type History struct {
	Release   Release
	Moves     []StateMove // oldest first
	Decisions []Decision  // with their records, oldest first
	Votes     []Vote      // every vote of every cycle, oldest first
	Items     []Item      // as they stand
	Failures  []ItemFailure
	Defects   []Defect
	Review    ReviewOutcome // its post-release review's outcome; "" without one
	// LowTraffic and Zone judge whether a Go's window was outside the
	// team's low-traffic hours.
	LowTraffic LowTraffic
	Zone       *time.Location
}

// DeployOutcome is how a deployment ended.
type DeployOutcome string

const (
	DeployRunning     DeployOutcome = ""             // still deploying or verifying
	DeployClean       DeployOutcome = "clean"        // released, its smoke test never failed
	DeploySmokeFailed DeployOutcome = "smoke-failed" // released, but its smoke test failed on the way
	DeployRolledBack  DeployOutcome = "rolled-back"
)

// Failed reports whether the deployment counts against the change failure
// rate: it rolled back or failed its smoke test.
func (o DeployOutcome) Failed() bool { return o == DeploySmokeFailed || o == DeployRolledBack }

// DeployFact is one deployment (a Go taken to production) and what the Go
// that allowed it carried.
type DeployFact struct {
	Cycle   int
	At      time.Time // deploying started
	EndAt   time.Time // released or rolled back; zero while running
	Outcome DeployOutcome
	// What the Go carried: conditions (of the decision or of a vote that
	// counted), a waived role, a deferred blocker or critical defect, a
	// window outside the low-traffic hours.
	Conditions, Waived, DeferredGrave, OffHours bool
}

// DecisionFact is one recorded decision and, for a No-Go, why.
type DecisionFact struct {
	Cycle   int
	At      time.Time
	Outcome Outcome
	// Why names the kinds of reason of a No-Go (see NoGoWhy), each once.
	Why []string
}

// WaitFact is how long a role took to first vote after a review opened.
type WaitFact struct {
	Cycle  int
	Role   Role
	Opened time.Time // when the cycle's review opened: a wait counts in that period
	Wait   time.Duration
}

// NAFact is an item set not applicable, with the reason given.
type NAFact struct {
	Title, Reason string
}

// Facts are what insights count of one release, made from its History
// whenever it changes state, so that a view of a year reads one row per
// release rather than the year's history.
type Facts struct {
	ReleaseID  int64
	Product    string
	Version    string
	Created    time.Time
	ReviewAt   time.Time // its first review opened; zero if never
	GoAt       time.Time // the Go that shipped it; zero unless released
	ReleasedAt time.Time // zero unless released
	Cancelled  time.Time // zero unless cancelled
	Cycles     int
	// InState is the time spent in each state the release has left.
	InState   map[State]time.Duration
	Deploys   []DeployFact
	Decisions []DecisionFact
	Waits     []WaitFact
	Failed    []string // titles of items that failed at least once, each once
	NA        []NAFact
	LastDone  string // the readiness item done last before the latest Go
	Found     map[Severity]int
	// DeferredGrave counts the blocker and critical defects deferred or
	// not to be fixed.
	DeferredGrave int
	LastAt        time.Time // its latest move
	// Review is the outcome its post-release review recorded; "" while
	// it has none.
	Review ReviewOutcome `json:",omitempty"`
}

// FactsOf makes the facts of a release's history.
func FactsOf(h History) Facts {
	r := h.Release
	f := Facts{ReleaseID: r.ID, Product: r.Product, Version: r.Version, Created: r.CreatedAt, Cycles: r.Cycle,
		InState: map[State]time.Duration{}, Found: map[Severity]int{}}
	f.movesFacts(h)
	f.decisionFacts(h)
	f.Waits = waitFacts(h)
	f.itemFacts(h)
	f.Review = h.Review
	for _, d := range h.Defects {
		f.Found[d.Severity]++
		if d.Severity.Grave() && (d.Status == DefectDeferred || d.Status == DefectWontFix) {
			f.DeferredGrave++
		}
	}
	return f
}

// movesFacts reads the moves: when the review first opened, the time in
// each state, when it shipped or was cancelled, and its deployments.
func (f *Facts) movesFacts(h History) {
	since := h.Release.CreatedAt
	for _, m := range h.Moves {
		f.InState[m.From] += m.At.Sub(since)
		since = m.At
		f.LastAt = m.At
		switch m.To {
		case Review:
			if f.ReviewAt.IsZero() {
				f.ReviewAt = m.At
			}
		case Deploying:
			f.Deploys = append(f.Deploys, DeployFact{Cycle: m.Cycle, At: m.At})
		case Released:
			f.ReleasedAt = m.At
			f.endDeploy(m, DeployClean, h.Failures)
		case RolledBack:
			f.endDeploy(m, DeployRolledBack, nil)
		case Cancelled:
			f.Cancelled = m.At
		}
	}
}

// endDeploy closes the running deployment: a release whose smoke test
// failed on the way counts as a failed change even if it was fixed forward.
func (f *Facts) endDeploy(m StateMove, outcome DeployOutcome, failures []ItemFailure) {
	if len(f.Deploys) == 0 {
		return
	}
	d := &f.Deploys[len(f.Deploys)-1]
	d.EndAt, d.Outcome = m.At, outcome
	for _, fl := range failures {
		if fl.CheckKey == ProductionSmokeCheckKey && !fl.At.Before(d.At) && !fl.At.After(m.At) {
			d.Outcome = DeploySmokeFailed
		}
	}
}

// decisionFacts reads the decisions: why each No-Go, what each Go carried
// into the deployment it allowed, and when the Go that shipped was made.
func (f *Facts) decisionFacts(h History) {
	for _, d := range h.Decisions {
		f.Decisions = append(f.Decisions, DecisionFact{Cycle: d.Cycle, At: d.At, Outcome: d.Outcome, Why: NoGoWhy(d)})
		if d.Outcome != OutcomeGo {
			continue
		}
		for i := range f.Deploys {
			if f.Deploys[i].Cycle == d.Cycle {
				carried(&f.Deploys[i], d, h)
			}
		}
		if !f.ReleasedAt.IsZero() && d.Cycle == h.Release.Cycle {
			f.GoAt = d.At
		}
	}
}

// carried marks what the Go d carried into the deployment.
func carried(dep *DeployFact, d Decision, h History) {
	rec := d.Record
	dep.Conditions = len(d.Conditions) > 0
	for _, v := range rec.Votes {
		if v.Value == VoteGo && len(v.Conditions) > 0 {
			dep.Conditions = true
		}
	}
	dep.Waived = len(rec.Waivers) > 0
	for _, def := range rec.Defects {
		if def.Severity.Grave() && (def.Status == DefectDeferred || def.Status == DefectWontFix) {
			dep.DeferredGrave = true
		}
	}
	w := rec.Release.Window
	dep.OffHours = !w.IsZero() && h.LowTraffic.Configured() && !h.LowTraffic.Covers(w, h.Zone)
}

// The kinds of reason a No-Go gives, as insights group them.
const (
	WhyDefects   = "defects"
	WhyChecklist = "checklist"
	WhyNotes     = "notes"
	WhyFreeze    = "freeze"
	WhyScope     = "scope"
	WhySignOffs  = "sign-offs"
	WhyCall      = "call" // the gate was ready: the release manager's own call
	// A role's No-Go vote is "vote:" and the role, e.g. "vote:qa-lead".
	WhyVotePrefix = "vote:"
)

// NoGoWhy names, each once and in a stable order, why a No-Go was
// recorded: the kinds of reason on the gate frozen in its record and the
// roles whose No-Go vote counted. A Go has none.
func NoGoWhy(d Decision) []string {
	if d.Outcome != OutcomeNoGo {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, v := range d.Record.Votes {
		if v.Value == VoteNoGo {
			add(WhyVotePrefix + string(v.Role))
		}
	}
	for _, r := range d.Record.Gate.Reasons {
		add(reasonWhy[r.Kind])
	}
	if len(out) == 0 {
		add(WhyCall)
	}
	sort.Strings(out)
	return out
}

var reasonWhy = map[ReasonKind]string{
	ReasonDefect: WhyDefects, ReasonItem: WhyChecklist, ReasonNotes: WhyNotes, ReasonFreeze: WhyFreeze,
	ReasonScope: WhyScope, ReasonRole: WhySignOffs, ReasonGap: WhySignOffs, ReasonQuorum: WhySignOffs,
}

// WhyLabel says a kind of No-Go reason for people.
func WhyLabel(why string) string {
	if r, ok := strings.CutPrefix(why, WhyVotePrefix); ok {
		return "No-Go vote: " + Role(r).Label()
	}
	return whyLabels[why]
}

var whyLabels = map[string]string{
	WhyDefects: "Blocking defects", WhyChecklist: "Checklist items", WhyNotes: "Notes unpublished",
	WhyFreeze: "Freeze", WhyScope: "Scope still open", WhySignOffs: "Sign-offs missing", WhyCall: "Release manager's call",
}

// waitFacts are, for each cycle whose review opened, how long each role
// took to cast its first vote of the cycle.
func waitFacts(h History) []WaitFact {
	opened := map[int]time.Time{}
	for _, m := range h.Moves {
		if m.To == Review {
			if _, ok := opened[m.Cycle]; !ok {
				opened[m.Cycle] = m.At
			}
		}
	}
	var out []WaitFact
	seen := map[WaitFact]bool{}
	for _, v := range h.Votes {
		at, ok := opened[v.Cycle]
		key := WaitFact{Cycle: v.Cycle, Role: v.Role}
		if !ok || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, WaitFact{Cycle: v.Cycle, Role: v.Role, Opened: at, Wait: max(v.At.Sub(at), 0)})
	}
	return out
}

// itemFacts reads the checklist: the items that ever failed, those set
// not applicable with their reasons, and the readiness item done last
// before the latest Go.
func (f *Facts) itemFacts(h History) {
	seen := map[string]bool{}
	for _, fl := range h.Failures {
		if !seen[fl.Title] {
			seen[fl.Title] = true
			f.Failed = append(f.Failed, fl.Title)
		}
	}
	for _, it := range h.Items {
		if it.Status == ItemNA {
			f.NA = append(f.NA, NAFact{Title: it.Title, Reason: it.Reason})
		}
	}
	var goRec *Record
	for i := range h.Decisions {
		if h.Decisions[i].Outcome == OutcomeGo {
			goRec = &h.Decisions[i].Record
		}
	}
	if goRec == nil {
		return
	}
	var last Item
	for _, it := range goRec.Items {
		if it.Phase == Readiness && it.Status == ItemDone && it.UpdatedAt.After(last.UpdatedAt) {
			last = it
		}
	}
	f.LastDone = last.Title
}
