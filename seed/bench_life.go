package seed

import (
	"fmt"
	"time"

	"github.com/gonogo/gonogo"
)

// benchRelease is one generated release: where it ends up, and what its
// steps learn along the way (its id, its defects).
type benchRelease struct {
	spec    BenchSpec
	p, k    int
	fate    gonogo.State
	people  map[gonogo.Role]gonogo.Actor
	t0      time.Time
	life    time.Duration
	id      int64
	defects []gonogo.DefectInput
	ids     []int64
	items   []gonogo.Item // of the phase being settled, loaded at its first step
}

// benchFate says where release k (oldest first; the History's releases
// before the first have k < 0) of product p ends up: the newest few of
// each product are still on their way, the others closed, most of them
// released.
func benchFate(spec BenchSpec, p, k int) gonogo.State {
	switch spec.ReleasesPer - 1 - k {
	case 0:
		return gonogo.Draft
	case 1, 3:
		return gonogo.Review
	case 2:
		return []gonogo.State{gonogo.Go, gonogo.Deploying, gonogo.Verifying}[p%3]
	}
	switch {
	case mod(k, 11) == 5:
		return gonogo.Cancelled
	case mod(k, 7) == 3:
		return gonogo.RolledBack
	case mod(k, 13) == 6:
		return gonogo.NoGo
	}
	return gonogo.Released
}

// benchLife plans the steps of release k of product p: created at its turn
// in the year, its life spread over three weeks, or squeezed into the time
// left before now for the newest.
func benchLife(spec BenchSpec, p, k int, start time.Time, people map[gonogo.Role]gonogo.Actor) []benchStep {
	period := spec.period()
	r := &benchRelease{spec: spec, p: p, k: k, fate: benchFate(spec, p, k), people: people}
	r.t0 = start.Add(time.Duration(k)*period + time.Duration(p)*period/time.Duration(spec.Products))
	end := start.Add(time.Duration(spec.Days) * 24 * time.Hour)
	r.life = min(21*24*time.Hour, end.Sub(r.t0)-time.Hour)
	var steps []benchStep
	at := func(frac float64, do func(w *writer) error) {
		steps = append(steps, benchStep{r.t0.Add(time.Duration(frac * float64(r.life))), do})
	}
	at(0, r.create)
	for i := range spec.ExtraItems {
		at(0.001*float64(i+1), func(w *writer) error { return r.addItem(w, i) })
	}
	for i := range spec.Defects {
		at(0.05+0.02*float64(i), func(w *writer) error { return r.addDefect(w, i) })
	}
	for i := range spec.ExtraItems + len(gonogo.DefaultTemplate()) {
		at(0.1+0.015*float64(i), func(w *writer) error { return r.settle(w, gonogo.Readiness, i) })
	}
	if r.fate == gonogo.Draft {
		return steps
	}
	if r.fate == gonogo.Cancelled {
		at(0.75, func(w *writer) error { return r.move(w, gonogo.ReleaseManager, gonogo.Cancel) })
		return steps
	}
	at(0.72, r.resolveDefects)
	at(0.75, r.publishNotes)
	at(0.78, func(w *writer) error { return r.move(w, gonogo.ReleaseManager, gonogo.OpenReview) })
	for i, role := range gonogo.Roles {
		at(0.8+0.005*float64(i), func(w *writer) error { return r.vote(w, i, role) })
	}
	if r.fate == gonogo.Review {
		return steps
	}
	at(0.85, r.decide)
	r.deploySteps(at)
	return steps
}

// deploySteps plans a release's way from its Go to where it ends up.
func (r *benchRelease) deploySteps(at func(float64, func(w *writer) error)) {
	ops := func(t gonogo.Transition) func(w *writer) error {
		return func(w *writer) error { return r.move(w, gonogo.Ops, t) }
	}
	switch r.fate {
	case gonogo.NoGo, gonogo.Go:
		return
	case gonogo.RolledBack:
		at(0.88, ops(gonogo.StartDeploy))
		at(0.9, ops(gonogo.RollBack))
		return
	}
	at(0.88, ops(gonogo.StartDeploy))
	if r.fate == gonogo.Deploying {
		return
	}
	at(0.9, ops(gonogo.FinishDeploy))
	for i := range verificationItems() {
		if r.fate == gonogo.Verifying && i > 0 {
			break // one check made, the rest to go
		}
		at(0.92+0.01*float64(i), func(w *writer) error { return r.settle(w, gonogo.Verification, i) })
	}
	if r.fate == gonogo.Released {
		at(0.96, func(w *writer) error { return r.move(w, gonogo.ReleaseManager, gonogo.MarkReleased) })
	}
}

func (r *benchRelease) create(w *writer) error {
	rm := r.people[gonogo.ReleaseManager]
	product := r.product()
	in := gonogo.ReleaseInput{
		Product: product.name, Version: benchVersion(r.k),
		Title: benchTitle(product, r.k), Summary: "Ships " + benchTitle(product, r.k+3) + " to every customer.", ManagerID: rm.UserID,
	}
	start := r.t0.Add(r.life * 9 / 10).Truncate(time.Hour)
	in.Window = gonogo.Window{Start: start, End: start.Add(2 * time.Hour)}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	rel, err := w.store.CreateRelease(w.ctx, rm, in)
	r.id = rel.ID
	return err
}

func (r *benchRelease) move(w *writer, who gonogo.Role, t gonogo.Transition) error {
	a := r.people[who]
	_, err := w.store.Transition(w.ctx, a, r.id, t)
	return err
}

func (r *benchRelease) vote(w *writer, i int, role gonogo.Role) error {
	in := gonogo.VoteInput{Role: role, Value: gonogo.VoteGo}
	switch {
	case r.fate == gonogo.Review && r.spec.ReleasesPer-1-r.k == 1 && i >= 3:
		return nil // the newest review: half the roles still to sign
	case (r.fate == gonogo.Review || r.fate == gonogo.NoGo) && role == gonogo.QALead:
		in.Value, in.Comment = gonogo.VoteNoGo, "The load test misses its latency budget; rerun after the fix."
	case i == 4:
		in.Comment = "Runbook reviewed."
	}
	a := r.people[role]
	_, err := w.store.CastVote(w.ctx, a, r.id, in)
	return err
}

func (r *benchRelease) decide(w *writer) error {
	rm := r.people[gonogo.ReleaseManager]
	in := gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Rationale: "Every pillar is green and every role signed Go."}
	if r.fate == gonogo.NoGo {
		in = gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "QA's No-Go stands: fix the latency and review again."}
	}
	_, err := w.store.Decide(w.ctx, rm, r.id, in)
	return err
}

// verificationItems counts the template's verification items: a release
// is marked released once every one is settled.
func verificationItems() int {
	n := 0
	for _, in := range gonogo.DefaultTemplate() {
		if in.Phase == gonogo.Verification {
			n++
		}
	}
	return n
}

// benchVersion is release k's version: 1.0.0 for the first of the year,
// 0.x.y for the History's older releases.
func benchVersion(k int) string {
	if k < 0 {
		return fmt.Sprintf("0.%d.%d", -k/10, -k%10)
	}
	return fmt.Sprintf("%d.%d.0", 1+k/10, k%10)
}

// mod is k modulo n, never negative: the History's k are.
func mod(k, n int) int { return (k%n + n) % n }
