package db

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gonogo/gonogo"
)

// FindReviewReleases returns up to limit ids of the releases in review
// with ids above after, in order: a page of what the reminders look at,
// sought along the index of states.
func (s *Store) FindReviewReleases(ctx context.Context, after int64, limit int) ([]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM releases INDEXED BY releases_state WHERE state = ? AND id > ?
		ORDER BY id LIMIT ?`, string(gonogo.Review), after, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanOne[int64])
}

// Remind sends the reminders and escalations the release is owed now, as
// gonogo.DueReminders says, each once: the row that marks it sent is
// written in the same transaction as its notifications, and a row already
// there (another tick, another process) means it went. It returns how
// many told somebody.
func (s *Store) Remind(ctx context.Context, releaseID int64) (int, error) {
	// Most ticks owe most releases nothing: that is found on a reader,
	// so the board's one writer is taken only when something is due.
	if due, err := s.remindersDue(ctx, releaseID); err != nil || !due {
		return 0, err
	}
	sent := 0
	err := s.inTx(ctx, func(tx *Tx) error {
		sent = 0
		snap, err := tx.snapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		if snap.Release.State != gonogo.Review {
			return nil
		}
		team, err := findTeamSettings(ctx, txQuerier{tx})
		if err != nil {
			return err
		}
		own, err := findProductReminders(ctx, txQuerier{tx}, snap.Release.Product)
		if err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT occasion FROM reminders_sent WHERE release_id = ? AND cycle = ?`, releaseID, snap.Release.Cycle)
		if err != nil {
			return err
		}
		done, err := collect(rows, scanOne[gonogo.Occasion])
		if err != nil {
			return err
		}
		for _, d := range gonogo.DueReminders(snap, own.Over(team.RemindersOrDefault()), done, tx.now) {
			res, err := tx.Exec(`INSERT INTO reminders_sent (release_id, cycle, occasion, sent_at) VALUES (?, ?, ?, ?)
				ON CONFLICT DO NOTHING`, releaseID, snap.Release.Cycle, string(d.Occasion), Time(tx.now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 || d.Audit == nil {
				continue
			}
			if err := tx.record(gonogo.SystemActor, releaseID, *d.Audit); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	return sent, err
}

func findProductReminders(ctx context.Context, q querier, product string) (gonogo.ReminderOverride, error) {
	var o gonogo.ReminderOverride
	var a, b, c sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT after_open, before_window, escalate FROM product_reminders WHERE product = ?`, product).Scan(&a, &b, &c)
	if errors.Is(err, sql.ErrNoRows) {
		return o, nil
	}
	o.AfterOpen, o.BeforeWindow, o.Escalate = nullInt(a), nullInt(b), nullInt(c)
	return o, err
}

func nullInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func intOrNull(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// FindProductReminders returns a product's own reminder hours.
func (s *Store) FindProductReminders(ctx context.Context, product string) (gonogo.ReminderOverride, error) {
	return findProductReminders(ctx, s.read, product)
}

// SaveProductReminders stores a product's own reminder hours (nil fields
// take the team's) and audits the change, if there is one.
func (s *Store) SaveProductReminders(ctx context.Context, a gonogo.Actor, product string, o gonogo.ReminderOverride) error {
	return s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.product(product); err != nil {
			return err
		}
		was, err := findProductReminders(ctx, txQuerier{tx}, product)
		if err != nil {
			return err
		}
		au, changed := gonogo.ChangeProductReminders(product, was, o)
		if !changed {
			return nil
		}
		if _, err := tx.Exec(`INSERT INTO product_reminders (product, after_open, before_window, escalate) VALUES (?, ?, ?, ?)
			ON CONFLICT (product) DO UPDATE SET after_open = excluded.after_open, before_window = excluded.before_window,
			escalate = excluded.escalate`, product, intOrNull(o.AfterOpen), intOrNull(o.BeforeWindow), intOrNull(o.Escalate)); err != nil {
			return err
		}
		return tx.record(a, 0, au)
	})
}

// remindersDue says, from the readers, whether the release is owed a
// reminder now; the write that sends it judges again.
func (s *Store) remindersDue(ctx context.Context, releaseID int64) (bool, error) {
	snap, err := s.FindSnapshot(ctx, releaseID)
	if err != nil || snap.Release.State != gonogo.Review {
		return false, err
	}
	team, err := findTeamSettings(ctx, s.read)
	if err != nil {
		return false, err
	}
	own, err := findProductReminders(ctx, s.read, snap.Release.Product)
	if err != nil {
		return false, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT occasion FROM reminders_sent WHERE release_id = ? AND cycle = ?`, releaseID, snap.Release.Cycle)
	if err != nil {
		return false, err
	}
	done, err := collect(rows, scanOne[gonogo.Occasion])
	if err != nil {
		return false, err
	}
	return len(gonogo.DueReminders(snap, own.Over(team.RemindersOrDefault()), done, s.txTime(ctx))) > 0, nil
}
