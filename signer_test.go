package gonogo_test

import (
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestSignerNote(t *testing.T) {
	scoped := func(gs ...gonogo.Grant) gonogo.Actor {
		g := gonogo.NewGrants(gs...)
		return gonogo.Actor{Roles: g.Roles(), Grants: g}
	}
	qaShop := gonogo.Grant{Role: gonogo.QALead, Product: "storefront"}
	now := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	// Ana holds ops for mobile; Oskar, ops everywhere, named her his deputy.
	deputy := func(from, until time.Time) gonogo.Actor {
		a := scoped(gonogo.Grant{Role: gonogo.Ops, Product: "mobile"})
		d := gonogo.Deputyship{HolderName: "Oskar Ops", DeputyName: "Ana Ops", Role: gonogo.Ops,
			Grants: gonogo.Grants{{Role: gonogo.Ops}}, From: from, Until: until}
		if d.ActiveAt(now) {
			a.Deputies = append(a.Deputies, d)
		} else {
			a.Lapsed = append(a.Lapsed, d)
		}
		return a
	}
	tests := []struct {
		name  string
		actor gonogo.Actor
		want  string
	}{
		{"every product", scoped(gonogo.Grant{Role: gonogo.QALead}), "You sign here as QA lead."},
		{"this product", scoped(gonogo.Grant{Role: gonogo.QALead, Product: "payments"}, gonogo.Grant{Role: gonogo.Ops}),
			"You sign here as QA lead and Ops."},
		{"another product only", scoped(qaShop),
			"You hold QA lead for storefront only: on payments, someone who holds it for payments signs."},
		{"other products", scoped(qaShop, gonogo.Grant{Role: gonogo.QALead, Product: "mobile"}),
			"You hold QA lead for mobile and storefront only: on payments, someone who holds it for payments signs."},
		{"no role", scoped(), ""},
		{"a deputy in the period", deputy(now.Add(-time.Hour), now.Add(time.Hour)), "You sign here as Ops (deputy for Oskar Ops)."},
		{"a deputy after the period", deputy(now.Add(-48*time.Hour), now.Add(-24*time.Hour)),
			"You cannot sign here as Ops: your deputyship as deputy for Oskar Ops ended on 2026-12-07 10:00 UTC. " +
				"You hold Ops for mobile only: on payments, someone who holds it for payments signs."},
		{"a deputy before the period", deputy(now.Add(24*time.Hour), now.Add(48*time.Hour)),
			"You cannot sign here as Ops: your deputyship as deputy for Oskar Ops begins on 2026-12-09 10:00 UTC. " +
				"You hold Ops for mobile only: on payments, someone who holds it for payments signs."},
		{"a token's roles, held everywhere", gonogo.Actor{Roles: gonogo.RoleSet{gonogo.Ops}}, "You sign here as Ops."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := gonogo.SignerNote(tc.actor, "payments", now); got != tc.want {
				t.Errorf("SignerNote = %q, want %q", got, tc.want)
			}
		})
	}
}
