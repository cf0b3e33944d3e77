package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/gonogo/gonogo"
)

const knownIssueColumns = `k.id, k.release_id, k.defect_id, k.title, k.tracker_key, k.url, k.severity, k.workaround,
	r.product, r.version, coalesce(k.fixed_by_release_id, 0), coalesce(k.fixed_by_defect_id, 0), coalesce(f.version, ''),
	coalesce(f.state, ''), k.created_at, k.updated_by, k.updated_at`

const knownIssueFrom = ` FROM known_issues k JOIN releases r ON r.id = k.release_id
	LEFT JOIN releases f ON f.id = k.fixed_by_release_id `

func scanKnownIssue(sc interface{ Scan(...any) error }) (gonogo.KnownIssue, error) {
	var k gonogo.KnownIssue
	var fix gonogo.KnownIssueFix
	err := sc.Scan(&k.ID, &k.ReleaseID, &k.DefectID, &k.Title, &k.Key, &k.URL, &k.Severity, &k.Workaround,
		&k.Product, &k.Version, &fix.ReleaseID, &fix.DefectID, &fix.Version, &fix.State,
		(*Time)(&k.CreatedAt), &k.UpdatedBy, (*Time)(&k.UpdatedAt))
	if fix.ReleaseID != 0 {
		k.FixedBy = &fix
	}
	return k, err
}

// FindKnownIssues returns the known issues of the releases, by release,
// oldest first: what each shipped with unfixed, whether a later release
// fixed it since, and its workaround.
func (s *Store) FindKnownIssues(ctx context.Context, releaseIDs []int64) (map[int64][]gonogo.KnownIssue, error) {
	out := map[int64][]gonogo.KnownIssue{}
	if len(releaseIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(releaseIDs))
	for i, id := range releaseIDs {
		args[i] = id
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+knownIssueColumns+knownIssueFrom+`WHERE k.release_id IN (`+
		placeholders(len(args))+`) ORDER BY k.release_id, k.id`, args...)
	if err != nil {
		return nil, err
	}
	issues, err := collect(rows, scanKnownIssue)
	for _, k := range issues {
		out[k.ReleaseID] = append(out[k.ReleaseID], k)
	}
	return out, err
}

// FindReleaseKnownIssues returns one release's known issues, oldest first.
func (s *Store) FindReleaseKnownIssues(ctx context.Context, releaseID int64) ([]gonogo.KnownIssue, error) {
	m, err := s.FindKnownIssues(ctx, []int64{releaseID})
	return m[releaseID], err
}

// FindFixedKnownIssues returns the known issues of earlier releases that
// releaseID fixed, oldest first: its notes' "Fixed" lines.
func (s *Store) FindFixedKnownIssues(ctx context.Context, releaseID int64) ([]gonogo.KnownIssue, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+knownIssueColumns+knownIssueFrom+`WHERE k.fixed_by_release_id = ?
		ORDER BY k.id LIMIT 200`, releaseID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanKnownIssue)
}

// FindKnownIssue returns one known issue of a release.
func (s *Store) FindKnownIssue(ctx context.Context, releaseID, id int64) (gonogo.KnownIssue, error) {
	k, err := scanKnownIssue(s.read.QueryRowContext(ctx, `SELECT `+knownIssueColumns+knownIssueFrom+
		`WHERE k.id = ? AND k.release_id = ?`, id, releaseID))
	return k, notFound(err, "no known issue %d in this release", id)
}

// SetWorkaround writes a known issue's workaround, as gonogo.SetWorkaround
// allows, and audits it.
func (s *Store) SetWorkaround(ctx context.Context, a gonogo.Actor, releaseID, id int64, text string) (gonogo.KnownIssue, error) {
	var out gonogo.KnownIssue
	err := s.inTx(ctx, func(tx *Tx) error {
		rel, err := tx.release(releaseID)
		if err != nil {
			return err
		}
		k, err := scanKnownIssue(tx.QueryRow(`SELECT `+knownIssueColumns+knownIssueFrom+`WHERE k.id = ? AND k.release_id = ?`, id, releaseID))
		if err != nil {
			return notFound(err, "no known issue %d in release %s", id, rel.Name())
		}
		next, au, err := gonogo.SetWorkaround(a, rel, k, text, tx.now)
		out = next
		if err != nil || au.Action == "" {
			return err
		}
		if _, err := tx.Exec(`UPDATE known_issues SET workaround = ?, updated_by = ?, updated_at = ? WHERE id = ?`,
			next.Workaround, next.UpdatedBy, Time(next.UpdatedAt), id); err != nil {
			return err
		}
		if err := tx.record(a, releaseID, au); err != nil {
			return err
		}
		return tx.touchRelease(releaseID)
	})
	return out, err
}

