package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gonogo/gonogo"
)

func findTeamSettings(ctx context.Context, q querier) (gonogo.TeamSettings, error) {
	var t gonogo.TeamSettings
	var raw string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'team'`).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil
	} else if err != nil {
		return t, err
	}
	return t, json.Unmarshal([]byte(raw), &t)
}

// FindTeamSettings returns the board-wide settings.
func (s *Store) FindTeamSettings(ctx context.Context) (gonogo.TeamSettings, error) {
	return findTeamSettings(ctx, s.read)
}

// SaveTeamSettings stores the board-wide settings as
// gonogo.ChangeTeamSettings judges them.
func (s *Store) SaveTeamSettings(ctx context.Context, a gonogo.Actor, t gonogo.TeamSettings) error {
	au, err := gonogo.ChangeTeamSettings(t)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES ('team', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(raw)); err != nil {
			return err
		}
		return tx.record(a, 0, au)
	})
}

// teamZone is the zone weekly freezes recur in: the settings', else the default.
func (s *Store) teamZone(ctx context.Context, q querier) (*time.Location, error) {
	t, err := findTeamSettings(ctx, q)
	return t.Location(s.DefaultZone), err
}

const freezeColumns = `id, name, reason, weekly, once_start, once_end, start_day, start_min, end_day, end_min, products, created_by, created_at`

func scanFreeze(sc scanner) (gonogo.Freeze, error) {
	var f gonogo.Freeze
	var products string
	var sd, ed int
	err := sc.Scan(&f.ID, &f.Name, &f.Reason, &f.Weekly, (*Time)(&f.Once.Start), (*Time)(&f.Once.End), &sd, &f.Week.StartMin, &ed, &f.Week.EndMin, &products, &f.By, (*Time)(&f.CreatedAt))
	f.Week.StartDay, f.Week.EndDay = time.Weekday(sd), time.Weekday(ed)
	if products != "" {
		f.Products = strings.Split(products, ",")
	}
	return f, err
}

func findFreezes(ctx context.Context, q querier) ([]gonogo.Freeze, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+freezeColumns+` FROM freezes ORDER BY weekly, once_start, id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanFreeze)
}

// findFreezesSince reads the freezes that matter to a release's gate: every
// weekly one, and each one-off that ends after from. One that ended before
// both the release's window and now can neither cover the window nor hold
// the release now, and years of past freezes are not read for it.
func findFreezesSince(ctx context.Context, q querier, from time.Time) ([]gonogo.Freeze, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+freezeColumns+` FROM freezes
		WHERE weekly = 1 OR once_end > ? ORDER BY weekly, once_start, id`, Time(from))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanFreeze)
}

// since is where the freezes that matter to a release begin: at its
// window's start or now, whichever is earlier.
func since(w gonogo.Window, now time.Time) time.Time {
	if !w.IsZero() && w.Start.Before(now) {
		return w.Start
	}
	return now
}

// FindFreezes returns every freeze.
// It is remembered until the next commit (memo).
func (s *Store) FindFreezes(ctx context.Context) ([]gonogo.Freeze, error) {
	return remember(ctx, s, "freezes", func(ctx context.Context) ([]gonogo.Freeze, error) { return s.readFreezes(ctx) }, gonogo.CloneAll[gonogo.Freeze])
}

func (s *Store) readFreezes(ctx context.Context) ([]gonogo.Freeze, error) {
	return findFreezes(ctx, s.read)
}

// CreateFreeze adds a freeze as gonogo.CreateFreeze makes it.
func (s *Store) CreateFreeze(ctx context.Context, a gonogo.Actor, in gonogo.FreezeInput) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *Tx) error {
		zone, err := s.teamZone(ctx, txQuerier{tx})
		if err != nil {
			return err
		}
		in, au, err := gonogo.CreateFreeze(a, in, zone)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`INSERT INTO freezes (name, reason, weekly, once_start, once_end, start_day, start_min, end_day, end_min, products, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, in.Reason, boolInt(in.Weekly),
			Time(in.Once.Start), Time(in.Once.End), int(in.Week.StartDay), in.Week.StartMin, int(in.Week.EndDay), in.Week.EndMin,
			strings.Join(in.Products, ","), a.Name, Time(tx.now))
		if err != nil {
			return err
		}
		id, _ = res.LastInsertId()
		return tx.record(a, 0, au)
	})
	return id, err
}

// DeleteFreeze removes a freeze as gonogo.RemoveFreeze allows.
func (s *Store) DeleteFreeze(ctx context.Context, a gonogo.Actor, id int64) error {
	return s.inTx(ctx, func(tx *Tx) error {
		f, err := scanFreeze(tx.QueryRow(`SELECT `+freezeColumns+` FROM freezes WHERE id = ?`, id))
		if err != nil {
			return notFound(err, "no freeze with id %d", id)
		}
		au, err := gonogo.RemoveFreeze(a, f)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM freezes WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.record(a, 0, au)
	})
}

// SetWindow schedules, moves or clears a release's window as
// gonogo.MoveWindow makes of w, bumps its calendar sequence and audits it.
func (s *Store) SetWindow(ctx context.Context, a gonogo.Actor, releaseID int64, w gonogo.Window) error {
	return s.inTx(ctx, func(tx *Tx) error {
		rel, err := tx.release(releaseID)
		if err != nil {
			return err
		}
		zone, err := s.teamZone(ctx, txQuerier{tx})
		if err != nil {
			return err
		}
		res, err := gonogo.MoveWindow(a, rel, w, zone, tx.now)
		if err != nil || res.Audit == nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE releases SET window_start = ?, window_end = ?, window_seq = window_seq + 1, updated_at = ? WHERE id = ?`,
			Time(res.Window.Start), Time(res.Window.End), Time(tx.now), releaseID); err != nil {
			return err
		}
		return tx.record(a, releaseID, *res.Audit)
	})
}

