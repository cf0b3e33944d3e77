package db

import (
	"context"

	"github.com/gonogo/gonogo"
)

// FindEvidence returns what production said of a release, in time order:
// its stages, alerts and pilot answers (gonogo.VerificationTimeline).
func (s *Store) FindEvidence(ctx context.Context, releaseID int64) ([]gonogo.Evidence, error) {
	return findEvidence(ctx, s.read, releaseID)
}

// findEvidence reads each source a bounded page at a time: the stages (at
// most eight), the newest alerts and the pilot's invitations, which the
// domain bounds.
func findEvidence(ctx context.Context, q querier, releaseID int64) ([]gonogo.Evidence, error) {
	stages, err := findStages(ctx, q, releaseID)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT `+alertColumns+` FROM alerts a WHERE a.release_id = ? ORDER BY a.id DESC LIMIT ?`,
		releaseID, gonogo.MaxReleaseAlerts)
	if err != nil {
		return nil, err
	}
	alerts, err := collect(rows, scanAlert)
	if err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT `+pilotColumns+pilotFrom+`WHERE p.release_id = ? ORDER BY p.id LIMIT ?`,
		releaseID, gonogo.MaxPilotInvites)
	if err != nil {
		return nil, err
	}
	pilot, err := collect(rows, scanPilot)
	if err != nil {
		return nil, err
	}
	return gonogo.VerificationTimeline(stages, alerts, pilot), nil
}
