package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gonogo/gonogo"
)

const releaseColumns = `r.id, r.product, r.version, r.title, r.summary, r.state, r.cycle,
	COALESCE(r.manager_id, 0), COALESCE(m.name, ''), r.window_start, r.window_end, r.created_at, r.updated_at, r.review_at,
	r.kind, r.review_due`

const releaseFrom = ` FROM releases r LEFT JOIN users m ON m.id = r.manager_id `

func scanRelease(sc scanner) (gonogo.Release, error) {
	var r gonogo.Release
	err := sc.Scan(&r.ID, &r.Product, &r.Version, &r.Title, &r.Summary, &r.State, &r.Cycle,
		&r.ManagerID, &r.ManagerName, (*Time)(&r.Window.Start), (*Time)(&r.Window.End),
		(*Time)(&r.CreatedAt), (*Time)(&r.UpdatedAt), (*Time)(&r.ReviewAt),
		&r.Kind, (*Time)(&r.ReviewDue))
	return r, err
}

// CreateRelease adds a release in draft with the template's checklist.
func (s *Store) CreateRelease(ctx context.Context, a gonogo.Actor, in gonogo.ReleaseInput) (gonogo.Release, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return gonogo.Release{}, err
	}
	var id int64
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.createRelease(a, in, gonogo.Draft)
		return err
	})
	if err != nil {
		return gonogo.Release{}, err
	}
	return s.FindRelease(ctx, id)
}

