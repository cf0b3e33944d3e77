package gonogo

import (
	"fmt"
	"strings"
)

// UserUpdate is an admin's change to a user. Nil fields stay as they are.
// Password is the new password in clear: the store hashes it.
type UserUpdate struct {
	Name  *string
	Roles *RoleSet // the roles held for every product
	// Products are the roles held for some products only; they replace
	// the ones held before.
	Products *Grants
	Admin    *bool
	Disabled *bool
	Password *string
}

// Normalize trims the name and puts the roles in canonical order, so the
// same roles given in another order are no change.
func (up *UserUpdate) Normalize() {
	if up.Name != nil {
		name := strings.TrimSpace(*up.Name)
		up.Name = &name
	}
	if up.Roles != nil {
		rs := NewRoleSet(*up.Roles...)
		up.Roles = &rs
	}
	if up.Products != nil {
		gs := NewGrants(*up.Products...)
		up.Products = &gs
	}
}

// grants returns the roles u is to hold after up: each part up leaves out
// stays as it is.
func (up UserUpdate) grants(u User) Grants {
	everywhere, scoped := u.Grants.Split()
	if up.Roles != nil {
		everywhere = *up.Roles
	}
	if up.Products != nil {
		scoped = *up.Products
	}
	return NewGrants(append(Everywhere(everywhere), scoped...)...)
}

// Validate checks the name; the password is checked against the user's
// email where it is hashed (see NewPasswordProblem).
func (up UserUpdate) Validate() error {
	if up.Name != nil {
		return ValidateName(*up.Name)
	}
	return nil
}

// UserResult is the whole change to a user: the user as it is to be
// stored, which of its fields change, whether the user's sessions end, and
// the audit; no audit when nothing changes.
type UserResult struct {
	User                                   User
	Name, Roles, Admin, Disabled, Password bool // which fields change
	EndSessions                            bool
	Audit                                  *Audit
}

// UpdateUser applies an admin's change up, normalized, to u, when
// otherAdmins other enabled admins exist. Nobody may leave the board
// without an enabled admin, which would lock everyone out of
// administration. Disabling, resetting the password or changing the admin
// flag ends the user's sessions; a role change needs no such thing,
// because every request reads the user's roles afresh.
func UpdateUser(u User, up UserUpdate, otherAdmins int) (UserResult, error) {
	losing := u.Admin && !u.Disabled && ((up.Admin != nil && !*up.Admin) || (up.Disabled != nil && *up.Disabled))
	if losing && otherAdmins == 0 {
		return UserResult{}, Errorf(ECONFLICT, "%s is the last enabled admin; make someone else admin first", u.Email)
	}
	res := UserResult{User: u}
	var changes []string
	if up.Name != nil && *up.Name != u.Name {
		res.Name, res.User.Name = true, *up.Name
		changes = append(changes, fmt.Sprintf("name %q", *up.Name))
	}
	if gs := up.grants(u); gs.Text() != u.Grants.Text() {
		res.Roles, res.User.Grants, res.User.Roles = true, gs, gs.Roles()
		changes = append(changes, "roles "+gs.Text())
	}
	if up.Admin != nil && *up.Admin != u.Admin {
		res.Admin, res.User.Admin = true, *up.Admin
		changes = append(changes, fmt.Sprintf("admin %t", *up.Admin))
		res.EndSessions = true
	}
	if up.Disabled != nil && *up.Disabled != u.Disabled {
		res.Disabled, res.User.Disabled = true, *up.Disabled
		changes = append(changes, map[bool]string{true: "disabled", false: "enabled"}[*up.Disabled])
		res.EndSessions = res.EndSessions || *up.Disabled
	}
	if up.Password != nil {
		res.Password = true
		changes = append(changes, "password reset")
		res.EndSessions = true
	}
	if len(changes) > 0 {
		a := audit(ActionUserUpdate, "updated %s: %s", u.Email, strings.Join(changes, ", "))
		res.Audit = &a
	}
	return res, nil
}

// PasswordChanged is the change of a user's own password: the user's
// other sessions end, the one that made the change stays signed in.
func PasswordChanged(u User) UserResult {
	a := audit(ActionUserPassword, "changed own password")
	return UserResult{User: u, Password: true, EndSessions: true, Audit: &a}
}

// UserCreated is the audit of an admin creating the user in.
func UserCreated(in NewUser) Audit {
	admin := ""
	if in.Admin {
		admin = ", admin"
	}
	return audit(ActionUserCreate, "created user %s (%s)%s", in.Email, in.Grants().Text(), admin)
}

// FirstAdmin checks that a board with that many users may be set up with
// in as its first admin, and returns the audit of it: a board is set up
// once, so two people racing through setup cannot both become admin.
func FirstAdmin(in NewUser, users int) (Audit, error) {
	if users > 0 {
		return Audit{}, errSetUp()
	}
	return audit(ActionUserSetup, "created the first admin account %s", in.Email), nil
}

// errSetUp refuses to set up a board that has accounts already.
func errSetUp() error {
	return Errorf(ECONFLICT, "this board is already set up; sign in instead")
}

// SignedIn is the audit of a person signing in.
func SignedIn() Audit { return audit(ActionUserSignIn, "signed in") }

// SignedOut is the audit of a person signing out.
func SignedOut() Audit { return audit(ActionUserSignOut, "signed out") }

// FeedTokenMade is the audit of a person's new feed address; replaced says
// it took the place of one they had, which stops working with it.
func FeedTokenMade(replaced bool) Audit {
	if replaced {
		return audit(ActionFeedToken, "replaced the personal feed address; the old one no longer works")
	}
	return audit(ActionFeedToken, "made a personal feed address")
}

// FeedTokenRevoked is the audit of a person revoking their feed address.
func FeedTokenRevoked() Audit { return audit(ActionFeedToken, "revoked the personal feed address") }
