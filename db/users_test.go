package db_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

func ptr[T any](v T) *T { return &v }

// mustCreateSession signs u in with a session whose hash is idHash.
func mustCreateSession(t *testing.T, s *db.Store, u gonogo.User, idHash string) {
	t.Helper()
	if err := s.CreateSession(t.Context(), actor(u), idHash); err != nil {
		t.Fatalf("create session %s: %v", idHash, err)
	}
}

// hasSession reports whether the session with idHash still exists.
func hasSession(t *testing.T, s *db.Store, idHash string) bool {
	t.Helper()
	_, err := s.FindSession(t.Context(), idHash)
	switch gonogo.ErrorCode(err) {
	case "":
		return true
	case gonogo.ENOTFOUND:
		return false
	}
	t.Fatalf("find session %s: %v", idHash, err)
	return false
}

func TestCreateUser(t *testing.T) {
	s := db.OpenTest(t)
	admin := mustCreateUser(t, s, "admin@example.com", true)
	u, err := s.CreateUser(t.Context(), actor(admin), gonogo.NewUser{
		Email: "  Quinn@Example.com ", Name: " Quinn Tester ", Password: testPassword,
		Roles: gonogo.RoleSet{gonogo.ReleaseManager, gonogo.QALead},
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.ID == 0 || u.Email != "quinn@example.com" || u.Name != "Quinn Tester" || u.Admin || u.Disabled || u.CreatedAt.IsZero() ||
		!slices.Equal(u.Roles, gonogo.RoleSet{gonogo.QALead, gonogo.ReleaseManager}) {
		t.Errorf("user = %+v", u)
	}
	if got, err := s.FindUser(t.Context(), u.ID); err != nil || !equalUsers(got, u) {
		t.Errorf("FindUser = %+v, %v", got, err)
	}
	e := lastEvent(t, s)
	if e.Action != "user.create" || e.ActorID != admin.ID || e.ReleaseID != 0 || !strings.Contains(e.Detail, "quinn@example.com") {
		t.Errorf("event = %+v", e)
	}
	if strings.Contains(e.Detail, testPassword) {
		t.Error("the audit trail holds the password")
	}
	var hash string
	if err := rawDB(t, s).QueryRow(`SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&hash); err != nil || !strings.HasPrefix(hash, "$2") {
		t.Errorf("stored password %q is not a bcrypt hash", hash)
	}

	tests := []struct {
		name   string
		in     gonogo.NewUser
		fields []string
	}{
		{"same email", gonogo.NewUser{Email: "quinn@example.com", Name: "Q2", Password: testPassword}, []string{"email"}},
		{"same email in capitals", gonogo.NewUser{Email: "QUINN@EXAMPLE.COM", Name: "Q2", Password: testPassword}, []string{"email"}},
		{"same email with spaces", gonogo.NewUser{Email: " Quinn@example.com", Name: "Q2", Password: testPassword}, []string{"email"}},
		{"invalid", gonogo.NewUser{Email: "nope", Password: "short"}, []string{"email", "name", "password"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			users, events := count(t, s, "users"), count(t, s, "audit_events")
			_, err := s.CreateUser(t.Context(), actor(admin), tc.in)
			wantFields(t, err, tc.fields...)
			if count(t, s, "users") != users || count(t, s, "audit_events") != events {
				t.Error("a refused user left rows behind")
			}
		})
	}
	t.Run("roles in any order, twice, or unknown", func(t *testing.T) {
		u, err := s.CreateUser(t.Context(), actor(admin), gonogo.NewUser{Email: "ops@example.com", Name: "Oskar", Password: testPassword,
			Roles: gonogo.RoleSet{gonogo.ReleaseManager, gonogo.Ops, gonogo.Ops, "admin"}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(u.Roles, gonogo.RoleSet{gonogo.Ops, gonogo.ReleaseManager}) {
			t.Errorf("roles = %v", u.Roles)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		_, err := s.FindUser(t.Context(), 9999)
		wantCode(t, err, gonogo.ENOTFOUND)
	})
}

func equalUsers(a, b gonogo.User) bool {
	return a.ID == b.ID && a.Email == b.Email && a.Name == b.Name && a.Admin == b.Admin && a.Disabled == b.Disabled &&
		a.CreatedAt.Equal(b.CreatedAt) && slices.Equal(a.Roles, b.Roles)
}

func TestFindUsersWithRole(t *testing.T) {
	s := db.OpenTest(t)
	rita := mustCreateUser(t, s, "rita@example.com", false, gonogo.ReleaseManager)
	mustCreateUser(t, s, "qa@example.com", false, gonogo.QALead)
	gone := mustCreateUser(t, s, "gone@example.com", false, gonogo.ReleaseManager)
	if _, err := s.UpdateUser(t.Context(), gonogo.SystemActor, gone.ID, db.UserUpdate{Disabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	rms, err := s.FindUsersWithRole(t.Context(), gonogo.ReleaseManager)
	if err != nil || len(rms) != 1 || rms[0].ID != rita.ID {
		t.Fatalf("FindUsersWithRole = %+v, %v; want only %s", rms, err, rita.Email)
	}
	all, err := s.FindUsers(t.Context())
	if err != nil || len(all) != 3 || all[len(all)-1].ID != gone.ID {
		t.Fatalf("FindUsers = %+v, %v; want 3 with the disabled user last", all, err)
	}
}

func TestAuthenticate(t *testing.T) {
	s := db.OpenTest(t)
	quinn := mustCreateUser(t, s, "quinn@example.com", false, gonogo.QALead)
	gone := mustCreateUser(t, s, "gone@example.com", false, gonogo.QALead)
	if _, err := s.UpdateUser(t.Context(), gonogo.SystemActor, gone.ID, db.UserUpdate{Disabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, email, password string
		wantID                int64 // 0 means refused
	}{
		{"right password", "quinn@example.com", testPassword, quinn.ID},
		{"email in capitals with spaces", "  QUINN@example.com ", testPassword, quinn.ID},
		{"wrong password", "quinn@example.com", testPassword + "!", 0},
		{"password in other case", "quinn@example.com", strings.ToUpper(testPassword), 0},
		{"empty password", "quinn@example.com", "", 0},
		{"unknown email", "nobody@example.com", testPassword, 0},
		{"disabled user with the right password", "gone@example.com", testPassword, 0},
	}
	var refusal string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := s.Authenticate(t.Context(), tc.email, tc.password)
			if tc.wantID != 0 {
				if err != nil || u.ID != tc.wantID {
					t.Fatalf("Authenticate = %+v, %v; want user %d", u, err, tc.wantID)
				}
				return
			}
			wantCode(t, err, gonogo.EUNAUTHORIZED)
			if u.ID != 0 {
				t.Errorf("refused, yet returned user %d", u.ID)
			}
			// Every refusal reads the same, so it does not tell whether an account exists.
			if refusal == "" {
				refusal = gonogo.ErrorMessage(err)
			} else if msg := gonogo.ErrorMessage(err); msg != refusal {
				t.Errorf("message %q differs from %q", msg, refusal)
			}
		})
	}
}

func TestUpdateUser(t *testing.T) {
	s := db.OpenTest(t)
	admin := mustCreateUser(t, s, "admin@example.com", true)
	bystander := mustCreateUser(t, s, "ops@example.com", false, gonogo.Ops)
	mustCreateSession(t, s, bystander, "bystander")

	tests := []struct {
		name         string
		up           db.UserUpdate
		endsSessions bool
		check        func(t *testing.T, u gonogo.User)
	}{
		{"roles", db.UserUpdate{Roles: ptr(gonogo.RoleSet{gonogo.ReleaseManager, gonogo.QALead})}, false, func(t *testing.T, u gonogo.User) {
			if !slices.Equal(u.Roles, gonogo.RoleSet{gonogo.QALead, gonogo.ReleaseManager}) {
				t.Errorf("roles = %v", u.Roles)
			}
		}},
		{"no roles", db.UserUpdate{Roles: ptr(gonogo.RoleSet{})}, false, func(t *testing.T, u gonogo.User) {
			if len(u.Roles) != 0 {
				t.Errorf("roles = %v", u.Roles)
			}
		}},
		{"name", db.UserUpdate{Name: ptr("  Quinn Q. ")}, false, func(t *testing.T, u gonogo.User) {
			if u.Name != "Quinn Q." {
				t.Errorf("name = %q", u.Name)
			}
		}},
		{"disable", db.UserUpdate{Disabled: ptr(true)}, true, func(t *testing.T, u gonogo.User) {
			if !u.Disabled {
				t.Error("not disabled")
			}
			_, err := s.Authenticate(t.Context(), u.Email, testPassword)
			wantCode(t, err, gonogo.EUNAUTHORIZED)
		}},
		{"password reset", db.UserUpdate{Password: ptr("a brand new secret")}, true, func(t *testing.T, u gonogo.User) {
			_, err := s.Authenticate(t.Context(), u.Email, testPassword)
			wantCode(t, err, gonogo.EUNAUTHORIZED)
			if _, err := s.Authenticate(t.Context(), u.Email, "a brand new secret"); err != nil {
				t.Errorf("new password refused: %v", err)
			}
		}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := mustCreateUser(t, s, fmt.Sprintf("user%d@example.com", i), false, gonogo.QALead)
			mustCreateSession(t, s, u, fmt.Sprintf("user%d-laptop", i))
			mustCreateSession(t, s, u, fmt.Sprintf("user%d-phone", i))

			got, err := s.UpdateUser(t.Context(), actor(admin), u.ID, tc.up)
			if err != nil {
				t.Fatalf("UpdateUser: %v", err)
			}
			tc.check(t, got)
			for _, h := range []string{fmt.Sprintf("user%d-laptop", i), fmt.Sprintf("user%d-phone", i)} {
				if kept := hasSession(t, s, h); kept == tc.endsSessions {
					t.Errorf("session %s kept: %t, want %t", h, kept, !tc.endsSessions)
				}
			}
			if !hasSession(t, s, "bystander") {
				t.Error("another user's session ended")
			}
			if e := lastEvent(t, s); e.Action != "user.update" || e.ActorID != admin.ID || !strings.Contains(e.Detail, u.Email) {
				t.Errorf("event = %+v", e)
			}
		})
	}

	t.Run("role change shows in the session at once", func(t *testing.T) {
		u := mustCreateUser(t, s, "promoted@example.com", false, gonogo.QALead)
		mustCreateSession(t, s, u, "promoted")
		if _, err := s.UpdateUser(t.Context(), actor(admin), u.ID, db.UserUpdate{Roles: ptr(gonogo.RoleSet{gonogo.ReleaseManager})}); err != nil {
			t.Fatal(err)
		}
		ss, err := s.FindSession(t.Context(), "promoted")
		if err != nil || !slices.Equal(ss.User.Roles, gonogo.RoleSet{gonogo.ReleaseManager}) {
			t.Fatalf("session user roles = %v, %v", ss.User.Roles, err)
		}
	})
	t.Run("no change writes nothing", func(t *testing.T) {
		u := mustCreateUser(t, s, "same@example.com", false, gonogo.QALead)
		events := count(t, s, "audit_events")
		if _, err := s.UpdateUser(t.Context(), actor(admin), u.ID, db.UserUpdate{
			Name: ptr(u.Name), Roles: ptr(gonogo.RoleSet{gonogo.QALead, gonogo.QALead}), Disabled: ptr(false), Admin: ptr(false),
		}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, s, "audit_events"); n != events {
			t.Errorf("%d events, want %d", n, events)
		}
	})
	t.Run("same roles in another order is no change", func(t *testing.T) {
		u := mustCreateUser(t, s, "two@example.com", false, gonogo.QALead, gonogo.ReleaseManager)
		events := count(t, s, "audit_events")
		got, err := s.UpdateUser(t.Context(), actor(admin), u.ID, db.UserUpdate{Roles: ptr(gonogo.RoleSet{gonogo.ReleaseManager, gonogo.QALead})})
		if err != nil || !slices.Equal(got.Roles, u.Roles) {
			t.Fatalf("UpdateUser = %v, %v", got.Roles, err)
		}
		if n := count(t, s, "audit_events"); n != events {
			t.Errorf("%d events, want %d", n, events)
		}
	})
	t.Run("refused", func(t *testing.T) {
		u := mustCreateUser(t, s, "refused@example.com", false, gonogo.QALead)
		tests := []struct {
			name  string
			id    int64
			up    db.UserUpdate
			code  string
			field string
		}{
			{"weak password", u.ID, db.UserUpdate{Password: ptr("short")}, gonogo.EINVALID, "password"},
			{"eleven characters", u.ID, db.UserUpdate{Password: ptr("elevenchars")}, gonogo.EINVALID, "password"},
			{"the user's own email", u.ID, db.UserUpdate{Password: ptr("Refused@Example.com")}, gonogo.EINVALID, "password"},
			{"blank name", u.ID, db.UserUpdate{Name: ptr("  ")}, gonogo.EINVALID, "name"},
			{"unknown user", 9999, db.UserUpdate{Disabled: ptr(true)}, gonogo.ENOTFOUND, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				events := count(t, s, "audit_events")
				_, err := s.UpdateUser(t.Context(), actor(admin), tc.id, tc.up)
				if tc.field != "" {
					wantFields(t, err, tc.field)
				} else {
					wantCode(t, err, tc.code)
				}
				if count(t, s, "audit_events") != events {
					t.Error("a refused update was audited")
				}
			})
		}
	})
}

func TestGuardLastAdmin(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, s *db.Store) // other users besides the target admin
		up    db.UserUpdate
		code  string
	}{
		{"disable the only admin", nil, db.UserUpdate{Disabled: ptr(true)}, gonogo.ECONFLICT},
		{"demote the only admin", nil, db.UserUpdate{Admin: ptr(false)}, gonogo.ECONFLICT},
		{"demote and disable the only admin", nil, db.UserUpdate{Admin: ptr(false), Disabled: ptr(true)}, gonogo.ECONFLICT},
		{"the other admin is disabled", func(t *testing.T, s *db.Store) {
			other := mustCreateUser(t, s, "other@example.com", true)
			if _, err := s.UpdateUser(t.Context(), gonogo.SystemActor, other.ID, db.UserUpdate{Disabled: ptr(true)}); err != nil {
				t.Fatal(err)
			}
		}, db.UserUpdate{Disabled: ptr(true)}, gonogo.ECONFLICT},
		{"a non-admin with every role does not count", func(t *testing.T, s *db.Store) {
			mustCreateUser(t, s, "rm@example.com", false, gonogo.Roles...)
		}, db.UserUpdate{Admin: ptr(false)}, gonogo.ECONFLICT},
		{"another enabled admin: disable", func(t *testing.T, s *db.Store) {
			mustCreateUser(t, s, "other@example.com", true)
		}, db.UserUpdate{Disabled: ptr(true)}, ""},
		{"another enabled admin: demote", func(t *testing.T, s *db.Store) {
			mustCreateUser(t, s, "other@example.com", true)
		}, db.UserUpdate{Admin: ptr(false)}, ""},
		{"other changes to the only admin", nil, db.UserUpdate{Name: ptr("Still Admin"), Roles: ptr(gonogo.RoleSet{gonogo.Ops})}, ""},
		{"keeping the only admin an admin", nil, db.UserUpdate{Admin: ptr(true), Disabled: ptr(false)}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := db.OpenTest(t)
			admin := mustCreateUser(t, s, "admin@example.com", true)
			mustCreateSession(t, s, admin, "admin-session")
			if tc.setup != nil {
				tc.setup(t, s)
			}
			events := count(t, s, "audit_events")
			_, err := s.UpdateUser(t.Context(), actor(admin), admin.ID, tc.up)
			wantCode(t, err, tc.code)
			if tc.code == "" {
				return
			}
			after, _ := s.FindUser(t.Context(), admin.ID)
			if !equalUsers(after, admin) || count(t, s, "audit_events") != events || !hasSession(t, s, "admin-session") {
				t.Errorf("a refused change altered the admin: %+v", after)
			}
		})
	}
}

func TestCreateFirstAdmin(t *testing.T) {
	in := gonogo.NewUser{Email: "Avery@example.com", Name: "Avery", Password: testPassword, Roles: gonogo.RoleSet{gonogo.ReleaseManager}}

	t.Run("on a new board", func(t *testing.T) {
		s := db.OpenTest(t)
		u, err := s.CreateFirstAdmin(t.Context(), in)
		if err != nil {
			t.Fatal(err)
		}
		if !u.Admin || u.Email != "avery@example.com" || !u.Roles.Has(gonogo.ReleaseManager) {
			t.Errorf("user = %+v", u)
		}
		if e := lastEvent(t, s); e.Action != "user.setup" || e.ActorID != u.ID {
			t.Errorf("event = %+v", e)
		}
		_, err = s.CreateFirstAdmin(t.Context(), gonogo.NewUser{Email: "eve@example.com", Name: "Eve", Password: testPassword})
		wantCode(t, err, gonogo.ECONFLICT)
		if n := count(t, s, "users"); n != 1 {
			t.Errorf("%d users, want 1", n)
		}
	})
	t.Run("refused once any user exists", func(t *testing.T) {
		s := db.OpenTest(t)
		mustCreateUser(t, s, "someone@example.com", false)
		_, err := s.CreateFirstAdmin(t.Context(), in)
		wantCode(t, err, gonogo.ECONFLICT)
	})
	t.Run("invalid", func(t *testing.T) {
		s := db.OpenTest(t)
		_, err := s.CreateFirstAdmin(t.Context(), gonogo.NewUser{Email: "avery@example.com", Name: "Avery", Password: "short"})
		wantFields(t, err, "password")
		if n := count(t, s, "users"); n != 0 {
			t.Errorf("%d users, want 0", n)
		}
	})
	t.Run("racing through setup, one wins", func(t *testing.T) {
		s := db.OpenTest(t)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.CreateFirstAdmin(t.Context(), gonogo.NewUser{
					Email: fmt.Sprintf("admin%d@example.com", i), Name: fmt.Sprintf("Admin %d", i), Password: testPassword,
				})
			}()
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch gonogo.ErrorCode(err) {
			case "":
				won++
			case gonogo.ECONFLICT:
			default:
				t.Errorf("racer %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Errorf("%d racers became admin, want 1", won)
		}
		if users := count(t, s, "users"); users != 1 {
			t.Errorf("%d users, want 1", users)
		}
	})
}

func TestChangePassword(t *testing.T) {
	s := db.OpenTest(t)
	u := mustCreateUser(t, s, "quinn@example.com", false, gonogo.QALead)
	other := mustCreateUser(t, s, "ops@example.com", false, gonogo.Ops)
	for _, h := range []string{"this-browser", "old-laptop", "phone"} {
		mustCreateSession(t, s, u, h)
	}
	mustCreateSession(t, s, other, "ops-browser")

	t.Run("wrong current password", func(t *testing.T) {
		err := s.ChangePassword(t.Context(), actor(u), "not it at all", "a brand new secret", "this-browser")
		wantFields(t, err, "current")
		if !hasSession(t, s, "old-laptop") {
			t.Error("a refused change ended a session")
		}
	})
	t.Run("weak new password", func(t *testing.T) {
		err := s.ChangePassword(t.Context(), actor(u), testPassword, "short", "this-browser")
		wantFields(t, err, "new")
	})
	t.Run("the current password again", func(t *testing.T) {
		err := s.ChangePassword(t.Context(), actor(u), testPassword, testPassword, "this-browser")
		wantFields(t, err, "new")
	})
	t.Run("the email as the new password", func(t *testing.T) {
		err := s.ChangePassword(t.Context(), actor(u), testPassword, "quinn@example.com", "this-browser")
		wantFields(t, err, "new")
	})
	t.Run("unknown user", func(t *testing.T) {
		err := s.ChangePassword(t.Context(), gonogo.Actor{UserID: 9999}, testPassword, "a brand new secret", "")
		wantCode(t, err, gonogo.ENOTFOUND)
	})
	if _, err := s.Authenticate(t.Context(), u.Email, testPassword); err != nil {
		t.Fatalf("refused changes altered the password: %v", err)
	}

	t.Run("changed", func(t *testing.T) {
		if err := s.ChangePassword(t.Context(), actor(u), testPassword, "a brand new secret", "this-browser"); err != nil {
			t.Fatal(err)
		}
		for h, want := range map[string]bool{"this-browser": true, "old-laptop": false, "phone": false, "ops-browser": true} {
			if got := hasSession(t, s, h); got != want {
				t.Errorf("session %s kept: %t, want %t", h, got, want)
			}
		}
		_, err := s.Authenticate(t.Context(), u.Email, testPassword)
		wantCode(t, err, gonogo.EUNAUTHORIZED)
		if _, err := s.Authenticate(t.Context(), u.Email, "a brand new secret"); err != nil {
			t.Errorf("new password refused: %v", err)
		}
		if e := lastEvent(t, s); e.Action != "user.password" || e.ActorID != u.ID || strings.Contains(e.Detail, "brand new") {
			t.Errorf("event = %+v", e)
		}
	})
}
