package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// ProductionSmokeCheckKey is the check key of the verification item that a
// pipeline's smoke test in production settles: the smoke-passed and
// smoke-failed events report it, as reporting the check itself would.
const ProductionSmokeCheckKey = "smoke-test-production"

// MaxSummaryLineLen bounds what a pipeline says about a check or an event.
const MaxSummaryLineLen = 500

// CheckStatus is what a pipeline reports of an automated check.
type CheckStatus string

const (
	CheckPass CheckStatus = "pass"
	CheckFail CheckStatus = "fail"
)

// ItemStatus is the checklist status a check's result gives its item.
func (s CheckStatus) ItemStatus() ItemStatus {
	if s == CheckPass {
		return ItemDone
	}
	return ItemFailed
}

// CheckReport is a pipeline's result for the item carrying a check key.
type CheckReport struct {
	Key     string
	Status  CheckStatus
	URL     string // the run or report that shows it
	Summary string
}

// Normalize trims the report.
func (r *CheckReport) Normalize() {
	r.Key = strings.ToLower(strings.TrimSpace(r.Key))
	r.Status = CheckStatus(strings.ToLower(strings.TrimSpace(string(r.Status))))
	r.URL = strings.TrimSpace(r.URL)
	r.Summary = strings.TrimSpace(r.Summary)
}

// Validate reports every problem with the report at once.
func (r CheckReport) Validate() error {
	p := Problems{}
	if r.Status != CheckPass && r.Status != CheckFail {
		p.Add("status", "status must be %q or %q", CheckPass, CheckFail)
	}
	validateEvidence(p, r.URL, r.Summary)
	return p.Err()
}

// validateEvidence checks the link and summary a pipeline sends along.
func validateEvidence(p Problems, url, summary string) {
	if url != "" && (len(url) > MaxURLLen || !isHTTPURL(url)) {
		p.Add("url", "url must be an http or https link of at most %d characters", MaxURLLen)
	}
	validateLine(p, "summary", "Summary", summary, MaxSummaryLineLen, false)
}

// Evidence is what the item keeps: the link when there is one, so the page
// can link it, else the summary. The audit event keeps both.
func (r CheckReport) Evidence() string {
	if r.URL != "" {
		return r.URL
	}
	return r.Summary
}

// ReportCheck applies a pipeline's check result to the item carrying its
// key, while the release is at the step that item proves (see checkTaken).
func ReportCheck(rel Release, it Item, r CheckReport, who string, now time.Time) (Item, error) {
	r.Normalize()
	if err := r.Validate(); err != nil {
		return it, err
	}
	if err := checkTaken(rel, it.Phase); err != nil {
		return it, err
	}
	if err := ItemEditable(rel.State, it.Phase); err != nil {
		return it, err
	}
	if it.CheckKey == PilotCheckKey {
		return it, Errorf(ECONFLICT, "%q is closed by a person looking at the pilot's answers, not by a pipeline", it.Title)
	}
	return ItemChange{Status: r.Status.ItemStatus(), Evidence: r.Evidence()}.Apply(it, who, now), nil
}

// Check is a pipeline's check result applied to the item carrying its key
// (see ReportCheck), with its audit; a check that starts failing is heard
// under TopicCheckFailed.
func Check(rel Release, it Item, r CheckReport, who string, now time.Time) (ItemResult, error) {
	r.Normalize()
	next, err := ReportCheck(rel, it, r, who, now)
	if err != nil {
		return ItemResult{}, err
	}
	detail := fmt.Sprintf("check %s reported %s: set %q %s (was %s)", r.Key, r.Status, it.Title, next.Status, it.Status)
	if r.Summary != "" {
		detail += ": " + r.Summary
	}
	if r.URL != "" {
		detail += " (" + r.URL + ")"
	}
	a := audit(ActionCheckReport, "%s", detail)
	if next.Status == ItemFailed && it.Status != ItemFailed {
		a.Topics = []Topic{TopicCheckFailed}
	}
	a.Causes = itemFailed(rel, it, next, "check "+r.Key)
	return ItemResult{Item: next, Audit: a}, nil
}

// checkTaken says whether a check may settle an item of phase now.
// Verification items prove the deployment, so their checks are taken while
// the release is deploying or verifying. Every other check feeds the
// decision, so it is taken in draft or review and refused once the release
// is decided: a check run after the Go cannot change what was decided.
func checkTaken(rel Release, phase Phase) error {
	if phase == Verification {
		if rel.State != Deploying && rel.State != Verifying {
			return Errorf(ECONFLICT, "checks of verification items are reported while the release is deploying or verifying; %s is %s",
				rel.Name(), rel.State.InText())
		}
		return nil
	}
	if rel.State != Draft && rel.State != Review {
		return Errorf(ECONFLICT, "checks are reported while the release is in draft or review; %s is %s", rel.Name(), rel.State.InText())
	}
	return nil
}

