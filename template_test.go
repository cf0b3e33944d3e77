package gonogo_test

import (
	"slices"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestMoveTemplateItem(t *testing.T) {
	order := []int64{4, 7, 9}
	got, au, moved, err := gonogo.MoveTemplateItem(order, 7, -1)
	if err != nil || !moved || !slices.Equal(got, []int64{7, 4, 9}) {
		t.Fatalf("up: %v %v %v", got, moved, err)
	}
	if au.Action != gonogo.ActionTemplateMove || au.Detail != "moved template item 7" {
		t.Errorf("audit = %+v", au)
	}
	if !slices.Equal(order, []int64{4, 7, 9}) {
		t.Errorf("the caller's order changed: %v", order)
	}
	if _, _, moved, err := gonogo.MoveTemplateItem(order, 9, +1); err != nil || moved {
		t.Errorf("past the end: moved %v, %v; want no change", moved, err)
	}
	if _, _, _, err := gonogo.MoveTemplateItem(order, 5, +1); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
		t.Errorf("missing item: %v", err)
	}
}

func TestChangeTeamSettings(t *testing.T) {
	if _, err := gonogo.ChangeTeamSettings(gonogo.TeamSettings{Zone: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	for _, zone := range []string{"Mars/Olympus", "../etc/passwd"} {
		_, err := gonogo.ChangeTeamSettings(gonogo.TeamSettings{Zone: zone})
		if gonogo.ErrorFields(err)["zone"] == "" {
			t.Errorf("%q: %v; want a zone field error", zone, err)
		}
	}
}

func TestCheckManager(t *testing.T) {
	rm := gonogo.User{ID: 3, Roles: gonogo.NewRoleSet(gonogo.ReleaseManager)}
	if err := gonogo.CheckManager(rm, true, "payments"); err != nil {
		t.Fatal(err)
	}
	// A release manager for one product manages that product's releases.
	web := gonogo.User{ID: 5, Roles: gonogo.RoleSet{gonogo.ReleaseManager}, Grants: gonogo.Grants{{Role: gonogo.ReleaseManager, Product: "web"}}}
	if err := gonogo.CheckManager(web, true, "web"); err != nil {
		t.Fatal(err)
	}
	if gonogo.ErrorFields(gonogo.CheckManager(web, true, "payments"))["manager"] == "" {
		t.Error("web's release manager may manage a payments release")
	}
	disabled := rm
	disabled.Disabled = true
	po := gonogo.User{ID: 4, Roles: gonogo.NewRoleSet(gonogo.ProductOwner)}
	for name, c := range map[string]struct {
		u     gonogo.User
		found bool
	}{"missing": {gonogo.User{}, false}, "disabled": {disabled, true}, "not a release manager": {po, true}} {
		if gonogo.ErrorFields(gonogo.CheckManager(c.u, c.found, "payments"))["manager"] == "" {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestRevokeToken(t *testing.T) {
	tok := gonogo.Token{Name: "ci"}
	if au, err := gonogo.RevokeToken(tok); err != nil || au.Detail != `revoked API token "ci"` {
		t.Fatalf("%+v %v", au, err)
	}
	tok.RevokedAt = t0
	if _, err := gonogo.RevokeToken(tok); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Errorf("revoking twice: %v; want a conflict", err)
	}
}
