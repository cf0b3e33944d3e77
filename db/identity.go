package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/gonogo/gonogo"
)

// maxIDTokenLen bounds the ID token a session keeps for signing out at the
// provider. Tokens that list many groups run to a few kilobytes; a longer
// one is not kept, and the sign-out goes to the provider without the hint.
const maxIDTokenLen = 16 << 10

// IdentitySignIn is a sign-in through an OpenID provider: the identity its
// verified ID token vouches for, where the browser is, the hash of the new
// session's id, and the raw ID token, kept for the sign-out.
type IdentitySignIn struct {
	Identity    gonogo.Identity
	RemoteAddr  string
	SessionHash string
	IDToken     string
	// Warn, if set, hears what the sign-in did that the operator should
	// know of: an admin flag the person's groups no longer give, kept
	// because they are the board's last enabled admin.
	Warn func(msg string)
}

// SignInWith signs a person in through their provider, in one transaction:
// it finds their account by the identity's link, or links the account with
// the identity's verified email, or makes one just in time, as
// gonogo.PlanSignIn decides; keeps the groups the token named and gives
// the roles they map to (syncGroups); starts the session; and audits each
// step.
func (s *Store) SignInWith(ctx context.Context, in IdentitySignIn) (gonogo.User, error) {
	id := in.Identity
	id.Normalize()
	if err := id.Validate(); err != nil {
		return gonogo.User{}, err
	}
	groups, err := json.Marshal(append([]string{}, id.Groups...))
	if err != nil {
		return gonogo.User{}, err
	}
	var userID int64
	var warning string
	err = s.inTx(ctx, func(tx *Tx) error {
		u, err := tx.signInUser(id, in.RemoteAddr, string(groups))
		if err != nil {
			return err
		}
		userID = u.ID
		a := gonogo.Actor{UserID: u.ID, Name: u.DisplayName(), RemoteAddr: in.RemoteAddr}
		if warning, err = tx.syncGroups(a, u, id.Groups); err != nil {
			return err
		}
		return tx.startIdentitySession(a, id.Issuer, in.SessionHash, in.IDToken)
	})
	if err != nil {
		return gonogo.User{}, err
	}
	if warning != "" && in.Warn != nil {
		in.Warn(warning)
	}
	return s.FindUser(ctx, userID)
}

// signInUser finds or makes the account id signs in to, as the domain
// plans it, and records the identity's email and groups as of now.
func (tx *Tx) signInUser(id gonogo.Identity, remoteAddr, groups string) (gonogo.User, error) {
	linked, err := tx.optionalUser(`SELECT `+userColumns+` FROM users u JOIN identities i ON i.user_id = u.id
		WHERE i.issuer = ? AND i.subject = ?`, id.Issuer, id.Subject)
	if err != nil {
		return gonogo.User{}, err
	}
	byEmail, err := tx.optionalUser(`SELECT `+userColumns+` FROM users u WHERE u.email = ?`, id.Email)
	if err != nil {
		return gonogo.User{}, err
	}
	var other string
	if byEmail != nil {
		err := tx.QueryRow(`SELECT subject FROM identities WHERE user_id = ? AND issuer = ? LIMIT 1`, byEmail.ID, id.Issuer).Scan(&other)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return gonogo.User{}, err
		}
	}
	step, err := gonogo.PlanSignIn(id, linked, byEmail, other)
	if err != nil {
		return gonogo.User{}, err
	}
	switch step {
	case gonogo.SignInLinked:
		_, err := tx.Exec(`UPDATE identities SET email = ?, groups = ?, last_seen_at = ? WHERE issuer = ? AND subject = ?`,
			id.Email, groups, Time(tx.now), id.Issuer, id.Subject)
		return *linked, err
	case gonogo.SignInLink:
		a := gonogo.Actor{UserID: byEmail.ID, Name: byEmail.DisplayName(), RemoteAddr: remoteAddr}
		return *byEmail, tx.linkIdentity(a, *byEmail, id, groups, gonogo.LinkedTo(*byEmail, id))
	}
	in := gonogo.NewUserFrom(id)
	in.Normalize()
	// No password hash: bcrypt matches no password against an empty one,
	// so the account opens only through the provider, until an admin
	// gives it a password.
	newID, err := tx.createUser(in, "")
	if err != nil {
		return gonogo.User{}, err
	}
	u, err := scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users u WHERE u.id = ?`, newID))
	if err != nil {
		return gonogo.User{}, err
	}
	a := gonogo.Actor{UserID: u.ID, Name: u.DisplayName(), RemoteAddr: remoteAddr}
	return u, tx.linkIdentity(a, u, id, groups, gonogo.JoinedWith(id))
}

// optionalUser returns the one user query finds, or nil if none.
func (tx *Tx) optionalUser(query string, args ...any) (*gonogo.User, error) {
	u, err := scanUser(tx.QueryRow(query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &u, nil
}

// linkIdentity links id to u and records why.
func (tx *Tx) linkIdentity(a gonogo.Actor, u gonogo.User, id gonogo.Identity, groups string, why gonogo.Audit) error {
	if _, err := tx.Exec(`INSERT INTO identities (issuer, subject, user_id, email, groups, created_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id.Issuer, id.Subject, u.ID, id.Email, groups, Time(tx.now), Time(tx.now)); err != nil {
		return err
	}
	return tx.record(a, 0, why)
}

