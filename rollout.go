package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// A phased rollout widens a release stage by stage (canary 1% → 10% → 50%
// → all, or region by region). A product may keep a stage template; a
// release created for it gets a copy of the stages, and each stage's items
// become required verification items tied to it.
//
// Life of the stages:
//   - the first stage starts when the release starts deploying;
//   - the pipeline reports stage-finished when the stage is rolled out:
//     its soak starts then. A stage never reported finished soaks from
//     its start, so a pipeline that says nothing still waits the soak;
//   - promoting (the button, or the pipeline's stage-started) starts the
//     next stage, and marks the current one finished if nobody did;
//   - deploy-finished (on to verifying) waits until the last stage has
//     started and passes the same check as a promotion.
//
// The check is PromotionCheck, a pure function of the snapshot and the
// time: the current stage's items settled, its soak passed, and no alert
// firing (Snapshot.Alerts).

// Limits of a product's stage template.
const (
	MaxStages       = 8
	MaxStageItems   = 5
	MaxStageNameLen = 40
	MaxSoakMinutes  = 7 * 24 * 60 // a week
)

// Audit actions of the rollout.
const (
	ActionStageStart      Action = "release.stage-start" // its area is the state: the page redraws as for a move
	ActionStageFinish     Action = "release.stage-finish"
	ActionRolloutTemplate Action = "product.rollout"
)

// ReasonStage is a reason the rollout cannot widen yet.
const ReasonStage ReasonKind = "stage"

// StageSpec is one stage of a product's template.
type StageSpec struct {
	Name        string
	SoakMinutes int
	Items       []string // titles of the stage's verification items
}

// NormalizeStages trims every field and drops blank rows (no name, no
// items, no soak) and blank item titles, as a form with spare rows sends.
func NormalizeStages(specs []StageSpec) []StageSpec {
	var out []StageSpec
	for _, s := range specs {
		s.Name = strings.TrimSpace(s.Name)
		var items []string
		for _, it := range s.Items {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		s.Items = items
		if s.Name == "" && len(s.Items) == 0 && s.SoakMinutes == 0 {
			continue
		}
		out = append(out, s)
	}
	return out
}

// StageField names the form field of stage i (0-based) for problems.
func StageField(i int, field string) string { return fmt.Sprintf("stage-%d-%s", i, field) }

// ValidateStages reports every problem with a stage template at once.
// An empty template is valid: the product's releases have no stages.
func ValidateStages(specs []StageSpec) error {
	p := Problems{}
	if len(specs) > MaxStages {
		p.Add("stages", "a rollout has at most %d stages", MaxStages)
	}
	seen := map[string]bool{}
	for i, s := range specs {
		validateLine(p, StageField(i, "name"), "The stage's name", s.Name, MaxStageNameLen, true)
		if k := strings.ToLower(s.Name); s.Name != "" && seen[k] {
			p.Add(StageField(i, "name"), "two stages are called “%s”", s.Name)
		}
		seen[strings.ToLower(s.Name)] = true
		if s.SoakMinutes < 0 || s.SoakMinutes > MaxSoakMinutes {
			p.Add(StageField(i, "soak"), "the soak time is between 0 and %d minutes (a week)", MaxSoakMinutes)
		}
		if len(s.Items) > MaxStageItems {
			p.Add(StageField(i, "items"), "a stage has at most %d items", MaxStageItems)
		}
		for _, it := range s.Items {
			validateLine(p, StageField(i, "items"), "Each item", it, MaxItemTitleLen, false)
		}
	}
	return p.Err()
}

// StagesChanged is the audit of a new stage template for product.
func StagesChanged(product string, specs []StageSpec) Audit {
	if len(specs) == 0 {
		return audit(ActionRolloutTemplate, "cleared the rollout stages of %s: its new releases deploy in one step", product)
	}
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = fmt.Sprintf("%s (soak %s, %s)", s.Name, minutesText(s.SoakMinutes), Plural(len(s.Items), "item", "items"))
	}
	return audit(ActionRolloutTemplate, "set the rollout stages of %s: %s", product, strings.Join(names, " → "))
}

