package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gonogo/gonogo"
)

const voteColumns = `v.id, v.release_id, v.cycle, v.role, v.user_id, v.user_name, v.value, v.comment, v.conditions, v.at`

func scanVote(sc scanner) (gonogo.Vote, error) {
	var v gonogo.Vote
	var conds string
	if err := sc.Scan(&v.ID, &v.ReleaseID, &v.Cycle, &v.Role, &v.UserID, &v.UserName, &v.Value, &v.Comment, &conds, (*Time)(&v.At)); err != nil {
		return v, err
	}
	return v, json.Unmarshal([]byte(conds), &v.Conditions)
}

func scanWaiver(sc scanner) (gonogo.Waiver, error) {
	var w gonogo.Waiver
	err := sc.Scan(&w.Role, &w.Reason, &w.By, (*Time)(&w.At))
	return w, err
}

// FindVotes returns every vote of a release, oldest first.
func (s *Store) FindVotes(ctx context.Context, releaseID int64) ([]gonogo.Vote, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+voteColumns+` FROM votes v WHERE v.release_id = ? ORDER BY v.id`, releaseID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanVote)
}

func findWaivers(ctx context.Context, q querier, releaseID int64) ([]gonogo.Waiver, error) {
	rows, err := q.QueryContext(ctx, `SELECT role, reason, by_name, at FROM waivers WHERE release_id = ? ORDER BY role`, releaseID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanWaiver)
}

// querier is what a pool and a transaction have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// currentVotesQuery reads the vote that counts for each role, as
// gonogo.CurrentVotes picks it: the latest of the cycle, by time, then id.
// Each role's is one seek of the votes_current index, so the read stays the
// same size however many votes the cycle took.
var currentVotesQuery = `WITH ` + rolesTable + ` SELECT ` + voteColumns + ` FROM votes v WHERE v.id IN
	(SELECT ` + latestVote("?", "?") + ` FROM roles)`

// rolesTable names every role as a table, roles(role), to seek each one's
// vote; roleArgs are its values.
var rolesTable = `roles(role) AS (VALUES ` + strings.TrimSuffix(strings.Repeat("(?), ", len(gonogo.Roles)), ", ") + `)`

func roleArgs() []any {
	out := make([]any, len(gonogo.Roles))
	for i, r := range gonogo.Roles {
		out[i] = string(r)
	}
	return out
}

// latestVote is the subquery that finds the id of roles.role's latest vote
// in the release and cycle the expressions name.
func latestVote(release, cycle string) string {
	return `(SELECT x.id FROM votes x WHERE x.release_id = ` + release + ` AND x.cycle = ` + cycle + ` AND x.role = roles.role
		ORDER BY x.at DESC, x.id DESC LIMIT 1)`
}

// staffedQuery lists the roles some enabled person holds for the product
// named by the last argument, or for every product: per role, one seek of
// user_roles_by_role that stops at the first enabled holder, however many
// people hold it.
var staffedQuery = `WITH ` + rolesTable + ` SELECT roles.role FROM roles WHERE EXISTS (SELECT 1 FROM user_roles ur
	JOIN users u ON u.id = ur.user_id WHERE ur.role = roles.role AND ur.product IN ('', ?) AND u.disabled = 0)`

