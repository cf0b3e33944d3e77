package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/gonogo/gonogo"
)

// The board reads of each card only what the gate and the card show. Items
// without their guidance, evidence and history, defects without their notes,
// votes without their conditions (but with their time, which says which
// vote of a role is its current one): the board's read is what a release
// day waits for after every change (docs/performance.md).
const (
	boardItemColumns   = `i.id, i.release_id, i.phase, i.pillar, i.title, i.owner_role, i.required, i.status`
	boardDefectColumns = `d.id, d.release_id, d.title, d.severity, d.status, d.key, d.tracker_url`
	boardVoteColumns   = `v.id, v.release_id, v.cycle, v.role, v.user_id, v.user_name, v.value, v.comment, v.at`
)

func scanBoardItem(sc scanner) (gonogo.Item, error) {
	var it gonogo.Item
	err := sc.Scan(&it.ID, &it.ReleaseID, &it.Phase, &it.Pillar, &it.Title, &it.OwnerRole, &it.Required, &it.Status)
	return it, err
}

func scanBoardDefect(sc scanner) (gonogo.Defect, error) {
	var d gonogo.Defect
	err := sc.Scan(&d.ID, &d.ReleaseID, &d.Title, &d.Severity, &d.Status, &d.Key, &d.TrackerURL)
	return d, err
}

func scanBoardVote(sc scanner) (gonogo.Vote, error) {
	var v gonogo.Vote
	err := sc.Scan(&v.ID, &v.ReleaseID, &v.Cycle, &v.Role, &v.UserID, &v.UserName, &v.Value, &v.Comment, (*Time)(&v.At))
	return v, err
}

// FindSnapshotsOf returns the snapshots of rels, releases as FindReleases
// gives them, in their order: the cards a board shows, when it shows
// fewer than its filter finds (each lane's first, a page of one), read
// without reading the rest. They are remembered until the next commit
// (memo).
func (s *Store) FindSnapshotsOf(ctx context.Context, rels []gonogo.Release) ([]gonogo.Snapshot, error) {
	if len(rels) == 0 {
		return nil, nil
	}
	var key strings.Builder
	key.WriteString("snapshots of")
	for _, r := range rels {
		fmt.Fprintf(&key, " %d", r.ID)
	}
	return remember(ctx, s, key.String(), func(ctx context.Context) ([]gonogo.Snapshot, error) { return s.snapshotsOf(ctx, rels) }, gonogo.CloneAll[gonogo.Snapshot])
}