// Stage is one stage of a release's rollout.
type Stage struct {
	ID        int64
	ReleaseID int64
	Position  int // 1 for the first
	Name      string
	Soak      time.Duration
	// StartedAt is when the stage began rolling out; FinishedAt when the
	// pipeline said it was rolled out (or when it was promoted past
	// without that report). Zero while not yet.
	StartedAt, FinishedAt time.Time
}

// Started reports whether the stage has begun.
func (st Stage) Started() bool { return !st.StartedAt.IsZero() }

// SoakFrom is when the stage's soak began: when it was rolled out, or
// its start when the pipeline never said so.
func (st Stage) SoakFrom() time.Time {
	if !st.FinishedAt.IsZero() {
		return st.FinishedAt
	}
	return st.StartedAt
}

// SoakEndsAt is when the stage has soaked long enough; zero before it started.
func (st Stage) SoakEndsAt() time.Time {
	if !st.Started() {
		return time.Time{}
	}
	return st.SoakFrom().Add(st.Soak)
}

// Rollout is where a release's staged rollout stands at one moment.
type Rollout struct {
	Stages  []Stage
	Current int // index of the current stage in Stages; -1 before the first starts
	// CanPromote says whether the next stage may start now; Reasons
	// says why not, every one. At the last stage they say whether the
	// deployment may be reported finished.
	CanPromote bool
	Reasons    []Reason
}

// Staged reports whether the release rolls out in stages.
func (r Rollout) Staged() bool { return len(r.Stages) > 0 }

// Stage is the current stage, and false before the first starts.
func (r Rollout) Stage() (Stage, bool) {
	if r.Current < 0 || r.Current >= len(r.Stages) {
		return Stage{}, false
	}
	return r.Stages[r.Current], true
}

// Next is the stage a promotion starts, and false at the last one.
func (r Rollout) Next() (Stage, bool) {
	if r.Current+1 >= len(r.Stages) {
		return Stage{}, false
	}
	return r.Stages[r.Current+1], true
}

// AtLast reports whether the last stage has started.
func (r Rollout) AtLast() bool { return r.Staged() && r.Current == len(r.Stages)-1 }

// Label is the rollout as the board card and calendar say it:
// "10% (2 of 4)"; "" without stages or before the first starts.
func (r Rollout) Label() string {
	st, ok := r.Stage()
	if !ok {
		return ""
	}
	return fmt.Sprintf("%s (%d of %d)", st.Name, st.Position, len(r.Stages))
}

// ReasonTexts are the reasons as sentences, for the API.
func (r Rollout) ReasonTexts() []string {
	out := make([]string, 0, len(r.Reasons))
	for _, rs := range r.Reasons {
		out = append(out, rs.Text)
	}
	return out
}

// CurrentStage is the last stage that started: the one rolling out.
func currentStage(stages []Stage) int {
	cur := -1
	for i, st := range stages {
		if st.Started() {
			cur = i
		}
	}
	return cur
}

// PromotionCheck says where the snapshot's rollout stands at now and
// whether it may widen: every reason it may not, none when it may.
func PromotionCheck(s Snapshot, now time.Time) Rollout {
	r := Rollout{Stages: s.Stages, Current: currentStage(s.Stages)}
	if !r.Staged() {
		return r
	}
	rel := s.Release
	if rel.State != Deploying {
		r.Reasons = append(r.Reasons, Reason{ReasonStage,
			fmt.Sprintf("%s is %s; stages are promoted while a release is deploying", rel.Name(), rel.State.InText()), "rollout"})
	}
	st, ok := r.Stage()
	if !ok {
		if rel.State == Deploying {
			// Deploying starts the first stage; a release moved by other
			// means says so rather than refuse without a reason.
			r.Reasons = append(r.Reasons, Reason{ReasonStage, "No stage of the rollout has started", "rollout"})
		}
		return r
	}
	if _, more := r.Next(); !more && rel.State == Deploying {
		r.Reasons = append(r.Reasons, Reason{ReasonStage,
			fmt.Sprintf("“%s” is the last stage: once it passes, the deployment is reported finished (deploy-finished)", st.Name), "rollout"})
	}
	r.Reasons = append(r.Reasons, stageReasons(s, st, now)...)
	r.CanPromote = len(r.Reasons) == 0
	return r
}

