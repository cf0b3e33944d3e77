package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// SignerNote tells a person, on a release of product, which roles they
// sign for there at now, as whose deputy if they stand in, and, for each
// role they hold for other products only or were deputy for outside its
// period, why they do not: "You sign here as QA lead.", "You sign here as
// Ops (deputy for Oskar Ops).", "You hold QA lead for storefront only: on
// payments, someone who holds it for payments signs." or "You cannot sign
// here as Ops: your deputyship as deputy for Oskar Ops ended on …".
// It is "" for a person who holds no role that signs.
func SignerNote(a Actor, product string, now time.Time) string {
	here := a.RolesOn(product)
	var signs []string
	for _, r := range here {
		if !containsRole(grants[ActSign], r) {
			continue
		}
		if d, ok := a.StandsInFor(r, product); ok {
			signs = append(signs, fmt.Sprintf("%s (deputy for %s)", r.Label(), d.HolderName))
		} else {
			signs = append(signs, r.Label())
		}
	}
	var out []string
	if len(signs) > 0 {
		out = append(out, fmt.Sprintf("You sign here as %s.", List(signs)))
	}
	for _, r := range grants[ActSign] {
		if here.Has(r) {
			continue
		}
		if lapsed := a.lapsedFor(r, product, now); lapsed != "" {
			out = append(out, fmt.Sprintf("You cannot sign here as %s: %s.", r.Label(), lapsed))
		}
		var elsewhere []string
		for _, g := range a.Grants {
			if g.Role == r && !g.Everywhere() {
				elsewhere = append(elsewhere, g.Product)
			}
		}
		if len(elsewhere) > 0 {
			out = append(out, fmt.Sprintf("You hold %s for %s only: on %s, someone who holds it for %s signs.",
				r.Label(), List(elsewhere), product, product))
		}
	}
	return strings.Join(out, " ")
}
