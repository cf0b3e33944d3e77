package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/gonogo/gonogo"
)

// The audit page verifies the trail as it grows, never the whole of it
// again: re-hashing every event on every view cost 2.2 s at ten years of
// history and starved every other reader (docs/performance.md). The store
// keeps a verified-through mark, the newest event verified and its hash;
// a look at the trail (VerifyNewEvents) hashes only the events after it,
// a chunk per read so that no reader is held for long, up to a budget per
// look, and moves the mark. What is behind the mark is verified again by
// the verification of the whole trail (VerifyWholeTrail): a background job,
// the checkpoint form and `gonogo audit verify` run it, on a connection of
// their own, and the page shows its last outcome.
//
// A look never writes: the mark moves in memory, and is written back to
// the file only by the verification of the whole trail (hourly) and when
// the store closes. A look that committed the mark moved SQLite's
// data_version, which empties every cache of what was read (memo.go): four
// admins on the audit page while people voted made the board's p99 2.5 to
// 3.4 times what it was without them. A crash loses only the mark's moves
// since the last write-back: the first looks after it hash those events
// again, a budget per look.

// The sizes of a look at the trail. Reading and hashing an event takes
// about 3 µs on a quiet machine (several times that on a busy one), so a
// chunk holds a reader for a few milliseconds and a look costs at most
// some tens of milliseconds, whatever the length of the trail. They are
// variables so tests can make them small.
var (
	markChunk  = 1000      // events one read takes
	markBudget = 10 * 1000 // events one look verifies at most
)

// auditState is the store's part in verifying the trail: one look, and one
// whole verification, at a time across the server, whoever asks; and the
// mark, kept in memory.
type auditState struct {
	flights singleflight.Group
	hashed  atomic.Int64 // events hashed by looks at the trail, for tests

	mu     sync.Mutex
	mark   AuditMark  // how far the trail is verified
	stored AuditMark  // the mark as the file holds it
	saveMu sync.Mutex // one write-back at a time, so the last is the newest
}

// current is the mark as it is now.
func (a *auditState) current() AuditMark {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.mark
}

// advance sets the mark to to if it is still from, and reports whether it
// did: a look and a whole verification may both have moved it from there,
// and the first to finish wins, so that the mark never goes back to what
// one of them found before the other moved it.
func (a *auditState) advance(from, to AuditMark) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.mark.same(from) {
		return false
	}
	a.mark = to
	return true
}

// AuditMark is how far the audit trail has been verified: its newest
// event verified, that event's hash, and when the mark last moved.
type AuditMark struct {
	Seq  int64
	Hash string
	At   time.Time
}

func (m AuditMark) same(o AuditMark) bool { return m.Seq == o.Seq && m.Hash == o.Hash }

// TrailCheck is what a look at the trail found.
type TrailCheck struct {
	Mark   AuditMark          // the mark after the look: events up to it verify
	Newest int64              // the newest event
	Break  *gonogo.ChainBreak // where the chain breaks after the mark; nil if it holds
	// Moved is the mark as the look found it when the trail no longer
	// holds its event with its hash: the trail was rewritten or its newest
	// events deleted since. The look then verified again from the first
	// event. Nil otherwise.
	Moved *AuditMark
}

// Pending is how many events after the mark are not verified yet: the
// look's budget ran out, or they came after it.
func (c TrailCheck) Pending() int64 {
	if c.Break != nil {
		return 0
	}
	return max(0, c.Newest-c.Mark.Seq)
}

// Verification is the outcome of verifying the whole trail, and when.
type Verification struct {
	At      time.Time          // zero if the trail was never verified whole
	Checked int                // events that verify, from the first
	Last    int64              // the newest event it read
	Break   *gonogo.ChainBreak // where the chain breaks; nil if it holds
}

// AuditMark returns how far the trail has been verified: nothing yet is
// event 0, whose hash is the genesis hash.
func (s *Store) AuditMark(ctx context.Context) (AuditMark, error) {
	return s.audit.current(), nil
}

