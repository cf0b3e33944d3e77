package views

import "github.com/gonogo/gonogo"

// GrantLabel is how a held role reads: "QA lead", or "QA lead · payments"
// when it is held for one product only.
func GrantLabel(g gonogo.Grant) string {
	if g.Everywhere() {
		return g.Role.Label()
	}
	return g.Role.Label() + " · " + g.Product
}
