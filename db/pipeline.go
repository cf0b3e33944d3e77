package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gonogo/gonogo"
)

// EnsureRelease creates the release of in.Product and in.Version with the
// template's checklist, or returns the one that exists, unchanged (the live
// one, or the newest cancelled one: see FindReleaseByName). Pipelines
// call it on every run, so running a job twice must not fail or duplicate.
// Looking and creating share one immediate transaction, so two runs at once
// cannot both create.
func (s *Store) EnsureRelease(ctx context.Context, a gonogo.Actor, in gonogo.ReleaseInput) (gonogo.Release, bool, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return gonogo.Release{}, false, err
	}
	var id int64
	created := false
	err := s.inTx(ctx, func(tx *Tx) error {
		// The live release of the version or, when every one was cancelled,
		// the newest: a pipeline that runs again after a cancel learns of
		// it and stops. Making the version anew is a person's decision,
		// taken on the board.
		err := tx.QueryRow(`SELECT r.id FROM releases r WHERE r.product = ? AND r.version = ? ORDER BY `+liveFirst+` LIMIT 1`,
			in.Product, in.Version).Scan(&id)
		if err == nil {
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		created = true
		id, err = tx.createRelease(a, in, gonogo.Draft)
		return err
	})
	if err != nil {
		return gonogo.Release{}, false, err
	}
	rel, err := s.FindRelease(ctx, id)
	return rel, created, err
}

// FindCurrentOutcomes returns, for each release matching f that has
// decided its current cycle, that decision's outcome.
func (s *Store) FindCurrentOutcomes(ctx context.Context, f gonogo.ReleaseFilter) (map[int64]gonogo.Outcome, error) {
	where, args := releaseWhere(f)
	rows, err := s.read.QueryContext(ctx, `SELECT r.id, d.outcome FROM releases r
		JOIN decisions d ON d.release_id = r.id AND d.cycle = r.cycle `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]gonogo.Outcome{}
	for rows.Next() {
		var id int64
		var o gonogo.Outcome
		if err := rows.Scan(&id, &o); err != nil {
			return nil, err
		}
		out[id] = o
	}
	return out, rows.Err()
}

// ReportCheck applies a pipeline's result to the item of releaseID that
// carries key, through fn, and audits it with the report's summary and link.
func (s *Store) ReportCheck(ctx context.Context, a gonogo.Actor, releaseID int64, r gonogo.CheckReport, fn ItemFunc) (gonogo.Item, error) {
	r.Normalize()
	var out gonogo.Item
	err := s.inTx(ctx, func(tx *Tx) error {
		rel, err := tx.release(releaseID)
		if err != nil {
			return err
		}
		it, err := scanItem(tx.QueryRow(`SELECT `+itemColumns+` FROM items i WHERE i.release_id = ? AND i.check_key = ?`, releaseID, r.Key))
		if err != nil {
			return notFound(err, "%s has no checklist item with check key %q", rel.Name(), r.Key)
		}
		next, err := fn(rel, it)
		if err != nil {
			return err
		}
		if next, err = tx.settleItem(next); err != nil {
			return err
		}
		out = next
		detail := fmt.Sprintf("check %s reported %s: set %q %s (was %s)", r.Key, r.Status, it.Title, next.Status, it.Status)
		if r.Summary != "" {
			detail += ": " + r.Summary
		}
		if r.URL != "" {
			detail += " (" + r.URL + ")"
		}
		if err := tx.audit(a, "check.report", releaseID, "%s", detail); err != nil {
			return err
		}
		if next.Status == gonogo.ItemFailed && it.Status != gonogo.ItemFailed {
			tx.tag(gonogo.TopicCheckFailed)
		}
		return tx.touchRelease(releaseID)
	})
	return out, err
}

// PipelineFunc decides, from the release as it is inside the transaction,
// what a pipeline's event does, or refuses.
type PipelineFunc func(s gonogo.Snapshot) (gonogo.PipelineStep, error)

// ReportEvent records a pipeline's event: a move along the release's life,
// audited like one made on the page, or a note in its history with the
// item a smoke result settles.
func (s *Store) ReportEvent(ctx context.Context, a gonogo.Actor, releaseID int64, fn PipelineFunc) (gonogo.PipelineStep, error) {
	var out gonogo.PipelineStep
	err := s.inTx(ctx, func(tx *Tx) error {
		snap, err := tx.snapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		step, err := fn(snap)
		if err != nil {
			return err
		}
		out = step
		if step.Move != nil {
			return tx.applyTransition(a, releaseID, *step.Move)
		}
		if step.Item != nil {
			if *step.Item, err = tx.settleItem(*step.Item); err != nil {
				return err
			}
		}
		if err := tx.audit(a, "pipeline.event", releaseID, "%s", step.Detail); err != nil {
			return err
		}
		tx.tag(step.Topics...)
		return tx.touchRelease(releaseID)
	})
	return out, err
}

// settleItem stores the status a pipeline's report gives an item, at the
// transaction's time, and returns the item as stored.
func (tx *Tx) settleItem(it gonogo.Item) (gonogo.Item, error) {
	it.UpdatedAt = tx.now
	_, err := tx.Exec(`UPDATE items SET status = ?, evidence = ?, reason = ?, updated_by = ?, updated_at = ? WHERE id = ?`,
		string(it.Status), it.Evidence, it.Reason, it.UpdatedBy, nullTime(it.UpdatedAt), it.ID)
	return it, err
}