// snapshot loads everything the gate needs for one release through q: the
// read pool for pages, the write transaction for changes that must judge the
// release as it is at that very moment. A whole snapshot holds every vote
// of the release and the cycle's discussion, which a decision freezes into
// its record; otherwise it holds only the vote that counts for each role
// and no comments, so that a page's read stays the same size however long
// the review went on (the page reads those lists a page at a time).
func loadSnapshot(ctx context.Context, q querier, releaseID int64, zone *time.Location, now time.Time, whole bool) (gonogo.Snapshot, error) {
	var snap gonogo.Snapshot
	rel, err := scanRelease(q.QueryRowContext(ctx, `SELECT `+releaseColumns+releaseFrom+`WHERE r.id = ?`, releaseID))
	if err != nil {
		return snap, notFound(err, "no release with id %d", releaseID)
	}
	snap.Release = rel
	rows, err := q.QueryContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.release_id = ? ORDER BY i.position, i.id`, releaseID)
	if err != nil {
		return snap, err
	}
	if snap.Items, err = collect(rows, scanItem); err != nil {
		return snap, err
	}
	rows, err = q.QueryContext(ctx, `SELECT `+defectColumns+` FROM defects d WHERE d.release_id = ?`, releaseID)
	if err != nil {
		return snap, err
	}
	if snap.Defects, err = collect(rows, scanDefect); err != nil {
		return snap, err
	}
	sortDefects(snap.Defects)
	if whole {
		rows, err = q.QueryContext(ctx, `SELECT `+voteColumns+` FROM votes v WHERE v.release_id = ? ORDER BY v.id`, releaseID)
	} else {
		rows, err = q.QueryContext(ctx, currentVotesQuery+` ORDER BY v.id`, append(roleArgs(), releaseID, rel.Cycle)...)
	}
	if err != nil {
		return snap, err
	}
	if snap.Votes, err = collect(rows, scanVote); err != nil {
		return snap, err
	}
	if err := fillSupport(ctx, q, snap.Votes); err != nil {
		return snap, err
	}
	if snap.Waivers, err = findWaivers(ctx, q, releaseID); err != nil {
		return snap, err
	}
	if snap.Freezes, err = findFreezesSince(ctx, q, since(rel.Window, now)); err != nil {
		return snap, err
	}
	if snap.Exceptions, err = findExceptions(ctx, q, "["+strconv.FormatInt(releaseID, 10)+"]"); err != nil {
		return snap, err
	}
	rows, err = q.QueryContext(ctx, staffedQuery, append(roleArgs(), rel.Product)...)
	if err != nil {
		return snap, err
	}
	staffed, err := collect(rows, scanOne[gonogo.Role])
	if err != nil {
		return snap, err
	}
	snap.Staffed = gonogo.NewRoleSet(staffed...)
	if snap.KindPolicy, err = findPolicy(ctx, q, rel.Product, rel.Kind); err != nil {
		return snap, err
	}
	if whole {
		if snap.Comments, err = findComments(ctx, q, releaseID, rel.Cycle); err != nil {
			return snap, err
		}
	}
	if snap.Notes, err = notesStatus(ctx, q, releaseID); err != nil {
		return snap, err
	}
	if snap.Scope, snap.ScopeMore, err = findScope(ctx, q, rel); err != nil {
		return snap, err
	}
	if snap.Stages, err = findStages(ctx, q, releaseID); err != nil {
		return snap, err
	}
	if len(snap.Stages) > 0 {
		if snap.Alerts, err = firingAlerts(ctx, q, releaseID); err != nil {
			return snap, err
		}
	}
	t, err := findTeamSettings(ctx, q)
	snap.Zone = t.Location(zone)
	return snap, err
}

// snapshot loads the release as it is inside the transaction.
func (tx *Tx) snapshot(ctx context.Context, releaseID int64) (gonogo.Snapshot, error) {
	return loadSnapshot(ctx, txQuerier{tx}, releaseID, tx.zone, tx.now, true)
}

// txQuerier lets a transaction serve as a querier.
type txQuerier struct{ *Tx }

func (q txQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.Tx.QueryContext(ctx, query, args...)
}

func (q txQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return q.Tx.QueryRowContext(ctx, query, args...)
}

// CastVote stores the sign-off gonogo.CastVote makes of in, judged on the
// release as it is inside the transaction: the vote, the conditions it
// drops and adds, and its audit event, all at once.
func (s *Store) CastVote(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.VoteInput) (gonogo.Vote, error) {
	var out gonogo.Vote
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.castVote(ctx, a, releaseID, in)
		return err
	})
	return out, err
}

func (tx *Tx) castVote(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.VoteInput) (gonogo.Vote, error) {
	snap, err := tx.voteSnapshot(ctx, releaseID)
	if err != nil {
		return gonogo.Vote{}, err
	}
	res, err := gonogo.CastVote(a, snap, in, tx.now)
	if err != nil {
		return gonogo.Vote{}, err
	}
	v := res.Vote
	conds, _ := json.Marshal(v.Conditions)
	if v.Conditions == nil {
		conds = []byte("[]")
	}
	row, err := tx.Exec(`INSERT INTO votes (release_id, cycle, role, user_id, user_name, value, comment, conditions, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, releaseID, v.Cycle, string(v.Role), v.UserID, v.UserName, string(v.Value),
		v.Comment, string(conds), Time(v.At))
	if err != nil {
		return v, err
	}
	v.ID, _ = row.LastInsertId()
	if err := tx.confirmSupport(ctx, a, &v, res.DropItems); err != nil {
		return v, err
	}
	if err := tx.dropItems(releaseID, res.DropItems); err != nil {
		return v, err
	}
	added, err := tx.addItems(releaseID, res.AddItems, v.ID)
	if err != nil {
		return v, err
	}
	res.Audit.Causes = pointAt(res.Audit.Causes, 0, added)
	if err := tx.record(a, releaseID, res.Audit); err != nil {
		return v, err
	}
	return v, tx.touchRelease(releaseID)
}

