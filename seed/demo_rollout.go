package seed

import (
	"fmt"
	"time"

	"github.com/gonogo/gonogo"
)

// The demo's staged rollout: payments rolls out in four stages, and its
// patch release 2.3.3 is deploying at the second, 10%, whose soak is still
// running and one of whose items is still open, so the release page shows
// the promote button waiting with its reasons, and the board card and the
// calendar show "Rollout: 10% (2 of 4)".

// demoStages is the payments product's stage template.
var demoStages = []gonogo.StageSpec{
	{Name: "1%", SoakMinutes: 30, Items: []string{"Crash-free payment sessions at or above 99.9% at 1%"}},
	{Name: "10%", SoakMinutes: 60, Items: []string{"Refund API error rate under 0.5% at 10%", "No rise in payment support tickets"}},
	{Name: "50%", SoakMinutes: 120, Items: []string{"p95 checkout latency steady at 50%"}},
	{Name: "all"},
}

// demoRolloutRelease is the release that rolls out; its story is its own,
// compressed into the last day, so that it is the product's newest and
// no other demo release of payments is made after the template is set.
var demoRolloutRelease = demoRelease{product: "payments", version: "2.3.3", title: "Faster refund search",
	summary: "Refund search answers in under a second for merchants with a million orders.", state: gonogo.Deploying}

// planRollout plans the template and the release's life, each step at
// its moment before now.
func (w *writer) planRollout(users map[gonogo.Role]gonogo.Actor, now time.Time) []demoStep {
	d := demoRolloutRelease
	name := d.product + " " + d.version
	admin := gonogo.Actor{Name: "Avery Admin", Admin: true, RemoteAddr: "demo"}
	ci := gonogo.Actor{Name: "payments-deploy (API token)", Roles: gonogo.RoleSet{gonogo.Ops}, RemoteAddr: "demo"}
	var id int64
	step := func(ago time.Duration, do func() error) demoStep {
		return demoStep{release: name, at: now.Add(-ago), do: do}
	}
	event := func(e gonogo.PipelineEvent, summary string) func() error {
		return func() error {
			_, err := w.store.ReportEvent(w.ctx, ci, id, gonogo.EventReport{Event: e, Summary: summary,
				URL: fmt.Sprintf("https://ci.example.com/%s/%s/deploy", d.product, d.version)})
			return err
		}
	}
	stageItem := func(title string) func() error {
		return func() error {
			items, err := w.store.FindItems(w.ctx, id)
			if err != nil {
				return err
			}
			for _, it := range items {
				if it.Title == title {
					_, err := w.store.UpdateItem(w.ctx, users[gonogo.Ops], id, it.ID, gonogo.ItemChange{Status: gonogo.ItemDone,
						Evidence: "https://grafana.example.com/d/payments-rollout"})
					return err
				}
			}
			return fmt.Errorf("no stage item %q", title)
		}
	}
	move := func(by gonogo.Role, t gonogo.Transition) func() error {
		return func() error {
			_, err := w.store.Transition(w.ctx, users[by], id, t)
			return err
		}
	}
	steps := []demoStep{
		step(27*time.Hour, func() error { return w.store.SetRolloutTemplate(w.ctx, admin, d.product, demoStages) }),
		step(26*time.Hour+50*time.Minute, func() error {
			// Its window is today, around the rollout.
			start := now.Add(-90 * time.Minute).Truncate(time.Hour)
			in := gonogo.ReleaseInput{Product: d.product, Version: d.version, Title: d.title, Summary: d.summary,
				ManagerID: users[gonogo.ReleaseManager].UserID, Window: gonogo.Window{Start: start, End: start.Add(4 * time.Hour)}}
			rel, err := w.store.CreateRelease(w.ctx, users[gonogo.ReleaseManager], in)
			id = rel.ID
			return err
		}),
		step(26*time.Hour, func() error { return w.seedItems(id, gonogo.Readiness, 1000, 0, d, users) }),
		step(25*time.Hour, move(gonogo.ReleaseManager, gonogo.OpenReview)),
		step(24*time.Hour, func() error {
			_, err := w.store.SaveNotes(w.ctx, users[gonogo.ProductOwner], id, gonogo.NotesInput{Title: d.title,
				Highlights: "Refund search in the merchant dashboard answers in under a second, however many orders a merchant has.",
				Changes:    "- Refunds are searched by order number, customer email or amount."}, true)
			return err
		}),
	}
	for i, r := range gonogo.Roles {
		steps = append(steps, step(23*time.Hour-time.Duration(i)*20*time.Minute, func() error {
			_, err := w.store.CastVote(w.ctx, users[r], id, gonogo.VoteInput{Role: r, Value: gonogo.VoteGo})
			return err
		}))
	}
	steps = append(steps,
		step(20*time.Hour, func() error {
			_, err := w.store.Decide(w.ctx, users[gonogo.ReleaseManager], id, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo,
				Rationale: "A small change, rolled out in stages: each widening waits for its checks and its soak."})
			return err
		}),
		step(80*time.Minute, move(gonogo.Ops, gonogo.StartDeploy)), // the canary, 1%, starts
		step(75*time.Minute, event(gonogo.EventStageFinished, "1% of traffic on 2.3.3")),
		step(50*time.Minute, stageItem(demoStages[0].Items[0])),
		step(40*time.Minute, func() error {
			_, err := w.store.Promote(w.ctx, users[gonogo.Ops], id)
			return err
		}),
		step(35*time.Minute, event(gonogo.EventStageFinished, "10% of traffic on 2.3.3")),
		step(15*time.Minute, stageItem(demoStages[1].Items[0])),
	)
	return steps
}
