package db

import (
	"context"
	"strconv"
	"strings"

	"github.com/gonogo/gonogo"
)

// Freeze exceptions (gonogo.FreezeException): a release's are few (one
// live per freeze its window overlaps), read whole with its snapshot; a
// freeze's are read a page at a time for its page.

const exceptionColumns = `e.id, e.release_id, r.product, r.version, e.freeze_id, e.freeze_name, e.requested_by_id, e.requested_by,
	e.reason, e.until, e.requested_at, e.revoked_by_id, e.revoked_by, e.revoked_at, e.revoke_reason`

const exceptionFrom = ` FROM freeze_exceptions e JOIN releases r ON r.id = e.release_id `

func scanException(sc scanner) (gonogo.FreezeException, error) {
	var e gonogo.FreezeException
	err := sc.Scan(&e.ID, &e.ReleaseID, &e.Product, &e.Version, &e.FreezeID, &e.FreezeName, &e.RequestedByID, &e.RequestedBy,
		&e.Reason, (*Time)(&e.Until), (*Time)(&e.RequestedAt), &e.RevokedByID, &e.RevokedBy, (*Time)(&e.RevokedAt), &e.RevokeReason)
	return e, err
}

// withApprovals reads the approvals of es, each in the order given (by
// rowid: two approvals in one second keep their order).
func withApprovals(ctx context.Context, q querier, es []gonogo.FreezeException) ([]gonogo.FreezeException, error) {
	if len(es) == 0 {
		return es, nil
	}
	index := map[int64]int{}
	ids := make([]string, len(es))
	for i, e := range es {
		index[e.ID] = i
		ids[i] = strconv.FormatInt(e.ID, 10)
	}
	rows, err := q.QueryContext(ctx, `SELECT exception_id, user_id, name, comment, senior, at FROM freeze_exception_approvals
		WHERE exception_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`, "["+strings.Join(ids, ",")+"]")
	if err != nil {
		return nil, err
	}
	type row struct {
		id int64
		a  gonogo.Approval
	}
	aps, err := collect(rows, func(sc scanner) (row, error) {
		var r row
		err := sc.Scan(&r.id, &r.a.UserID, &r.a.Name, &r.a.Comment, &r.a.Senior, (*Time)(&r.a.At))
		return r, err
	})
	if err != nil {
		return nil, err
	}
	for _, r := range aps {
		es[index[r.id]].Approvals = append(es[index[r.id]].Approvals, r.a)
	}
	return es, nil
}

// findExceptions reads the exceptions of the releases whose ids idJSON
// lists (a JSON array), oldest first, with their approvals.
func findExceptions(ctx context.Context, q querier, idJSON string) ([]gonogo.FreezeException, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+exceptionColumns+exceptionFrom+`
		WHERE e.release_id IN (SELECT value FROM json_each(?)) ORDER BY e.id`, idJSON)
	if err != nil {
		return nil, err
	}
	es, err := collect(rows, scanException)
	if err != nil {
		return nil, err
	}
	return withApprovals(ctx, q, es)
}

// FindFreezeExceptions returns up to limit exceptions to the freeze id,
// newest first, with ids below before (0: from the newest).
func (s *Store) FindFreezeExceptions(ctx context.Context, freezeID, before int64, limit int) ([]gonogo.FreezeException, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+exceptionColumns+exceptionFrom+`
		WHERE e.freeze_id = ? AND e.id < ? ORDER BY e.id DESC LIMIT ?`, freezeID, cursor(before), limit)
	if err != nil {
		return nil, err
	}
	es, err := collect(rows, scanException)
	if err != nil {
		return nil, err
	}
	return withApprovals(ctx, s.read, es)
}

// FindFreeze returns one freeze.
func (s *Store) FindFreeze(ctx context.Context, id int64) (gonogo.Freeze, error) {
	f, err := scanFreeze(s.read.QueryRowContext(ctx, `SELECT `+freezeColumns+` FROM freezes WHERE id = ?`, id))
	return f, notFound(err, "no freeze with id %d", id)
}

// exception reads one of the release's exceptions inside tx.
func (tx *Tx) exception(ctx context.Context, releaseID, id int64) (gonogo.FreezeException, error) {
	e, err := scanException(tx.QueryRowContext(ctx, `SELECT `+exceptionColumns+exceptionFrom+`WHERE e.id = ? AND e.release_id = ?`, id, releaseID))
	if err != nil {
		return e, notFound(err, "no freeze exception %d on release %d", id, releaseID)
	}
	es, err := withApprovals(ctx, txQuerier{tx}, []gonogo.FreezeException{e})
	if err != nil {
		return e, err
	}
	return es[0], nil
}

// RequestException stores the exception gonogo.RequestException makes of
// in, judged on the release as it is inside the transaction.
func (s *Store) RequestException(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.ExceptionInput) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *Tx) error {
		snap, err := tx.snapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		e, au, err := gonogo.RequestException(a, snap, in, tx.now)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO freeze_exceptions (release_id, freeze_id, freeze_name, requested_by_id, requested_by, reason, until, requested_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, releaseID, e.FreezeID, e.FreezeName, e.RequestedByID, e.RequestedBy, e.Reason, Time(e.Until), Time(tx.now))
		if isUnique(err) {
			return gonogo.Errorf(gonogo.ECONFLICT, "an exception to the freeze “%s” is already asked for", e.FreezeName)
		} else if err != nil {
			return err
		}
		id, _ = res.LastInsertId()
		return tx.record(a, releaseID, au)
	})
	return id, err
}

// ApproveException adds a's approval to the exception id as
// gonogo.ApproveException allows.
func (s *Store) ApproveException(ctx context.Context, a gonogo.Actor, releaseID, id int64, comment string) error {
	return s.inTx(ctx, func(tx *Tx) error {
		rel, err := tx.release(releaseID)
		if err != nil {
			return err
		}
		e, err := tx.exception(ctx, releaseID, id)
		if err != nil {
			return err
		}
		zone, err := s.teamZone(ctx, txQuerier{tx})
		if err != nil {
			return err
		}
		ap, au, err := gonogo.ApproveException(a, rel, e, comment, zone, tx.now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO freeze_exception_approvals (exception_id, user_id, name, comment, senior, at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, ap.UserID, ap.Name, ap.Comment, boolInt(ap.Senior), Time(tx.now))
		if isUnique(err) {
			return gonogo.Errorf(gonogo.ECONFLICT, "you already approved this exception: it needs another person")
		} else if err != nil {
			return err
		}
		return tx.record(a, releaseID, au)
	})
}

// RevokeException revokes the exception id as gonogo.RevokeException
// allows: the freeze holds the release again from this commit on.
func (s *Store) RevokeException(ctx context.Context, a gonogo.Actor, releaseID, id int64, reason string) error {
	return s.inTx(ctx, func(tx *Tx) error {
		rel, err := tx.release(releaseID)
		if err != nil {
			return err
		}
		e, err := tx.exception(ctx, releaseID, id)
		if err != nil {
			return err
		}
		au, err := gonogo.RevokeException(a, rel, e, reason, tx.now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE freeze_exceptions SET revoked_by_id = ?, revoked_by = ?, revoked_at = ?, revoke_reason = ? WHERE id = ?`,
			a.UserID, a.Name, Time(tx.now), strings.TrimSpace(reason), id); err != nil {
			return err
		}
		return tx.record(a, releaseID, au)
	})
}
