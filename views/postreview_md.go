package views

import (
	"fmt"
	"strings"

	"github.com/gonogo/gonogo"
)

// PostReviewMinutes writes a post-release review as Markdown, as Minutes
// does a decision: the outcome, who recorded it and when, what happened,
// the links and the follow-ups with where each went. What happened is
// Markdown already and stands as written; the rest people wrote is text
// (see mdtext.go).
func PostReviewMinutes(p Page, rel gonogo.Release, rev gonogo.PostReview) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Post-release review: %s %s — %s\n\n", mdInline(rel.Product), mdInline(rel.Version), mdInline(rel.Title))
	w("- **Outcome:** %s\n", rev.Outcome.Label())
	w("- **Recorded by:** %s, release manager\n", mdInline(rev.RecordedBy))
	w("- **Date:** %s %s\n", p.Time(rev.At), p.Zone(rev.At))
	w("- **Release:** %s\n", rel.State.Label())
	w("\n## What happened\n\n%s\n", strings.TrimSpace(rev.Summary))
	w("\n## Links\n\n")
	if len(rev.Links) == 0 {
		w("None.\n")
	}
	for _, l := range rev.Links {
		w("- %s\n", mdLink(l, l))
	}
	w("\n## Follow-ups\n\n")
	if len(rev.FollowUps) == 0 {
		w("None.\n")
	}
	for _, f := range rev.FollowUps {
		where := "waits for the next release of " + mdInline(rel.Product)
		if !f.Waiting() {
			where = mdInline(f.Release)
			if f.ItemStatus != "" {
				where += " (" + f.ItemStatus.Label() + ")"
			} else {
				where += " (item removed)"
			}
		}
		w("- %s — %s; %s\n", mdBlock(f.Text, "  "), f.Owner.Label(), where)
	}
	return b.String()
}
