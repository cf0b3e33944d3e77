package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gonogo/gonogo"
)

// FindRolloutTemplate returns product's rollout stages, in order: empty
// when its releases deploy in one step.
func (s *Store) FindRolloutTemplate(ctx context.Context, product string) ([]gonogo.StageSpec, error) {
	return query(ctx, s.read, scanStageSpec, `SELECT name, soak_minutes, items FROM rollout_templates WHERE product = ? ORDER BY position`, product)
}

func scanStageSpec(sc scanner) (gonogo.StageSpec, error) {
	var sp gonogo.StageSpec
	var items string
	if err := sc.Scan(&sp.Name, &sp.SoakMinutes, &items); err != nil {
		return sp, err
	}
	return sp, json.Unmarshal([]byte(items), &sp.Items)
}

// SetRolloutTemplate replaces product's rollout stages with specs (none
// clears them) and audits it. Releases already made keep their stages.
func (s *Store) SetRolloutTemplate(ctx context.Context, a gonogo.Actor, product string, specs []gonogo.StageSpec) error {
	if err := gonogo.CheckEditRollout(a, product); err != nil {
		return err
	}
	specs = gonogo.NormalizeStages(specs)
	if err := gonogo.ValidateStages(specs); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.product(product); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM rollout_templates WHERE product = ?`, product); err != nil {
			return err
		}
		for i, sp := range specs {
			items, _ := json.Marshal(append([]string{}, sp.Items...))
			if _, err := tx.Exec(`INSERT INTO rollout_templates (product, position, name, soak_minutes, items) VALUES (?, ?, ?, ?, ?)`,
				product, i+1, sp.Name, sp.SoakMinutes, string(items)); err != nil {
				return err
			}
		}
		return tx.record(a, 0, gonogo.StagesChanged(product, specs))
	})
}

// copyStages gives a new release of product its rollout: a copy of the
// product's stages, and each stage's items as required verification
// items that name it, after the template's verification items.
func (tx *Tx) copyStages(releaseID int64, product string) error {
	rows, err := tx.Query(`SELECT name, soak_minutes, items FROM rollout_templates WHERE product = ? ORDER BY position`, product)
	if err != nil {
		return err
	}
	specs, err := collect(rows, scanStageSpec)
	if err != nil || len(specs) == 0 {
		return err
	}
	var pos int
	if err := tx.QueryRow(`SELECT COALESCE(MAX(position), 0) FROM items WHERE release_id = ? AND phase = ?`, releaseID, gonogo.Verification).Scan(&pos); err != nil {
		return err
	}
	for i, sp := range specs {
		res, err := tx.Exec(`INSERT INTO rollout_stages (release_id, position, name, soak_minutes) VALUES (?, ?, ?, ?)`,
			releaseID, i+1, sp.Name, sp.SoakMinutes)
		if err != nil {
			return fmt.Errorf("copy stages: %w", err)
		}
		stageID, _ := res.LastInsertId()
		for _, title := range sp.Items {
			pos++
			if _, err := tx.Exec(`INSERT INTO items (release_id, phase, title, guidance, owner_role, required, custom, position, stage_id)
				VALUES (?, ?, ?, ?, ?, 1, 0, ?, ?)`, releaseID, gonogo.Verification, title,
				"Verified during the rollout stage “"+sp.Name+"”: the stage is promoted only once this is settled.",
				gonogo.Ops, pos, stageID); err != nil {
				return fmt.Errorf("copy stage items: %w", err)
			}
		}
	}
	return nil
}

const stageColumns = `st.id, st.release_id, st.position, st.name, st.soak_minutes, st.started_at, st.finished_at`

func scanStage(sc scanner) (gonogo.Stage, error) {
	var st gonogo.Stage
	var soak int
	err := sc.Scan(&st.ID, &st.ReleaseID, &st.Position, &st.Name, &soak, (*Time)(&st.StartedAt), (*Time)(&st.FinishedAt))
	st.Soak = time.Duration(soak) * time.Minute
	return st, err
}

// findStages reads a release's rollout stages in order.
func findStages(ctx context.Context, q querier, releaseID int64) ([]gonogo.Stage, error) {
	return query(ctx, q, scanStage, `SELECT `+stageColumns+` FROM rollout_stages st WHERE st.release_id = ? ORDER BY st.position`, releaseID)
}

// findBoardStages reads the stages of the board's releases in one read:
// at most gonogo.MaxStages a release.
func findBoardStages(ctx context.Context, q querier, out []gonogo.Snapshot, index map[int64]int, ids []any) error {
	stages, err := query(ctx, q, scanStage, `SELECT `+stageColumns+` FROM rollout_stages st
		WHERE st.release_id IN (SELECT value FROM json_each(?)) ORDER BY st.release_id, st.position`, ids...)
	if err != nil {
		return err
	}
	for _, st := range stages {
		if i, ok := index[st.ReleaseID]; ok {
			out[i].Stages = append(out[i].Stages, st)
		}
	}
	return nil
}

// storeStages writes when stages started and finished.
func (tx *Tx) storeStages(stages []gonogo.Stage) error {
	for _, st := range stages {
		if _, err := tx.Exec(`UPDATE rollout_stages SET started_at = ?, finished_at = ? WHERE id = ?`,
			Time(st.StartedAt), Time(st.FinishedAt), st.ID); err != nil {
			return err
		}
	}
	return nil
}

// Promote starts the next stage of the release's rollout, as
// gonogo.Promote decides on the release as it is inside the transaction.
func (s *Store) Promote(ctx context.Context, a gonogo.Actor, releaseID int64) (gonogo.StageStep, error) {
	var out gonogo.StageStep
	err := s.inTx(ctx, func(tx *Tx) error {
		snap, err := tx.snapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		step, err := gonogo.Promote(a, snap, "", tx.now)
		if err != nil {
			return err
		}
		out = step
		if err := tx.storeStages(step.Stages); err != nil {
			return err
		}
		if err := tx.record(a, releaseID, step.Audit); err != nil {
			return err
		}
		return tx.touchRelease(releaseID)
	})
	return out, err
}

// firingAlerts names the alerts firing now on the release (alerts.go),
// which hold its staged rollout where it stands (gonogo.Snapshot.Alerts).
func firingAlerts(ctx context.Context, q querier, releaseID int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM alerts WHERE release_id = ? AND status = 'firing'
		ORDER BY id LIMIT ?`, releaseID, gonogo.MaxReleaseAlerts)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanOne[string])
}

// scheduledStage are, for a row of releases, the name and position of its
// rollout's current stage (” and 0 before one starts) and its number of
// stages: three seeks on rollout_stages' (release_id, position) key.
const scheduledStage = `,
	COALESCE((SELECT st.name FROM rollout_stages st WHERE st.release_id = releases.id AND st.started_at IS NOT NULL ORDER BY st.position DESC LIMIT 1), ''),
	COALESCE((SELECT MAX(st.position) FROM rollout_stages st WHERE st.release_id = releases.id AND st.started_at IS NOT NULL), 0),
	(SELECT COUNT(*) FROM rollout_stages st WHERE st.release_id = releases.id)`
