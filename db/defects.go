package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gonogo/gonogo"
)

const defectColumns = `d.id, d.release_id, d.title, d.severity, d.status, d.key, d.tracker_url, d.notes, d.reason,
	d.updated_by, d.updated_at, d.created_at, coalesce(d.tracker_id, 0), d.source, d.source_status, d.source_at`

func scanDefect(sc interface{ Scan(...any) error }) (gonogo.Defect, error) {
	var d gonogo.Defect
	err := sc.Scan(&d.ID, &d.ReleaseID, &d.Title, &d.Severity, &d.Status, &d.Key, &d.TrackerURL, &d.Notes, &d.Reason,
		&d.UpdatedBy, (*Time)(&d.UpdatedAt), (*Time)(&d.CreatedAt), &d.Source.TrackerID, &d.Source.Kind, &d.Source.Status,
		(*Time)(&d.Source.At))
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

// DefectCursor is where a page of the QA view starts: just past the defect
// of this severity, status and id, in the order of gonogo.CompareDefects.
// The zero cursor starts at the worst defect.
type DefectCursor struct {
	Severity gonogo.Severity
	Status   gonogo.DefectStatus
	ID       int64
}

// CursorAfter is the cursor of the page that follows d.
func CursorAfter(d gonogo.Defect) DefectCursor {
	return DefectCursor{Severity: d.Severity, Status: d.Status, ID: d.ID}
}

// Rank expressions order defects in SQL as gonogo.CompareDefects does in
// Go: by the domain's order of severities, then of statuses, then by id.
var (
	severityRank = rankCase("d.severity", gonogo.Severities)
	statusRank   = rankCase("d.status", gonogo.DefectStatuses)
)

func rankCase[T ~string](col string, order []T) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i, v := range order {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", v, i) // the domain's own names, never input
	}
	fmt.Fprintf(&b, " ELSE %d END", len(order))
	return b.String()
}

// FindDefectPage returns up to limit defects of active releases that
// match f (with no status in f, the unresolved ones), worst first, from
// the cursor on. A page costs what it shows plus the unresolved defects
// of active releases, never the defects of releases long closed: the
// active releases are found by their state index, their defects by
// release, and SQLite keeps only the best limit rows while it sorts.
// It is remembered until the next commit (memo).
func (s *Store) FindDefectPage(ctx context.Context, f gonogo.DefectFilter, after DefectCursor, limit int) ([]ReleaseDefect, error) {
	key := fmt.Sprintf("defect page %#v %#v %d", f, after, limit)
	return remember(ctx, s, key, func(ctx context.Context) ([]ReleaseDefect, error) {
		return s.readDefectPage(ctx, f, after, limit)
	}, slices.Clone[[]ReleaseDefect])
}

