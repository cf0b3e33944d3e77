package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/gonogo/gonogo"
)

// audit appends the event of au to the trail inside tx, chained to the
// last one. Because every write runs in an immediate transaction, no two
// events can claim the same predecessor.
func (tx *Tx) audit(a gonogo.Actor, releaseID int64, au gonogo.Audit) error {
	var lastID int64
	prev := gonogo.GenesisHash
	err := tx.QueryRow(`SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&lastID, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("audit: last event: %w", err)
	}
	e := gonogo.Event{
		ID: lastID + 1, At: tx.now, ActorID: a.UserID, Actor: a.Name, Action: string(au.Action),
		ReleaseID: releaseID, Detail: au.Detail, RemoteAddr: a.RemoteAddr, PrevHash: prev,
	}
	e.Hash = e.ComputeHash(prev)
	_, err = tx.Exec(`INSERT INTO audit_events (id, at, actor_id, actor, action, release_id, detail, remote_addr, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, Time(e.At), sql.NullInt64{Int64: e.ActorID, Valid: e.ActorID != 0}, e.Actor, e.Action,
		sql.NullInt64{Int64: e.ReleaseID, Valid: e.ReleaseID != 0}, e.Detail, e.RemoteAddr, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("audit: insert: %w", err)
	}
	tx.notices = append(tx.notices, gonogo.Notice{Event: e})
	return nil
}

// tag adds topics to the notice of the event audited last.
func (tx *Tx) tag(topics ...gonogo.Topic) {
	if n := len(tx.notices); n > 0 {
		tx.notices[n-1].Topics = append(tx.notices[n-1].Topics, topics...)
	}
}

const eventColumns = `id, at, COALESCE(actor_id, 0), actor, action, COALESCE(release_id, 0), detail, remote_addr, prev_hash, hash`

func scanEvent(sc interface{ Scan(...any) error }) (gonogo.Event, error) {
	var e gonogo.Event
	err := sc.Scan(&e.ID, (*Time)(&e.At), &e.ActorID, &e.Actor, &e.Action, &e.ReleaseID, &e.Detail, &e.RemoteAddr, &e.PrevHash, &e.Hash)
	return e, err
}

// FindReleaseEvents returns the history of one release, newest first.
// It is remembered until the next commit (memo).
func (s *Store) FindReleaseEvents(ctx context.Context, releaseID int64, limit int) ([]gonogo.Event, error) {
	return remember(ctx, s, fmt.Sprintf("events %d %d", releaseID, limit), func(ctx context.Context) ([]gonogo.Event, error) { return s.readReleaseEvents(ctx, releaseID, limit) }, slices.Clone[[]gonogo.Event])
}

func (s *Store) readReleaseEvents(ctx context.Context, releaseID int64, limit int) ([]gonogo.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events
		WHERE release_id = ? ORDER BY id DESC LIMIT ?`, releaseID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvent)
}

// FindEvents returns the latest events of the whole board, newest first.
func (s *Store) FindEvents(ctx context.Context, limit int) ([]gonogo.Event, error) {
	return s.FindEventsBefore(ctx, 0, limit)
}

// FindEventsBefore returns up to limit events of the whole board with ids
// below before (0: from the newest), newest first: a page of the audit
// trail, read along the primary key whatever its length.
func (s *Store) FindEventsBefore(ctx context.Context, before int64, limit int) ([]gonogo.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events WHERE id < ? ORDER BY id DESC LIMIT ?`, cursor(before), limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvent)
}

// VerifyAudit verifies the whole trail (VerifyWholeTrail) and reports the
// first break, or nil, with the number of events checked.
func (s *Store) VerifyAudit(ctx context.Context) (*gonogo.ChainBreak, int, error) {
	v, err := s.VerifyWholeTrail(ctx)
	return v.Break, v.Checked, err
}

// Trail verifies the whole trail (VerifyWholeTrail) and reports where its
// chain first breaks, how many events verify before that, its newest
// event, and the hash of event seq (GenesisHash for 0): what a checkpoint
// is verified against.
func (s *Store) Trail(ctx context.Context, seq int64) (gonogo.Trail, error) {
	v, err := s.VerifyWholeTrail(ctx)
	if err == nil && v.Last < seq {
		// A verification under way when this one was asked for may have
		// begun before the checkpoint was signed: one of its own.
		v, err = s.VerifyWholeTrail(ctx)
	}
	if err != nil {
		return gonogo.Trail{}, err
	}
	t := gonogo.Trail{Checked: v.Checked, Break: v.Break, Last: v.Last}
	t.SeqHash, err = s.eventHash(ctx, seq)
	return t, err
}

// eventHash is the hash of event seq: GenesisHash for 0, "" if there is
// no such event.
func (s *Store) eventHash(ctx context.Context, seq int64) (string, error) {
	if seq == 0 {
		return gonogo.GenesisHash, nil
	}
	var hash string
	err := s.read.QueryRowContext(ctx, `SELECT hash FROM audit_events WHERE id = ?`, seq).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return hash, err
}

// walkTrail walks the whole trail in id order, in one read on conn, and
// reports where its chain first breaks, how many events verify before
// that, its newest event, and the hash of event seq (GenesisHash for 0);
// and the newest event's id and hash. It reads on past a break, to find
// the newest event.
func walkTrail(ctx context.Context, conn *sql.DB, seq int64) (gonogo.Trail, AuditMark, error) {
	var t gonogo.Trail
	head := AuditMark{Hash: gonogo.GenesisHash}
	if seq == 0 {
		t.SeqHash = gonogo.GenesisHash
	}
	rows, err := conn.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events ORDER BY id`)
	if err != nil {
		return t, head, err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return t, head, err
		}
		if t.Break == nil {
			t.Break = chainLink(e, head.Hash, t.Last)
		}
		if t.Break == nil {
			t.Checked++
		}
		if e.ID == seq {
			t.SeqHash = e.Hash
		}
		head.Hash, head.Seq, t.Last = e.Hash, e.ID, e.ID
	}
	return t, head, rows.Err()
}

// chainLink checks that e follows the event with id lastID and hash prev
// (none yet when lastID is 0).
func chainLink(e gonogo.Event, prev string, lastID int64) *gonogo.ChainBreak {
	if lastID == 0 && e.ID != 1 {
		return &gonogo.ChainBreak{EventID: e.ID, Reason: "the trail does not start at event 1: its first events were removed"}
	}
	if brk := gonogo.VerifyChain([]gonogo.Event{e}, prev); brk != nil {
		return brk
	}
	if lastID != 0 && e.ID != lastID+1 {
		return &gonogo.ChainBreak{EventID: e.ID, Reason: "event ids jump: an event was removed"}
	}
	return nil
}

// FindEventsAfter returns up to limit events after id, oldest first: what a
// live page missed while it was disconnected.
func (s *Store) FindEventsAfter(ctx context.Context, id int64, limit int) ([]gonogo.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events WHERE id > ? ORDER BY id LIMIT ?`, id, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvent)
}

// LastEventID is the id of the newest event: a page rendered now has seen
// everything up to it.
// It is remembered until the next commit (memo).
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	return remember(ctx, s, "last event", func(ctx context.Context) (int64, error) { return s.readLastEventID(ctx) }, Plain[int64])
}

func (s *Store) readLastEventID(ctx context.Context) (int64, error) {
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM audit_events`).Scan(&id)
	return id, err
}
