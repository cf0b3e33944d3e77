package gonogo

import (
	"fmt"
	"strings"
)

// SignerNote tells a person, on a release of product, which roles they
// sign for there and, for each role they hold for other products only,
// why they do not: "You sign here as QA lead." or "You hold QA lead for
// storefront only: on payments, someone who holds it for payments signs."
// It is "" for a person who holds no role that signs.
func SignerNote(a Actor, product string) string {
	here := a.RolesOn(product)
	var signs []string
	for _, r := range here {
		if containsRole(grants[ActSign], r) {
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