func (tx *Tx) createRelease(a gonogo.Actor, in gonogo.ReleaseInput, state gonogo.State) (int64, error) {
	if err := gonogo.CheckCreateRelease(a, in.Product); err != nil {
		return 0, err
	}
	if err := tx.checkManager(in.ManagerID, in.Product); err != nil {
		return 0, err
	}
	newProduct, err := tx.productForRelease(in.Product)
	if err != nil {
		return 0, err
	}
	rows, err := tx.Query(`SELECT `+releaseColumns+releaseFrom+`WHERE r.product = ? AND r.version = ? ORDER BY r.id`, in.Product, in.Version)
	if err != nil {
		return 0, err
	}
	same, err := collect(rows, scanRelease)
	if err != nil {
		return 0, err
	}
	replaces, err := gonogo.CheckNewVersion(in, same)
	if err != nil {
		return 0, err
	}
	if in.Kind == "" {
		in.Kind = gonogo.KindStandard
	}
	res, err := tx.Exec(`INSERT INTO releases (product, version, title, summary, state, manager_id, window_start, window_end, created_at, updated_at, kind)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.Product, in.Version, in.Title, in.Summary, string(state), sql.NullInt64{Int64: in.ManagerID, Valid: in.ManagerID != 0},
		Time(in.Window.Start), Time(in.Window.End), Time(tx.now), Time(tx.now), string(in.Kind))
	if isUnique(err) {
		// The domain's rule, held by the index when two requests race.
		return 0, gonogo.FieldErrorf("version", "%s %s already exists", in.Product, in.Version)
	} else if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	pol, err := findPolicy(context.Background(), tx, in.Product, in.Kind)
	if err != nil {
		return 0, err
	}
	var n int64
	if pol.Template == gonogo.TemplateHotfix {
		n, err = tx.addHotfixChecklist(id)
	} else {
		n, err = tx.copyTemplate(id, in.Product)
	}
	if err != nil {
		return 0, err
	}
	if err := tx.copyStages(id, in.Product); err != nil {
		return 0, err
	}
	if err := tx.record(a, id, gonogo.ReleaseCreated(in, n, replaces, newProduct)); err != nil {
		return 0, err
	}
	// The follow-ups of earlier post-release reviews that waited for the
	// product's next release land here.
	if gonogo.FollowUpTarget(state) {
		rel, err := tx.release(id)
		if err != nil {
			return 0, err
		}
		if err := tx.placeFollowUps(a, rel); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// release reads the release with id inside the transaction.
func (tx *Tx) release(id int64) (gonogo.Release, error) {
	r, err := scanRelease(tx.QueryRow(`SELECT `+releaseColumns+releaseFrom+`WHERE r.id = ?`, id))
	return r, notFound(err, "no release with id %d", id)
}

// touchRelease marks a release changed at the transaction's time.
func (tx *Tx) touchRelease(id int64) error {
	_, err := tx.Exec(`UPDATE releases SET updated_at = ? WHERE id = ?`, Time(tx.now), id)
	return err
}

// checkManager asks the domain whether the user with id may manage a
// release of product; 0 is no manager.
func (tx *Tx) checkManager(id int64, product string) error {
	if id == 0 {
		return nil
	}
	u, err := scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return gonogo.CheckManager(u, err == nil, product)
}

// copyTemplate gives a new release of product its checklist: the
// product's own template, or the global one while it has none.
func (tx *Tx) copyTemplate(releaseID int64, product string) (int64, error) {
	res, err := tx.Exec(`INSERT INTO items (release_id, phase, pillar, title, guidance, owner_role, required, custom, check_key, position)
		SELECT ?, phase, pillar, title, guidance, owner_role, required, 0, check_key, position FROM template_items
		WHERE product = COALESCE((SELECT CASE WHEN own_template THEN key ELSE '' END FROM products WHERE key = ?), '')
		ORDER BY position, id`, releaseID, product)
	if err != nil {
		return 0, fmt.Errorf("copy template: %w", err)
	}
	return res.RowsAffected()
}

// UpdateRelease changes what a person can edit on a release: title, summary
// and manager. Product and version are its identity and stay; the window has
// its own rules (SetWindow).
func (s *Store) UpdateRelease(ctx context.Context, a gonogo.Actor, id int64, in gonogo.ReleaseInput) (gonogo.Release, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return gonogo.Release{}, err
	}
	err := s.inTx(ctx, func(tx *Tx) error {
		old, err := tx.release(id)
		if err != nil {
			return err
		}
		if err := tx.checkManager(in.ManagerID, old.Product); err != nil {
			return err
		}
		au, changed := gonogo.EditRelease(old, in)
		if !changed {
			return nil
		}
		if _, err := tx.Exec(`UPDATE releases SET title = ?, summary = ?, manager_id = ?, updated_at = ? WHERE id = ?`,
			in.Title, in.Summary, sql.NullInt64{Int64: in.ManagerID, Valid: in.ManagerID != 0}, Time(tx.now), id); err != nil {
			return err
		}
		return tx.record(a, id, au)
	})
	if err != nil {
		return gonogo.Release{}, err
	}
	return s.FindRelease(ctx, id)
}

// FindRelease returns the release with id.
// It is remembered until the next commit (memo).
func (s *Store) FindRelease(ctx context.Context, id int64) (gonogo.Release, error) {
	return remember(ctx, s, fmt.Sprintf("release %d", id), func(ctx context.Context) (gonogo.Release, error) { return s.readRelease(ctx, id) }, Plain[gonogo.Release])
}

func (s *Store) readRelease(ctx context.Context, id int64) (gonogo.Release, error) {
	r, err := scanRelease(s.read.QueryRowContext(ctx, `SELECT `+releaseColumns+releaseFrom+`WHERE r.id = ?`, id))
	return r, notFound(err, "no release with id %d", id)
}

// FindReleaseByName returns the release of product with version: the live
// one, or, when every release of the version was cancelled, the newest.
// It is remembered until the next commit (memo).
func (s *Store) FindReleaseByName(ctx context.Context, product, version string) (gonogo.Release, error) {
	return remember(ctx, s, fmt.Sprintf("release %q %q", product, version), func(ctx context.Context) (gonogo.Release, error) { return s.readReleaseByName(ctx, product, version) }, Plain[gonogo.Release])
}

func (s *Store) readReleaseByName(ctx context.Context, product, version string) (gonogo.Release, error) {
	r, err := scanRelease(s.read.QueryRowContext(ctx, `SELECT `+releaseColumns+releaseFrom+`WHERE r.product = ? AND r.version = ?
		ORDER BY `+liveFirst+` LIMIT 1`, product, version))
	return r, notFound(err, "no release %s %s", product, version)
}

// liveFirst orders the releases of one version so that the one that is not
// cancelled comes first (there is at most one), then the newest.
const liveFirst = `r.state = 'cancelled', r.id DESC`

// FindNamesakes returns every release of product with version, oldest
// first: the cancelled ones and the one that replaced them.
func (s *Store) FindNamesakes(ctx context.Context, product, version string) ([]gonogo.Release, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+releaseColumns+releaseFrom+`WHERE r.product = ? AND r.version = ? ORDER BY r.id`, product, version)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRelease)
}

// FindReleases returns the releases matching f, the most recently changed first.
func (s *Store) FindReleases(ctx context.Context, f gonogo.ReleaseFilter) ([]gonogo.Release, error) {
	where, args := releaseWhere(f)
	rows, err := s.read.QueryContext(ctx, `SELECT `+releaseColumns+releaseFrom+where+` ORDER BY r.updated_at DESC, r.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRelease)
}