// defectWritten keeps the known issues in step with a defect just written,
// in the same transaction: every change of a defect (by hand, through the
// API, a paste or a tracker's webhook) passes here. A blocker or critical
// set aside before its release shipped becomes a known issue, and stops
// being one when it is no longer set aside; a verified defect fixes the
// known issues of other releases of the product with its tracker key, and
// unverified again, stops fixing them.
func (tx *Tx) defectWritten(a gonogo.Actor, d gonogo.Defect) error {
	rel, err := tx.release(d.ReleaseID)
	if err != nil {
		return err
	}
	if gonogo.DefectsEditable(rel.State) == nil {
		if err := tx.keepKnownIssue(a, rel, d); err != nil {
			return err
		}
	}
	return tx.keepFixes(a, rel, d)
}

func (tx *Tx) keepKnownIssue(a gonogo.Actor, rel gonogo.Release, d gonogo.Defect) error {
	was, err := scanKnownIssue(tx.QueryRow(`SELECT `+knownIssueColumns+knownIssueFrom+`WHERE k.defect_id = ?`, d.ID))
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	switch {
	case gonogo.IsKnownIssue(d) && found:
		// Still a known issue: it follows the defect's description.
		k := gonogo.KnownIssueOf(rel, d, tx.now)
		_, err := tx.Exec(`UPDATE known_issues SET title = ?, tracker_key = ?, url = ?, severity = ? WHERE id = ?`,
			k.Title, k.Key, k.URL, string(k.Severity), was.ID)
		return err
	case gonogo.IsKnownIssue(d):
		k := gonogo.KnownIssueOf(rel, d, tx.now)
		if _, err := tx.Exec(`INSERT INTO known_issues (release_id, defect_id, title, tracker_key, url, severity, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, rel.ID, d.ID, k.Title, k.Key, k.URL, string(k.Severity), Time(k.CreatedAt)); err != nil {
			return err
		}
		if err := tx.record(a, rel.ID, gonogo.KnownIssueAdded(k, d)); err != nil {
			return err
		}
		if err := tx.askSupportReview(rel, k); err != nil {
			return err
		}
		return tx.findFix(a, k, d.ID)
	case found:
		if _, err := tx.Exec(`DELETE FROM known_issues WHERE id = ?`, was.ID); err != nil {
			return err
		}
		if err := tx.record(a, rel.ID, gonogo.KnownIssueRemoved(was, d)); err != nil {
			return err
		}
		return tx.settleSupportReview(rel)
	}
	return nil
}

// settleSupportReview stops the support lead's review item holding the
// gate once no known issue is left (gonogo.NoKnownIssuesLeft).
func (tx *Tx) settleSupportReview(rel gonogo.Release) error {
	var left int
	if err := tx.QueryRow(`SELECT count(*) FROM known_issues WHERE release_id = ?`, rel.ID).Scan(&left); err != nil || left > 0 {
		return err
	}
	rows, err := tx.Query(`SELECT `+itemColumns+` FROM items i WHERE i.release_id = ? AND i.check_key = ?`, rel.ID, gonogo.KnownIssuesCheckKey)
	if err != nil {
		return err
	}
	items, err := collect(rows, scanItem)
	if err != nil {
		return err
	}
	if res := gonogo.NoKnownIssuesLeft(rel, items, tx.now); res != nil {
		return tx.applyItem(gonogo.SystemActor, rel.ID, *res)
	}
	return nil
}

// askSupportReview adds or reopens the support lead's "Known issues
// reviewed" item, as gonogo.ReviewKnownIssues says.
func (tx *Tx) askSupportReview(rel gonogo.Release, k gonogo.KnownIssue) error {
	rows, err := tx.Query(`SELECT `+itemColumns+` FROM items i WHERE i.release_id = ? AND i.check_key = ?`, rel.ID, gonogo.KnownIssuesCheckKey)
	if err != nil {
		return err
	}
	items, err := collect(rows, scanItem)
	if err != nil {
		return err
	}
	add, reopen := gonogo.ReviewKnownIssues(rel, items, k, tx.now)
	switch {
	case add != nil:
		if _, err := tx.addItems(rel.ID, []gonogo.Item{add.Item}, 0); err != nil {
			return err
		}
		return tx.record(gonogo.SystemActor, rel.ID, add.Audit)
	case reopen != nil:
		return tx.applyItem(gonogo.SystemActor, rel.ID, *reopen)
	}
	return nil
}

// keepFixes links d, verified, to the known issues it fixes, and unlinks
// those it fixed when it is verified no more.
func (tx *Tx) keepFixes(a gonogo.Actor, rel gonogo.Release, d gonogo.Defect) error {
	rows, err := tx.Query(`SELECT `+knownIssueColumns+knownIssueFrom+`WHERE k.fixed_by_defect_id = ? ORDER BY k.id`, d.ID)
	if err != nil {
		return err
	}
	fixed, err := collect(rows, scanKnownIssue)
	if err != nil {
		return err
	}
	for _, k := range fixed {
		if gonogo.FixesKnownIssue(rel, d, k) {
			continue
		}
		if _, err := tx.Exec(`UPDATE known_issues SET fixed_by_release_id = NULL, fixed_by_defect_id = NULL WHERE id = ?`, k.ID); err != nil {
			return err
		}
		old, fixing := gonogo.KnownIssueUnfixed(k, rel)
		if err := tx.recordBoth(a, k.ReleaseID, old, rel.ID, fixing); err != nil {
			return err
		}
	}
	key := d.TrackerKey()
	if d.Status != gonogo.DefectVerified || key == "" {
		return nil
	}
	rows, err = tx.Query(`SELECT `+knownIssueColumns+knownIssueFrom+`WHERE k.tracker_key = ? COLLATE NOCASE AND k.tracker_key <> ''
		AND r.product = ? AND k.release_id <> ? AND k.fixed_by_release_id IS NULL ORDER BY k.id LIMIT 50`, key, rel.Product, rel.ID)
	if err != nil {
		return err
	}
	open, err := collect(rows, scanKnownIssue)
	if err != nil {
		return err
	}
	for _, k := range open {
		if !gonogo.FixesKnownIssue(rel, d, k) {
			continue
		}
		if _, err := tx.Exec(`UPDATE known_issues SET fixed_by_release_id = ?, fixed_by_defect_id = ? WHERE id = ?`, rel.ID, d.ID, k.ID); err != nil {
			return err
		}
		old, fixing := gonogo.KnownIssueFixed(k, rel)
		if err := tx.recordBoth(a, k.ReleaseID, old, rel.ID, fixing); err != nil {
			return err
		}
	}
	return nil
}

// findFix links a new known issue to a release of its product that has
// verified a defect with its key already: the fix may land on the next
// release's branch before this one ships without it.
func (tx *Tx) findFix(a gonogo.Actor, k gonogo.KnownIssue, defectID int64) error {
	if k.Key == "" {
		return nil
	}
	if err := tx.QueryRow(`SELECT id FROM known_issues WHERE defect_id = ?`, defectID).Scan(&k.ID); err != nil {
		return err
	}
	// The key is typed, or read from the link's end (gonogo.KeyFromURL):
	// the query narrows by either, the domain decides.
	rows, err := tx.Query(`SELECT `+defectColumns+` FROM defects d JOIN releases r ON r.id = d.release_id
		WHERE r.product = ? AND d.release_id <> ? AND d.status = 'verified'
		AND (d.key = ? COLLATE NOCASE OR d.tracker_url LIKE ?) ORDER BY d.id LIMIT 20`,
		k.Product, k.ReleaseID, k.Key, "%/"+strings.TrimPrefix(k.Key, "#"))
	if err != nil {
		return err
	}
	fixes, err := collect(rows, scanDefect)
	if err != nil {
		return err
	}
	for _, d := range fixes {
		rel, err := tx.release(d.ReleaseID)
		if err != nil {
			return err
		}
		if !gonogo.FixesKnownIssue(rel, d, k) {
			continue
		}
		if _, err := tx.Exec(`UPDATE known_issues SET fixed_by_release_id = ?, fixed_by_defect_id = ? WHERE id = ?`, rel.ID, d.ID, k.ID); err != nil {
			return err
		}
		old, fixing := gonogo.KnownIssueFixed(k, rel)
		return tx.recordBoth(a, k.ReleaseID, old, rel.ID, fixing)
	}
	return nil
}

// recordBoth audits a change that concerns two releases, on each. The
// release that shipped with the issue is not touched: a fix elsewhere is
// no change of it, and must not bring a closed release back to the board.
func (tx *Tx) recordBoth(a gonogo.Actor, oldID int64, old gonogo.Audit, newID int64, fixing gonogo.Audit) error {
	if err := tx.record(a, oldID, old); err != nil {
		return err
	}
	return tx.record(a, newID, fixing)
}
