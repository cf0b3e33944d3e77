package views

import (
	"github.com/gonogo/gonogo"
)

// risks lists what was accepted rather than resolved when the decision was
// made: grave defects set aside, items failed or not applicable, open
// advisory items, roles that did not need to sign.
func risks(r gonogo.Record) []string {
	var out []string
	for _, d := range r.Defects {
		if d.Severity.Grave() && d.Status.SetsAside() {
			out = append(out, d.Severity.Label()+" defect “"+d.Title+"” is "+d.Status.InText()+": "+d.Reason)
		} else if !d.Status.Resolved() {
			out = append(out, d.Severity.Label()+" defect “"+d.Title+"” is "+d.Status.InText())
		}
	}
	for _, it := range r.Items {
		if it.Phase != gonogo.Readiness {
			continue
		}
		switch {
		case it.Status == gonogo.ItemNA:
			out = append(out, "“"+it.Title+"” did not apply: "+it.Reason)
		case it.Status == gonogo.ItemFailed:
			out = append(out, "“"+it.Title+"” failed")
		case !it.Required && it.Status == gonogo.ItemOpen:
			out = append(out, "advisory “"+it.Title+"” still open")
		}
	}
	for _, w := range r.Waivers {
		out = append(out, w.Role.Label()+" did not need to sign off: "+w.Reason)
	}
	return out
}

// evidence lists the readiness items that carry evidence.
func evidence(r gonogo.Record) []gonogo.Item {
	var out []gonogo.Item
	for _, it := range r.Items {
		if it.Evidence != "" {
			out = append(out, it)
		}
	}
	return out
}
