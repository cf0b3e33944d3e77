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
	COALESCE((SELECT group_concat(role || '@' || product) FROM user_roles r WHERE r.user_id = u.id), '')`

func scanUser(sc interface{ Scan(...any) error }) (gonogo.User, error) {
	var u gonogo.User
	var roles string
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Admin, &u.Disabled, (*Time)(&u.CreatedAt), &roles); err != nil {
		return u, err
	}
	u.Grants = parseGrants(roles)
	u.Roles = u.Grants.Roles()
	return u, nil
}

// parseGrants reads user_roles as userColumns lists them: role@product,
// comma-separated, the product empty for every product. Keys hold no
// comma or @ (gonogo.ValidateProductKey).
func parseGrants(s string) gonogo.Grants {
	gs := gonogo.Grants{}
	for part := range strings.SplitSeq(s, ",") {
		role, product, _ := strings.Cut(part, "@")
		if role != "" {
			gs = append(gs, gonogo.Grant{Role: gonogo.Role(role), Product: product})
		}
	}
	return gonogo.NewGrants(gs...)
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
		return tx.record(a, 0, gonogo.UserCreated(in))
	})
	if err != nil {
		return gonogo.User{}, err
	}
	return s.FindUser(ctx, id)
}

func (tx *Tx) createUser(in gonogo.NewUser, hash string) (int64, error) {
	res, err := tx.Exec(`INSERT INTO users (email, name, password_hash, admin, created_at) VALUES (?, ?, ?, ?, ?)`,
		in.Email, in.Name, hash, boolInt(in.Admin), Time(tx.now))
	if isUnique(err) {
		return 0, gonogo.FieldErrorf("email", "%s already has an account", in.Email)
	} else if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	return id, tx.setGrants(id, in.Grants())
}

// setGrants makes gs the roles given to the user by hand. A role a group
// of the identity provider gives stays the group's, unless gs names it:
// then an admin gave it by hand too, and it stays when the group goes.
func (tx *Tx) setGrants(userID int64, gs gonogo.Grants) error {
	if _, err := tx.Exec(`DELETE FROM user_roles WHERE user_id = ? AND source = 'hand'`, userID); err != nil {
		return err
	}
	for _, g := range gs {
		if _, err := tx.Exec(`INSERT INTO user_roles (user_id, role, product, source) VALUES (?, ?, ?, 'hand')
			ON CONFLICT (user_id, role, product) DO UPDATE SET source = 'hand'`, userID, string(g.Role), g.Product); err != nil {
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
	return s.FindUserPage(ctx, 0, -1)
}

// FindUserPage returns up to limit users in FindUsers' order, skipping the
// first offset (a negative limit means all): the admin page reads a
// company's people a page at a time.
func (s *Store) FindUserPage(ctx context.Context, offset, limit int) ([]gonogo.User, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.disabled, lower(u.name), u.email, u.id
		LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanUser)
}

// FindUsersWithRole returns the enabled users holding role, by name.
func (s *Store) FindUsersWithRole(ctx context.Context, role gonogo.Role) ([]gonogo.User, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users u
		WHERE u.disabled = 0 AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)
		ORDER BY lower(u.name)`, string(role))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanUser)
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

// UserUpdate is an admin's change to a user (see gonogo.UserUpdate).
type UserUpdate = gonogo.UserUpdate

// UpdateUser changes a user as gonogo.UpdateUser makes of up, judged on
// the user and the other enabled admins as they are inside the transaction.
func (s *Store) UpdateUser(ctx context.Context, a gonogo.Actor, id int64, up UserUpdate) (gonogo.User, error) {
	up.Normalize()
	if err := up.Validate(); err != nil {
		return gonogo.User{}, err
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
		if err := tx.handOnly(&u, &up); err != nil {
			return err
		}
		if up.Products != nil {
			keys, err := tx.productKeys()
			if err != nil {
				return err
			}
			if err := up.Products.CheckProducts(keys); err != nil {
				return err
			}
		}
		var admins int
		if err := tx.QueryRow(`SELECT count(*) FROM users WHERE admin = 1 AND disabled = 0 AND id <> ?`, id).Scan(&admins); err != nil {
			return err
		}
		res, err := gonogo.UpdateUser(u, up, admins)
		if err != nil {
			return err
		}
		return tx.applyUser(a, res, hash, "")
	})
	if err != nil {
		return gonogo.User{}, err
	}
	return s.FindUser(ctx, id)
}

// applyUser writes a change to a user the domain made, with hash as the
// new password's if it changes, ends the user's sessions if it says so
// (all but keepSession), and records the audit.
func (tx *Tx) applyUser(a gonogo.Actor, res gonogo.UserResult, hash, keepSession string) error {
	if res.Audit == nil {
		return nil
	}
	u := res.User
	sets := []struct {
		change bool
		query  string
		arg    any
	}{
		{res.Name, `UPDATE users SET name = ? WHERE id = ?`, u.Name},
		{res.Admin, `UPDATE users SET admin = ? WHERE id = ?`, boolInt(u.Admin)},
		{res.Disabled, `UPDATE users SET disabled = ? WHERE id = ?`, boolInt(u.Disabled)},
		{res.Password, `UPDATE users SET password_hash = ? WHERE id = ?`, hash},
	}
	for _, set := range sets {
		if !set.change {
			continue
		}
		if _, err := tx.Exec(set.query, set.arg, u.ID); err != nil {
			return err
		}
	}
	if res.Roles {
		if err := tx.setGrants(u.ID, u.Grants); err != nil {
			return err
		}
	}
	if res.EndSessions {
		if err := tx.endSessions(u.ID, keepSession); err != nil {
			return err
		}
	}
	return tx.record(a, 0, *res.Audit)
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
		return tx.applyUser(a, gonogo.PasswordChanged(gonogo.User{ID: a.UserID}), string(h), keepSession)
	})
}

// endSessions signs a user out everywhere but keepSession, if given.
func (tx *Tx) endSessions(userID int64, keepSession string) error {
	var err error
	if keepSession == "" {
		_, err = tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, userID)
	} else {
		_, err = tx.Exec(`DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?`, userID, keepSession)
	}
	return err
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
	} else if _, err := gonogo.FirstAdmin(in, n); err != nil {
		return gonogo.User{}, err
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
		au, err := gonogo.FirstAdmin(in, n)
		if err != nil {
			return err
		}
		if id, err = tx.createUser(in, string(hash)); err != nil {
			return err
		}
		return tx.record(gonogo.Actor{UserID: id, Name: in.Name}, 0, au)
	})
	if err != nil {
		return gonogo.User{}, err
	}
	return s.FindUser(ctx, id)
}
