package views

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gonogo/gonogo"
)

// PostReviewMinutes writes a post-release review as Markdown, as Minutes
// does a decision: the outcome, who recorded it and when, what happened,
// the links and the follow-ups with where each went. What happened is
// Markdown already and keeps its formatting (see mdNested); the rest people
// wrote is text (see mdtext.go).
func PostReviewMinutes(p Page, rel gonogo.Release, rev gonogo.PostReview, evidence []gonogo.Evidence) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Post-release review: %s %s — %s\n\n", mdInline(rel.Product), mdInline(rel.Version), mdInline(rel.Title))
	w("- **Outcome:** %s\n", rev.Outcome.Label())
	w("- **Recorded by:** %s, release manager\n", mdInline(rev.RecordedBy))
	w("- **Date:** %s %s\n", p.Time(rev.At), p.Zone(rev.At))
	w("- **Release:** %s\n", rel.State.Label())
	w("\n## What happened\n\n%s\n", mdNested(rev.Summary))
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
	minutesEvidence(&b, p, evidence)
	return b.String()
}

// mdNested places Markdown people wrote inside the minutes: its headings
// go below the minutes' own (two levels down), and outside code blocks a
// "<" is escaped, so no raw HTML or autolink of theirs reaches a renderer
// that passes HTML through. In inline and indented code the escape shows;
// that is the price of minutes that read the same, raw HTML on or off.
func mdNested(s string) string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(strings.TrimSpace(s))
	lines := strings.Split(s, "\n")
	fence := ""
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		indent := len(l) - len(t)
		switch {
		case fence != "":
			if indent < 4 && strings.HasPrefix(t, fence) {
				fence = ""
			}
			continue
		case indent < 4 && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")):
			fence = t[:3]
			continue
		}
		// Indented lines too: in a list they are its text, not code.
		l = unsafeScheme.ReplaceAllString(strings.ReplaceAll(l, "<", `\<`), "${1}unsafe-$2")
		if strings.HasPrefix(t, "#") {
			l = strings.Repeat(" ", indent) + "##" + strings.TrimLeft(l, " ")
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// unsafeScheme finds a link or image destination whose scheme runs code
// or embeds content, inline ("](javascript:") or in a reference
// definition ("[x]: javascript:"), which mdNested defuses: a renderer
// that passes raw HTML through often keeps such links too.
var unsafeScheme = regexp.MustCompile(`(?i)(\]\(\s*(?:\\<)?|^\s*\[[^\]]*\]:\s*(?:\\<)?)(javascript|vbscript|data|file):`)
