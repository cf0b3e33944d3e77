package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// Transition is a step in a release's life that a person (or a pipeline)
// takes. Recording a Go or a No-Go is a decision, not a transition: it has
// its own rules (see Decide).
type Transition string

const (
	OpenReview   Transition = "open-review"   // draft → review
	StartDeploy  Transition = "start-deploy"  // go → deploying
	FinishDeploy Transition = "finish-deploy" // deploying → verifying
	MarkReleased Transition = "mark-released" // verifying → released
	RollBack     Transition = "roll-back"     // deploying, verifying → rolled-back
	Reopen       Transition = "reopen"        // no-go, rolled-back → review, in a new cycle
	Cancel       Transition = "cancel"        // draft, review, go, no-go → cancelled
)

// Transitions lists every transition in the order buttons show them.
var Transitions = []Transition{OpenReview, StartDeploy, FinishDeploy, MarkReleased, RollBack, Reopen, Cancel}

var transitionLabels = map[Transition]string{
	OpenReview: "Open the review", StartDeploy: "Start deploying", FinishDeploy: "Deployed: start verifying",
	MarkReleased: "Mark released", RollBack: "Roll back", Reopen: "Reopen in a new cycle", Cancel: "Cancel release",
}

// transitionOutcomes say what taking a transition did, for the notice the
// person who took it reads next.
var transitionOutcomes = map[Transition]string{
	OpenReview:   "Review opened: every role is asked to sign off.",
	StartDeploy:  "Deploying: the release is on its way to production.",
	FinishDeploy: "Deployed: work through the post-deploy verification, then mark the release released.",
	MarkReleased: "Released: the release is in production and its notes are among the shipped.",
	RollBack:     "Rolled back: reopen the release in a new cycle once it is fixed.",
	Reopen:       "Reopened in a new cycle: every role signs off again.",
	Cancel:       "Release cancelled: it leaves the board for the closed lane.",
}

// Outcome is what taking t did, said to the person who took it.
func (t Transition) Outcome() string { return transitionOutcomes[t] }

// Valid reports whether t is a known transition.
func (t Transition) Valid() bool { _, ok := transitionLabels[t]; return ok }

// Label is the transition's name for a button.
func (t Transition) Label() string { return transitionLabels[t] }

// transitions is the state machine: from each state, where each transition leads.
var transitions = map[State]map[Transition]State{
	Draft:      {OpenReview: Review, Cancel: Cancelled},
	Review:     {Cancel: Cancelled},
	Go:         {StartDeploy: Deploying, Cancel: Cancelled},
	NoGo:       {Reopen: Review, Cancel: Cancelled},
	Deploying:  {FinishDeploy: Verifying, RollBack: RolledBack},
	Verifying:  {MarkReleased: Released, RollBack: RolledBack},
	RolledBack: {Reopen: Review},
}

// Next returns the state t leads to from s, or an ECONFLICT error saying
// why it cannot be taken.
func (s State) Next(t Transition) (State, error) {
	if !t.Valid() {
		return s, Errorf(EINVALID, "unknown transition %q", t)
	}
	next, ok := transitions[s][t]
	if !ok {
		return s, Errorf(ECONFLICT, "a release that is %s cannot %s", s.InText(), lowerFirst(t.Label()))
	}
	return next, nil
}

// Allowed lists the transitions that can be taken from s.
func (s State) Allowed() []Transition {
	var out []Transition
	for _, t := range Transitions {
		if _, ok := transitions[s][t]; ok {
			out = append(out, t)
		}
	}
	return out
}

// TransitionResult is what a transition does to a release.
type TransitionResult struct {
	From, To State
	// NewCycle is set when the release goes back to review: votes start
	// over and the post-deploy verification items are reset.
	NewCycle bool
	Cycle    int       // the release's cycle after the move
	ReviewAt time.Time // when its review opened, if the move opens one; zero otherwise
	// A new cycle drops the conditions of the old one and resets every
	// other verification item: DropItems are removed, ResetItems stored.
	DropItems  []int64
	ResetItems []Item
	// Stages are the rollout stages the move starts (the first, when
	// deploying starts) or resets (a new cycle), as they are to be stored.
	Stages []Stage
	Audit  Audit
}