// syncGroups gives the person what their groups map to, in the sign-in's
// transaction and audited in their name: they hold exactly the group-given
// roles (and admin flag) that the groups the provider named now map to,
// beside whatever an admin gave them by hand, which no group takes away
// (gonogo.SyncGroups). It returns a warning for the operator, "" if none.
// The groups are one provider's: the board signs in through one, and its
// mappings name that provider's groups.
func (tx *Tx) syncGroups(a gonogo.Actor, u gonogo.User, groups []string) (string, error) {
	mappings, err := tx.groupMappings()
	if err != nil {
		return "", err
	}
	h, err := held(context.Background(), tx.Tx, u.ID)
	if err != nil {
		return "", err
	}
	plan := gonogo.SyncGroups(h, mappings, groups)
	if plan.Audit == nil {
		return "", nil
	}
	if err := tx.applyGroupSync(u.ID, plan); err != nil {
		return "", err
	}
	return plan.Warning(), tx.record(a, 0, *plan.Audit)
}

// startIdentitySession records the session a sign-in through issuer starts,
// with the ID token it came with, and audits the sign-in.
func (tx *Tx) startIdentitySession(a gonogo.Actor, issuer, idHash, idToken string) error {
	if _, err := tx.Exec(`INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)`,
		idHash, a.UserID, Time(tx.now), Time(tx.now)); err != nil {
		return err
	}
	if idToken != "" && len(idToken) <= maxIDTokenLen {
		if _, err := tx.Exec(`INSERT INTO session_id_tokens (id_hash, id_token) VALUES (?, ?)`, idHash, idToken); err != nil {
			return err
		}
	}
	return tx.record(a, 0, gonogo.SignedInWith(issuer))
}

// FindSessionIDToken returns the ID token the session signed in with, or
// "" for a session signed in with a password.
func (s *Store) FindSessionIDToken(ctx context.Context, idHash string) (string, error) {
	var tok string
	err := s.read.QueryRowContext(ctx, `SELECT id_token FROM session_id_tokens WHERE id_hash = ?`, idHash).Scan(&tok)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return tok, err
}

// maxIdentities bounds the identities read for one account.
const maxIdentities = 100

// FindIdentities returns the identities linked to the user with id, with
// the email and groups of their last sign-in, oldest link first.
func (s *Store) FindIdentities(ctx context.Context, userID int64) ([]gonogo.Identity, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT issuer, subject, email, groups FROM identities
		WHERE user_id = ? ORDER BY created_at, issuer, subject LIMIT ?`, userID, maxIdentities)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(sc scanner) (gonogo.Identity, error) {
		var id gonogo.Identity
		var groups string
		if err := sc.Scan(&id.Issuer, &id.Subject, &id.Email, &groups); err != nil {
			return id, err
		}
		id.EmailVerified = true // only a verified email is ever linked
		return id, json.Unmarshal([]byte(groups), &id.Groups)
	})
}
