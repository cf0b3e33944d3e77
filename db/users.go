package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo"
)

// BcryptCost is the cost of new password hashes. Tests lower it.
var BcryptCost = bcrypt.DefaultCost

const userColumns = `u.id, u.email, u.name, u.admin, u.disabled, u.created_at,
	COALESCE((SELECT group_concat(role) FROM user_roles r WHERE r.user_id = u.id), '')`

func scanUser(sc interface{ Scan(...any) error }) (gonogo.User, error) {
	var u gonogo.User
	var created, roles string
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Admin, &u.Disabled, &created, &roles); err != nil {
		return u, err
	}
	u.CreatedAt = parseTime(created)
	u.Roles = parseRoles(roles)
	return u, nil
}

func parseRoles(s string) gonogo.RoleSet {
	var rs []gonogo.Role
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			rs = append(rs, gonogo.Role(r))
		}
	}
	return gonogo.NewRoleSet(rs...)
}

// CountUsers returns how many users exist; zero means the instance needs setup.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// CreateUser adds a user. The email must be unused.
func (s *Store) CreateUser(ctx context.Context, a gonogo.Actor, in gonogo.NewUser) (gonogo.User, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return gonogo.User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), BcryptCost)
	if err != nil {
		return gonogo.User{}, fmt.Errorf("hash password: %w", err)
	}
	var id int64
	err = s.inTx(ctx, func(tx *Tx) error {
		id, err = tx.createUser(in, string(hash))
		if err != nil {
			return err
		}
		return tx.audit(a, "user.create", 0, "created user %s (%s)%s", in.Email, rolesText(in.Roles), adminText(in.Admin))
	})
	if err != nil {
		return gonogo.User{}, err
	}
	return s.FindUser(ctx, id)
}

func (tx *Tx) createUser(in gonogo.NewUser, hash string) (int64, error) {
	res, err := tx.Exec(`INSERT INTO users (email, name, password_hash, admin, created_at) VALUES (?, ?, ?, ?, ?)`,
		in.Email, in.Name, hash, boolInt(in.Admin), fmtTime(tx.now))
	if isUnique(err) {
		return 0, gonogo.FieldErrorf("email", "%s already has an account", in.Email)
	} else if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	return id, tx.setRoles(id, in.Roles)
}

func (tx *Tx) setRoles(userID int64, roles gonogo.RoleSet) error {
	if _, err := tx.Exec(`DELETE FROM user_roles WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := tx.Exec(`INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, userID, string(r)); err != nil {
			return err
		}
	}
	return nil
}

// FindUser returns the user with id.
func (s *Store) FindUser(ctx context.Context, id int64) (gonogo.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	return u, notFound(err, "no user with id %d", id)
}

// FindUsers returns every user, by name.
func (s *Store) FindUsers(ctx context.Context) ([]gonogo.User, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.disabled, lower(u.name), u.email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gonogo.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// FindUsersWithRole returns the enabled users holding role, by name.
func (s *Store) FindUsersWithRole(ctx context.Context, role gonogo.Role) ([]gonogo.User, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users u
		WHERE u.disabled = 0 AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)
		ORDER BY lower(u.name)`, string(role))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gonogo.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Authenticate returns the enabled user with email whose password matches.
// Every failure is the same EUNAUTHORIZED error, so the answer does not
// tell whether the address has an account.
func (s *Store) Authenticate(ctx context.Context, email, password string) (gonogo.User, error) {
	fail := gonogo.Errorf(gonogo.EUNAUTHORIZED, "wrong email or password")
	var id int64
	var hash string
	var disabled bool
	err := s.read.QueryRowContext(ctx, `SELECT id, password_hash, disabled FROM users WHERE email = ?`,
		gonogo.NormalizeEmail(email)).Scan(&id, &hash, &disabled)
	if err == sql.ErrNoRows {
		// Spend the same time as a real check, so timing tells nothing either.
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return gonogo.User{}, fail
	} else if err != nil {
		return gonogo.User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || disabled {
		return gonogo.User{}, fail
	}
	return s.FindUser(ctx, id)
}

var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a password of anyone"), bcrypt.DefaultCost)

// UserUpdate is an admin's change to a user. Nil fields stay as they are.
type UserUpdate struct {
	Name     *string
	Roles    *gonogo.RoleSet
	Admin    *bool
	Disabled *bool
	Password *string
}

// UpdateUser changes a user. Disabling, resetting the password or changing
// the admin flag ends the user's sessions; a role change needs no such
// thing, because every request reads the user's roles afresh.
func (s *Store) UpdateUser(ctx context.Context, a gonogo.Actor, id int64, up UserUpdate) (gonogo.User, error) {
	if up.Name != nil {
		name := strings.TrimSpace(*up.Name)
		up.Name = &name
		if err := gonogo.ValidateName(name); err != nil {
			return gonogo.User{}, err
		}
	}
	if up.Roles != nil {
		// Canonical order, so the same roles given in another order are no change.
		rs := gonogo.NewRoleSet(*up.Roles...)
		up.Roles = &rs
	}
	var hash string
	if up.Password != nil {
		var err error
		if hash, err = s.resetHash(ctx, id, *up.Password); err != nil {
			return gonogo.User{}, err
		}
	}
	err := s.inTx(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
		if err != nil {
			return notFound(err, "no user with id %d", id)
		}
		if err := tx.guardLastAdmin(u, up); err != nil {
			return err
		}
		var changes []string
		endSessions := false
		if up.Name != nil && *up.Name != u.Name {
			if _, err := tx.Exec(`UPDATE users SET name = ? WHERE id = ?`, *up.Name, id); err != nil {
				return err
			}
			changes = append(changes, fmt.Sprintf("name %q", *up.Name))
		}
		if up.Roles != nil && rolesText(*up.Roles) != rolesText(u.Roles) {
			if err := tx.setRoles(id, *up.Roles); err != nil {
				return err
			}
			changes = append(changes, "roles "+rolesText(*up.Roles))
		}
		if up.Admin != nil && *up.Admin != u.Admin {
			if _, err := tx.Exec(`UPDATE users SET admin = ? WHERE id = ?`, boolInt(*up.Admin), id); err != nil {
				return err
			}
			changes = append(changes, fmt.Sprintf("admin %t", *up.Admin))
			endSessions = true
		}
		if up.Disabled != nil && *up.Disabled != u.Disabled {
			if _, err := tx.Exec(`UPDATE users SET disabled = ? WHERE id = ?`, boolInt(*up.Disabled), id); err != nil {
				return err
			}
			changes = append(changes, map[bool]string{true: "disabled", false: "enabled"}[*up.Disabled])
			endSessions = endSessions || *up.Disabled
		}
		if up.Password != nil {
			if _, err := tx.Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, hash, id); err != nil {
				return err
			}
			changes = append(changes, "password reset")
			endSessions = true
		}
		if len(changes) == 0 {
			return nil
		}
		if endSessions {
			if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		return tx.audit(a, "user.update", 0, "updated %s: %s", u.Email, strings.Join(changes, ", "))
	})
	if err != nil {
		return gonogo.User{}, err
	}
	return s.FindUser(ctx, id)
}

// resetHash checks the password an admin gives the user with id, against
// the user's email, and hashes it. The admin does not know the current
// password, so that rule is left to the user's own changes.
func (s *Store) resetHash(ctx context.Context, id int64, pw string) (string, error) {
	u, err := s.FindUser(ctx, id)
	if err != nil {
		return "", err
	}
	if msg := gonogo.NewPasswordProblem(pw, u.Email, ""); msg != "" {
		return "", gonogo.FieldErrorf("password", "%s", msg)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), BcryptCost)
	return string(h), err
}

// guardLastAdmin refuses a change that would leave no enabled admin, which
// would lock everyone out of administration.
func (tx *Tx) guardLastAdmin(u gonogo.User, up UserUpdate) error {
	losing := u.Admin && !u.Disabled &&
		((up.Admin != nil && !*up.Admin) || (up.Disabled != nil && *up.Disabled))
	if !losing {
		return nil
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM users WHERE admin = 1 AND disabled = 0 AND id <> ?`, u.ID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return gonogo.Errorf(gonogo.ECONFLICT, "%s is the last enabled admin; make someone else admin first", u.Email)
	}
	return nil
}