func releaseWhere(f gonogo.ReleaseFilter) (string, []any) {
	var conds []string
	var args []any
	if f.Product != "" {
		conds = append(conds, "r.product = ?")
		args = append(args, f.Product)
	}
	if len(f.States) > 0 {
		conds = append(conds, "r.state IN ("+placeholders(len(f.States))+")")
		for _, st := range f.States {
			args = append(args, string(st))
		}
	}
	if !f.ClosedSince.IsZero() {
		// Active, or closed since: two seeks of the state index, where
		// "active or changed since" scanned every release ever made.
		conds = append(conds, "r.id IN (SELECT id FROM releases WHERE state IN ("+placeholders(len(gonogo.ActiveStates))+
			") UNION ALL SELECT id FROM releases WHERE state IN ("+placeholders(len(gonogo.ClosedStates))+") AND updated_at >= ?)")
		for _, st := range gonogo.ActiveStates {
			args = append(args, string(st))
		}
		for _, st := range gonogo.ClosedStates {
			args = append(args, string(st))
		}
		args = append(args, Time(f.ClosedSince))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "WHERE " + strings.Join(conds, " AND "), args
}

// FindProductKeys returns the key of every product that has a release,
// sorted: the board's product menus. It is remembered until the next
// commit (memo).
func (s *Store) FindProductKeys(ctx context.Context) ([]string, error) {
	return remember(ctx, s, "product keys", func(ctx context.Context) ([]string, error) { return s.readProducts(ctx) }, slices.Clone[[]string])
}

// productsQuery lists the products with one seek of the (product, version)
// index per product, where DISTINCT walked every release ever made.
const productsQuery = `WITH RECURSIVE p(product) AS (SELECT min(product) FROM releases
	UNION ALL SELECT (SELECT min(product) FROM releases WHERE product > p.product) FROM p WHERE p.product IS NOT NULL)
	SELECT product FROM p WHERE product IS NOT NULL`

func (s *Store) readProducts(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, productsQuery)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanOne[string])
}

// FindSnapshots returns, for every release matching f, the release with its
// readiness items: what the board needs to judge each card through the same
// gate as the release page. Items, defects and votes hold only what the gate
// and a card read (see boardItemColumns). They are kept until the next
// commit (memo).
func (s *Store) FindSnapshots(ctx context.Context, f gonogo.ReleaseFilter) ([]gonogo.Snapshot, error) {
	key := fmt.Sprintf("snapshots %q %q %s", f.Product, f.States, Time(f.ClosedSince))
	return remember(ctx, s, key, func(ctx context.Context) ([]gonogo.Snapshot, error) { return s.loadSnapshots(ctx, f) }, gonogo.CloneAll[gonogo.Snapshot])
}

// loadSnapshots reads FindSnapshots' answer from the database: a handful of
// queries, whatever the number of releases.
func (s *Store) loadSnapshots(ctx context.Context, f gonogo.ReleaseFilter) ([]gonogo.Snapshot, error) {
	rels, err := s.FindReleases(ctx, f)
	if err != nil || len(rels) == 0 {
		return nil, err
	}
	return s.snapshotsOf(ctx, rels)
}