// longestWindow is the longest window gonogo.Window.Validate allows: a
// window that overlaps a span starts at most this long before it, which
// bounds the calendar's seek on releases_window.
const longestWindow = 7 * 24 * time.Hour

// scheduledWhere selects the releases not cancelled whose windows overlap
// [from, to): a range of releases_window, whatever the history.
const scheduledWhere = ` FROM releases WHERE window_start IS NOT NULL AND window_start >= ? AND window_start < ?
	AND window_end > ? AND state <> 'cancelled'`

func scheduledArgs(from, to time.Time, product string) (string, []any) {
	q, args := scheduledWhere, []any{Time(from.Add(-longestWindow)), Time(to), Time(from)}
	if product != "" {
		// Unary + keeps SQLite from walking the product's every release
		// (releases_live_version) instead of the dates asked for.
		q += ` AND +product = ?`
		args = append(args, product)
	}
	return q, args
}

func scheduledQuery(from, to time.Time, product string) (string, []any) {
	where, args := scheduledArgs(from, to, product)
	return `SELECT id, product, version, title, state, window_start, window_end, updated_at` + scheduledStage + where + ` ORDER BY window_start, id`, args
}

// FindScheduled returns the windows of releases not cancelled that overlap
// [from, to), earliest first.
func (s *Store) FindScheduled(ctx context.Context, from, to time.Time, product string) ([]gonogo.Scheduled, error) {
	q, args := scheduledQuery(from, to, product)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanScheduled)
}

func scanScheduled(sc scanner) (gonogo.Scheduled, error) {
	var r gonogo.Scheduled
	var stage string
	var position, of int
	err := sc.Scan(&r.ReleaseID, &r.Product, &r.Version, &r.Title, &r.State, (*Time)(&r.Window.Start), (*Time)(&r.Window.End), (*Time)(&r.Changed),
		&stage, &position, &of)
	r.Rollout = gonogo.StageLabel(r.State, stage, position, of)
	return r, err
}

// FindActiveWindows returns the windows of releases still on their way, for
// judging conflicts.
// It is remembered until the next commit (memo).
func (s *Store) FindActiveWindows(ctx context.Context) ([]gonogo.Scheduled, error) {
	return remember(ctx, s, "active windows", func(ctx context.Context) ([]gonogo.Scheduled, error) { return s.readActiveWindows(ctx) }, slices.Clone[[]gonogo.Scheduled])
}

func (s *Store) readActiveWindows(ctx context.Context) ([]gonogo.Scheduled, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, product, version, title, state, window_start, window_end, updated_at`+scheduledStage+` FROM releases
		WHERE window_start IS NOT NULL AND state IN ('draft', 'review', 'go', 'deploying', 'verifying') ORDER BY window_start`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanScheduled)
}

// WindowSeqs returns how many times the window of each release that
// FindScheduled finds has moved, for calendar feeds.
func (s *Store) WindowSeqs(ctx context.Context, from, to time.Time, product string) (map[int64]int, error) {
	where, args := scheduledArgs(from, to, product)
	rows, err := s.read.QueryContext(ctx, `SELECT id, window_seq`+where, args...)
	if err != nil {
		return nil, err
	}
	return collectMap[int64, int](rows)
}

// WindowChangesAfter returns the window changes audited for a release after t.
func (s *Store) WindowChangesAfter(ctx context.Context, releaseID int64, t time.Time) ([]gonogo.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM audit_events
		WHERE release_id = ? AND action = 'release.window' AND at > ? ORDER BY id`, releaseID, Time(t))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEvent)
}
