package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/gonogo/gonogo"
)

const trackerColumns = `t.id, t.product, t.kind, t.project, t.secret, t.release_by, t.label_prefix, t.verified,
	t.required_label, t.defect_types, t.created_at`

func scanTracker(sc scanner) (gonogo.Tracker, error) {
	var t gonogo.Tracker
	var types string
	err := sc.Scan(&t.ID, &t.Product, &t.Kind, &t.Project, &t.Secret, &t.ReleaseBy, &t.LabelPrefix, &t.Verified,
		&t.RequiredLabel, &types, (*Time)(&t.CreatedAt))
	t.DefectTypes = splitList(types)
	return t, err
}

// splitList reads a list stored as comma-separated text.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// FindTracker returns product's tracker of kind k, with its severity rules.
func (s *Store) FindTracker(ctx context.Context, product string, k gonogo.TrackerKind) (gonogo.Tracker, error) {
	t, err := scanTracker(s.read.QueryRowContext(ctx, `SELECT `+trackerColumns+` FROM trackers t WHERE t.product = ? AND t.kind = ?`,
		product, string(k)))
	if err != nil {
		return t, notFound(err, "%s has no %s tracker", product, k.Label())
	}
	t.Severities, err = severityRules(ctx, s.read, t.ID)
	return t, err
}

// FindTrackers returns product's trackers, with their severity rules: at
// most one of each kind.
func (s *Store) FindTrackers(ctx context.Context, product string) ([]gonogo.Tracker, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+trackerColumns+` FROM trackers t WHERE t.product = ? ORDER BY t.kind`, product)
	if err != nil {
		return nil, err
	}
	ts, err := collect(rows, scanTracker)
	for i := range ts {
		if err == nil {
			ts[i].Severities, err = severityRules(ctx, s.read, ts[i].ID)
		}
	}
	return ts, err
}

func severityRules(ctx context.Context, q querier, trackerID int64) ([]gonogo.SeverityRule, error) {
	rows, err := q.QueryContext(ctx, `SELECT match, severity FROM tracker_severities WHERE tracker_id = ?
		ORDER BY CASE severity WHEN 'blocker' THEN 0 WHEN 'critical' THEN 1 WHEN 'major' THEN 2 ELSE 3 END, match`, trackerID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(sc scanner) (gonogo.SeverityRule, error) {
		var r gonogo.SeverityRule
		return r, sc.Scan(&r.Match, &r.Severity)
	})
}

// TrackerDelivery is one verified delivery from a tracker: its own id, and
// the issue or change it is about.
type TrackerDelivery struct {
	ID   string // the tracker's delivery id, refused when seen again
	Item gonogo.TrackerItem
}

// Applied is what a delivery did: Stale when the tracker had already told
// gonogo something newer of the item; Defects, the defects it added or
// changed.
type Applied struct {
	Stale   bool
	Release gonogo.Release // the release the item names, if gonogo has it
	Defects []gonogo.Defect
}

// ErrReplayed is a delivery whose id the tracker already sent.
var ErrReplayed = gonogo.Errorf(gonogo.ECONFLICT, "this delivery was received before")

// ApplyDelivery applies one verified delivery of tracker t, all or none:
// it remembers the delivery id (ErrReplayed for one seen before), keeps
// what the tracker says of the item unless it knows something newer, and
// syncs the defects the item is, each audited as the integration.
func (s *Store) ApplyDelivery(ctx context.Context, t gonogo.Tracker, d TrackerDelivery) (Applied, error) {
	var out Applied
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.applyDelivery(t, d)
		return err
	})
	return out, err
}

func (tx *Tx) applyDelivery(t gonogo.Tracker, d TrackerDelivery) (Applied, error) {
	if err := tx.remember(t.ID, d.ID); err != nil {
		return Applied{}, err
	}
	return tx.applyTrackerItem(t, d.Item)
}

// applyTrackerItem keeps what tracker t says of it, unless it knows something
// newer, and syncs the defects it is: a delivery's work once its id is
// remembered, and an import's for each issue of the export.
func (tx *Tx) applyTrackerItem(t gonogo.Tracker, it gonogo.TrackerItem) (Applied, error) {
	was, err := tx.trackerItem(t.ID, it.Key)
	if err != nil {
		return Applied{}, err
	}
	if was != nil && !it.UpdatedAt.After(was.UpdatedAt) {
		return Applied{Stale: true}, nil
	}
	rel, err := tx.namedRelease(t, it)
	if err != nil {
		return Applied{}, err
	}
	if err := tx.storeTrackerItem(t.ID, it, rel); err != nil {
		return Applied{}, err
	}
	out := Applied{}
	if rel != nil {
		out.Release = *rel
	}
	if err := tx.recordScope(t, it, was, rel); err != nil {
		return out, err
	}
	out.Defects, err = tx.syncDefects(t, it, rel)
	return out, err
}