// ChangePassword lets a user change their own password after proving the
// current one. Their other sessions end; keepSession (the hash of the
// session making the change) stays signed in. The new password is judged
// first, so a form that would fail anyway costs no bcrypt check: an error
// on "current" is the one sign that the current password was checked and
// found wrong.
func (s *Store) ChangePassword(ctx context.Context, a gonogo.Actor, current, next, keepSession string) error {
	var hash, email string
	err := s.read.QueryRowContext(ctx, `SELECT password_hash, email FROM users WHERE id = ?`, a.UserID).Scan(&hash, &email)
	if err != nil {
		return notFound(err, "no such user")
	}
	if msg := gonogo.NewPasswordProblem(next, email, current); msg != "" {
		return gonogo.FieldErrorf("new", "%s", msg)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(current)) != nil {
		return gonogo.FieldErrorf("current", "the current password is wrong")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(next), BcryptCost)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, string(h), a.UserID); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?`, a.UserID, keepSession); err != nil {
			return err
		}
		return tx.audit(a, "user.password", 0, "changed own password")
	})
}

func rolesText(rs gonogo.RoleSet) string {
	if len(rs) == 0 {
		return "no roles"
	}
	var parts []string
	for _, r := range rs {
		parts = append(parts, string(r))
	}
	return strings.Join(parts, ", ")
}

func adminText(admin bool) string {
	if admin {
		return ", admin"
	}
	return ""
}

// CreateFirstAdmin creates the first account of a new instance as an admin.
// It refuses once any user exists, checked inside the transaction, so two
// people racing through setup cannot both become admin.
func (s *Store) CreateFirstAdmin(ctx context.Context, in gonogo.NewUser) (gonogo.User, error) {
	in.Normalize()
	in.Admin = true
	if err := in.Validate(); err != nil {
		return gonogo.User{}, err
	}
	// Refuse a set-up board before hashing: /setup is open to anyone, and
	// a bcrypt hash is the costliest thing a request can ask for. The
	// transaction checks again, for two people racing through setup.
	if n, err := s.CountUsers(ctx); err != nil {
		return gonogo.User{}, err
	} else if n > 0 {
		return gonogo.User{}, errSetUp()
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), BcryptCost)
	if err != nil {
		return gonogo.User{}, err
	}
	var id int64
	err = s.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errSetUp()
		}
		if id, err = tx.createUser(in, string(hash)); err != nil {
			return err
		}
		return tx.audit(gonogo.Actor{UserID: id, Name: in.Name}, "user.setup", 0, "created the first admin account %s", in.Email)
	})
	if err != nil {
		return gonogo.User{}, err
	}
	return s.FindUser(ctx, id)
}

func errSetUp() error {
	return gonogo.Errorf(gonogo.ECONFLICT, "this board is already set up; sign in instead")
}