// voteSnapshot reads what a sign-off is judged on: the release, the
// conditions of votes, and the current cycle's votes those came from. Not
// a whole snapshot, nor every vote of the cycle: a read here, inside the
// write transaction, holds every other writer up, and a cycle's votes grow
// with every sign-off (docs/performance.md).
func (tx *Tx) voteSnapshot(ctx context.Context, releaseID int64) (gonogo.VoteSnapshot, error) {
	var snap gonogo.VoteSnapshot
	rel, err := tx.release(releaseID)
	if err != nil {
		return snap, err
	}
	snap.Release = rel
	rows, err := tx.QueryContext(ctx, `SELECT `+voteColumns+` FROM votes v WHERE +v.release_id = ? AND +v.cycle = ?
		AND v.id IN (SELECT source_id FROM items WHERE release_id = ? AND source = ?) ORDER BY v.id`, // "+": seek the few ids, not the cycle's votes
		releaseID, rel.Cycle, releaseID, gonogo.SourceVote)
	if err != nil {
		return snap, err
	}
	if snap.Votes, err = collect(rows, scanVote); err != nil {
		return snap, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.release_id = ? AND i.source = ?`, releaseID, gonogo.SourceVote)
	if err != nil {
		return snap, err
	}
	snap.Items, err = collect(rows, scanItem)
	return snap, err
}

// SetWaiver stores what gonogo.Waive makes of change: a role required
// again, or not required with a reason.
func (s *Store) SetWaiver(ctx context.Context, a gonogo.Actor, releaseID int64, change gonogo.WaiverChange) error {
	return s.inTx(ctx, func(tx *Tx) error {
		snap, err := tx.snapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		res, err := gonogo.Waive(a, snap, change, tx.now)
		if err != nil || res.Audit == nil {
			return err
		}
		if w := res.Waiver; w != nil {
			_, err = tx.Exec(`INSERT INTO waivers (release_id, role, reason, by_name, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (release_id, role) DO UPDATE SET reason = excluded.reason, by_name = excluded.by_name, at = excluded.at`,
				releaseID, string(w.Role), w.Reason, w.By, Time(w.At))
		} else {
			_, err = tx.Exec(`DELETE FROM waivers WHERE release_id = ? AND role = ?`, releaseID, string(res.Role))
		}
		if err != nil {
			return err
		}
		return tx.record(a, releaseID, *res.Audit)
	})
}

// Decide records the decision gonogo.Decide makes of in: the decision with
// its frozen record, the release's new state, the decision's conditions as
// items, and the audit event, in one immediate transaction. Two people
// deciding at once cannot both succeed: the second finds the release no
// longer in review.
func (s *Store) Decide(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.DecisionInput) (gonogo.Decision, error) {
	var out gonogo.Decision
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.decide(ctx, a, releaseID, in)
		return err
	})
	return out, err
}

func (tx *Tx) decide(ctx context.Context, a gonogo.Actor, releaseID int64, in gonogo.DecisionInput) (gonogo.Decision, error) {
	snap, err := tx.snapshot(ctx, releaseID)
	if err != nil {
		return gonogo.Decision{}, err
	}
	if err := tx.QueryRow(`SELECT COALESCE(max(number), 0) FROM decisions WHERE release_id = ?`, releaseID).Scan(&snap.Decisions); err != nil {
		return gonogo.Decision{}, err
	}
	res, err := gonogo.Decide(a, snap, in, tx.now)
	if err != nil {
		return gonogo.Decision{}, err
	}
	d := res.Decision
	// What production said of the release so far (a rollback's alerts,
	// its pilot) is part of what the decision saw.
	if d.Record.Evidence, err = findEvidence(ctx, txQuerier{tx}, releaseID); err != nil {
		return d, err
	}
	record, err := json.Marshal(d.Record)
	if err != nil {
		return d, err
	}
	conds, _ := json.Marshal(d.Conditions)
	if d.Conditions == nil {
		conds = []byte("[]")
	}
	row, err := tx.Exec(`INSERT INTO decisions (release_id, number, cycle, outcome, rationale, conditions, decider_id, decider_name, at, record)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, releaseID, d.Number, d.Cycle, string(d.Outcome), d.Rationale, string(conds),
		sql.NullInt64{Int64: d.DeciderID, Valid: d.DeciderID != 0}, d.DeciderName, Time(d.At), string(record))
	if isUnique(err) {
		return d, gonogo.Errorf(gonogo.ECONFLICT, "this review cycle already has its decision")
	} else if err != nil {
		return d, err
	}
	d.ID, _ = row.LastInsertId()
	if _, err := tx.Exec(`UPDATE releases SET state = ?, updated_at = ? WHERE id = ? AND state = ?`,
		string(res.State), Time(tx.now), releaseID, string(snap.Release.State)); err != nil {
		return d, err
	}
	if !res.ReviewDue.IsZero() {
		if _, err := tx.Exec(`UPDATE releases SET review_due = ? WHERE id = ?`, Time(res.ReviewDue), releaseID); err != nil {
			return d, err
		}
	}
	added, err := tx.addItems(releaseID, res.AddItems, d.ID)
	if err != nil {
		return d, err
	}
	if err := tx.refreshFacts(ctx, releaseID); err != nil {
		return d, err
	}
	res.Audit.Causes = pointAt(res.Audit.Causes, 0, added)
	return d, tx.record(a, releaseID, res.Audit)
}

const decisionColumns = `id, release_id, number, cycle, outcome, rationale, conditions, COALESCE(decider_id, 0), decider_name, at, record`

func scanDecision(sc scanner) (gonogo.Decision, error) {
	var d gonogo.Decision
	var conds, record string
	if err := sc.Scan(&d.ID, &d.ReleaseID, &d.Number, &d.Cycle, &d.Outcome, &d.Rationale, &conds, &d.DeciderID, &d.DeciderName, (*Time)(&d.At), &record); err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(conds), &d.Conditions); err != nil {
		return d, err
	}
	return d, json.Unmarshal([]byte(record), &d.Record)
}

