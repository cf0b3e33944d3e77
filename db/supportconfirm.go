package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"

	"github.com/gonogo/gonogo"
)

// confirmSupport keeps what the support lead confirmed with v, a vote just
// stored, if it confirms anything (gonogo.ConfirmSupport): the notes, the
// known issues and the conditions given to support as they stand inside
// the vote's transaction. It is audited beside the vote.
func (tx *Tx) confirmSupport(ctx context.Context, a gonogo.Actor, v *gonogo.Vote, dropped []int64) error {
	if !gonogo.BriefsSupport(v.Role) || v.Value != gonogo.VoteGo {
		return nil
	}
	n, err := findNotes(ctx, tx, v.ReleaseID)
	if err != nil {
		return err
	}
	revision := 0
	if n.ID != 0 {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) FROM notes_revisions WHERE notes_id = ?`, n.ID).Scan(&revision); err != nil {
			return err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+knownIssueColumns+knownIssueFrom+`WHERE k.release_id = ? ORDER BY k.id`, v.ReleaseID)
	if err != nil {
		return err
	}
	issues, err := collect(rows, scanKnownIssue)
	if err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.release_id = ? AND i.source <> ''
		ORDER BY i.position, i.id`, v.ReleaseID)
	if err != nil {
		return err
	}
	items, err := collect(rows, scanItem)
	if err != nil {
		return err
	}
	// The role's earlier conditions in the cycle give way to this vote's,
	// which ConfirmSupport adds itself.
	var kept []gonogo.Item
	for _, it := range items {
		if !slices.Contains(dropped, it.ID) {
			kept = append(kept, it)
		}
	}
	c := gonogo.ConfirmSupport(*v, n, revision, issues, kept)
	if c == nil {
		return nil
	}
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO support_confirmations (vote_id, release_id, confirmed) VALUES (?, ?, ?)`,
		v.ID, v.ReleaseID, string(body)); err != nil {
		return err
	}
	v.Support = c
	return tx.record(a, v.ReleaseID, gonogo.SupportConfirmed(*c))
}

// fillSupport reads what support confirmed with the votes that confirmed
// something. Only support's Go votes can have, so most snapshots ask
// nothing.
func fillSupport(ctx context.Context, q querier, votes []gonogo.Vote) error {
	for i := range votes {
		v := &votes[i]
		if !gonogo.BriefsSupport(v.Role) || v.Value != gonogo.VoteGo {
			continue
		}
		var body string
		err := q.QueryRowContext(ctx, `SELECT confirmed FROM support_confirmations WHERE vote_id = ?`, v.ID).Scan(&body)
		if err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			return err
		}
		var c gonogo.SupportConfirmation
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			return err
		}
		v.Support = &c
	}
	return nil
}