// stageReasons are what keeps the stage st from passing at now: its
// required items not settled, its soak not over, and the alerts firing.
func stageReasons(s Snapshot, st Stage, now time.Time) []Reason {
	var out []Reason
	for _, it := range s.Items {
		if it.StageID != st.ID || !it.Required || it.Status.Settled() {
			continue
		}
		state := "is still open"
		if it.Status == ItemFailed {
			state = "failed"
		}
		out = append(out, Reason{ReasonItem, fmt.Sprintf("“%s” %s (%s)", it.Title, state, it.OwnerRole.Label()), fmt.Sprintf("item-%d", it.ID)})
	}
	if ends := st.SoakEndsAt(); now.Before(ends) {
		out = append(out, Reason{ReasonStage, fmt.Sprintf("The soak of “%s” ends at %s (in %s)", st.Name, soakClock(ends, now, s.Zone), untilText(ends.Sub(now))), "rollout"})
	}
	for _, name := range s.Alerts {
		out = append(out, Reason{ReasonStage, fmt.Sprintf("Alert “%s” is firing", name), "rollout"})
	}
	return out
}

// finishReasons are what keeps a staged release from reporting its
// deployment finished: the last stage not started, or not passing.
func finishReasons(s Snapshot, now time.Time) []Reason {
	if len(s.Stages) == 0 {
		return nil
	}
	last := s.Stages[len(s.Stages)-1]
	if !last.Started() {
		r := PromotionCheck(s, now)
		at := "none has started"
		if st, ok := r.Stage(); ok {
			at = fmt.Sprintf("it is at “%s” (%d of %d)", st.Name, st.Position, len(s.Stages))
		}
		return []Reason{{ReasonStage, fmt.Sprintf("The rollout has not reached its last stage “%s”: %s", last.Name, at), "rollout"}}
	}
	return stageReasons(s, last, now)
}

// soakClock is when a soak ends, in the team's zone, with the day when
// it is not today.
func soakClock(t, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t, now = t.In(loc), now.In(loc)
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04 MST")
	}
	return t.Format("Mon 2 Jan 15:04 MST")
}

// untilText is a wait in whole minutes, rounded up: "12 min", "2 h 5 min".
func untilText(d time.Duration) string {
	m := int((d + time.Minute - 1) / time.Minute)
	return minutesText(m)
}

func minutesText(m int) string {
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	default:
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
}

// StageStep is what a promotion or a stage-finished report does: the
// stages as they are to be stored, and the audit.
type StageStep struct {
	Stages []Stage
	Audit  Audit
}

// Promote starts the next stage of the snapshot's rollout at now, on
// actor's behalf (ops or the release manager), or refuses with every
// reason it may not. how says how it was asked ("" from the page).
func Promote(actor Actor, s Snapshot, how string, now time.Time) (StageStep, error) {
	if !AbilitiesOf(actor, s).Granted(ActPromote) {
		return StageStep{}, Errorf(EFORBIDDEN, "only ops or the release manager may promote a rollout")
	}
	if len(s.Stages) == 0 {
		return StageStep{}, Errorf(ECONFLICT, "%s has no rollout stages", s.Release.Name())
	}
	r := PromotionCheck(s, now)
	if !r.CanPromote {
		to := "its next stage"
		if next, ok := r.Next(); ok {
			to = "“" + next.Name + "”"
		}
		e := Errorf(ECONFLICT, "%s cannot be promoted to %s yet", s.Release.Name(), to)
		e.Details = r.ReasonTexts()
		return StageStep{}, e
	}
	cur, _ := r.Stage()
	next, _ := r.Next()
	var step StageStep
	if cur.FinishedAt.IsZero() {
		cur.FinishedAt = now
		step.Stages = append(step.Stages, cur)
	}
	next.StartedAt = now
	step.Stages = append(step.Stages, next)
	detail := fmt.Sprintf("promoted the rollout from “%s” to “%s” (%d of %d)", cur.Name, next.Name, next.Position, len(s.Stages))
	if how != "" {
		detail += " (" + how + ")"
	}
	step.Audit = audit(ActionStageStart, "%s", detail)
	return step, nil
}

