package db

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"time"

	"github.com/gonogo/gonogo"
)

// The actions of the events that record a checkpoint: one an admin or the
// command line asked for, and the daily one sent to webhooks.
const (
	actionCheckpoint      = gonogo.ActionCheckpoint
	actionDailyCheckpoint = gonogo.ActionDailyCheckpoint
)

// Checkpoint signs the head of the audit trail with key and records that
// it did, in one transaction: the checkpoint names the newest event before
// its own. A daily one is announced to the webhooks subscribed to
// audit.checkpoint, carrying the checkpoint.
func (s *Store) Checkpoint(ctx context.Context, a gonogo.Actor, key ed25519.PrivateKey, daily bool) (gonogo.Checkpoint, error) {
	var c gonogo.Checkpoint
	err := s.inTx(ctx, func(tx *Tx) error {
		seq, hash := int64(0), gonogo.GenesisHash
		err := tx.QueryRow(`SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&seq, &hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		c = gonogo.NewCheckpoint(seq, hash, tx.now, key)
		if err := tx.record(a, 0, gonogo.CheckpointSigned(c, daily)); err != nil {
			return err
		}
		if daily {
			tx.notices[len(tx.notices)-1].Checkpoint = &c
		}
		return nil
	})
	return c, err
}

// FindCheckpoints returns the latest checkpoints signed, newest first, from
// the audit trail, so admins can see when the last ones were.
func (s *Store) FindCheckpoints(ctx context.Context, limit int) ([]gonogo.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events
		WHERE action IN (?, ?) ORDER BY id DESC LIMIT ?`, actionCheckpoint, actionDailyCheckpoint, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvent)
}

// LastDailyCheckpoint returns when the last daily checkpoint was signed,
// or the zero time if none was.
func (s *Store) LastDailyCheckpoint(ctx context.Context) (time.Time, error) {
	var at Time
	err := s.read.QueryRowContext(ctx, `SELECT max(at) FROM audit_events WHERE action = ?`, actionDailyCheckpoint).Scan(&at)
	return time.Time(at), err
}