// PipelineEvent is something a deployment pipeline reports about a release.
type PipelineEvent string

const (
	EventDeployStarted  PipelineEvent = "deploy-started"
	EventDeployFinished PipelineEvent = "deploy-finished"
	EventSmokePassed    PipelineEvent = "smoke-passed"
	EventSmokeFailed    PipelineEvent = "smoke-failed"
	EventRolledBack     PipelineEvent = "rolled-back"
	// A staged rollout's stages (see PromotionCheck): stage-started
	// promotes to the next stage, stage-finished says the current one is
	// rolled out and starts its soak.
	EventStageStarted  PipelineEvent = "stage-started"
	EventStageFinished PipelineEvent = "stage-finished"
)

// PipelineEvents lists every event in the order of a deployment.
var PipelineEvents = []PipelineEvent{EventDeployStarted, EventStageStarted, EventStageFinished, EventDeployFinished, EventSmokePassed, EventSmokeFailed, EventRolledBack}

// eventTransitions are the events that move a release, through the same
// state machine as the buttons on the release page.
var eventTransitions = map[PipelineEvent]Transition{
	EventDeployStarted:  StartDeploy,
	EventDeployFinished: FinishDeploy,
	EventRolledBack:     RollBack,
}

// Valid reports whether e is a known event.
func (e PipelineEvent) Valid() bool {
	for _, k := range PipelineEvents {
		if k == e {
			return true
		}
	}
	return false
}

// EventReport is a pipeline's report of one event.
type EventReport struct {
	Event   PipelineEvent
	URL     string
	Summary string
}

// PipelineStep is what an event does: a move along the release's life, or
// a note in its history.
type PipelineStep struct {
	Move   *TransitionResult // nil for events that only leave a note
	Detail string            // what the audit trail says, beside any move
	Topics []Topic
	Item   *Item // the verification item a smoke result settles, as it is to be stored; nil if none
	Causes []Cause
	Stage  *StageStep // what a stage event does to the rollout; nil for other events
}

// Audit is what the trail says of a step that moves nothing; a move
// carries its own (see TransitionResult).
func (s PipelineStep) Audit() Audit {
	if s.Stage != nil {
		return s.Stage.Audit
	}
	return Audit{Action: ActionPipelineEvent, Detail: s.Detail, Topics: s.Topics, Causes: s.Causes}
}

// ReportEvent checks a pipeline's event against the release as it is and
// says what it does. Deploy events take transitions as actor (a pipeline
// holds the Ops role). Smoke results are taken while the release is being
// deployed or verified and move nothing: they are the smoke test in
// production, so they settle the verification item carrying
// ProductionSmokeCheckKey, when the release has one.
func ReportEvent(actor Actor, s Snapshot, r EventReport, now time.Time) (PipelineStep, error) {
	r.URL, r.Summary = strings.TrimSpace(r.URL), strings.TrimSpace(r.Summary)
	p := Problems{}
	if !r.Event.Valid() {
		p.Add("event", "event must be one of %s", eventNames())
	}
	validateEvidence(p, r.URL, r.Summary)
	if err := p.Err(); err != nil {
		return PipelineStep{}, err
	}
	step := PipelineStep{Detail: "reported " + string(r.Event) + evidenceText(r.Summary, r.URL)}
	if t, ok := eventTransitions[r.Event]; ok {
		res, err := Move(actor, s, t, now)
		if err != nil {
			return PipelineStep{}, err
		}
		res.Audit = transitionAudit(s, res, step.Detail)
		step.Move = &res
		return step, nil
	}
	if r.Event == EventStageStarted || r.Event == EventStageFinished {
		how := "reported " + string(r.Event) + evidenceText(r.Summary, r.URL)
		var st StageStep
		var err error
		if r.Event == EventStageStarted {
			st, err = Promote(actor, s, how, now)
		} else {
			st, err = FinishStage(s, how, now)
		}
		if err != nil {
			return PipelineStep{}, err
		}
		step.Stage, step.Detail = &st, st.Audit.Detail
		return step, nil
	}
	if st := s.Release.State; st != Deploying && st != Verifying {
		return PipelineStep{}, Errorf(ECONFLICT, "smoke test results are taken while a release is deploying or verifying; %s is %s",
			s.Release.Name(), st.InText())
	}
	check := CheckReport{Key: ProductionSmokeCheckKey, Status: CheckPass, URL: r.URL, Summary: r.Summary}
	step.Detail = "smoke test passed" + evidenceText(r.Summary, r.URL)
	if r.Event == EventSmokeFailed {
		check.Status = CheckFail
		step.Detail = "smoke test failed" + evidenceText(r.Summary, r.URL)
		step.Topics = []Topic{TopicCheckFailed}
	}
	it, ok := productionSmokeItem(s.Items)
	if !ok {
		return step, nil
	}
	next, err := ReportCheck(s.Release, it, check, actor.Name, now)
	if err != nil {
		return PipelineStep{}, err
	}
	step.Item = &next
	step.Causes = itemFailed(s.Release, it, next, "the production smoke test")
	step.Detail += fmt.Sprintf("; set %q %s (was %s)", it.Title, next.Status, it.Status)
	return step, nil
}