// remember stores a delivery id, refusing one seen before, and forgets
// those older than gonogo.DeliveryMemory.
func (tx *Tx) remember(trackerID int64, delivery string) error {
	if _, err := tx.Exec(`DELETE FROM tracker_deliveries WHERE received_at < ?`,
		Time(tx.now.Add(-gonogo.DeliveryMemory))); err != nil {
		return err
	}
	_, err := tx.Exec(`INSERT INTO tracker_deliveries (tracker_id, delivery, received_at) VALUES (?, ?, ?)`,
		trackerID, delivery, Time(tx.now))
	if isUnique(err) {
		return ErrReplayed
	}
	return err
}

// storedItem is what gonogo last heard of a tracker item.
type storedItem struct {
	gonogo.TrackerItem
	ReleaseID int64
}

func (tx *Tx) trackerItem(trackerID int64, key string) (*storedItem, error) {
	var it storedItem
	var labels string
	var rel sql.NullInt64
	err := tx.QueryRow(`SELECT key, type, title, url, state, not_planned, labels, release_id, updated_at FROM tracker_items
		WHERE tracker_id = ? AND key = ?`, trackerID, key).Scan(&it.Key, &it.Type, &it.Title, &it.URL, &it.State, &it.NotPlanned,
		&labels, &rel, (*Time)(&it.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	it.ReleaseID = rel.Int64
	return &it, json.Unmarshal([]byte(labels), &it.Labels)
}

func (tx *Tx) storeTrackerItem(trackerID int64, it gonogo.TrackerItem, rel *gonogo.Release) error {
	labels, err := json.Marshal(nonNil(it.Labels))
	if err != nil {
		return err
	}
	var relID any
	if rel != nil {
		relID = rel.ID
	}
	_, err = tx.Exec(`INSERT INTO tracker_items (tracker_id, key, type, title, url, state, not_planned, labels, release_id, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tracker_id, key) DO UPDATE SET type = excluded.type, title = excluded.title, url = excluded.url,
			state = excluded.state, not_planned = excluded.not_planned, labels = excluded.labels,
			release_id = excluded.release_id, updated_at = excluded.updated_at`,
		trackerID, it.Key, string(it.Type), it.Title, it.URL, string(it.State), boolInt(it.NotPlanned), string(labels), relID,
		Time(it.UpdatedAt))
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// namedRelease is the first of the item's versions that is a release of
// the tracker's product, or nil.
func (tx *Tx) namedRelease(t gonogo.Tracker, it gonogo.TrackerItem) (*gonogo.Release, error) {
	for _, v := range t.Versions(it) {
		r, err := scanRelease(tx.QueryRow(`SELECT `+releaseColumns+releaseFrom+`WHERE r.product = ? AND r.version = ?`, t.Product, v))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &r, nil
	}
	return nil, nil
}

// recordScope audits a change (pull or merge request) arriving in, leaving
// or changing state in a release, so its page and the live board hear of it.
func (tx *Tx) recordScope(t gonogo.Tracker, it gonogo.TrackerItem, was *storedItem, rel *gonogo.Release) error {
	var before *gonogo.TrackerItem
	var from *gonogo.Release
	if was != nil {
		before = &was.TrackerItem
		if was.ReleaseID != 0 {
			r, err := tx.release(was.ReleaseID)
			if err != nil {
				return err
			}
			from = &r
		}
	}
	for _, ra := range gonogo.ScopeAudits(t, it, before, from, rel) {
		if err := tx.record(t.Kind.Actor(), ra.ReleaseID, ra.Audit); err != nil {
			return err
		}
		if err := tx.touchRelease(ra.ReleaseID); err != nil {
			return err
		}
	}
	return nil
}

// syncDefects writes what gonogo.SyncDefects makes of the item's delivery.
func (tx *Tx) syncDefects(t gonogo.Tracker, it gonogo.TrackerItem, rel *gonogo.Release) ([]gonogo.Defect, error) {
	rows, err := tx.Query(`SELECT `+defectColumns+` FROM defects d WHERE d.tracker_id = ? AND d.key = ?`, t.ID, it.Key)
	if err != nil {
		return nil, err
	}
	defects, err := collect(rows, scanDefect)
	if err != nil {
		return nil, err
	}
	var kept []gonogo.Kept
	for _, d := range defects {
		r, err := tx.release(d.ReleaseID)
		if err != nil {
			return nil, err
		}
		kept = append(kept, gonogo.Kept{Defect: d, Release: r})
	}
	var out []gonogo.Defect
	for _, w := range gonogo.SyncDefects(t, it, kept, rel, tx.now) {
		d, err := tx.writeSynced(t, w)
		if err != nil {
			return nil, err
		}
		if !w.Quiet {
			out = append(out, d)
		}
	}
	return out, nil
}

func (tx *Tx) writeSynced(t gonogo.Tracker, w gonogo.DefectWrite) (gonogo.Defect, error) {
	d := w.Defect
	switch {
	case w.New:
		res, err := tx.Exec(`INSERT INTO defects (release_id, title, severity, status, key, tracker_url, notes, reason,
			updated_by, updated_at, created_at, tracker_id, source, source_status, source_at)
			VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?)`, d.ReleaseID, d.Title, string(d.Severity), string(d.Status),
			d.Key, d.TrackerURL, d.Reason, d.UpdatedBy, Time(d.UpdatedAt), Time(d.CreatedAt), t.ID, string(t.Kind),
			string(d.Source.Status), Time(d.Source.At))
		if err != nil {
			return d, err
		}
		d.ID, _ = res.LastInsertId()
	case w.Quiet:
		_, err := tx.Exec(`UPDATE defects SET source_at = ? WHERE id = ?`, Time(d.Source.At), d.ID)
		return d, err
	default:
		if _, err := tx.Exec(`UPDATE defects SET title = ?, severity = ?, status = ?, key = ?, tracker_url = ?, reason = ?,
			updated_by = ?, updated_at = ?, source_status = ?, source_at = ? WHERE id = ?`, d.Title, string(d.Severity),
			string(d.Status), d.Key, d.TrackerURL, d.Reason, d.UpdatedBy, Time(d.UpdatedAt), string(d.Source.Status),
			Time(d.Source.At), d.ID); err != nil {
			return d, err
		}
	}
	if err := tx.record(t.Kind.Actor(), d.ReleaseID, w.Audit); err != nil {
		return d, err
	}
	if err := tx.defectWritten(t.Kind.Actor(), d); err != nil {
		return d, err
	}
	return d, tx.touchRelease(d.ReleaseID)
}

// SaveTracker connects a tracker to its product, or changes the mapping of
// the one of its kind (its id is then ignored), with its severity rules,
// and audits it; it returns the tracker's id.
func (s *Store) SaveTracker(ctx context.Context, a gonogo.Actor, t gonogo.Tracker) (int64, error) {
	if err := t.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := s.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.product(t.Product); err != nil {
			return err
		}
		was, err := scanTracker(tx.QueryRow(`SELECT `+trackerColumns+` FROM trackers t WHERE t.product = ? AND t.kind = ?`,
			t.Product, string(t.Kind)))
		var before *gonogo.Tracker
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.Exec(`INSERT INTO trackers (product, kind, project, secret, release_by, label_prefix, verified,
				required_label, defect_types, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Product, string(t.Kind),
				t.Project, t.Secret, string(t.ReleaseBy), t.LabelPrefix, t.Verified, t.RequiredLabel,
				strings.Join(t.DefectTypes, ", "), Time(tx.now))
			if err != nil {
				return err
			}
			id, _ = res.LastInsertId()
		case err != nil:
			return err
		default:
			if was.Severities, err = severityRules(context.Background(), tx, was.ID); err != nil {
				return err
			}
			before, id = &was, was.ID
			if _, err := tx.Exec(`UPDATE trackers SET project = ?, secret = ?, release_by = ?, label_prefix = ?, verified = ?,
				required_label = ?, defect_types = ? WHERE id = ?`, t.Project, t.Secret, string(t.ReleaseBy), t.LabelPrefix,
				t.Verified, t.RequiredLabel, strings.Join(t.DefectTypes, ", "), id); err != nil {
				return err
			}
		}
		if err := tx.storeSeverities(id, t.Severities); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.TrackerSaved(before, t))
	})
	return id, err
}

func (tx *Tx) storeSeverities(trackerID int64, rules []gonogo.SeverityRule) error {
	if _, err := tx.Exec(`DELETE FROM tracker_severities WHERE tracker_id = ?`, trackerID); err != nil {
		return err
	}
	for _, r := range rules {
		if _, err := tx.Exec(`INSERT INTO tracker_severities (tracker_id, match, severity) VALUES (?, ?, ?)`,
			trackerID, r.Match, string(r.Severity)); err != nil {
			return err
		}
	}
	return nil
}

// RemoveTracker disconnects product's tracker of kind k and audits it. The
// defects it kept stay, kept by hand from then on.
func (s *Store) RemoveTracker(ctx context.Context, a gonogo.Actor, product string, k gonogo.TrackerKind) error {
	return s.inTx(ctx, func(tx *Tx) error {
		t, err := scanTracker(tx.QueryRow(`SELECT `+trackerColumns+` FROM trackers t WHERE t.product = ? AND t.kind = ?`,
			product, string(k)))
		if err != nil {
			return notFound(err, "%s has no %s tracker", product, k.Label())
		}
		if _, err := tx.Exec(`UPDATE defects SET tracker_id = NULL, source = '', source_status = '', source_at = NULL
			WHERE tracker_id = ?`, t.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM trackers WHERE id = ?`, t.ID); err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.TrackerRemoved(t))
	})
}
