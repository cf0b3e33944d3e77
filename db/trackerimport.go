package db

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/gonogo/gonogo"
)

// FindReleasesOf returns product's releases of the given versions: those an
// import's issues name, each one seek of releases_version.
func (s *Store) FindReleasesOf(ctx context.Context, product string, versions []string) ([]gonogo.Release, error) {
	if len(versions) == 0 {
		return nil, nil
	}
	list, _ := json.Marshal(versions)
	rows, err := s.read.QueryContext(ctx, `SELECT `+releaseColumns+releaseFrom+`WHERE r.product = ?
		AND r.version IN (SELECT value FROM json_each(?)) ORDER BY r.id`, product, string(list))
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRelease)
}

// FindTrackerItemTimes returns when tracker trackerID last told gonogo of
// each of keys it told of: what an import compares its issues' times with.
func (s *Store) FindTrackerItemTimes(ctx context.Context, trackerID int64, keys []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	if len(keys) == 0 {
		return out, nil
	}
	list, _ := json.Marshal(keys)
	rows, err := s.read.QueryContext(ctx, `SELECT key, updated_at FROM tracker_items
		WHERE tracker_id = ? AND key IN (SELECT value FROM json_each(?))`, trackerID, string(list))
	if err != nil {
		return nil, err
	}
	type keyTime struct {
		key string
		at  time.Time
	}
	kts, err := collect(rows, func(sc scanner) (keyTime, error) {
		var kt keyTime
		return kt, sc.Scan(&kt.key, (*Time)(&kt.at))
	})
	for _, kt := range kts {
		out[kt.key] = kt.at
	}
	return out, err
}

// Imported is what an import did: the issues it applied, those the
// tracker had told gonogo something newer of (left as they are), and the
// defects it added or changed.
type Imported struct {
	Applied, Stale int
	Defects        []gonogo.Defect
}

// ImportTrackerItems applies the issues of an export of tracker t, all or
// none, each as its webhook's delivery would be (audited as the
// integration), and audits the import on each release it reached as the
// person who made it.
func (s *Store) ImportTrackerItems(ctx context.Context, a gonogo.Actor, t gonogo.Tracker, items []gonogo.TrackerItem) (Imported, error) {
	var out Imported
	err := s.inTx(ctx, func(tx *Tx) error {
		out = Imported{}
		var id int64
		if err := tx.QueryRow(`SELECT id FROM trackers WHERE id = ?`, t.ID).Scan(&id); err != nil {
			return notFound(err, "%s has no %s tracker", t.Product, t.Kind.Label())
		}
		perRelease := map[int64]int{}
		releases := map[int64]gonogo.Release{}
		for _, it := range items {
			res, err := tx.applyTrackerItem(t, it)
			if err != nil {
				return err
			}
			if res.Stale {
				out.Stale++
				continue
			}
			out.Applied++
			out.Defects = append(out.Defects, res.Defects...)
			if res.Release.ID != 0 {
				perRelease[res.Release.ID]++
				releases[res.Release.ID] = res.Release
			}
		}
		ids := make([]int64, 0, len(perRelease))
		for id := range perRelease {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			if err := tx.record(a, id, gonogo.ImportAudit(t.Kind, perRelease[id], releases[id])); err != nil {
				return err
			}
			if err := tx.touchRelease(id); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
