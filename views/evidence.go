package views

import (
	"fmt"
	"strings"

	"github.com/gonogo/gonogo"
)

// evidenceLabel names where a piece of evidence came from.
func evidenceLabel(k gonogo.EvidenceKind) string {
	switch k {
	case gonogo.EvidenceStage:
		return "Rollout"
	case gonogo.EvidenceAlert:
		return "Alert"
	case gonogo.EvidencePilot:
		return "Pilot"
	}
	return string(k)
}

// minutesEvidence writes what production had said of the release, in
// time order, as a section of Markdown minutes; nothing when it had said
// nothing.
func minutesEvidence(b *strings.Builder, p Page, items []gonogo.Evidence) {
	if len(items) == 0 {
		return
	}
	b.WriteString("\n## What production said\n\n")
	for _, e := range items {
		line := fmt.Sprintf("- %s, %s: %s", p.Time(e.At), evidenceLabel(e.Kind), mdInline(e.Text))
		if e.URL != "" {
			line += " (" + mdLink("link", e.URL) + ")"
		}
		b.WriteString(line + "\n")
	}
}
