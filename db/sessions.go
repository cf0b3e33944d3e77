package db

import (
	"context"
	"time"

	"github.com/gonogo/gonogo"
)

// Session is a signed-in browser, found by the hash of its cookie's id.
type Session struct {
	IDHash     string
	User       gonogo.User
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// CreateSession records a new session for a user and audits the sign-in.
func (s *Store) CreateSession(ctx context.Context, a gonogo.Actor, idHash string) error {
	return s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)`,
			idHash, a.UserID, Time(tx.now), Time(tx.now)); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.SignedIn())
	})
}

// FindSession returns the session and its user, with the user's current
// roles, so a change by an admin applies to the very next request.
// It is remembered until the next commit (memo).
func (s *Store) FindSession(ctx context.Context, idHash string) (Session, error) {
	return remember(ctx, s, "session "+idHash, func(ctx context.Context) (Session, error) { return s.readSession(ctx, idHash) }, Session.clone)
}

func (s *Store) readSession(ctx context.Context, idHash string) (Session, error) {
	ss := Session{IDHash: idHash}
	row := s.read.QueryRowContext(ctx, `SELECT s.created_at, s.last_seen_at, `+userColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`, idHash)
	u, err := scanUser(scanPrefix{row, []any{(*Time)(&ss.CreatedAt), (*Time)(&ss.LastSeenAt)}})
	if err != nil {
		return Session{}, notFound(err, "no such session")
	}
	ss.User = u
	return ss, nil
}

// scanPrefix scans leading columns into dest before handing the rest on.
type scanPrefix struct {
	sc   interface{ Scan(...any) error }
	dest []any
}

func (p scanPrefix) Scan(rest ...any) error { return p.sc.Scan(append(p.dest, rest...)...) }

// TouchSession moves a session's idle clock forward.
func (s *Store) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	_, err := s.write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, Time(at), idHash)
	return err
}

// DeleteSession ends one session (sign-out, or an expired one).
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return err
}

// SignOut ends a session and audits it.
func (s *Store) SignOut(ctx context.Context, a gonogo.Actor, idHash string) error {
	return s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.SignedOut())
	})
}

// DeleteExpiredSessions removes sessions idle since before idleBefore or
// created before createdBefore.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	res, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`,
		Time(idleBefore), Time(createdBefore))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// clone copies s, its user's roles included.
func (s Session) clone() Session {
	s.User = s.User.Clone()
	return s
}

// SessionEnds counts the changes that may have ended a session, by any
// process (migration 00019's triggers): while it stands still, no session
// has ended but by running out its time. It is remembered until the next
// commit (memo), so every live stream that asks after one commit shares
// one read.
func (s *Store) SessionEnds(ctx context.Context) (int64, error) {
	return remember(ctx, s, "session ends", func(ctx context.Context) (int64, error) {
		var n int64
		err := s.read.QueryRowContext(ctx, `SELECT n FROM session_ends WHERE id = 1`).Scan(&n)
		return n, err
	}, func(n int64) int64 { return n })
}
