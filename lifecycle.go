package gonogo

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

// CanTransition reports whether someone holding roles may take t: the
// release manager drives every transition; ops may also move a release
// through deploying, verifying and rolled-back.
func CanTransition(roles RoleSet, t Transition) bool {
	if roles.Has(ReleaseManager) {
		return true
	}
	switch t {
	case StartDeploy, FinishDeploy, RollBack:
		return roles.Has(Ops)
	}
	return false
}

// TransitionResult is what a transition does to a release.
type TransitionResult struct {
	From, To State
	// NewCycle is set when the release goes back to review: votes start
	// over and the post-deploy verification items are reset.
	NewCycle bool
}

// Move checks that actor may take t on the snapshot's release and that the
// release is ready for it, and returns where it leads.
func Move(actor Actor, s Snapshot, t Transition) (TransitionResult, error) {
	rel := s.Release
	if !t.Valid() {
		return TransitionResult{}, Errorf(EINVALID, "unknown transition %q", t)
	}
	if !CanTransition(actor.Roles, t) {
		return TransitionResult{}, Errorf(EFORBIDDEN, "only the release manager may %s", lowerFirst(t.Label()))
	}
	next, err := rel.State.Next(t)
	if err != nil {
		return TransitionResult{}, err
	}
	if t == MarkReleased {
		if err := readyToRelease(s.Items); err != nil {
			return TransitionResult{}, err
		}
	}
	return TransitionResult{From: rel.State, To: next, NewCycle: t == Reopen}, nil
}

// readyToRelease refuses while a required verification item, which includes
// every condition of the Go, is not settled.
func readyToRelease(items []Item) error {
	var open []string
	for _, it := range items {
		if it.Phase == Verification && it.Required && it.Status != ItemDone && it.Status != ItemNA {
			open = append(open, "“"+it.Title+"”")
		}
	}
	if len(open) > 0 {
		return Errorf(ECONFLICT, "a release is marked released only when every required verification item and condition is done; still open: %s", ListMax(open, 5))
	}
	return nil
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