// FindDecision returns decision number n of a release.
func (s *Store) FindDecision(ctx context.Context, releaseID int64, n int) (gonogo.Decision, error) {
	d, err := scanDecision(s.read.QueryRowContext(ctx, `SELECT `+decisionColumns+` FROM decisions WHERE release_id = ? AND number = ?`, releaseID, n))
	return d, notFound(err, "release %d has no decision %d", releaseID, n)
}

// FindCycleDecision returns the decision of a release's cycle, if it has one.
func (s *Store) FindCycleDecision(ctx context.Context, releaseID int64, cycle int) (gonogo.Decision, bool, error) {
	d, err := scanDecision(s.read.QueryRowContext(ctx, `SELECT `+decisionColumns+` FROM decisions WHERE release_id = ? AND cycle = ?`, releaseID, cycle))
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	return d, err == nil, err
}

// FindDecisions returns a release's decisions, oldest first, without their records.
// It is remembered until the next commit (memo).
func (s *Store) FindDecisions(ctx context.Context, releaseID int64) ([]gonogo.Decision, error) {
	return remember(ctx, s, fmt.Sprintf("decisions %d", releaseID), func(ctx context.Context) ([]gonogo.Decision, error) { return s.readDecisions(ctx, releaseID) }, gonogo.CloneAll[gonogo.Decision])
}

