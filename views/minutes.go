package views

import (
	"fmt"
	"strings"

	"github.com/gonogo/gonogo"
)

// Minutes writes a decision as Markdown "Go/No-Go minutes": the date, who
// decided and who took part, the votes, the conditions, the evidence and
// the risks accepted.
func Minutes(p Page, d gonogo.Decision, after []gonogo.Event) string {
	r := d.Record
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Go/No-Go minutes: %s %s — %s\n\n", r.Release.Product, r.Release.Version, mdText(r.Release.Title))
	w("- **Decision:** %s (decision %d, review cycle %d)\n", d.Outcome.Label(), d.Number, d.Cycle)
	w("- **Date:** %s %s\n", p.Time(d.At), p.Zone(d.At))
	w("- **Decided by:** %s, release manager\n", mdText(d.DeciderName))
	w("- **Attendees:** %s\n", mdText(strings.Join(r.Attendees(), ", ")))
	if !r.Release.Window.IsZero() {
		w("- **Window:** %s\n", p.Window(r.Release.Window))
	}
	if d.Rationale != "" {
		w("\n## Rationale\n\n%s\n", mdText(d.Rationale))
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
		w("- %s — %s\n", mdText(c.Text), c.Owner.Label())
	}
	w("\n## Votes\n\n| Role | Vote | By | When | Comment |\n|---|---|---|---|---|\n")
	votes := map[gonogo.Role]gonogo.Vote{}
	for _, v := range r.Votes {
		votes[v.Role] = v
	}
	for _, role := range gonogo.Roles {
		if v, ok := votes[role]; ok {
			w("| %s | %s | %s | %s | %s |\n", role.Label(), v.Value.Label(), cell(v.UserName), p.Time(v.At), cell(v.Comment))
			continue
		}
		if wv, ok := waiver(r.Waivers, role); ok {
			w("| %s | not required | | | %s |\n", role.Label(), cell(wv.Reason))
		} else {
			w("| %s | did not sign | | | |\n", role.Label())
		}
	}
	if len(r.Comments) > 0 {
		w("\n## Discussion\n\n")
		for _, c := range r.Comments {
			prefix := "- "
			if c.ParentID != 0 {
				prefix = "  - "
			}
			w("%s**%s** (%s): %s\n", prefix, mdText(c.Author), p.Time(c.CreatedAt), mdText(c.Body))
		}
	}
	w("\n## Evidence\n\n")
	ev := evidence(r)
	if len(ev) == 0 {
		w("No evidence links were recorded.\n")
	}
	for _, it := range ev {
		w("- %s (%s, %s): %s\n", mdText(it.Title), it.Status.Label(), mdText(it.UpdatedBy), mdText(it.Evidence))
	}
	w("\n## Open risks\n\n")
	rs := risks(r)
	if len(rs) == 0 {
		w("None recorded.\n")
	}
	for _, risk := range rs {
		w("- %s\n", mdText(risk))
	}
	if len(after) > 0 {
		w("\n## Changed after the decision\n\n")
		for _, e := range after {
			w("- %s %s: %s\n", p.Time(e.At), mdText(e.Actor), mdText(e.Detail))
		}
	}
	w("\n## Gate at the decision\n\n")
	if r.Gate.Ready {
		w("Ready.\n")
	} else {
		for _, reason := range r.Gate.Reasons {
			w("- %s\n", mdText(reason.Text))
		}
	}
	return b.String()
}

func waiver(ws []gonogo.Waiver, r gonogo.Role) (gonogo.Waiver, bool) {
	for _, w := range ws {
		if w.Role == r {
			return w, true
		}
	}
	return gonogo.Waiver{}, false
}

// mdText keeps people's text on its line, so it cannot start a heading or
// break the list it is in.
func mdText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(mdText(s), "|", `\|`)
}
