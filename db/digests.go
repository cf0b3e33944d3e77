package db

import (
	"context"
	"database/sql"
	"errors"

	"github.com/gonogo/gonogo"
)

// FindDigest returns a person's daily digest, nil if they have none.
func (s *Store) FindDigest(ctx context.Context, userID int64) (*gonogo.DigestChoice, error) {
	return findDigest(ctx, s.read, userID)
}

func findDigest(ctx context.Context, q querier, userID int64) (*gonogo.DigestChoice, error) {
	var c gonogo.DigestChoice
	err := q.QueryRowContext(ctx, `SELECT hour, zone FROM digests WHERE user_id = ?`, userID).Scan(&c.Hour, &c.Zone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &c, err
}

// SetDigest stores the actor's daily digest (nil: none), as
// gonogo.ChooseDigest judges it, and audits the change. A changed hour
// keeps the day of the last digest, so choosing a later hour the same
// day does not send a second one.
func (s *Store) SetDigest(ctx context.Context, a gonogo.Actor, next *gonogo.DigestChoice) error {
	return s.inTx(ctx, func(tx *Tx) error {
		was, err := findDigest(ctx, txQuerier{tx}, a.UserID)
		if err != nil {
			return err
		}
		au, err := gonogo.ChooseDigest(a, was, next)
		if err != nil || au == nil {
			return err
		}
		if next == nil {
			_, err = tx.Exec(`DELETE FROM digests WHERE user_id = ?`, a.UserID)
		} else {
			_, err = tx.Exec(`INSERT INTO digests (user_id, hour, zone) VALUES (?, ?, ?)
				ON CONFLICT (user_id) DO UPDATE SET hour = excluded.hour, zone = excluded.zone`, a.UserID, next.Hour, next.Zone)
		}
		if err != nil {
			return err
		}
		return tx.record(a, 0, *au)
	})
}

// digestPage is how many people's digests one read looks at; a pass
// pages through them all.
const digestPage = 500

// Bounds on what a pass of digests reads of the board: the releases in
// the states a digest looks at, and their open or failed items. A board
// has tens of active releases; past these, a digest lists what was read.
const (
	maxDigestReleases = 500
	maxDigestItems    = 5000
)

type digestRow struct {
	userID  int64
	choice  gonogo.DigestChoice
	lastDay string
}

// SendDigests sends every daily digest due at now (gonogo.DigestDue),
// each once per person and local day: the day is marked in the same
// transaction as the digest's notification, which goes by email (and so
// into the inbox too, labelled as the digest). A person with nothing
// waiting gets nothing that day. It returns how many were sent.
func (s *Store) SendDigests(ctx context.Context) (int, error) {
	team, err := s.teamZone(ctx, s.read)
	if err != nil {
		return 0, err
	}
	now := s.txTime(ctx)
	var board *digestBoard
	sent := 0
	var after int64
	for {
		rows, err := s.read.QueryContext(ctx, `SELECT d.user_id, d.hour, d.zone, d.last_day FROM digests d
			JOIN users u ON u.id = d.user_id WHERE u.disabled = 0 AND d.user_id > ? ORDER BY d.user_id LIMIT ?`, after, digestPage)
		if err != nil {
			return sent, err
		}
		page, err := collect(rows, func(sc scanner) (digestRow, error) {
			var r digestRow
			return r, sc.Scan(&r.userID, &r.choice.Hour, &r.choice.Zone, &r.lastDay)
		})
		if err != nil {
			return sent, err
		}
		for _, r := range page {
			day, due := gonogo.DigestDue(r.choice, team, r.lastDay, now)
			if !due {
				continue
			}
			if board == nil {
				if board, err = s.readDigestBoard(ctx); err != nil {
					return sent, err
				}
			}
			ok, err := s.sendDigest(ctx, r.userID, day, board)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(page) < digestPage {
			return sent, nil
		}
		after = page[len(page)-1].userID
	}
}

// digestBoard is what digests are made of, read once per pass.
type digestBoard struct {
	releases []gonogo.DigestRelease
	items    []gonogo.DigestItem
}

func (s *Store) readDigestBoard(ctx context.Context) (*digestBoard, error) {
	b := &digestBoard{}
	snaps, err := s.FindSnapshots(ctx, gonogo.ReleaseFilter{States: []gonogo.State{gonogo.Review}})
	if err != nil {
		return nil, err
	}
	for _, sn := range snaps[:min(len(snaps), maxDigestReleases)] {
		b.releases = append(b.releases, gonogo.DigestRelease{Release: sn.Release, Waiting: gonogo.Waiting(sn)})
	}
	rels, err := s.FindReleases(ctx, gonogo.ReleaseFilter{States: gonogo.DigestStates})
	if err != nil || len(rels) == 0 {
		return b, err
	}
	rels = rels[:min(len(rels), maxDigestReleases)]
	byID := make(map[int64]gonogo.Release, len(rels))
	ids := make([]int64, 0, len(rels))
	for _, r := range rels {
		byID[r.ID] = r
		ids = append(ids, r.ID)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.release_id IN (SELECT value FROM json_each(?))
		AND i.status IN ('open', 'failed') ORDER BY i.release_id, i.position, i.id LIMIT ?`, jsonList(ids), maxDigestItems)
	if err != nil {
		return nil, err
	}
	items, err := collect(rows, scanItem)
	for _, it := range items {
		b.items = append(b.items, gonogo.DigestItem{Release: byID[it.ReleaseID], Item: it})
	}
	return b, err
}

// sendDigest marks day as the person's last digest and, unless nothing
// waits on them, delivers it; false when another pass marked it first or
// nothing waited.
func (s *Store) sendDigest(ctx context.Context, userID int64, day string, b *digestBoard) (bool, error) {
	sent := false
	err := s.inTx(ctx, func(tx *Tx) error {
		sent = false
		res, err := tx.Exec(`UPDATE digests SET last_day = ? WHERE user_id = ? AND last_day < ?`, day, userID, day)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		people, err := tx.people(map[int64]bool{userID: true}, nil, gonogo.NotifyDigest)
		if err != nil || len(people) == 0 {
			return err
		}
		d := gonogo.BuildDigest(people[0], b.releases, b.items, tx.now)
		if d.Empty() {
			return nil
		}
		n := gonogo.Notification{UserID: userID, Kind: gonogo.NotifyDigest, Text: d.Text(), Link: "/",
			Actor: gonogo.SystemActor.Name, At: tx.now}
		// A digest is no change of the board, so no audit event causes
		// it: event 0.
		if err := tx.deliver(n, 0, gonogo.ChannelEmail); err != nil {
			return err
		}
		counts, err := tx.unreadCounts([]int64{userID})
		if err != nil {
			return err
		}
		tx.notices = append(tx.notices, gonogo.Notice{Unread: counts})
		sent = true
		return nil
	})
	return sent, err
}
