package seed

import (
	"time"

	"github.com/gonogo/gonogo"
)

// The demo's hotfixes: payments sets its own hotfix policy (four roles,
// the short checklist, a review within three days); its hotfix 2.3.2
// shipped without its post-release review, which is now overdue on the
// board; storefront's hotfix 5.11.1 is in review under the default policy.

// demoHotfixPolicy is the hotfix policy payments sets.
var demoHotfixPolicy = gonogo.PolicyInput{
	Roles:       []string{string(gonogo.EngineeringLead), string(gonogo.QALead), string(gonogo.Ops), string(gonogo.ReleaseManager)},
	MinGoVoters: "2", Template: string(gonogo.TemplateHotfix), ReviewDays: "3",
}

var demoHotfixes = []demoRelease{
	// Verified six days ago; marked released once its review fell due
	// (releasedAfter below), the review still not recorded.
	{product: "payments", version: "2.3.2", title: "Duplicate refund webhooks", state: gonogo.Verifying, kind: gonogo.KindHotfix,
		summary:          "Stops a retry loop that sent merchants the same refund webhook up to five times.",
		verificationDone: 3, age: 6 * 24 * time.Hour},
	{product: "storefront", version: "5.11.1", title: "Checkout button hidden on Safari", state: gonogo.Review, kind: gonogo.KindHotfix,
		summary:       "The checkout button was drawn under the cookie banner on Safari 17.",
		readinessDone: 6, age: 90 * time.Minute,
		votes: []demoVote{
			{gonogo.EngineeringLead, gonogo.VoteGo, "One-line CSS fix, reviewed.", ""},
			{gonogo.QALead, gonogo.VoteGo, "Checked on Safari 17 and 18, iOS and macOS.", ""},
		}},
}

var demoHotfixNotes = map[string]demoNote{
	"payments 2.3.2": {in: gonogo.NotesInput{
		Title:      "Duplicate refund webhooks",
		Highlights: "Each refund sends its webhook once again.",
		Changes:    "- A failed delivery is retried with backoff instead of at once.",
	}},
}

// planKinds plans the policy and the hotfixes, each at its moment.
func (w *writer) planKinds(users map[gonogo.Role]gonogo.Actor, now time.Time) []demoStep {
	for name, n := range demoHotfixNotes {
		demoNotes[name] = n
	}
	admin := gonogo.Actor{Name: "Avery Admin", Admin: true, RemoteAddr: "demo"}
	steps := []demoStep{{release: "payments policy", at: now.Add(-20 * 24 * time.Hour), do: func() error {
		return w.store.SetPolicy(w.ctx, admin, "payments", gonogo.KindHotfix, demoHotfixPolicy)
	}}}
	for _, d := range demoHotfixes {
		steps = append(steps, w.planRelease(d, users, now)...)
	}
	// Its review fell due three days after the Go: past it, the hotfix
	// may be marked released, and shows as overdue until it is recorded.
	steps = append(steps, demoStep{release: "payments 2.3.2", at: now.Add(-3 * 24 * time.Hour), do: func() error {
		rel, err := w.store.FindReleaseByName(w.ctx, "payments", "2.3.2")
		if err != nil {
			return err
		}
		_, err = w.store.Transition(w.ctx, users[gonogo.ReleaseManager], rel.ID, gonogo.MarkReleased)
		return err
	}})
	return steps
}