// FinishStage records at now that the current stage is rolled out: its
// soak starts. A stage is finished once.
func FinishStage(s Snapshot, how string, now time.Time) (StageStep, error) {
	if len(s.Stages) == 0 {
		return StageStep{}, Errorf(ECONFLICT, "%s has no rollout stages", s.Release.Name())
	}
	if s.Release.State != Deploying {
		return StageStep{}, Errorf(ECONFLICT, "a stage is reported finished while the release is deploying; %s is %s", s.Release.Name(), s.Release.State.InText())
	}
	r := PromotionCheck(s, now)
	cur, ok := r.Stage()
	if !ok {
		return StageStep{}, Errorf(ECONFLICT, "no stage of %s has started", s.Release.Name())
	}
	if !cur.FinishedAt.IsZero() {
		return StageStep{}, Errorf(ECONFLICT, "the stage “%s” was already reported finished", cur.Name)
	}
	cur.FinishedAt = now
	detail := fmt.Sprintf("finished rolling out “%s” (%d of %d): its soak of %s starts", cur.Name, cur.Position, len(s.Stages), minutesText(int(cur.Soak/time.Minute)))
	if how != "" {
		detail += " (" + how + ")"
	}
	return StageStep{Stages: []Stage{cur}, Audit: audit(ActionStageFinish, "%s", detail)}, nil
}

// StagesFrom makes a release's stages from its product's template.
func StagesFrom(specs []StageSpec) []Stage {
	out := make([]Stage, len(specs))
	for i, sp := range specs {
		out[i] = Stage{Position: i + 1, Name: sp.Name, Soak: time.Duration(sp.SoakMinutes) * time.Minute}
	}
	return out
}

// rolloutDone refuses to report a staged deployment finished before the
// last stage has started and passes its check, naming every reason.
func rolloutDone(s Snapshot, now time.Time) error {
	reasons := finishReasons(s, now)
	if len(reasons) == 0 {
		return nil
	}
	e := Errorf(ECONFLICT, "%s rolls out in stages: the deployment is finished once the last stage has started and passes its check", s.Release.Name())
	for _, r := range reasons {
		e.Details = append(e.Details, r.Text)
	}
	return e
}

// stagesMoved are the stages a transition changes: starting to deploy
// starts the first; a new cycle starts the rollout over.
func stagesMoved(stages []Stage, t Transition, now time.Time) []Stage {
	var out []Stage
	switch {
	case len(stages) == 0:
	case t == StartDeploy:
		first := stages[0]
		first.StartedAt, first.FinishedAt = now, time.Time{}
		out = append(out, first)
	case t == Reopen:
		for _, st := range stages {
			st.StartedAt, st.FinishedAt = time.Time{}, time.Time{}
			out = append(out, st)
		}
	}
	return out
}

// CheckEditRollout refuses a person who may not set product's rollout stages.
func CheckEditRollout(a Actor, product string) error {
	if ProductAbilitiesOf(a, product).EditRollout {
		return nil
	}
	return Errorf(EFORBIDDEN, "only an admin may set the rollout stages of %s", product)
}

// RolloutLabel is where a release's rollout stands, for the board card
// and the calendar: "10% (2 of 4)"; "" when it has no stages, none has
// started, or it is no longer deploying or verifying.
func RolloutLabel(rel Release, stages []Stage) string {
	r := Rollout{Stages: stages, Current: currentStage(stages)}
	st, ok := r.Stage()
	if !ok {
		return ""
	}
	return StageLabel(rel.State, st.Name, st.Position, len(stages))
}

// StageLabel is RolloutLabel of a release in state at stage position (of
// of) called name: "" when it is not deploying or verifying, or no stage
// has started (position 0).
func StageLabel(state State, name string, position, of int) string {
	if (state != Deploying && state != Verifying) || position == 0 {
		return ""
	}
	return fmt.Sprintf("%s (%d of %d)", name, position, of)
}

// PromoteConsequence is what promoting does for good, for the question a
// person answers first: the board takes no stage back.
const PromoteConsequence = "the rollout widens to the next stage and its soak starts over. " +
	"The board cannot take a stage back: only rolling the release back undoes it."
