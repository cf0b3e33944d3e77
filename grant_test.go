package gonogo_test

import (
	"slices"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestGrants(t *testing.T) {
	gs := gonogo.NewGrants(
		gonogo.Grant{Role: gonogo.QALead, Product: "web"},
		gonogo.Grant{Role: gonogo.Ops, Product: "payments"},
		gonogo.Grant{Role: gonogo.QALead, Product: "payments"},
		gonogo.Grant{Role: gonogo.Ops},                               // every product: the payments grant is in it
		gonogo.Grant{Role: gonogo.QALead, Product: "web"},            // twice
		gonogo.Grant{Role: "admin", Product: "web"},                  // no such role
		gonogo.Grant{Role: gonogo.ProductOwner, Product: " mobile "}, // trimmed
	)
	if got, want := gs.Text(), "product-owner@mobile, qa-lead@payments, qa-lead@web, ops"; got != want {
		t.Fatalf("grants %q, want %q", got, want)
	}
	for product, want := range map[string]gonogo.RoleSet{
		"payments": {gonogo.QALead, gonogo.Ops},
		"web":      {gonogo.QALead, gonogo.Ops},
		"mobile":   {gonogo.ProductOwner, gonogo.Ops},
		"other":    {gonogo.Ops},
	} {
		if got := gs.On(product); !slices.Equal(got, want) {
			t.Errorf("roles on %s: %v, want %v", product, got, want)
		}
	}
	if got := gs.Roles(); !slices.Equal(got, gonogo.RoleSet{gonogo.ProductOwner, gonogo.QALead, gonogo.Ops}) {
		t.Errorf("every role: %v", got)
	}
	everywhere, scoped := gs.Split()
	if !slices.Equal(everywhere, gonogo.RoleSet{gonogo.Ops}) || len(scoped) != 3 || !gs.Scoped() {
		t.Errorf("split: %v, %v", everywhere, scoped)
	}
	if got := gs.Products(); !slices.Equal(got, []string{"mobile", "payments", "web"}) {
		t.Errorf("products %v", got)
	}
	if gonogo.Everywhere(gonogo.RoleSet{gonogo.Ops}).Scoped() {
		t.Error("roles for every product are scoped")
	}
}

// A role held for one product acts on that product's releases only; an
// actor without grants (the system, a token) holds its roles everywhere.
func TestAbilitiesFollowTheReleasesProduct(t *testing.T) {
	qa := gonogo.Actor{Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead, gonogo.ReleaseManager},
		Grants: gonogo.Grants{{Role: gonogo.QALead, Product: "payments"}, {Role: gonogo.ReleaseManager, Product: "web"}}}
	snap := func(product string) gonogo.Snapshot {
		return gonogo.Snapshot{Release: gonogo.Release{Product: product, State: gonogo.Review}}
	}
	if ab := gonogo.AbilitiesOf(qa, snap("payments")); !ab.SignAs(gonogo.QALead) || ab.Decide {
		t.Errorf("on payments: sign as QA %v, decide %v", ab.SignAs(gonogo.QALead), ab.Decide)
	}
	if ab := gonogo.AbilitiesOf(qa, snap("web")); ab.SignAs(gonogo.QALead) || !ab.Decide {
		t.Errorf("on web: sign as QA %v, decide %v", ab.SignAs(gonogo.QALead), ab.Decide)
	}
	if ab := gonogo.AbilitiesOf(qa, snap("mobile")); ab.SignAs(gonogo.QALead) || ab.Decide {
		t.Error("on mobile, where Quinn holds nothing, Quinn may act")
	}
	if app := gonogo.AppAbilitiesOf(qa); !app.CreateRelease {
		t.Error("a release manager of one product may not create releases at all")
	}
	system := gonogo.Actor{Roles: gonogo.RoleSet{gonogo.QALead}}
	if !gonogo.AbilitiesOf(system, snap("mobile")).SignAs(gonogo.QALead) {
		t.Error("an actor without grants lost its roles")
	}
}
