package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/gonogo/gonogo"
)

// A product's rollup (/notes/{product}) is read a page at a time, newest
// shipment first, from a cursor: the version the page before ended with.
// Its key is the release's (released_at, id), the order the rollup shows,
// read by a seek of the product's shipped releases (releases_product_shipped),
// so an old page costs what a new one does.

// FindShippedNotesPage returns up to limit published notes of product's
// shipped releases, newest shipment first: those that shipped after the
// version since ("" for all) and, when before is given, after the version
// before in that order (it shipped earlier). A since or before that names
// no shipped version is an EINVALID error on that field.
// It is remembered until the next commit (memo).
func (s *Store) FindShippedNotesPage(ctx context.Context, product, since, before string, limit int) ([]gonogo.NotesEntry, error) {
	key := fmt.Sprintf("shipped notes page %q %q %q %d", product, since, before, limit)
	return remember(ctx, s, key, func(ctx context.Context) ([]gonogo.NotesEntry, error) {
		return s.readShippedNotesPage(ctx, product, since, before, limit)
	}, slices.Clone[[]gonogo.NotesEntry])
}

func (s *Store) readShippedNotesPage(ctx context.Context, product, since, before string, limit int) ([]gonogo.NotesEntry, error) {
	var sinceAt string
	if since != "" {
		var err error
		if sinceAt, err = s.shippedAt(ctx, product, since); err != nil {
			return nil, err
		}
	}
	var at string
	var id int64
	if before != "" {
		var err error
		if at, id, err = s.shippedKey(ctx, product, before); err != nil {
			return nil, err
		}
	}
	q, args := shippedNotesPageQuery(product, sinceAt, at, id, limit)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEntry(false))
}

// shippedNotesPageQuery reads a page of the rollup: product's notes that
// shipped after sinceAt ("" for all) and, when beforeAt is given, before
// (beforeAt, beforeID) in the rollup's order.
func shippedNotesPageQuery(product, sinceAt, beforeAt string, beforeID int64, limit int) (string, []any) {
	conds, args := notesConds(gonogo.NotesFilter{Product: product, ShippedOnly: true}, sinceAt)
	if beforeAt != "" {
		// (released_at, id) < (beforeAt, beforeID), spelled so that the
		// planner sees the range on released_at of the index.
		conds = append(conds, "r.released_at <= ? AND (r.released_at < ? OR r.id < ?)")
		args = append(args, beforeAt, beforeAt, beforeID)
	}
	return notesListQuery(true, conds, args, limit)
}

// shippedKey returns where product's version stands in the rollup's order:
// when it shipped, and its release's id.
func (s *Store) shippedKey(ctx context.Context, product, version string) (string, int64, error) {
	var at sql.NullString
	var id int64
	err := s.read.QueryRowContext(ctx, `SELECT released_at, id FROM releases WHERE product = ? AND version = ?
		ORDER BY released_at IS NULL, id DESC LIMIT 1`, product, version).Scan(&at, &id)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !at.Valid) {
		return "", 0, gonogo.Errorf(gonogo.EINVALID, "?before= takes a version from an “Older notes” link; %s %s has not shipped", product, version)
	}
	return at.String, id, err
}

// FindShippedVersions returns the versions of product's newest limit
// shipped releases with published notes, newest first: the choices of the
// rollup's "changes since", read without their notes' text.
// It is remembered until the next commit (memo).
func (s *Store) FindShippedVersions(ctx context.Context, product string, limit int) ([]string, error) {
	key := fmt.Sprintf("shipped versions %q %d", product, limit)
	return remember(ctx, s, key, func(ctx context.Context) ([]string, error) {
		rows, err := s.read.QueryContext(ctx, shippedVersionsQuery, product, limit)
		if err != nil {
			return nil, err
		}
		return collect(rows, scanOne[string])
	}, slices.Clone[[]string])
}

const shippedVersionsQuery = `SELECT r.version FROM releases r CROSS JOIN notes n ON n.release_id = r.id
	WHERE r.product = ? AND r.state = 'released' AND n.status = 'published'
	ORDER BY r.released_at DESC, r.id DESC LIMIT ?`
