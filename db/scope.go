package db

import (
	"context"
	"encoding/json"

	"github.com/gonogo/gonogo"
)

// A release's scope: the pull and merge requests its trackers last said
// are open in its milestone (tracker_items of type change, state open),
// read through the tracker_items_release index.

// scopeRequired is whether a change carries its tracker's required label,
// as gonogo.Tracker.RequiredChange says: ignoring case (ASCII letters, as
// SQLite's NOCASE does) and space around it. The LIKE test, cheap and as
// blind to ASCII case, passes over most changes before json_each reads the
// labels of the few that mention the required one.
const scopeRequired = `(t.required_label <> '' AND ti.labels LIKE '%' || trim(t.required_label) || '%'
	AND EXISTS (SELECT 1 FROM json_each(ti.labels) l WHERE trim(l.value) = trim(t.required_label) COLLATE NOCASE))`

// scopeQuery lists a release's open changes, the required ones first, then
// the latest changed, at most the page's bound.
const scopeQuery = `SELECT t.kind, ti.key, ti.title, ti.url, ` + scopeRequired + ` AS required
	FROM tracker_items ti JOIN trackers t ON t.id = ti.tracker_id
	WHERE ti.release_id = ? AND ti.type = 'change' AND ti.state = 'open'
	ORDER BY required DESC, ti.updated_at DESC LIMIT ?`

// boardScopeQuery reads, for the board's releases (a JSON array of ids),
// only the open changes its gates read: the required ones.
const boardScopeQuery = `SELECT ti.release_id, t.kind, ti.key, ti.title, ti.url
	FROM tracker_items ti JOIN trackers t ON t.id = ti.tracker_id
	WHERE ti.release_id IN (SELECT value FROM json_each(?)) AND ti.type = 'change' AND ti.state = 'open' AND ` + scopeRequired

// findScope reads the open changes of rel while it watches them: at most
// gonogo.MaxScopeShown, and how many more there are.
func findScope(ctx context.Context, q querier, rel gonogo.Release) ([]gonogo.ScopeChange, int, error) {
	if !gonogo.WatchesScope(rel.State) {
		return nil, 0, nil
	}
	rows, err := q.QueryContext(ctx, scopeQuery, rel.ID, gonogo.MaxScopeShown)
	if err != nil {
		return nil, 0, err
	}
	scope, err := collect(rows, func(sc scanner) (gonogo.ScopeChange, error) {
		var c gonogo.ScopeChange
		return c, sc.Scan(&c.Kind, &c.Key, &c.Title, &c.URL, &c.Required)
	})
	if err != nil || len(scope) < gonogo.MaxScopeShown {
		gonogo.SortScope(scope)
		return scope, 0, err
	}
	var n int
	err = q.QueryRowContext(ctx, `SELECT count(*) FROM tracker_items WHERE release_id = ? AND type = 'change' AND state = 'open'`,
		rel.ID).Scan(&n)
	gonogo.SortScope(scope)
	return scope, n - len(scope), err
}

// findBoardScope reads the required open changes of the releases of out
// that watch their scope, in one query, and adds each to its snapshot.
func findBoardScope(ctx context.Context, q querier, out []gonogo.Snapshot, index map[int64]int) error {
	var ids []int64
	for _, s := range out {
		if gonogo.WatchesScope(s.Release.State) {
			ids = append(ids, s.Release.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	idJSON, _ := json.Marshal(ids)
	rows, err := q.QueryContext(ctx, boardScopeQuery, string(idJSON))
	if err != nil {
		return err
	}
	type releaseChange struct {
		id int64
		c  gonogo.ScopeChange
	}
	changes, err := collect(rows, func(sc scanner) (releaseChange, error) {
		rc := releaseChange{c: gonogo.ScopeChange{Required: true}}
		return rc, sc.Scan(&rc.id, &rc.c.Kind, &rc.c.Key, &rc.c.Title, &rc.c.URL)
	})
	if err != nil {
		return err
	}
	for _, rc := range changes {
		out[index[rc.id]].Scope = append(out[index[rc.id]].Scope, rc.c)
	}
	for i := range out {
		gonogo.SortScope(out[i].Scope)
	}
	return nil
}

// shippedQuery lists what shipped in a release: its merged changes and its
// issues closed as done (not as not planned), at most the draft's bound.
const shippedQuery = `SELECT t.kind, ti.type, ti.key, ti.title, ti.url, ti.labels
	FROM tracker_items ti JOIN trackers t ON t.id = ti.tracker_id
	WHERE ti.release_id = ? AND (ti.type = 'change' AND ti.state = 'merged' OR ti.type = 'issue' AND ti.state = 'closed' AND ti.not_planned = 0)
	ORDER BY ti.type, ti.key LIMIT ?`

// FindShipped returns what the trackers say shipped in a release, for its
// notes draft: at most gonogo.MaxShippedItems, and how many more.
func (s *Store) FindShipped(ctx context.Context, releaseID int64) ([]gonogo.ShippedItem, int, error) {
	rows, err := s.read.QueryContext(ctx, shippedQuery, releaseID, gonogo.MaxShippedItems)
	if err != nil {
		return nil, 0, err
	}
	items, err := collect(rows, func(sc scanner) (gonogo.ShippedItem, error) {
		var it gonogo.ShippedItem
		var labels string
		if err := sc.Scan(&it.Kind, &it.Type, &it.Key, &it.Title, &it.URL, &labels); err != nil {
			return it, err
		}
		return it, json.Unmarshal([]byte(labels), &it.Labels)
	})
	if err != nil || len(items) < gonogo.MaxShippedItems {
		return items, 0, err
	}
	var n int
	err = s.read.QueryRowContext(ctx, `SELECT count(*) FROM tracker_items WHERE release_id = ?
		AND (type = 'change' AND state = 'merged' OR type = 'issue' AND state = 'closed' AND not_planned = 0)`, releaseID).Scan(&n)
	return items, n - len(items), err
}
