package db

import (
	"context"
	"database/sql"
	"errors"

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
	return collectMap[int64, gonogo.Outcome](rows)
}

// ReportCheck applies a pipeline's result to the item of releaseID that
// carries its key, as gonogo.Check makes of it, and audits it with the
// report's summary and link.
func (s *Store) ReportCheck(ctx context.Context, a gonogo.Actor, releaseID int64, r gonogo.CheckReport) (gonogo.Item, error) {
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
		res, err := gonogo.Check(rel, it, r, a.Name, tx.now)
		if err != nil {
			return err
		}
		out = res.Item
		return tx.applyItem(a, releaseID, res)
	})
	return out, err
}

// ReportEvent records a pipeline's event, as gonogo.ReportEvent makes of
// it: a move along the release's life, audited like one made on the page,
// or a note in its history with the item a smoke result settles.
func (s *Store) ReportEvent(ctx context.Context, a gonogo.Actor, releaseID int64, r gonogo.EventReport) (gonogo.PipelineStep, error) {
	var out gonogo.PipelineStep
	err := s.inTx(ctx, func(tx *Tx) error {
		snap, err := tx.snapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		step, err := gonogo.ReportEvent(a, snap, r, tx.now)
		if err != nil {
			return err
		}
		out = step
		if step.Move != nil {
			return tx.applyTransition(ctx, a, releaseID, *step.Move)
		}
		if step.Stage != nil {
			if err := tx.storeStages(step.Stage.Stages); err != nil {
				return err
			}
		}
		if step.Item != nil {
			if err := tx.storeItem(*step.Item); err != nil {
				return err
			}
		}
		if err := tx.record(a, releaseID, step.Audit()); err != nil {
			return err
		}
		return tx.touchRelease(releaseID)
	})
	return out, err
}
