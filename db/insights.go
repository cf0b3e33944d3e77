package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gonogo/gonogo"
)

// refreshFacts rewrites the facts of a release from its history, inside
// the transaction that moved it: whenever a release changes state, what
// insights count of it changes with it.
func (tx *Tx) refreshFacts(ctx context.Context, releaseID int64) error {
	h, err := readHistory(ctx, txQuerier{tx}, releaseID, tx.zone)
	if err != nil {
		return err
	}
	return storeFacts(ctx, tx, gonogo.FactsOf(h))
}

// execer is what storing facts needs: the writer, in a transaction or not.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func storeFacts(ctx context.Context, ex execer, f gonogo.Facts) error {
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	last := f.LastAt
	if last.IsZero() {
		last = f.Created
	}
	_, err = ex.ExecContext(ctx, `INSERT INTO release_facts (release_id, product, last_at, facts) VALUES (?, ?, ?, ?)
		ON CONFLICT (release_id) DO UPDATE SET product = excluded.product, last_at = excluded.last_at, facts = excluded.facts`,
		f.ReleaseID, f.Product, Time(last), string(raw))
	return err
}

// readHistory reads everything gonogo.FactsOf needs of a release.
func readHistory(ctx context.Context, q querier, releaseID int64, zone *time.Location) (gonogo.History, error) {
	var h gonogo.History
	var err error
	if h.Release, err = scanRelease(q.QueryRowContext(ctx, `SELECT `+releaseColumns+releaseFrom+`WHERE r.id = ?`, releaseID)); err != nil {
		return h, notFound(err, "no release with id %d", releaseID)
	}
	reads := []func() error{
		func() (err error) {
			h.Moves, err = query(ctx, q, scanMove, `SELECT cycle, from_state, to_state, at FROM release_moves WHERE release_id = ? ORDER BY id`, releaseID)
			return err
		},
		func() (err error) {
			h.Decisions, err = query(ctx, q, scanDecision, `SELECT `+decisionColumns+` FROM decisions WHERE release_id = ? ORDER BY number`, releaseID)
			return err
		},
		func() (err error) {
			h.Votes, err = query(ctx, q, scanVote, `SELECT `+voteColumns+` FROM votes v WHERE v.release_id = ? ORDER BY v.id`, releaseID)
			return err
		},
		func() (err error) {
			h.Items, err = query(ctx, q, scanItem, `SELECT `+itemColumns+` FROM items i WHERE i.release_id = ? ORDER BY i.position, i.id`, releaseID)
			return err
		},
		func() (err error) {
			h.Failures, err = query(ctx, q, scanFailure, `SELECT cycle, title, check_key, at FROM item_failures WHERE release_id = ? ORDER BY id`, releaseID)
			return err
		},
		func() (err error) {
			h.Defects, err = query(ctx, q, scanDefect, `SELECT `+defectColumns+` FROM defects d WHERE d.release_id = ?`, releaseID)
			return err
		},
		func() (err error) {
			h.Review, err = findReviewOutcome(ctx, q, releaseID)
			return err
		},
		func() error {
			team, err := findTeamSettings(ctx, q)
			h.LowTraffic, h.Zone = team.LowTraffic, team.Location(zone)
			return err
		},
	}
	for _, read := range reads {
		if err := read(); err != nil {
			return h, err
		}
	}
	return h, nil
}

func query[T any](ctx context.Context, q querier, scan func(scanner) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scan)
}

func scanMove(sc scanner) (gonogo.StateMove, error) {
	var m gonogo.StateMove
	return m, sc.Scan(&m.Cycle, &m.From, &m.To, (*Time)(&m.At))
}

func scanFailure(sc scanner) (gonogo.ItemFailure, error) {
	var f gonogo.ItemFailure
	return f, sc.Scan(&f.Cycle, &f.Title, &f.CheckKey, (*Time)(&f.At))
}

// FindInsights returns what the history of product ("" for every product)
// says over p, beside the period before. It reads the facts of the
// releases moved since the period before began, and is remembered until
// the next commit (memo); each caller gets its own copy of the lists.
func (s *Store) FindInsights(ctx context.Context, product string, p gonogo.Period) (gonogo.Insights, error) {
	key := fmt.Sprintf("insights %q %d %d", product, p.From.UnixNano(), p.To.UnixNano())
	return remember(ctx, s, key, func(ctx context.Context) (gonogo.Insights, error) {
		facts, err := s.readFacts(ctx, product, p.Prev().From)
		if err != nil {
			return gonogo.Insights{}, err
		}
		return gonogo.Summarize(facts, product, p), nil
	}, gonogo.Insights.Clone)
}

// readFacts reads the facts of the releases of product ("" for all)
// whose latest move is at or after since.
func (s *Store) readFacts(ctx context.Context, product string, since time.Time) ([]gonogo.Facts, error) {
	q := `SELECT facts FROM release_facts WHERE last_at >= ?`
	args := []any{Time(since)}
	if product != "" {
		q = `SELECT facts FROM release_facts WHERE product = ? AND last_at >= ?`
		args = []any{product, Time(since)}
	}
	return query(ctx, s.read, func(sc scanner) (gonogo.Facts, error) {
		var raw []byte
		var f gonogo.Facts
		if err := sc.Scan(&raw); err != nil {
			return f, err
		}
		return f, json.Unmarshal(raw, &f)
	}, q, args...)
}

// fillMissingFacts makes the facts of every release that has moved but
// has none: the releases of a board from before insights, once.
func (s *Store) fillMissingFacts(ctx context.Context) error {
	ids, err := query(ctx, s.read, scanOne[int64], `SELECT DISTINCT m.release_id FROM release_moves m
		WHERE NOT EXISTS (SELECT 1 FROM release_facts f WHERE f.release_id = m.release_id)`)
	if err != nil {
		return err
	}
	const batch = 200
	for len(ids) > 0 {
		n := min(batch, len(ids))
		err := s.inTx(ctx, func(tx *Tx) error {
			for _, id := range ids[:n] {
				if err := tx.refreshFacts(ctx, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