func (s *Store) readDecisions(ctx context.Context, releaseID int64) ([]gonogo.Decision, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, release_id, number, cycle, outcome, rationale, conditions, COALESCE(decider_id, 0),
		decider_name, at, '{}' FROM decisions WHERE release_id = ? ORDER BY number`, releaseID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDecision)
}

// Transition moves a release as gonogo.Move says t does, judged on the
// release as it is inside the transaction, and audits it.
func (s *Store) Transition(ctx context.Context, a gonogo.Actor, releaseID int64, t gonogo.Transition) (gonogo.TransitionResult, error) {
	var out gonogo.TransitionResult
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.transition(ctx, a, releaseID, t)
		return err
	})
	return out, err
}

func (tx *Tx) transition(ctx context.Context, a gonogo.Actor, releaseID int64, t gonogo.Transition) (gonogo.TransitionResult, error) {
	snap, err := tx.snapshot(ctx, releaseID)
	if err != nil {
		return gonogo.TransitionResult{}, err
	}
	res, err := gonogo.Move(a, snap, t, tx.now)
	if err != nil {
		return res, err
	}
	return res, tx.applyTransition(ctx, a, releaseID, res)
}

// applyTransition writes a transition the domain made, with its audit.
func (tx *Tx) applyTransition(ctx context.Context, a gonogo.Actor, releaseID int64, res gonogo.TransitionResult) error {
	if err := tx.dropItems(releaseID, res.DropItems); err != nil {
		return err
	}
	if err := tx.storeStages(res.Stages); err != nil {
		return err
	}
	for _, it := range res.ResetItems {
		if err := tx.storeItem(it); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`UPDATE releases SET state = ?, cycle = ?, updated_at = ?, review_at = COALESCE(?, review_at) WHERE id = ?`,
		string(res.To), res.Cycle, Time(tx.now), Time(res.ReviewAt), releaseID); err != nil {
		return err
	}
	if err := tx.refreshFacts(ctx, releaseID); err != nil {
		return err
	}
	if err := tx.record(a, releaseID, res.Audit); err != nil || res.To != gonogo.Cancelled {
		return err
	}
	// A cancelled release's meeting is called off with it.
	return tx.cancelMeetingWith(ctx, a, releaseID)
}

// Nudge records that the release manager reminded a role to sign off, as
// gonogo.Remind says: the role's holders (read as tx.notify reads them,
// so the audit names exactly whom notify tells) hear it by their channel,
// and the notice carries gonogo.TopicNudge, so the product's webhooks
// tell the team's channel. It returns the audit event, whose detail says
// who was told and how.
func (s *Store) Nudge(ctx context.Context, a gonogo.Actor, releaseID int64, role gonogo.Role) (gonogo.Event, error) {
	var e gonogo.Event
	err := s.inTx(ctx, func(tx *Tx) error {
		snap, err := tx.snapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT ` + webhookColumns + ` FROM webhooks ORDER BY id`)
		if err != nil {
			return err
		}
		hooks, err := collect(rows, scanWebhook)
		if err != nil {
			return err
		}
		people, err := tx.audience(gonogo.Cause{Kind: gonogo.NotifyNudge, Roles: gonogo.RoleSet{role}}, snap.Release)
		if err != nil {
			return err
		}
		au, err := gonogo.Remind(a, snap, role, people, hooks, tx.now)
		if err != nil {
			return err
		}
		if err := tx.record(a, releaseID, au); err != nil {
			return err
		}
		e = tx.notices[len(tx.notices)-1].Event
		return nil
	})
	return e, err
}