// loadAuditMark reads the mark last written back to the file, when the
// store opens.
func (s *Store) loadAuditMark(ctx context.Context) error {
	m := AuditMark{Hash: gonogo.GenesisHash}
	err := s.read.QueryRowContext(ctx, `SELECT seq, hash, at FROM audit_mark WHERE id = 1`).Scan(&m.Seq, &m.Hash, (*Time)(&m.At))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	s.audit.mu.Lock()
	defer s.audit.mu.Unlock()
	s.audit.mark, s.audit.stored = m, m
	return nil
}

// saveAuditMark writes the mark back to the file, if it moved since it
// was last read or written. The mark is not audited: it records no one's
// change, and auditing it would give every look a new event to verify.
func (s *Store) saveAuditMark(ctx context.Context) error {
	return s.writeBack(func(m *AuditMark) error {
		if m == nil {
			return nil
		}
		return s.inTx(ctx, func(tx *Tx) error { return putMark(tx, m) })
	})
}

// writeBack calls write with the mark to write back, nil if it has not
// moved since it was last written, and keeps it as written once write
// succeeds.
func (s *Store) writeBack(write func(*AuditMark) error) error {
	a := &s.audit
	a.saveMu.Lock()
	defer a.saveMu.Unlock()
	a.mu.Lock()
	m, stored := a.mark, a.stored
	a.mu.Unlock()
	if m.same(stored) {
		return write(nil)
	}
	if err := write(&m); err != nil {
		return err
	}
	a.mu.Lock()
	a.stored = m
	a.mu.Unlock()
	return nil
}

// putMark writes m, if any, as the mark.
func putMark(tx *Tx, m *AuditMark) error {
	if m == nil {
		return nil
	}
	_, err := tx.Exec(`INSERT INTO audit_mark (id, seq, hash, at) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at`, m.Seq, m.Hash, Time(m.At))
	return err
}

// AuditProgress is how far the trail is verified, verifying nothing: for
// a page that must not write, such as one answering a refused request.
func (s *Store) AuditProgress(ctx context.Context) (TrailCheck, error) {
	newest, err := s.readLastEventID(ctx)
	return TrailCheck{Mark: s.audit.current(), Newest: newest}, err
}

// VerifyNewEvents verifies the events written since the mark, at most a
// budget of them, and moves the mark, in memory: it writes nothing to the
// file. Looks asked for at once share one.
func (s *Store) VerifyNewEvents(ctx context.Context) (TrailCheck, error) {
	return share(ctx, &s.audit.flights, "new events", s.verifyNewEvents)
}

// share runs fn once for every caller asking under key at the same time,
// with the context of the first. Each waits for it to end: a verification
// stops soon after its context ends, so a job that stops, or a store that
// closes after it, leaves no read behind. If the first caller gave up, the
// others ask again.
func share[T any](ctx context.Context, g *singleflight.Group, key string, fn func(context.Context) (T, error)) (T, error) {
	for {
		r := <-g.DoChan(key, func() (any, error) {
			v, err := fn(ctx)
			if err != nil && ctx.Err() != nil {
				err = fmt.Errorf("%w: %w", errAbandoned, ctx.Err())
			}
			return v, err
		})
		if errors.Is(r.Err, errAbandoned) && ctx.Err() == nil {
			continue
		}
		if r.Err != nil {
			var zero T
			return zero, r.Err
		}
		return r.Val.(T), nil
	}
}

// errAbandoned is the error of a verification whose caller gave up.
var errAbandoned = errors.New("verification abandoned by the caller who asked for it")

func (s *Store) verifyNewEvents(ctx context.Context) (TrailCheck, error) {
	mark := s.audit.current()
	c := TrailCheck{Mark: mark}
	from := mark
	if held, err := s.holds(ctx, mark); err != nil {
		return c, err
	} else if !held {
		c.Moved, from = &mark, AuditMark{Hash: gonogo.GenesisHash}
	}
	to, brk, err := s.verifyAfter(ctx, from)
	if err != nil {
		return c, err
	}
	c.Break = brk
	if !to.same(mark) {
		to.At = s.Now()
		s.audit.advance(mark, to)
		c.Mark = s.audit.current()
	}
	c.Newest, err = s.readLastEventID(ctx)
	return c, err
}