// snapshotsOf reads the snapshots of rels, in their order.
func (s *Store) snapshotsOf(ctx context.Context, rels []gonogo.Release) ([]gonogo.Snapshot, error) {
	index := make(map[int64]int, len(rels))
	out := make([]gonogo.Snapshot, len(rels))
	for i, r := range rels {
		out[i].Release = r
		index[r.ID] = i
	}
	// The releases found, by id: every read below seeks them, whatever
	// the history behind them.
	// One JSON array keeps the queries' text the same for any number of
	// releases, so each is prepared once (stmtPool).
	idList := make([]int64, len(rels))
	for i, r := range rels {
		idList[i] = r.ID
	}
	idJSON, _ := json.Marshal(idList)
	ids := []any{string(idJSON)}
	const in = "(SELECT value FROM json_each(?))"
	rows, err := s.read.QueryContext(ctx, `SELECT `+boardItemColumns+` FROM items i
		WHERE i.release_id IN `+in+` AND i.phase = 'readiness' ORDER BY i.release_id, i.position, i.id`, ids...)
	if err != nil {
		return nil, err
	}
	items, err := collect(rows, scanBoardItem)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		out[index[it.ReleaseID]].Items = append(out[index[it.ReleaseID]].Items, it)
	}
	rows, err = s.read.QueryContext(ctx, `SELECT `+boardDefectColumns+` FROM defects d WHERE d.release_id IN `+in, ids...)
	if err != nil {
		return nil, err
	}
	defects, err := collect(rows, scanBoardDefect)
	if err != nil {
		return nil, err
	}
	for _, d := range defects {
		out[index[d.ReleaseID]].Defects = append(out[index[d.ReleaseID]].Defects, d)
	}
	// Only the vote that counts for each role (see currentVotesQuery): a
	// cycle's votes grow with every sign-off, the board's read does not.
	rows, err = s.read.QueryContext(ctx, `WITH `+rolesTable+` SELECT `+boardVoteColumns+` FROM votes v WHERE v.id IN
		(SELECT `+latestVote("r.id", "r.cycle")+` FROM releases r, roles WHERE r.id IN `+in+`) ORDER BY v.id`,
		append(roleArgs(), ids[0])...)
	if err != nil {
		return nil, err
	}
	votes, err := collect(rows, scanBoardVote)
	if err != nil {
		return nil, err
	}
	for _, v := range votes {
		out[index[v.ReleaseID]].Votes = append(out[index[v.ReleaseID]].Votes, v)
	}
	rows, err = s.read.QueryContext(ctx, `SELECT w.release_id, w.role, w.reason, w.by_name, w.at FROM waivers w
		WHERE w.release_id IN `+in, ids...)
	if err != nil {
		return nil, err
	}
	type releaseWaiver struct {
		id int64
		w  gonogo.Waiver
	}
	waivers, err := collect(rows, func(sc scanner) (releaseWaiver, error) {
		var rw releaseWaiver
		err := sc.Scan(&rw.id, &rw.w.Role, &rw.w.Reason, &rw.w.By, (*Time)(&rw.w.At))
		return rw, err
	})
	if err != nil {
		return nil, err
	}
	for _, rw := range waivers {
		out[index[rw.id]].Waivers = append(out[index[rw.id]].Waivers, rw.w)
	}
	freezes, err := findFreezes(ctx, s.read)
	if err != nil {
		return nil, err
	}
	zone, err := s.teamZone(ctx, s.read)
	if err != nil {
		return nil, err
	}
	staffing, err := findStaffing(ctx, s.read)
	if err != nil {
		return nil, err
	}
	policies, err := findAllPolicies(ctx, s.read)
	if err != nil {
		return nil, err
	}
	exceptions, err := findExceptions(ctx, s.read, string(idJSON))
	if err != nil {
		return nil, err
	}
	for _, e := range exceptions {
		out[index[e.ReleaseID]].Exceptions = append(out[index[e.ReleaseID]].Exceptions, e)
	}
	for i := range out {
		out[i].KindPolicy = policyOf(policies, out[i].Release)
		out[i].Freezes, out[i].Zone = freezes, zone
		out[i].Staffed = gonogo.NewRoleSet(append(staffing[""], staffing[out[i].Release.Product]...)...)
	}
	if err := findNotesStatuses(ctx, s.read, "WHERE r.id IN "+in, ids, func(id int64, st gonogo.NotesStatus) {
		if i, ok := index[id]; ok {
			out[i].Notes = st
		}
	}); err != nil {
		return nil, err
	}
	if err := findBoardScope(ctx, s.read, out, index); err != nil {
		return nil, err
	}
	if err := findBoardStages(ctx, s.read, out, index, ids); err != nil {
		return nil, err
	}
	return out, nil
}