func (s *Store) readDefectPage(ctx context.Context, f gonogo.DefectFilter, after DefectCursor, limit int) ([]ReleaseDefect, error) {
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
	if after.ID > 0 {
		conds = append(conds, "("+severityRank+", "+statusRank+", d.id) > (?, ?, ?)")
		args = append(args, after.Severity.Rank(), after.Status.Rank(), after.ID)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+defectColumns+` FROM defects d JOIN releases r ON r.id = d.release_id
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY `+severityRank+`, `+statusRank+`, d.id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defects, err := collect(rows, scanDefect)
	if err != nil {
		return nil, err
	}
	rels, err := s.releasesByID(ctx, defects)
	if err != nil {
		return nil, err
	}
	out := make([]ReleaseDefect, 0, len(defects))
	for _, d := range defects {
		out = append(out, ReleaseDefect{Defect: d, Release: rels[d.ReleaseID]})
	}
	return out, nil
}

// releasesByID reads the releases a page of defects belongs to.
func (s *Store) releasesByID(ctx context.Context, defects []gonogo.Defect) (map[int64]gonogo.Release, error) {
	out := map[int64]gonogo.Release{}
	var ids []any
	for _, d := range defects {
		if _, ok := out[d.ReleaseID]; !ok {
			out[d.ReleaseID] = gonogo.Release{}
			ids = append(ids, d.ReleaseID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+releaseColumns+releaseFrom+`WHERE r.id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return nil, err
	}
	rels, err := collect(rows, scanRelease)
	for _, r := range rels {
		out[r.ID] = r
	}
	return out, err
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
	added, err := gonogo.AddDefects(a, rel, ins, tx.now)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, res := range added {
		d := res.Defect
		row, err := tx.Exec(`INSERT INTO defects (release_id, title, severity, status, key, tracker_url, notes, updated_by, updated_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, releaseID, d.Title, string(d.Severity), string(d.Status),
			d.Key, d.TrackerURL, d.Notes, d.UpdatedBy, Time(d.UpdatedAt), Time(d.CreatedAt))
		if err != nil {
			return nil, err
		}
		id, _ := row.LastInsertId()
		ids = append(ids, id)
		if err := tx.record(a, releaseID, res.Audit); err != nil {
			return nil, err
		}
		d.ID = id
		if err := tx.defectWritten(a, d); err != nil {
			return nil, err
		}
	}
	return ids, tx.touchRelease(releaseID)
}

// SetDefectStatus moves one defect to another status, as
// gonogo.SetDefectStatus makes of c, and audits it.
func (s *Store) SetDefectStatus(ctx context.Context, a gonogo.Actor, releaseID, id int64, c gonogo.DefectChange) (gonogo.Defect, error) {
	return s.changeDefect(ctx, a, releaseID, id, statusRule(a, c))
}

func (tx *Tx) setDefectStatus(a gonogo.Actor, releaseID, id int64, c gonogo.DefectChange) (gonogo.Defect, error) {
	return tx.changeDefect(a, releaseID, id, statusRule(a, c))
}

func statusRule(a gonogo.Actor, c gonogo.DefectChange) defectRule {
	return func(rel gonogo.Release, d gonogo.Defect, now time.Time) (gonogo.DefectResult, error) {
		return gonogo.SetDefectStatus(a, rel, d, c, now)
	}
}

// EditDefect changes one defect's description, as gonogo.ReviseDefect
// makes of in, and audits what changed.
func (s *Store) EditDefect(ctx context.Context, a gonogo.Actor, releaseID, id int64, in gonogo.DefectInput) (gonogo.Defect, error) {
	return s.changeDefect(ctx, a, releaseID, id, func(rel gonogo.Release, d gonogo.Defect, now time.Time) (gonogo.DefectResult, error) {
		return gonogo.ReviseDefect(a, rel, d, in, now)
	})
}

// defectRule is one of the domain's two rules for a defect's change, bound
// to its actor and request: the release, defect and time come from the
// transaction.
type defectRule func(gonogo.Release, gonogo.Defect, time.Time) (gonogo.DefectResult, error)

// changeDefect runs one of the two rules above on the release and defect
// as they are inside the transaction, and writes what it returns.
func (s *Store) changeDefect(ctx context.Context, a gonogo.Actor, releaseID, id int64,
	rule defectRule) (gonogo.Defect, error) {
	var out gonogo.Defect
	err := s.inTx(ctx, func(tx *Tx) error {
		d, err := tx.changeDefect(a, releaseID, id, rule)
		if err == nil {
			out = d
		}
		return err
	})
	return out, err
}

func (tx *Tx) changeDefect(a gonogo.Actor, releaseID, id int64,
	rule defectRule) (gonogo.Defect, error) {
	rel, err := tx.release(releaseID)
	if err != nil {
		return gonogo.Defect{}, err
	}
	old, err := scanDefect(tx.QueryRow(`SELECT `+defectColumns+` FROM defects d WHERE d.id = ? AND d.release_id = ?`, id, releaseID))
	if err != nil {
		return old, notFound(err, "no defect %d in release %s", id, rel.Name())
	}
	res, err := rule(rel, old, tx.now)
	if err != nil {
		return old, err
	}
	d := res.Defect
	if _, err := tx.Exec(`UPDATE defects SET title = ?, severity = ?, status = ?, key = ?, tracker_url = ?, notes = ?, reason = ?,
		updated_by = ?, updated_at = ? WHERE id = ?`, d.Title, string(d.Severity), string(d.Status), d.Key, d.TrackerURL,
		d.Notes, d.Reason, d.UpdatedBy, Time(d.UpdatedAt), id); err != nil {
		return d, err
	}
	if err := tx.record(a, releaseID, res.Audit); err != nil {
		return d, err
	}
	if err := tx.defectWritten(a, d); err != nil {
		return d, err
	}
	return d, tx.touchRelease(releaseID)
}