// holds reports whether the trail still holds the mark's event with the
// mark's hash: one row, read by its id.
func (s *Store) holds(ctx context.Context, m AuditMark) (bool, error) {
	if m.Seq == 0 {
		return true, nil
	}
	var hash string
	err := s.read.QueryRowContext(ctx, `SELECT hash FROM audit_events WHERE id = ?`, m.Seq).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return hash == m.Hash, err
}

// verifyAfter verifies the events after from, a chunk per read, up to the
// budget, and returns the newest that verifies and where the chain breaks.
func (s *Store) verifyAfter(ctx context.Context, from AuditMark) (AuditMark, *gonogo.ChainBreak, error) {
	at := from
	for done := 0; done < markBudget; {
		events, err := s.FindEventsAfter(ctx, at.Seq, min(markChunk, markBudget-done))
		if err != nil {
			return at, nil, err
		}
		for _, e := range events {
			s.audit.hashed.Add(1)
			if brk := chainLink(e, at.Hash, at.Seq); brk != nil {
				return at, brk, nil
			}
			at.Seq, at.Hash = e.ID, e.Hash
		}
		if len(events) < markChunk {
			break
		}
		done += len(events)
	}
	return at, nil, nil
}

// VerifyWholeTrail verifies the whole trail, from its first event, on a
// connection of its own so that the readers of pages never wait for it,
// and records the outcome, which the audit page shows. When the trail
// holds, it moves the mark to the newest event, unless the trail no longer
// holds the mark's event as verified, which the next look reports. It
// writes the mark back to the file with its outcome. Callers at the same
// time share one verification.
func (s *Store) VerifyWholeTrail(ctx context.Context) (Verification, error) {
	return share(ctx, &s.audit.flights, "whole trail", s.verifyWholeTrail)
}

func (s *Store) verifyWholeTrail(ctx context.Context) (Verification, error) {
	mark := s.audit.current()
	own, err := sql.Open("sqlite", dsn(s.path, true))
	if err != nil {
		return Verification{}, err
	}
	defer own.Close()
	own.SetMaxOpenConns(1)
	t, head, err := walkTrail(ctx, own, mark.Seq)
	if err != nil {
		return Verification{}, err
	}
	v := Verification{At: s.Now(), Checked: t.Checked, Last: t.Last, Break: t.Break}
	if v.Break == nil && t.SeqHash == mark.Hash && head.Seq > mark.Seq {
		head.At = v.At
		s.audit.advance(mark, head)
	}
	return v, s.recordVerification(ctx, v)
}

// recordVerification keeps v as the last verification of the whole trail
// and writes the mark back with it.
func (s *Store) recordVerification(ctx context.Context, v Verification) error {
	return s.writeBack(func(m *AuditMark) error {
		return s.inTx(ctx, func(tx *Tx) error {
			var brkID sql.NullInt64
			var reason string
			if v.Break != nil {
				brkID, reason = sql.NullInt64{Int64: v.Break.EventID, Valid: true}, v.Break.Reason
			}
			_, err := tx.Exec(`INSERT INTO audit_verification (id, at, checked, last, break_id, break_reason) VALUES (1, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET at = excluded.at, checked = excluded.checked, last = excluded.last,
					break_id = excluded.break_id, break_reason = excluded.break_reason`,
				Time(v.At), v.Checked, v.Last, brkID, reason)
			if err != nil {
				return err
			}
			return putMark(tx, m)
		})
	})
}

// LastVerification returns the outcome of the last verification of the
// whole trail; its time is zero if there was none.
func (s *Store) LastVerification(ctx context.Context) (Verification, error) {
	var v Verification
	var brkID sql.NullInt64
	var reason string
	err := s.read.QueryRowContext(ctx, `SELECT at, checked, last, break_id, break_reason FROM audit_verification WHERE id = 1`).
		Scan((*Time)(&v.At), &v.Checked, &v.Last, &brkID, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		return v, nil
	}
	if brkID.Valid {
		v.Break = &gonogo.ChainBreak{EventID: brkID.Int64, Reason: reason}
	}
	return v, err
}
