package db

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/gonogo/gonogo"
)

// The long lists of a release page (its history, its discussion, each
// role's earlier votes) are read a page at a time: newest first, from a
// cursor that is the id the page ends before (0 for the newest), with a
// LIMIT. A page costs the same however long the release's history grows;
// a caller who asks for one row more than it shows learns whether an
// older page exists. The indexes on (release_id, id), (release_id, cycle,
// id) and (release_id, cycle, role, id) answer each without a scan.
//
// Each is remembered until the next commit (memo).

// noCursor stands for "no cursor": every id is below it.
const noCursor = int64(1<<63 - 1)

func cursor(before int64) int64 {
	if before <= 0 {
		return noCursor
	}
	return before
}

// FindEventPage returns up to limit events of a release's history with ids
// below before (0: from the newest), newest first.
func (s *Store) FindEventPage(ctx context.Context, releaseID, before int64, limit int) ([]gonogo.Event, error) {
	key := fmt.Sprintf("event page %d %d %d", releaseID, before, limit)
	return remember(ctx, s, key, func(ctx context.Context) ([]gonogo.Event, error) {
		rows, err := s.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events
			WHERE release_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, releaseID, cursor(before), limit)
		if err != nil {
			return nil, err
		}
		return collect(rows, scanEvent)
	}, slices.Clone[[]gonogo.Event])
}

// FindCommentPage returns up to limit comments of a release's review cycle
// with ids below before (0: from the newest), newest first.
func (s *Store) FindCommentPage(ctx context.Context, releaseID int64, cycle int, before int64, limit int) ([]gonogo.Comment, error) {
	key := fmt.Sprintf("comment page %d %d %d %d", releaseID, cycle, before, limit)
	return remember(ctx, s, key, func(ctx context.Context) ([]gonogo.Comment, error) {
		rows, err := s.read.QueryContext(ctx, `SELECT `+commentColumns+` FROM comments c
			WHERE c.release_id = ? AND c.cycle = ? AND c.id < ? ORDER BY c.id DESC LIMIT ?`, releaseID, cycle, cursor(before), limit)
		if err != nil {
			return nil, err
		}
		return collect(rows, scanComment)
	}, gonogo.CloneAll[gonogo.Comment])
}

// FindVotePage returns up to limit votes of one role in a release's review
// cycle with ids below before (0: from the newest), newest first.
func (s *Store) FindVotePage(ctx context.Context, releaseID int64, cycle int, role gonogo.Role, before int64, limit int) ([]gonogo.Vote, error) {
	key := fmt.Sprintf("vote page %d %d %s %d %d", releaseID, cycle, role, before, limit)
	return remember(ctx, s, key, func(ctx context.Context) ([]gonogo.Vote, error) {
		rows, err := s.read.QueryContext(ctx, `SELECT `+voteColumns+` FROM votes v
			WHERE v.release_id = ? AND v.cycle = ? AND v.role = ? AND v.id < ? ORDER BY v.id DESC LIMIT ?`,
			releaseID, cycle, string(role), cursor(before), limit)
		if err != nil {
			return nil, err
		}
		return collect(rows, scanVote)
	}, gonogo.CloneAll[gonogo.Vote])
}

// CountVotes returns how many votes each role has cast in a release's
// review cycle.
func (s *Store) CountVotes(ctx context.Context, releaseID int64, cycle int) (map[gonogo.Role]int, error) {
	key := fmt.Sprintf("vote counts %d %d", releaseID, cycle)
	return remember(ctx, s, key, func(ctx context.Context) (map[gonogo.Role]int, error) {
		rows, err := s.read.QueryContext(ctx, `SELECT role, count(*) FROM votes WHERE release_id = ? AND cycle = ? GROUP BY role`, releaseID, cycle)
		if err != nil {
			return nil, err
		}
		return collectMap[gonogo.Role, int](rows)
	}, maps.Clone[map[gonogo.Role]int])
}