// productionSmokeItem finds the verification item the smoke events settle.
// Releases made from a template without one, or with the key on an item of
// another phase, keep the smoke results as notes only.
func productionSmokeItem(items []Item) (Item, bool) {
	for _, it := range items {
		if it.CheckKey == ProductionSmokeCheckKey && it.Phase == Verification {
			return it, true
		}
	}
	return Item{}, false
}

func eventNames() string {
	var names []string
	for _, e := range PipelineEvents {
		names = append(names, string(e))
	}
	return strings.Join(names, ", ")
}

func evidenceText(summary, url string) string {
	out := ""
	if summary != "" {
		out += ": " + summary
	}
	if url != "" {
		out += " (" + url + ")"
	}
	return out
}

// DecisionState is the answer of a review cycle as a pipeline sees it.
type DecisionState string

const (
	DecisionGo      DecisionState = "go"
	DecisionNoGo    DecisionState = "no-go"
	DecisionPending DecisionState = "pending"
)

// DecisionOf returns what the cycle's decision d says, pending when there is none.
func DecisionOf(d *Decision) DecisionState {
	switch {
	case d == nil:
		return DecisionPending
	case d.Outcome == OutcomeGo:
		return DecisionGo
	default:
		return DecisionNoGo
	}
}

// Clearance says whether a pipeline may deploy a release right now, and why not.
type Clearance struct {
	Authorized bool
	Decision   DecisionState
	Gate       Gate
	Conditions []Condition // of the current cycle's decision
	WindowOpen bool        // true when no window is set or now falls within it
	Reasons    []string    // empty when authorized
}

// Clear decides whether deploying s's release is authorized at now: a Go
// recorded in the current cycle (d is that cycle's decision, nil if none),
// the release in go or deploying, its window, if it has one, open, and no
// freeze in force for its product. It is
// the rule behind the pipeline's gate, so a CI job can ask it with curl.
func Clear(s Snapshot, d *Decision, now time.Time) Clearance {
	rel := s.Release
	c := Clearance{Decision: DecisionOf(d), Gate: Evaluate(s), WindowOpen: rel.Window.IsZero() || rel.Window.Contains(now)}
	if d != nil {
		c.Conditions = d.Conditions
	}
	if rel.State != Go && rel.State != Deploying {
		c.Reasons = append(c.Reasons, fmt.Sprintf("%s is %s; deploying is authorized only while a release is cleared to Go or deploying",
			rel.Name(), rel.State.InText()))
	}
	switch c.Decision {
	case DecisionPending:
		c.Reasons = append(c.Reasons, fmt.Sprintf("no decision has been recorded in review cycle %d", rel.Cycle))
		for _, r := range c.Gate.Reasons {
			c.Reasons = append(c.Reasons, r.Text)
		}
	case DecisionNoGo:
		c.Reasons = append(c.Reasons, fmt.Sprintf("review cycle %d was decided No-Go: %s", rel.Cycle, d.Rationale))
	}
	if hit, frozen := FrozenAt(now, rel.Product, s.Freezes, s.Zone); frozen && !exceptionAt(s.Exceptions, hit, now) {
		c.Reasons = append(c.Reasons, fmt.Sprintf("the freeze “%s” is in force until %s", hit.Freeze.Name, FormatWindow(hit.When, s.Zone)))
	}
	if !c.WindowOpen {
		if now.Before(rel.Window.Start) {
			c.Reasons = append(c.Reasons, "the release window opens at "+rel.Window.Start.UTC().Format("2006-01-02 15:04 UTC"))
		} else {
			c.Reasons = append(c.Reasons, "the release window closed at "+rel.Window.End.UTC().Format("2006-01-02 15:04 UTC"))
		}
	}
	c.Authorized = len(c.Reasons) == 0
	return c
}

// exceptionAt reports whether an exception in force lifts hit at now.
func exceptionAt(es []FreezeException, hit FreezeHit, now time.Time) bool {
	e, ok := liveException(es, hit.Freeze.ID)
	return ok && e.InForce() && now.Before(e.Until)
}
