package db

import (
	"context"
	"time"

	"github.com/gonogo/gonogo"
)

// The freezes page lists the freezes in force and to come, and, on pages
// of their own, those that ended: each a page at a time from a cursor, so
// that a page shows what it shows however many freezes the years left
// behind. (The gate, the board and the calendar read every freeze with
// FindFreezes.) The freezes table is a few hundred rows after years of
// use and has no index of its own: a page reads it through and keeps
// what it shows.

// FreezeCursor is where a page of freezes starts: just past the freeze of
// this start (none for a weekly one) and id, in the order of its list.
// The zero cursor starts at the list's first freeze.
type FreezeCursor struct {
	Weekly bool
	Start  time.Time
	ID     int64
}

// CursorAfterFreeze is the cursor of the page that follows f.
func CursorAfterFreeze(f gonogo.Freeze) FreezeCursor {
	if f.Weekly {
		return FreezeCursor{Weekly: true, ID: f.ID}
	}
	return FreezeCursor{Start: f.Once.Start, ID: f.ID}
}

// FindCurrentFreezes returns up to limit freezes in force at now or to
// come, from the cursor on: the one-off ones that have not ended, by
// start, then the weekly ones, which never end, in the order they were
// made.
func (s *Store) FindCurrentFreezes(ctx context.Context, now time.Time, after FreezeCursor, limit int) ([]gonogo.Freeze, error) {
	q, args := currentFreezesQuery(now, after, limit)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanFreeze)
}

func currentFreezesQuery(now time.Time, after FreezeCursor, limit int) (string, []any) {
	where, args := `(weekly = 1 OR once_end > ?)`, []any{Time(now)}
	switch {
	case after.Weekly:
		where += ` AND weekly = 1 AND id > ?`
		args = append(args, after.ID)
	case after.ID > 0:
		where += ` AND (weekly = 1 OR once_start > ? OR (once_start = ? AND id > ?))`
		args = append(args, Time(after.Start), Time(after.Start), after.ID)
	}
	return `SELECT ` + freezeColumns + ` FROM freezes WHERE ` + where + ` ORDER BY weekly, once_start, id LIMIT ?`, append(args, limit)
}

// FindEndedFreezes returns up to limit one-off freezes that ended by now,
// the latest first (by start), from before on (the zero cursor: from the
// latest).
func (s *Store) FindEndedFreezes(ctx context.Context, now time.Time, before FreezeCursor, limit int) ([]gonogo.Freeze, error) {
	q, args := endedFreezesQuery(now, before, limit)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanFreeze)
}

func endedFreezesQuery(now time.Time, before FreezeCursor, limit int) (string, []any) {
	where, args := `weekly = 0 AND once_end <= ?`, []any{Time(now)}
	if before.ID > 0 {
		where += ` AND (once_start < ? OR (once_start = ? AND id < ?))`
		args = append(args, Time(before.Start), Time(before.Start), before.ID)
	}
	return `SELECT ` + freezeColumns + ` FROM freezes WHERE ` + where + ` ORDER BY once_start DESC, id DESC LIMIT ?`, append(args, limit)
}

// HasEndedFreezes reports whether any one-off freeze ended by now.
func (s *Store) HasEndedFreezes(ctx context.Context, now time.Time) (bool, error) {
	var found bool
	err := s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM freezes WHERE weekly = 0 AND once_end <= ?)`, Time(now)).Scan(&found)
	return found, err
}
