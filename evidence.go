package gonogo

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// After the deploy, verification is evidence, not only ticks: the stages
// a rollout went through, the alerts that fired and resolved, and what the
// pilot group answered. The release page shows them in time order beside
// the checklist, the decision record freezes them as they stood (a new
// cycle's Go after a rollback sees why), and the post-release review
// shows them.

// MaxEvidence bounds a timeline: the newest of a noisier history.
const MaxEvidence = 100

// EvidenceKind says where a piece of evidence came from.
type EvidenceKind string

const (
	EvidenceStage EvidenceKind = "stage"
	EvidenceAlert EvidenceKind = "alert"
	EvidencePilot EvidenceKind = "pilot"
)

// Evidence is one thing production said about a release, at a moment.
type Evidence struct {
	At   time.Time
	Kind EvidenceKind
	Text string
	URL  string // the alert's graph, the tester's screenshot; "" for none
	Bad  bool   // an alert firing, a problem reported
}

// VerificationTimeline puts a release's stages, alerts and pilot answers
// in time order, oldest first, at most MaxEvidence of them (the newest).
func VerificationTimeline(stages []Stage, alerts []Alert, pilot []PilotInvite) []Evidence {
	var out []Evidence
	for _, st := range stages {
		if st.Started() {
			out = append(out, Evidence{At: st.StartedAt, Kind: EvidenceStage,
				Text: fmt.Sprintf("Stage “%s” started (%d of %d)", st.Name, st.Position, len(stages))})
		}
		if !st.FinishedAt.IsZero() {
			out = append(out, Evidence{At: st.FinishedAt, Kind: EvidenceStage, Text: fmt.Sprintf("Stage “%s” rolled out", st.Name)})
		}
	}
	for _, a := range alerts {
		out = append(out, Evidence{At: a.StartsAt, Kind: EvidenceAlert, Text: "Alert " + a.Describe() + " fired", URL: a.URL, Bad: true})
		if !a.Firing() && !a.EndsAt.IsZero() {
			out = append(out, Evidence{At: a.EndsAt, Kind: EvidenceAlert, Text: fmt.Sprintf("Alert “%s” resolved", a.Name)})
		}
	}
	for _, p := range pilot {
		if p.AnsweredAt.IsZero() {
			continue
		}
		text := fmt.Sprintf("Pilot: %s says it %s", p.Who(), p.Answer.Label())
		if p.Answer == PilotProblem {
			text = fmt.Sprintf("Pilot: %s reports a problem", p.Who())
		}
		if p.Comment != "" {
			text += ": " + p.Comment
		}
		out = append(out, Evidence{At: p.AnsweredAt, Kind: EvidencePilot, Text: text, URL: p.Link, Bad: p.Answer == PilotProblem})
	}
	slices.SortStableFunc(out, func(a, b Evidence) int { return cmp.Compare(a.At.UnixNano(), b.At.UnixNano()) })
	if len(out) > MaxEvidence {
		out = out[len(out)-MaxEvidence:]
	}
	return out
}

// EvidenceMatters reports whether a release can have evidence to show:
// once it deploys, and in every cycle after one that deployed.
func EvidenceMatters(rel Release) bool {
	switch rel.State {
	case Deploying, Verifying, Released, RolledBack:
		return true
	}
	return rel.Cycle > 1
}
