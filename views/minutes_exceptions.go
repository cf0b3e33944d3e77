package views

import (
	"fmt"
	"strings"

	"github.com/gonogo/gonogo"
)

// minutesExceptions writes the freeze exceptions that stood at the
// decision, each with its approvals and their comments.
func minutesExceptions(b *strings.Builder, p Page, es []gonogo.FreezeException) {
	if len(es) == 0 {
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("\n## Freeze exceptions\n\n")
	for _, e := range es {
		state := "asked for, " + e.Waiting()
		if e.InForce() {
			state = fmt.Sprintf("overridden by %s until %s", e.Approvers(), p.Time(e.Until))
		}
		w("- Freeze “%s”: %s. Asked for by %s: %s\n", mdInline(e.FreezeName), mdInline(state), mdInline(e.RequestedBy), mdBlock(e.Reason, "  "))
		for _, a := range e.Approvals {
			w("  - %s approved on %s: %s\n", mdInline(a.Name), p.Time(a.At), mdBlock(a.Comment, "    "))
		}
	}
}