// Move checks that actor may take t on the snapshot's release and that the
// release is ready for it, and returns the change it makes at now.
func Move(actor Actor, s Snapshot, t Transition, now time.Time) (TransitionResult, error) {
	rel := s.Release
	if !t.Valid() {
		return TransitionResult{}, Errorf(EINVALID, "unknown transition %q", t)
	}
	if !AbilitiesOf(actor, s).Transition(t) {
		return TransitionResult{}, Errorf(EFORBIDDEN, "only the release manager may %s", lowerFirst(t.Label()))
	}
	next, err := rel.State.Next(t)
	if err != nil {
		return TransitionResult{}, err
	}
	if t == MarkReleased {
		if err := readyToRelease(s, now); err != nil {
			return TransitionResult{}, err
		}
	}
	if t == FinishDeploy {
		if err := rolloutDone(s, now); err != nil {
			return TransitionResult{}, err
		}
	}
	res := TransitionResult{From: rel.State, To: next, NewCycle: t == Reopen, Cycle: rel.Cycle}
	res.Stages = stagesMoved(s.Stages, t, now)
	if res.NewCycle {
		res.Cycle++
		for _, it := range s.Items {
			switch {
			case it.IsCondition():
				res.DropItems = append(res.DropItems, it.ID)
			case it.Phase == Verification:
				it.Status, it.Evidence, it.Reason, it.UpdatedBy, it.UpdatedAt = ItemOpen, "", "", actor.Name, now
				res.ResetItems = append(res.ResetItems, it)
			}
		}
	}
	if next == Review {
		res.ReviewAt = now
	}
	res.Audit = transitionAudit(s, res, "")
	return res, nil
}

// transitionAudit says what res did to the snapshot's release, and how
// (a pipeline's report, say) when how is not empty. A release that ships
// names those whose Go counted, in the order they signed.
func transitionAudit(s Snapshot, res TransitionResult, how string) Audit {
	detail := fmt.Sprintf("moved from %s to %s", res.From.Label(), res.To.Label())
	if res.NewCycle {
		detail += fmt.Sprintf(", opening review cycle %d: everyone signs again", res.Cycle)
	}
	if how != "" {
		detail += " (" + how + ")"
	}
	a := Audit{Action: ActionReleaseState, Topics: []Topic{TopicState}}
	if res.To == Released {
		if names := goVoters(s); len(names) > 0 {
			detail += ", signed off by " + strings.Join(names, ", ")
		}
		a.Topics = append(a.Topics, TopicReleased)
	}
	a.Detail = detail
	a.Causes = transitionCauses(s, res)
	return a
}

// goVoters are the people whose Go counted in the snapshot's cycle, in the
// order they first signed.
func goVoters(s Snapshot) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range s.Votes {
		if v.Cycle == s.Release.Cycle && v.Value == VoteGo && !seen[v.UserName] {
			seen[v.UserName] = true
			out = append(out, v.UserName)
		}
	}
	return out
}

// readyToRelease refuses while a required verification item, which includes
// every condition of the Go, is not settled. The refusal names every one.
func readyToRelease(s Snapshot, now time.Time) error {
	reasons := verificationReasons(s, now)
	if len(reasons) == 0 {
		return nil
	}
	e := Errorf(ECONFLICT, "a release is marked released only when every required verification item and condition is done; %s still open", Plural(len(reasons), "is", "are"))
	for _, r := range reasons {
		e.Details = append(e.Details, r.Text)
	}
	return e
}

// verificationReasons are the required verification items not yet settled,
// each linking to its row.
func verificationReasons(s Snapshot, now time.Time) []Reason {
	var out []Reason
	for _, it := range s.Items {
		if it.Phase != Verification || !it.Required || it.Status.Settled() {
			continue
		}
		if it.CheckKey == PostReleaseReviewKey && it.Source == SourcePolicy {
			// A hotfix's review holds the release back until it is
			// recorded or its deadline passes; then the board shows it
			// as overdue instead (ReviewOverdue).
			if reviewPending(s.Release, it, now) {
				out = append(out, Reason{ReasonItem, reviewDueText(s.Release, s.Zone), fmt.Sprintf("item-%d", it.ID)})
			}
			continue
		}
		state := "is still open"
		if it.Status == ItemFailed {
			state = "failed"
		}
		out = append(out, Reason{ReasonItem, fmt.Sprintf("“%s” %s (%s)", it.Title, state, it.OwnerRole.Label()), fmt.Sprintf("item-%d", it.ID)})
	}
	return out
}

