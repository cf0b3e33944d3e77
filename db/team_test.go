package db_test

import (
	"fmt"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// A product's team lists, by role, its own holders before those of every
// product, each person once, disabled people never, and at most
// MaxHolders a role with the count of all.
func TestFindTeam(t *testing.T) {
	s := db.OpenTest(t)
	ctx := t.Context()
	admin := actor(mustCreateUser(t, s, "admin@example.com", true))
	mustCreateRelease(t, s, "payments", "1.0.0")
	mustCreateRelease(t, s, "storefront", "1.0.0")
	grant := func(u gonogo.User, gs ...gonogo.Grant) {
		t.Helper()
		held := gonogo.Grants(gs)
		if _, err := s.UpdateUser(ctx, admin, u.ID, db.UserUpdate{Products: &held}); err != nil {
			t.Fatal(err)
		}
	}
	zed := mustCreateUser(t, s, "zed@example.com", false)
	grant(zed, gonogo.Grant{Role: gonogo.QALead, Product: "payments"})
	all := mustCreateUser(t, s, "all@example.com", false, gonogo.QALead)
	shop := mustCreateUser(t, s, "shop@example.com", false)
	grant(shop, gonogo.Grant{Role: gonogo.SupportLead, Product: "storefront"})
	gone := mustCreateUser(t, s, "gone@example.com", false, gonogo.Ops)
	disabled := true
	if _, err := s.UpdateUser(ctx, admin, gone.ID, db.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	// A group gives all@ QA lead for payments too: listed once.
	raw := rawDB(t, s)
	mustExec(t, raw, `INSERT INTO user_roles (user_id, role, product, source) VALUES (?, 'qa-lead', 'payments', 'group')`, all.ID)

	team, err := s.FindTeam(ctx, "payments")
	if err != nil {
		t.Fatal(err)
	}
	qa := team.Holders[gonogo.QALead]
	if len(qa) != 2 || qa[0].UserID != zed.ID || qa[0].Everywhere || qa[1].UserID != all.ID || !qa[1].Everywhere || team.Count[gonogo.QALead] != 2 {
		t.Errorf("QA leads of payments: %+v (count %d)", qa, team.Count[gonogo.QALead])
	}
	if n := len(team.Holders[gonogo.SupportLead]); n != 0 {
		t.Errorf("payments has %d support leads, want none", n)
	}
	if n := len(team.Holders[gonogo.Ops]); n != 0 {
		t.Errorf("a disabled person holds ops: %d", n)
	}

	for i := range db.MaxHolders + 3 {
		mustCreateUser(t, s, fmt.Sprintf("rm%02d@example.com", i), false, gonogo.ReleaseManager)
	}
	team, _ = s.FindTeam(ctx, "payments")
	if n, c := len(team.Holders[gonogo.ReleaseManager]), team.Count[gonogo.ReleaseManager]; n != db.MaxHolders || c != db.MaxHolders+3 {
		t.Errorf("release managers: %d listed of %d", n, c)
	}
}
