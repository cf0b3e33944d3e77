package db

import (
	"context"
	"fmt"
	"slices"

	"github.com/gonogo/gonogo"
)

// "What changed between two versions" reads in two steps: the product's
// shipped versions alone (names and times, a few KB), which the domain
// puts in version order to pick the range; then the notes of the picked
// releases, at most gonogo.MaxChangesNotes of them, by id.

// FindShippedVersionList returns the newest gonogo.MaxShippedVersions
// shipped releases of product with published notes, in no set order.
// It is remembered until the next commit (memo).
func (s *Store) FindShippedVersionList(ctx context.Context, product string) ([]gonogo.ShippedVersion, error) {
	key := fmt.Sprintf("shipped version list %q", product)
	return remember(ctx, s, key, func(ctx context.Context) ([]gonogo.ShippedVersion, error) {
		rows, err := s.read.QueryContext(ctx, shippedVersionListQuery, product, gonogo.MaxShippedVersions)
		if err != nil {
			return nil, err
		}
		return collect(rows, func(sc scanner) (gonogo.ShippedVersion, error) {
			var v gonogo.ShippedVersion
			err := sc.Scan(&v.ReleaseID, &v.Version, (*Time)(&v.ShippedAt))
			return v, err
		})
	}, slices.Clone[[]gonogo.ShippedVersion])
}

const shippedVersionListQuery = `SELECT r.id, r.version, r.released_at FROM releases r CROSS JOIN notes n ON n.release_id = r.id
	WHERE r.product = ? AND r.state = 'released' AND n.status = 'published'
	ORDER BY r.released_at DESC, r.id DESC LIMIT ?`

// FindNotesOf returns the published notes of the shipped releases ids,
// in no set order; an id without them is left out.
func (s *Store) FindNotesOf(ctx context.Context, ids []int64) ([]gonogo.NotesEntry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > gonogo.MaxChangesNotes {
		return nil, fmt.Errorf("notes of %d releases asked at once, at most %d", len(ids), gonogo.MaxChangesNotes)
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+releaseColumns+`, `+notesColumns+`, r.released_at`+entryFrom+`
		WHERE r.id IN (`+placeholders(len(ids))+`) AND r.state = 'released' AND n.status = 'published'`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEntry(false))
}

// FindShippedKnownIssues returns the known issues of product's shipped
// releases, newest first, at most gonogo.MaxChangesKnownIssues: what
// "what changed" reads to tell those still open at a version from those
// fixed by then. Known issues are the blockers and criticals that shipped
// unfixed, a handful a year.
func (s *Store) FindShippedKnownIssues(ctx context.Context, product string) ([]gonogo.KnownIssue, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+knownIssueColumns+knownIssueFrom+`
		WHERE r.product = ? AND r.state = 'released' ORDER BY k.id DESC LIMIT ?`, product, gonogo.MaxChangesKnownIssues)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanKnownIssue)
}
