package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/gonogo/gonogo"
)

// RecordPostReview records the post-release review gonogo.RecordPostReview
// makes of in, judged on the release as it is inside the transaction: the
// review, its follow-ups placed on the product's next release (or waiting
// for one), the release's post-release-review items closed, the facts
// insights read rewritten, and every audit event, at once. A second review
// of the same release is refused as a conflict.
func (s *Store) RecordPostReview(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.PostReviewInput) (gonogo.PostReview, error) {
	var out gonogo.PostReview
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.recordPostReview(ctx, a, releaseID, in)
		return err
	})
	return out, err
}

func (tx *Tx) recordPostReview(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.PostReviewInput) (gonogo.PostReview, error) {
	snap, err := tx.snapshot(ctx, releaseID)
	if err != nil {
		return gonogo.PostReview{}, err
	}
	res, err := gonogo.RecordPostReview(a, snap, in, tx.now)
	if err != nil {
		return gonogo.PostReview{}, err
	}
	rev := res.Review
	links, _ := json.Marshal(rev.Links)
	if rev.Links == nil {
		links = []byte("[]")
	}
	row, err := tx.Exec(`INSERT INTO post_release_reviews (release_id, outcome, summary, links, recorded_by_id, recorded_by, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, releaseID, string(rev.Outcome), rev.Summary, string(links),
		sql.NullInt64{Int64: rev.RecordedByID, Valid: rev.RecordedByID != 0}, rev.RecordedBy, Time(rev.At))
	if isUnique(err) {
		return rev, gonogo.Errorf(gonogo.ECONFLICT, "%s already has its post-release review; a review is never edited", snap.Release.Name())
	} else if err != nil {
		return rev, err
	}
	rev.ID, _ = row.LastInsertId()
	for i := range rev.FollowUps {
		f := &rev.FollowUps[i]
		row, err := tx.Exec(`INSERT INTO post_release_followups (review_id, position, text, owner_role, product) VALUES (?, ?, ?, ?, ?)`,
			rev.ID, i+1, f.Text, string(f.Owner), snap.Release.Product)
		if err != nil {
			return rev, err
		}
		f.ID, _ = row.LastInsertId()
	}
	for _, c := range res.CloseItems {
		if err := tx.storeItem(c.Item); err != nil {
			return rev, err
		}
		if err := tx.record(a, releaseID, c.Audit); err != nil {
			return rev, err
		}
	}
	if err := tx.touchRelease(releaseID); err != nil {
		return rev, err
	}
	if err := tx.refreshFacts(ctx, releaseID); err != nil {
		return rev, err
	}
	if err := tx.record(a, releaseID, res.Audit); err != nil {
		return rev, err
	}
	rels, err := query(ctx, txQuerier{tx}, scanRelease, `SELECT `+releaseColumns+releaseFrom+`WHERE r.product = ? AND r.state IN (?, ?, ?)`,
		snap.Release.Product, string(gonogo.Draft), string(gonogo.Review), string(gonogo.NoGo))
	if err != nil {
		return rev, err
	}
	if next, ok := gonogo.NextRelease(snap.Release, rels); ok {
		return rev, tx.placeFollowUps(a, next)
	}
	return rev, nil
}

// placeFollowUps puts every follow-up waiting for a release of to's
// product on its checklist, each audited on to, in the order they were
// recorded.
func (tx *Tx) placeFollowUps(a gonogo.Actor, to gonogo.Release) error {
	rows, err := tx.Query(`SELECT f.id, f.text, f.owner_role, r.release_id FROM post_release_followups f
		JOIN post_release_reviews r ON r.id = f.review_id
		WHERE f.product = ? AND f.release_id IS NULL AND r.release_id <> ? ORDER BY f.review_id, f.position`, to.Product, to.ID)
	if err != nil {
		return err
	}
	type waiting struct {
		f    gonogo.FollowUp
		from int64
	}
	ws, err := collect(rows, func(sc scanner) (waiting, error) {
		var w waiting
		return w, sc.Scan(&w.f.ID, &w.f.Text, &w.f.Owner, &w.from)
	})
	if err != nil || len(ws) == 0 {
		return err
	}
	for _, w := range ws {
		from, err := tx.release(w.from)
		if err != nil {
			return err
		}
		ids, err := tx.addItems(to.ID, []gonogo.Item{gonogo.FollowUpItem(from, w.f)}, 0)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE post_release_followups SET release_id = ?, item_id = ? WHERE id = ?`, to.ID, ids[0], w.f.ID); err != nil {
			return err
		}
		if err := tx.record(a, to.ID, gonogo.FollowUpAdded(from, w.f)); err != nil {
			return err
		}
	}
	return tx.touchRelease(to.ID)
}

// FindPostReview returns the post-release review of a release, with its
// follow-ups and where each went; ok is false when it has none yet.
func (s *Store) FindPostReview(ctx context.Context, releaseID int64) (gonogo.PostReview, bool, error) {
	return findPostReview(ctx, s.read, releaseID)
}

func findPostReview(ctx context.Context, q querier, releaseID int64) (gonogo.PostReview, bool, error) {
	var rev gonogo.PostReview
	var links string
	err := q.QueryRowContext(ctx, `SELECT id, release_id, outcome, summary, links, COALESCE(recorded_by_id, 0), recorded_by, recorded_at
		FROM post_release_reviews WHERE release_id = ?`, releaseID).Scan(&rev.ID, &rev.ReleaseID, &rev.Outcome, &rev.Summary, &links,
		&rev.RecordedByID, &rev.RecordedBy, (*Time)(&rev.At))
	if errors.Is(err, sql.ErrNoRows) {
		return rev, false, nil
	} else if err != nil {
		return rev, false, err
	}
	if err := json.Unmarshal([]byte(links), &rev.Links); err != nil {
		return rev, false, err
	}
	rev.FollowUps, err = query(ctx, q, func(sc scanner) (gonogo.FollowUp, error) {
		var f gonogo.FollowUp
		return f, sc.Scan(&f.ID, &f.Text, &f.Owner, &f.ReleaseID, &f.ItemID, &f.Release, &f.ItemStatus)
	}, `SELECT f.id, f.text, f.owner_role, COALESCE(f.release_id, 0), COALESCE(f.item_id, 0),
		COALESCE(r.product || ' ' || r.version, ''), COALESCE(i.status, '')
		FROM post_release_followups f LEFT JOIN releases r ON r.id = f.release_id LEFT JOIN items i ON i.id = f.item_id
		WHERE f.review_id = ? ORDER BY f.position`, rev.ID)
	return rev, true, err
}

// findReviewOutcome is the outcome of a release's review, "" without one:
// what its facts carry.
func findReviewOutcome(ctx context.Context, q querier, releaseID int64) (gonogo.ReviewOutcome, error) {
	var o gonogo.ReviewOutcome
	err := q.QueryRowContext(ctx, `SELECT outcome FROM post_release_reviews WHERE release_id = ?`, releaseID).Scan(&o)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return o, err
}
