package views

import (
	"fmt"
	"strings"

	"github.com/gonogo/gonogo"
)

// Minutes writes a decision as Markdown "Go/No-Go minutes": the date, who
// decided and who took part, the votes, the conditions, the evidence and
// the risks accepted. Everything people wrote is text (see mdtext.go), so
// the minutes read the same in any CommonMark renderer, raw HTML on or off.
func Minutes(p Page, d gonogo.Decision, after []gonogo.Event) string {
	r := d.Record
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Go/No-Go minutes: %s %s — %s\n\n", mdInline(r.Release.Product), mdInline(r.Release.Version), mdInline(r.Release.Title))
	w("- **Decision:** %s (decision %d, review cycle %d)\n", d.Outcome.Label(), d.Number, d.Cycle)
	w("- **Date:** %s %s\n", p.Time(d.At), p.Zone(d.At))
	w("- **Decided by:** %s, release manager\n", mdInline(d.DeciderName))
	if r.Release.Kind == gonogo.KindHotfix {
		w("- **Kind:** hotfix, under the product's hotfix policy\n")
	}
	var attendees []string
	for _, name := range r.Attendees() {
		attendees = append(attendees, mdInline(name))
	}
	w("- **Attendees:** %s\n", strings.Join(attendees, ", "))
	if !r.Release.Window.IsZero() {
		w("- **Window:** %s\n", p.Window(r.Release.Window))
	}
	if strings.TrimSpace(d.Rationale) != "" {
		w("\n## Rationale\n\n%s\n", mdBlock(d.Rationale, ""))
	}
	w("\n## Conditions\n\n")
	conds := d.Conditions
	for _, v := range r.Votes {
		conds = append(conds, v.Conditions...)
	}
	if len(conds) == 0 {
		w("None.\n")
	}
	for _, c := range conds {
		w("- %s — %s\n", mdBlock(c.Text, "  "), c.Owner.Label())
	}
	minutesVotes(&b, p, r)
	if len(r.Comments) > 0 {
		w("\n## Discussion\n\n")
		for _, c := range r.Comments {
			prefix, indent := "- ", "  "
			if c.ParentID != 0 {
				prefix, indent = "  - ", "    "
			}
			w("%s**%s** (%s): %s\n", prefix, mdInline(c.Author), p.Time(c.CreatedAt), mdBlock(c.Body, indent))
		}
	}
	w("\n## Evidence\n\n")
	ev := evidence(r)
	if len(ev) == 0 {
		w("No evidence links were recorded.\n")
	}
	for _, it := range ev {
		text := mdBlock(it.Evidence, "  ")
		if u := it.EvidenceURL(); u != "" {
			text = mdLink(it.Evidence, u)
		}
		w("- %s (%s, %s): %s\n", mdBlock(it.Title, "  "), it.Status.Label(), mdInline(it.UpdatedBy), text)
	}
	w("\n## Open risks\n\n")
	rs := risks(r)
	if len(rs) == 0 {
		w("None recorded.\n")
	}
	for _, risk := range rs {
		w("- %s\n", mdBlock(risk, "  "))
	}
	if len(after) > 0 {
		w("\n## Changed after the decision\n\n")
		for _, e := range after {
			w("- %s %s: %s\n", p.Time(e.At), mdInline(e.Actor), mdBlock(e.Detail, "  "))
		}
	}
	w("\n## Gate at the decision\n\n")
	if r.Gate.Ready {
		w("Ready.\n")
	} else {
		for _, reason := range r.Gate.Reasons {
			w("- %s\n", mdBlock(reason.Text, "  "))
		}
	}
	minutesExceptions(&b, p, r.Exceptions)
	minutesEvidence(&b, p, r.Evidence)
	return b.String()
}

// minutesVotes writes the votes: a table of who voted what and when, then
// what they said. A table cell cannot hold a line break, and comments have
// them, so the comments (and why a role need not sign) follow as a list.
func minutesVotes(b *strings.Builder, p Page, r gonogo.Record) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("\n## Votes\n\n| Role | Vote | By | When |\n|---|---|---|---|\n")
	votes := map[gonogo.Role]gonogo.Vote{}
	for _, v := range r.Votes {
		votes[v.Role] = v
	}
	var said []string
	for _, role := range gonogo.Roles {
		if v, ok := votes[role]; ok {
			w("| %s | %s | %s | %s |\n", role.Label(), v.Value.Label(), mdInline(v.UserName), p.Time(v.At))
			if strings.TrimSpace(v.Comment) != "" {
				said = append(said, fmt.Sprintf("- **%s** (%s, %s): %s\n", role.Label(), v.Value.Label(), mdInline(v.UserName), mdBlock(v.Comment, "  ")))
			}
			continue
		}
		if wv, ok := waiver(r.Waivers, role); ok {
			w("| %s | not required | | |\n", role.Label())
			said = append(said, fmt.Sprintf("- **%s** (not required): %s\n", role.Label(), mdBlock(wv.Reason, "  ")))
		} else {
			w("| %s | did not sign | | |\n", role.Label())
		}
	}
	if len(said) > 0 {
		w("\n### Comments on the votes\n\n%s", strings.Join(said, ""))
	}
	for _, v := range r.Votes {
		if v.Support != nil {
			w("\n**Support confirmed:** %s (%s, %s)\n", mdInline(v.Support.Text()), mdInline(v.UserName), p.Time(v.At))
		}
	}
}

func waiver(ws []gonogo.Waiver, r gonogo.Role) (gonogo.Waiver, bool) {
	for _, w := range ws {
		if w.Role == r {
			return w, true
		}
	}
	return gonogo.Waiver{}, false
}