// TransitionCheck says whether a transition can be taken now and, when it
// cannot, every reason why, each naming what to fix.
type TransitionCheck struct {
	Transition Transition
	Allowed    bool
	Reasons    []Reason
}

// TransitionChecks answers, for every transition the state machine offers
// from the snapshot's state, whether the release is ready for it, with
// every reason it is not. Move refuses for the same reasons; who may take
// a transition is Abilities.Transition's question.
//
// A staged rollout's soak needs the time: TransitionChecks judges the
// stages without it (as if every soak were over); TransitionChecksAt
// judges them at now.
func TransitionChecks(s Snapshot) []TransitionCheck {
	return TransitionChecksAt(s, time.Time{})
}

// TransitionChecksAt is TransitionChecks at now, soak times included.
func TransitionChecksAt(s Snapshot, now time.Time) []TransitionCheck {
	if now.IsZero() {
		now = time.Unix(1<<40, 0) // after every soak
	}
	var out []TransitionCheck
	for _, t := range s.Release.State.Allowed() {
		var reasons []Reason
		if t == MarkReleased {
			reasons = verificationReasons(s, now)
		}
		if t == FinishDeploy {
			reasons = finishReasons(s, now)
		}
		out = append(out, TransitionCheck{Transition: t, Allowed: len(reasons) == 0, Reasons: reasons})
	}
	return out
}

// consequences say what the transitions that cannot be taken back do, for
// the question a person answers before taking one.
var consequences = map[Transition]string{
	Cancel: "the release ends here and nothing on it can change again. Its checklist, sign-offs and history are kept; " +
		"the version is free for a new release, which links back to this one.",
	RollBack: "the release is recorded as rolled back. To ship it again, the release manager reopens it in a new cycle " +
		"and every role signs off again.",
	MarkReleased: "the release is recorded as shipped to everyone and leaves the board; " +
		"it can no longer be rolled back here.",
}

// Final reports whether t cannot be taken back, so a person confirms it first.
func (t Transition) Final() bool { _, ok := consequences[t]; return ok }

// Consequence says what taking t does for good; "" when t can be undone.
func (t Transition) Consequence() string { return consequences[t] }

// Consequence says what recording the outcome does for good. A decision is
// never edited: only a new cycle makes a new one.
func (o Outcome) Consequence() string {
	if o == OutcomeNoGo {
		return "the No-Go is recorded for good with a frozen copy of the gate, votes, checklist and defects, " +
			"and the release stops. Going on takes a new review cycle in which every role signs off again."
	}
	return "the Go is recorded for good with a frozen copy of the gate, votes, checklist and defects, " +
		"and the release may be deployed. A decision is never edited."
}

// CheckNewVersion decides whether a new release of in's product and
// version may be made, given the releases that already carry them. A
// version is taken while any of its releases lives; a cancelled release
// frees it. The answer is the id of the cancelled release the new one
// replaces (the latest), or 0.
func CheckNewVersion(in ReleaseInput, same []Release) (int64, error) {
	var replaces int64
	for _, r := range same {
		if r.State != Cancelled {
			return 0, FieldErrorf("version", "%s %s already exists", in.Product, in.Version)
		}
		replaces = max(replaces, r.ID)
	}
	return replaces, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	b := []rune(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

// Lineage finds, among the releases of rel's product and version, the
// cancelled release that rel replaces and the release that replaced rel
// after it was cancelled; either is the zero Release when there is none.
func Lineage(rel Release, same []Release) (replaces, replacedBy Release) {
	for _, r := range same {
		switch {
		case r.ID < rel.ID && r.State == Cancelled && r.ID > replaces.ID:
			replaces = r
		case r.ID > rel.ID && rel.State == Cancelled && (replacedBy.ID == 0 || r.ID < replacedBy.ID):
			replacedBy = r
		}
	}
	return replaces, replacedBy
}

// reviewDueText asks for a hotfix's post-release review before it is
// marked released, naming its deadline.
func reviewDueText(rel Release, loc *time.Location) string {
	if rel.ReviewDue.IsZero() {
		return "Record the post-release review first"
	}
	if loc == nil {
		loc = time.UTC
	}
	return fmt.Sprintf("Record the post-release review first, due %s; after that the hotfix may be marked released and shows as overdue",
		rel.ReviewDue.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
}
