package seed

import "time"

// A demo release's life is told as a story of steps, each written at the
// moment it describes, so that its history, the board's trail and the
// dates on its pages agree: a release that shipped on a Wednesday has its
// Go before that and its Released on the Wednesday.

// demoStep is one step of a demo release's life, at its moment.
type demoStep struct {
	release string // "payments 2.3.1", for errors
	at      time.Time
	do      func() error
}

// storyStep is a step of a story not yet placed in time: it comes gap
// after the step before it.
type storyStep struct {
	gap time.Duration
	do  func() error
}

// How long after the step before each step of a demo release's life comes.
const (
	gapSettle    = 20 * time.Hour   // created, then readiness items settled
	gapDefects   = time.Hour        // then QA records the known defects
	gapReview    = 18 * time.Hour   // then the review opens
	gapFirstVote = 3 * time.Hour    // the first sign-off
	gapVote      = 40 * time.Minute // each further sign-off
	gapNotes     = time.Hour        // the release notes, drafted or published
	gapComment   = 15 * time.Minute // each comment of the discussion
	gapDecision  = 2 * time.Hour    // the decision
	gapDeploy    = 20 * time.Hour   // the deploy starts, in the window, the day after the Go
	gapDeployed  = 40 * time.Minute // deployed: verifying starts
	gapRollBack  = 50 * time.Minute // or rolled back instead
	gapVerified  = 30 * time.Minute // the post-deploy checks done
	gapReleased  = 30 * time.Minute // marked released
)

// schedule places a story in time: its last step at last, and each step
// before it as long before the next as the next one's gap.
func schedule(release string, story []storyStep, last time.Time) []demoStep {
	out := make([]demoStep, len(story))
	at := last
	for i := len(story) - 1; i >= 0; i-- {
		out[i] = demoStep{release: release, at: at, do: story[i].do}
		at = at.Add(-story[i].gap)
	}
	return out
}
