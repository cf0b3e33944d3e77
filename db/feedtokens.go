package db

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gonogo/gonogo"
)

// A person's feed token stands for them in the addresses of the feeds,
// which feed readers and calendar apps read without signing in. Each
// person has at most one; only its SHA-256 is kept.

// SetFeedToken stores (the hash of) a person's new feed token. A token they
// had before is replaced, and stops working with this commit.
func (s *Store) SetFeedToken(ctx context.Context, a gonogo.Actor, hash string) error {
	return s.inTx(ctx, func(tx *Tx) error {
		var had bool
		if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM feed_tokens WHERE user_id = ?)`, a.UserID).Scan(&had); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO feed_tokens (user_id, hash, created_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, created_at = excluded.created_at`, a.UserID, hash, Time(tx.now)); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.FeedTokenMade(had))
	})
}

// DeleteFeedToken revokes a person's feed token; revoking none is no change.
func (s *Store) DeleteFeedToken(ctx context.Context, a gonogo.Actor) error {
	return s.inTx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM feed_tokens WHERE user_id = ?`, a.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return tx.record(a, 0, gonogo.FeedTokenRevoked())
	})
}

// HasFeedToken reports whether a person has a feed token.
func (s *Store) HasFeedToken(ctx context.Context, userID int64) (bool, error) {
	var ok bool
	err := s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM feed_tokens WHERE user_id = ?)`, userID).Scan(&ok)
	return ok, err
}

// FindFeedUser returns the enabled person whose feed token hashes to hash.
func (s *Store) FindFeedUser(ctx context.Context, hash string) (gonogo.User, error) {
	u, err := scanUser(s.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM feed_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND u.disabled = 0`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return u, gonogo.Errorf(gonogo.EUNAUTHORIZED, "this feed address is not valid: it was replaced or revoked")
	}
	return u, err
}
