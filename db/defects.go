package db

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gonogo/gonogo"
)

const defectColumns = `d.id, d.release_id, d.title, d.severity, d.status, d.key, d.tracker_url, d.notes, d.reason,
	d.updated_by, d.updated_at, d.created_at`

func scanDefect(sc interface{ Scan(...any) error }) (gonogo.Defect, error) {
	var d gonogo.Defect
	var updated, created string
	err := sc.Scan(&d.ID, &d.ReleaseID, &d.Title, &d.Severity, &d.Status, &d.Key, &d.TrackerURL, &d.Notes, &d.Reason,
		&d.UpdatedBy, &updated, &created)
	d.UpdatedAt, d.CreatedAt = parseTime(updated), parseTime(created)
	return d, err
}

// FindDefects returns a release's defects, worst first.
func (s *Store) FindDefects(ctx context.Context, releaseID int64) ([]gonogo.Defect, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+defectColumns+` FROM defects d WHERE d.release_id = ?`, releaseID)
	if err != nil {
		return nil, err
	}
	out, err := collect(rows, scanDefect)
	sortDefects(out)
	return out, err
}

func sortDefects(ds []gonogo.Defect) { slices.SortFunc(ds, gonogo.CompareDefects) }

// FindDefect returns one defect of a release.
func (s *Store) FindDefect(ctx context.Context, releaseID, id int64) (gonogo.Defect, error) {
	d, err := scanDefect(s.read.QueryRowContext(ctx, `SELECT `+defectColumns+` FROM defects d WHERE d.id = ? AND d.release_id = ?`, id, releaseID))
	return d, notFound(err, "no defect %d in this release", id)
}

// ReleaseDefect is a defect with the release it belongs to, for the QA view.
type ReleaseDefect struct {
	gonogo.Defect
	Release gonogo.Release
}

// FindOpenDefects returns the defects of every active release that match f;
// with no status in f, the unresolved ones. Worst first.
func (s *Store) FindOpenDefects(ctx context.Context, f gonogo.DefectFilter) ([]ReleaseDefect, error) {
	conds := []string{"r.state IN (" + placeholders(len(gonogo.ActiveStates)) + ")"}
	var args []any
	for _, st := range gonogo.ActiveStates {
		args = append(args, string(st))
	}
	if f.Product != "" {
		conds, args = append(conds, "r.product = ?"), append(args, f.Product)
	}
	if f.Severity != "" {
		conds, args = append(conds, "d.severity = ?"), append(args, string(f.Severity))
	}
	if f.Status != "" {
		conds, args = append(conds, "d.status = ?"), append(args, string(f.Status))
	} else {
		conds = append(conds, "d.status NOT IN ('verified', 'deferred', 'wont-fix')")
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+defectColumns+` FROM defects d JOIN releases r ON r.id = d.release_id
		WHERE `+strings.Join(conds, " AND ")+` LIMIT 2000`, args...)
	if err != nil {
		return nil, err
	}
	defects, err := collect(rows, scanDefect)
	if err != nil {
		return nil, err
	}
	// Active releases are few; one more query gives them all.
	rels, err := s.FindReleases(ctx, gonogo.ReleaseFilter{Product: f.Product, States: gonogo.ActiveStates})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]gonogo.Release, len(rels))
	for _, r := range rels {
		byID[r.ID] = r
	}
	out := make([]ReleaseDefect, 0, len(defects))
	for _, d := range defects {
		out = append(out, ReleaseDefect{Defect: d, Release: byID[d.ReleaseID]})
	}
	slices.SortFunc(out, func(a, b ReleaseDefect) int {
		if c := gonogo.CompareDefects(a.Defect, b.Defect); c != 0 {
			return c
		}
		return strings.Compare(a.Release.Name(), b.Release.Name())
	})
	return out, nil
}

// CreateDefects adds defects to a release, all or none, with one audit event
// each. A paste of ten defects either lands whole or not at all.
func (s *Store) CreateDefects(ctx context.Context, a gonogo.Actor, releaseID int64, ins []gonogo.DefectInput) ([]int64, error) {
	for i := range ins {
		ins[i].Normalize()
		if err := ins[i].Validate(); err != nil {
			return nil, err
		}
	}
	var ids []int64
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		ids, err = tx.createDefects(a, releaseID, ins)
		return err
	})
	return ids, err
}

