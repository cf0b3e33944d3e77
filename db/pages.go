package db

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

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

// FindVotePages returns, in one statement, a page of each role's votes in
// a release's review cycle: up to limit votes of each role in roles, with
// ids below the role's cursor in before (absent or 0: from the newest),
// newest first.
func (s *Store) FindVotePages(ctx context.Context, releaseID int64, cycle int, roles []gonogo.Role, before map[gonogo.Role]int64, limit int) (map[gonogo.Role][]gonogo.Vote, error) {
	if len(roles) == 0 {
		return map[gonogo.Role][]gonogo.Vote{}, nil
	}
	key := fmt.Sprintf("vote pages %d %d %d", releaseID, cycle, limit)
	var parts []string
	var args []any
	for _, r := range roles {
		key += fmt.Sprintf(" %s<%d", r, before[r])
		parts = append(parts, `SELECT * FROM (SELECT `+voteColumns+` FROM votes v
			WHERE v.release_id = ? AND v.cycle = ? AND v.role = ? AND v.id < ? ORDER BY v.id DESC LIMIT ?)`)
		args = append(args, releaseID, cycle, string(r), cursor(before[r]), limit)
	}
	return remember(ctx, s, key, func(ctx context.Context) (map[gonogo.Role][]gonogo.Vote, error) {
		rows, err := s.read.QueryContext(ctx, strings.Join(parts, " UNION ALL "), args...)
		if err != nil {
			return nil, err
		}
		votes, err := collect(rows, scanVote)
		out := map[gonogo.Role][]gonogo.Vote{}
		for _, v := range votes {
			out[v.Role] = append(out[v.Role], v) // each role's rows come newest first
		}
		return out, err
	}, cloneVotePages)
}

func cloneVotePages(m map[gonogo.Role][]gonogo.Vote) map[gonogo.Role][]gonogo.Vote {
	out := make(map[gonogo.Role][]gonogo.Vote, len(m))
	for r, vs := range m {
		out[r] = gonogo.CloneAll(vs)
	}
	return out
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
