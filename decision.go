package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// MaxRationaleLen bounds a decision's rationale.
const MaxRationaleLen = 4000

// Outcome is what the release manager decided.
type Outcome string

const (
	OutcomeGo   Outcome = "go"
	OutcomeNoGo Outcome = "no-go"
)

// Valid reports whether o is Go or No-Go.
func (o Outcome) Valid() bool { return o == OutcomeGo || o == OutcomeNoGo }

// Label is the outcome's name for people.
func (o Outcome) Label() string {
	if o == OutcomeNoGo {
		return "No-Go"
	}
	return "Go"
}

// State is where a release goes after this outcome.
func (o Outcome) State() State {
	if o == OutcomeNoGo {
		return NoGo
	}
	return Go
}

// Decision is the recorded Go or No-Go of one review cycle, with a frozen
// copy of everything it rested on. It is never edited: a new cycle makes a
// new decision.
type Decision struct {
	ID          int64
	ReleaseID   int64
	Number      int // 1 for the release's first decision, and so on
	Cycle       int
	Outcome     Outcome
	Rationale   string
	Conditions  []Condition
	DeciderID   int64
	DeciderName string
	At          time.Time
	Record      Record
}

// Record is the state of a release frozen at its decision.
type Record struct {
	Release  Release
	Gate     Gate
	Votes    []Vote // the votes that counted, one per role that signed
	History  []Vote // every vote of the cycle, oldest first
	Items    []Item
	Defects  []Defect
	Waivers  []Waiver
	Comments []Comment // the cycle's discussion up to the decision
	// Exceptions are the freeze exceptions standing at the decision,
	// approved or still asked for (revoked ones are in the history).
	Exceptions []FreezeException `json:",omitempty"`
	// Evidence is what production had said of the release by then: its
	// stages, alerts and pilot answers (VerificationTimeline), which a Go
	// in a new cycle after a rollback weighs.
	Evidence []Evidence `json:",omitempty"`
}

// Attendees are the people who signed off in the cycle, in the order they first did.
func (r Record) Attendees() []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range r.History {
		if !seen[v.UserName] {
			seen[v.UserName] = true
			out = append(out, v.UserName)
		}
	}
	return out
}

// DecisionInput is what the release manager submits.
type DecisionInput struct {
	Outcome    Outcome
	Rationale  string
	Conditions string
}

// DecisionResult is the whole change a decision makes: the decision with its
// frozen record, the state the release goes to, the items its conditions
// become (linked to the decision once stored), and the audit.
type DecisionResult struct {
	Decision Decision
	State    State
	AddItems []Item
	Audit    Audit
	// ReviewDue is when a hotfix's post-release review falls due, set by
	// its Go; zero otherwise.
	ReviewDue time.Time
}

// Decide checks that actor may record the decision on the snapshot and
// returns the change it makes, the decision numbered after the release's
// earlier ones. A Go is refused while the gate is not ready, with every
// reason; there is no override.
func Decide(actor Actor, s Snapshot, in DecisionInput, now time.Time) (DecisionResult, error) {
	d, err := decision(actor, s, in, now)
	if err != nil {
		return DecisionResult{}, err
	}
	d.Number = s.Decisions + 1
	a := decisionAudit(d)
	a.Causes = append([]Cause{decided(s.Release, d)}, conditionsGiven(s.Release, d.DeciderName, SourceDecision, d.Conditions)...)
	res := DecisionResult{Decision: d, State: d.Outcome.State(), AddItems: conditionItems(SourceDecision, d.Conditions), Audit: a}
	if pol := s.Policy(); d.Outcome == OutcomeGo && pol.Kind == KindHotfix {
		// The Go is what the hotfix's policy conditions: the review is
		// due within the policy's days of it, tracked like every condition.
		res.ReviewDue = pol.ReviewDue(now)
		res.AddItems = append(res.AddItems, ReviewItem(pol, res.ReviewDue, s.Zone))
		res.Audit.Detail += fmt.Sprintf("; as a hotfix it owes a post-release review by %s", res.ReviewDue.In(zoneOr(s.Zone)).Format("Mon 2 Jan 2006"))
	}
	return res, nil
}

func zoneOr(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

func decisionAudit(d Decision) Audit {
	detail := fmt.Sprintf("recorded %s (decision %d, cycle %d)", d.Outcome.Label(), d.Number, d.Cycle)
	if d.Rationale != "" {
		detail += ": " + d.Rationale
	}
	if len(d.Conditions) > 0 {
		detail += fmt.Sprintf(" (conditions: %s)", conditionsText(d.Conditions))
	}
	a := audit(ActionDecision, "%s", detail)
	a.Topics = []Topic{TopicDecision, TopicState}
	return a
}

// decision is the decision actor records on the snapshot, or why not.
func decision(actor Actor, s Snapshot, in DecisionInput, now time.Time) (Decision, error) {
	if !AbilitiesOf(actor, s).Granted(ActDecide) {
		return Decision{}, Errorf(EFORBIDDEN, "only the release manager records the decision")
	}
	if !ActDecide.OpenIn(s.Release.State) {
		return Decision{}, Errorf(ECONFLICT, "a decision is recorded while the release is in review; it is %s", s.Release.State.InText())
	}
	p := Problems{}
	if !in.Outcome.Valid() {
		p.Add("outcome", "choose Go or No-Go")
	}
	rationale := strings.TrimSpace(in.Rationale)
	validateText(p, "rationale", "Rationale", rationale, MaxRationaleLen, false)
	if in.Outcome == OutcomeNoGo && rationale == "" {
		p.Add("rationale", "a No-Go needs a rationale: say what must change before the next review")
	}
	conds, err := ParseConditions(in.Conditions, ReleaseManager)
	if err != nil {
		p.Add("conditions", "%s", ErrorMessage(err))
	}
	if err := p.Err(); err != nil {
		return Decision{}, err
	}
	gate := Evaluate(s)
	if in.Outcome == OutcomeGo && !gate.Ready {
		e := Errorf(ECONFLICT, "a Go cannot be recorded while the gate is blocked: %d reason(s) stand in the way", len(gate.Reasons))
		for _, r := range gate.Reasons {
			e.Details = append(e.Details, r.Text)
		}
		return Decision{}, e
	}
	return Decision{
		ReleaseID: s.Release.ID, Cycle: s.Release.Cycle, Outcome: in.Outcome, Rationale: rationale, Conditions: conds,
		DeciderID: actor.UserID, DeciderName: actor.Name, At: now,
		Record: freeze(s, gate),
	}, nil
}

func freeze(s Snapshot, g Gate) Record {
	cur := CurrentVotes(s.Release, s.Votes)
	r := Record{Release: s.Release, Gate: g, Items: s.Items, Defects: s.Defects, Waivers: s.Waivers, Comments: s.Comments}
	for _, e := range s.Exceptions {
		if !e.Revoked() {
			r.Exceptions = append(r.Exceptions, e)
		}
	}
	for _, role := range Roles {
		if v, ok := cur[role]; ok {
			r.Votes = append(r.Votes, v)
		}
	}
	for _, v := range s.Votes {
		if v.Cycle == s.Release.Cycle {
			r.History = append(r.History, v)
		}
	}
	return r
}
