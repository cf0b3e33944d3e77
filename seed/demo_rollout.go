package seed

import (
	"fmt"
	"strings"
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
	rolloutSecrets := map[string]string{} // the pilot links' secrets, as the invitation mailed them
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
		// Two merchants try it at 1%; a latency alert fires on the canary
		// and resolves before anyone widens it.
		step(72*time.Minute, func() error {
			links, err := w.store.InvitePilot(w.ctx, users[gonogo.ReleaseManager], id,
				gonogo.PilotInviteInput{Emails: strings.Join(demoRolloutTesters, ", ")})
			for _, l := range links {
				rolloutSecrets[l.Email] = strings.TrimPrefix(l.Path, "/pilot/")
			}
			return err
		}),
		step(64*time.Minute, func() error { return w.alert(gonogo.Alertmanager, demoRolloutAlert(now, false)) }),
		step(57*time.Minute, func() error { return w.alert(gonogo.Alertmanager, demoRolloutAlert(now, true)) }),
		step(55*time.Minute, rolloutAnswer(w, rolloutSecrets, demoRolloutTesters[0], "Found a refund from last March by amount in under a second.")),
		step(50*time.Minute, stageItem(demoStages[0].Items[0])),
		step(45*time.Minute, rolloutAnswer(w, rolloutSecrets, demoRolloutTesters[1], "Search by customer email is instant now.")),
		step(40*time.Minute, func() error {
			_, err := w.store.Promote(w.ctx, users[gonogo.Ops], id)
			return err
		}),
		step(35*time.Minute, event(gonogo.EventStageFinished, "10% of traffic on 2.3.3")),
		step(15*time.Minute, stageItem(demoStages[1].Items[0])),
	)
	return steps
}

// demoRolloutTesters are the merchants in payments 2.3.3's pilot at 1%.
var demoRolloutTesters = []string{"ops@northwind.example", "finance@shopco.example"}

// rolloutAnswer is a tester's "works", with comment, through their link.
func rolloutAnswer(w *writer, secrets map[string]string, email, comment string) func() error {
	return func() error {
		_, err := w.store.AnswerPilot(w.ctx, gonogo.HashToken(secrets[email]), "demo",
			gonogo.PilotFeedback{Answer: gonogo.PilotWorks, Comment: comment})
		return err
	}
}

// demoRolloutAlert is the latency alert on payments 2.3.3's canary, as
// Alertmanager sent it firing, or resolved a few minutes later.
func demoRolloutAlert(now time.Time, resolved bool) gonogo.IncomingAlert {
	a := gonogo.IncomingAlert{Fingerprint: "demo-payments-refund-search", Status: gonogo.AlertFiring, Name: "RefundSearchLatency",
		Severity: "warning", Summary: "p95 of refund search above 1.5 s on the canary",
		URL:    "https://grafana.example.com/d/payments-rollout/payments-rollout?viewPanel=2",
		Labels: map[string]string{"gonogo_product": "payments", "gonogo_version": "2.3.3"}, StartsAt: now.Add(-66 * time.Minute)}
	if resolved {
		a.Status, a.EndsAt = gonogo.AlertResolved, now.Add(-58*time.Minute)
	}
	return a
}
