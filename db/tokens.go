package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"

	"github.com/gonogo/gonogo"
)

// tokenColumns read a token with its creator as they are now: their name
// and whether they are disabled.
const tokenColumns = `t.id, t.name, t.product, t.hint, t.created_by, t.created_at, t.last_used_at, t.revoked_at, t.revoked_by,
	COALESCE(t.created_by_id, 0), COALESCE(u.name, ''), COALESCE(u.disabled, 0)`

// tokensFrom is where tokenColumns are read from.
const tokensFrom = ` FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by_id`

func scanToken(sc scanner) (gonogo.Token, error) {
	var t gonogo.Token
	err := sc.Scan(&t.ID, &t.Name, &t.Product, &t.Hint, &t.CreatedBy, (*Time)(&t.CreatedAt), (*Time)(&t.LastUsedAt), (*Time)(&t.RevokedAt), &t.RevokedBy,
		&t.Creator.ID, &t.Creator.Name, &t.Creator.Disabled)
	return t, err
}

// newTokenSecret returns a fresh secret: the prefix and 32 random bytes.
func newTokenSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return gonogo.TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// CreateToken makes an API token and returns it with its secret, which is
// not stored and cannot be had again.
func (s *Store) CreateToken(ctx context.Context, a gonogo.Actor, in gonogo.TokenInput) (gonogo.Token, string, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return gonogo.Token{}, "", err
	}
	secret := newTokenSecret()
	var id int64
	err := s.inTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`INSERT INTO api_tokens (name, product, hash, hint, created_by, created_by_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			in.Name, in.Product, gonogo.HashToken(secret), secret[:len(gonogo.TokenPrefix)+4], a.Name,
			sql.NullInt64{Int64: a.UserID, Valid: a.UserID != 0}, Time(tx.now))
		if isUnique(err) {
			return gonogo.FieldErrorf("name", "a working token is already named %q; revoke it first or choose another name", in.Name)
		} else if err != nil {
			return err
		}
		id, _ = res.LastInsertId()
		return tx.record(a, 0, gonogo.TokenCreated(in))
	})
	if err != nil {
		return gonogo.Token{}, "", err
	}
	t, err := s.FindToken(ctx, id)
	return t, secret, err
}

// FindToken returns the token with id.
func (s *Store) FindToken(ctx context.Context, id int64) (gonogo.Token, error) {
	t, err := scanToken(s.read.QueryRowContext(ctx, `SELECT `+tokenColumns+tokensFrom+` WHERE t.id = ?`, id))
	return t, notFound(err, "no API token with id %d", id)
}

// FindTokenBySecret returns the token whose secret a request presented,
// revoked or not: the caller decides what a revoked token gets.
// It is remembered until the next commit (memo).
func (s *Store) FindTokenBySecret(ctx context.Context, secret string) (gonogo.Token, error) {
	return remember(ctx, s, "token "+gonogo.HashToken(secret), func(ctx context.Context) (gonogo.Token, error) { return s.readTokenBySecret(ctx, secret) }, Plain[gonogo.Token])
}

func (s *Store) readTokenBySecret(ctx context.Context, secret string) (gonogo.Token, error) {
	t, err := scanToken(s.read.QueryRowContext(ctx, `SELECT `+tokenColumns+tokensFrom+` WHERE t.hash = ?`, gonogo.HashToken(secret)))
	return t, notFound(err, "unknown API token")
}

// FindTokens returns every token: working ones first, those of a disabled
// creator ahead of the rest (they are the ones to review), then by creator,
// newest first.
func (s *Store) FindTokens(ctx context.Context) ([]gonogo.Token, error) {
	return s.FindTokenPage(ctx, 0, -1)
}

// FindTokenPage returns up to limit tokens in FindTokens' order, skipping
// the first offset (a negative limit means all). Revoked tokens are kept
// for the record, so the list grows with the years; the admin page reads
// it a page at a time.
func (s *Store) FindTokenPage(ctx context.Context, offset, limit int) ([]gonogo.Token, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+tokenColumns+tokensFrom+`
		ORDER BY t.revoked_at IS NOT NULL, COALESCE(u.disabled, 0) DESC, COALESCE(u.name, t.created_by), t.id DESC
		LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanToken)
}

// TouchToken records that a token was used. Like a session's last-seen
// time, it is bookkeeping rather than a change anyone made, so it is not audited.
func (s *Store) TouchToken(ctx context.Context, id int64) error {
	_, err := s.write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, Time(s.Now()), id)
	return err
}

// RevokeToken stops a token from working, for good.
func (s *Store) RevokeToken(ctx context.Context, a gonogo.Actor, id int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		t, err := scanToken(tx.QueryRow(`SELECT `+tokenColumns+tokensFrom+` WHERE t.id = ?`, id))
		if err != nil {
			return notFound(err, "no API token with id %d", id)
		}
		au, err := gonogo.RevokeToken(t)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?`, Time(tx.now), a.Name, id); err != nil {
			return err
		}
		return tx.record(a, 0, au)
	})
}
