package gonogo_test

import (
	"testing"

	"github.com/gonogo/gonogo"
)

func TestSignerNote(t *testing.T) {
	scoped := func(gs ...gonogo.Grant) gonogo.Actor {
		g := gonogo.NewGrants(gs...)
		return gonogo.Actor{Roles: g.Roles(), Grants: g}
	}
	qaShop := gonogo.Grant{Role: gonogo.QALead, Product: "storefront"}
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
		{"a token's roles, held everywhere", gonogo.Actor{Roles: gonogo.RoleSet{gonogo.Ops}}, "You sign here as Ops."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := gonogo.SignerNote(tc.actor, "payments"); got != tc.want {
				t.Errorf("SignerNote = %q, want %q", got, tc.want)
			}
		})
	}
}