func (tx *Tx) createDefects(a gonogo.Actor, releaseID int64, ins []gonogo.DefectInput) ([]int64, error) {
	rel, err := tx.release(releaseID)
	if err != nil {
		return nil, err
	}
	if err := gonogo.DefectsEditable(rel.State); err != nil {
		return nil, err
	}
	var ids []int64
	for _, in := range ins {
		res, err := tx.Exec(`INSERT INTO defects (release_id, title, severity, status, key, tracker_url, notes, updated_by, updated_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, releaseID, in.Title, string(in.Severity), string(in.Status),
			in.Key, in.TrackerURL, in.Notes, a.Name, fmtTime(tx.now), fmtTime(tx.now))
		if err != nil {
			return nil, err
		}
		id, _ := res.LastInsertId()
		ids = append(ids, id)
		key := ""
		if k := (gonogo.Defect{Key: in.Key, TrackerURL: in.TrackerURL}).TrackerKey(); k != "" {
			key = k + " "
		}
		if err := tx.audit(a, "defect.add", releaseID, "added %s defect %s%q (%s)", in.Severity, key, in.Title, in.Status); err != nil {
			return nil, err
		}
		if gonogo.Blocking(gonogo.Defect{Severity: in.Severity, Status: in.Status}) {
			tx.tag(gonogo.TopicBlockingDefect)
		}
	}
	return ids, tx.touchRelease(releaseID)
}

// DefectFunc decides, from the release and the defect as they are inside the
// transaction, what the defect becomes, or refuses with an error.
type DefectFunc func(rel gonogo.Release, d gonogo.Defect) (gonogo.Defect, error)

// UpdateDefect changes one defect through fn and audits what changed.
func (s *Store) UpdateDefect(ctx context.Context, a gonogo.Actor, releaseID, id int64, fn DefectFunc) (gonogo.Defect, error) {
	var out gonogo.Defect
	err := s.inTx(ctx, func(tx *Tx) error {
		d, err := tx.updateDefect(a, releaseID, id, fn)
		if err == nil {
			out = d
		}
		return err
	})
	return out, err
}

func (tx *Tx) updateDefect(a gonogo.Actor, releaseID, id int64, fn DefectFunc) (gonogo.Defect, error) {
	rel, err := tx.release(releaseID)
	if err != nil {
		return gonogo.Defect{}, err
	}
	old, err := scanDefect(tx.QueryRow(`SELECT `+defectColumns+` FROM defects d WHERE d.id = ? AND d.release_id = ?`, id, releaseID))
	if err != nil {
		return old, notFound(err, "no defect %d in release %s", id, rel.Name())
	}
	d, err := fn(rel, old)
	if err != nil {
		return d, err
	}
	d.UpdatedBy, d.UpdatedAt = a.Name, tx.now // the transaction's clock is the record's
	if _, err := tx.Exec(`UPDATE defects SET title = ?, severity = ?, status = ?, key = ?, tracker_url = ?, notes = ?, reason = ?,
		updated_by = ?, updated_at = ? WHERE id = ?`, d.Title, string(d.Severity), string(d.Status), d.Key, d.TrackerURL,
		d.Notes, d.Reason, d.UpdatedBy, fmtTime(d.UpdatedAt), id); err != nil {
		return d, err
	}
	if err := tx.audit(a, "defect."+defectAction(old, d), releaseID, "%s", describeDefectChange(old, d)); err != nil {
		return d, err
	}
	if gonogo.Blocking(d) && !gonogo.Blocking(old) {
		tx.tag(gonogo.TopicBlockingDefect)
	}
	return d, tx.touchRelease(releaseID)
}

func defectAction(old, d gonogo.Defect) string {
	if old.Status != d.Status {
		return "status"
	}
	return "edit"
}

func describeDefectChange(old, d gonogo.Defect) string {
	name := fmt.Sprintf("%q", d.Title)
	if k := d.TrackerKey(); k != "" {
		name = k + " " + name
	}
	var parts []string
	if old.Status != d.Status {
		part := fmt.Sprintf("%s → %s", old.Status, d.Status)
		if d.Reason != "" {
			part += ": " + d.Reason
		}
		parts = append(parts, part)
	} else if old.Reason != d.Reason && d.Reason != "" {
		// Deferred stays deferred, for a new reason: the trail must say which.
		parts = append(parts, "reason: "+d.Reason)
	}
	if old.Severity != d.Severity {
		parts = append(parts, fmt.Sprintf("severity %s → %s", old.Severity, d.Severity))
	}
	if old.Title != d.Title {
		parts = append(parts, fmt.Sprintf("title was %q", old.Title))
	}
	if old.TrackerURL != d.TrackerURL || old.Key != d.Key {
		parts = append(parts, "tracker link")
	}
	if old.Notes != d.Notes {
		parts = append(parts, "notes")
	}
	if len(parts) == 0 {
		return "saved defect " + name + " unchanged"
	}
	return "defect " + name + ": " + strings.Join(parts, ", ")
}

func (tx *Tx) release(id int64) (gonogo.Release, error) {
	r, err := scanRelease(tx.QueryRow(`SELECT `+releaseColumns+releaseFrom+`WHERE r.id = ?`, id))
	return r, notFound(err, "no release with id %d", id)
}

func (tx *Tx) touchRelease(id int64) error {
	_, err := tx.Exec(`UPDATE releases SET updated_at = ? WHERE id = ?`, fmtTime(tx.now), id)
	return err
}
