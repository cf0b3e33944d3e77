package db_test

import (
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// TestCreateUserWithOperatorPassword: the demo's shared password, set by
// the operator, needs only ten characters (gonogo-demo is eleven), where a
// person's needs twelve; everything else is checked as for anyone.
func TestCreateUserWithOperatorPassword(t *testing.T) {
	s := db.OpenTest(t)
	in := gonogo.NewUser{Email: "PO@example.com ", Name: "Priya", Password: "gonogo-demo", Roles: gonogo.RoleSet{gonogo.ProductOwner}}
	if _, err := s.CreateUser(t.Context(), gonogo.SystemActor, in); gonogo.ErrorFields(err)["password"] == "" {
		t.Fatalf("CreateUser took an 11-character password: %v", err)
	}
	in.OperatorSet = true
	u, err := s.CreateUser(t.Context(), gonogo.SystemActor, in)
	if err != nil || u.Email != "po@example.com" || !u.Roles.Has(gonogo.ProductOwner) {
		t.Fatalf("created %+v, %v", u, err)
	}
	if _, err := s.Authenticate(t.Context(), "po@example.com", "gonogo-demo"); err != nil {
		t.Fatalf("sign-in with the operator's password: %v", err)
	}
	if e := lastEvent(t, s); e.Action != "user.create" {
		t.Errorf("audited %q, want user.create", e.Action)
	}
	short := gonogo.NewUser{Email: "not an email", Name: "", Password: "short", OperatorSet: true}
	_, err = s.CreateUser(t.Context(), gonogo.SystemActor, short)
	wantFields(t, err, "email", "name", "password")
}