// findStaffing reads, for every product at once, the roles some enabled
// person holds for it ("" for every product): one read for the whole
// board, as long as the list of grants, not of releases.
func findStaffing(ctx context.Context, q querier) (map[string][]gonogo.Role, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT ur.product, ur.role FROM user_roles ur
		JOIN users u ON u.id = ur.user_id WHERE u.disabled = 0`)
	if err != nil {
		return nil, err
	}
	type grant struct {
		product string
		role    gonogo.Role
	}
	grants, err := collect(rows, func(sc scanner) (grant, error) {
		var g grant
		err := sc.Scan(&g.product, &g.role)
		return g, err
	})
	out := map[string][]gonogo.Role{}
	for _, g := range grants {
		out[g.product] = append(out[g.product], g.role)
	}
	return out, err
}

// FindSnapshot returns everything the gate needs for one release: of the
// votes only those that count (the current cycle's latest of each role),
// and no comments. The earlier votes and the discussion are read a page at
// a time (pages.go); a change that freezes them, a decision, reads them
// whole inside its transaction.
// It is remembered until the next commit (memo).
func (s *Store) FindSnapshot(ctx context.Context, id int64) (gonogo.Snapshot, error) {
	return remember(ctx, s, fmt.Sprintf("snapshot %d", id), func(ctx context.Context) (gonogo.Snapshot, error) { return s.readSnapshot(ctx, id) }, gonogo.Snapshot.Clone)
}

func (s *Store) readSnapshot(ctx context.Context, id int64) (gonogo.Snapshot, error) {
	return loadSnapshot(ctx, s.read, id, s.DefaultZone, s.Now(), false)
}

// FindReleasePage returns up to limit releases matching f with ids below
// before (0: from the newest), newest first: the API's list, a page at a
// time. The order is the primary key's, which no change to a release
// moves, so a client paging through sees every release that existed when
// it began exactly once, however the releases change meanwhile; the list
// by last change (FindReleases) would move a release changed mid-walk
// to a page already read.
func (s *Store) FindReleasePage(ctx context.Context, f gonogo.ReleaseFilter, before int64, limit int) ([]gonogo.Release, error) {
	q, args := releasePageQuery(f, before, limit)
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRelease)
}

func releasePageQuery(f gonogo.ReleaseFilter, before int64, limit int) (string, []any) {
	where, args := releaseWhere(f)
	if where == "" {
		where = "WHERE r.id < ?"
	} else {
		where += " AND r.id < ?"
	}
	return `SELECT ` + releaseColumns + releaseFrom + where + ` ORDER BY r.id DESC LIMIT ?`, append(args, cursor(before), limit)
}

// FindOutcomesOf returns, for each of the releases ids that has decided
// its current cycle, that decision's outcome: FindCurrentOutcomes for a
// page of releases rather than for every release a filter matches.
func (s *Store) FindOutcomesOf(ctx context.Context, ids []int64) (map[int64]gonogo.Outcome, error) {
	if len(ids) == 0 {
		return map[int64]gonogo.Outcome{}, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.read.QueryContext(ctx, `SELECT r.id, d.outcome FROM releases r
		JOIN decisions d ON d.release_id = r.id AND d.cycle = r.cycle WHERE r.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	return collectMap[int64, gonogo.Outcome](rows)
}

// addHotfixChecklist gives the release the short hotfix checklist, as its
// kind's policy asks.
func (tx *Tx) addHotfixChecklist(releaseID int64) (int64, error) {
	for i, in := range gonogo.HotfixTemplate() {
		if _, err := tx.Exec(`INSERT INTO items (release_id, phase, pillar, title, guidance, owner_role, required, custom, check_key, position)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`, releaseID, string(in.Phase), string(in.Pillar), in.Title, in.Guidance,
			string(in.OwnerRole), boolInt(in.Required), in.CheckKey, i+1); err != nil {
			return 0, fmt.Errorf("hotfix checklist: %w", err)
		}
	}
	return int64(len(gonogo.HotfixTemplate())), nil
}
