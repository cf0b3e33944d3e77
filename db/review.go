package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gonogo/gonogo"
)

const voteColumns = `v.id, v.release_id, v.cycle, v.role, v.user_id, v.user_name, v.value, v.comment, v.conditions, v.at`

func scanVote(sc scanner) (gonogo.Vote, error) {
	var v gonogo.Vote
	var conds, at string
	if err := sc.Scan(&v.ID, &v.ReleaseID, &v.Cycle, &v.Role, &v.UserID, &v.UserName, &v.Value, &v.Comment, &conds, &at); err != nil {
		return v, err
	}
	v.At = parseTime(at)
	return v, json.Unmarshal([]byte(conds), &v.Conditions)
}

func scanWaiver(sc scanner) (gonogo.Waiver, error) {
	var w gonogo.Waiver
	var at string
	err := sc.Scan(&w.Role, &w.Reason, &w.By, &at)
	w.At = parseTime(at)
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
const currentVotesQuery = `SELECT ` + voteColumns + ` FROM (SELECT *, row_number() OVER
	(PARTITION BY role ORDER BY at DESC, id DESC) AS latest FROM votes WHERE release_id = ? AND cycle = ?) v WHERE v.latest = 1`

// snapshot loads everything the gate needs for one release through q: the
// read pool for pages, the write transaction for changes that must judge the
// release as it is at that very moment. A whole snapshot holds every vote
// of the release and the cycle's discussion, which a decision freezes into
// its record; otherwise it holds only the vote that counts for each role
// and no comments, so that a page's read stays the same size however long
// the review went on (the page reads those lists a page at a time).
func loadSnapshot(ctx context.Context, q querier, releaseID int64, zone *time.Location, whole bool) (gonogo.Snapshot, error) {
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
		rows, err = q.QueryContext(ctx, currentVotesQuery+` ORDER BY v.id`, releaseID, rel.Cycle)
	}
	if err != nil {
		return snap, err
	}
	if snap.Votes, err = collect(rows, scanVote); err != nil {
		return snap, err
	}
	if snap.Waivers, err = findWaivers(ctx, q, releaseID); err != nil {
		return snap, err
	}
	if snap.Freezes, err = findFreezes(ctx, q); err != nil {
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
	t, err := findTeamSettings(ctx, q)
	snap.Zone = t.Location(zone)
	return snap, err
}

// snapshot loads the release as it is inside the transaction.
func (tx *Tx) snapshot(ctx context.Context, releaseID int64) (gonogo.Snapshot, error) {
	return loadSnapshot(ctx, txQuerier{tx}, releaseID, tx.zone, true)
}

// txQuerier lets a transaction serve as a querier.
type txQuerier struct{ *Tx }

func (q txQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.Tx.Tx.QueryContext(ctx, query, args...)
}

func (q txQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return q.Tx.Tx.QueryRowContext(ctx, query, args...)
}

// VoteFunc decides, from the release as it is inside the transaction, what
// vote to store, or refuses.
type VoteFunc func(rel gonogo.Release) (gonogo.Vote, error)

// CastVote stores a sign-off, replaces the conditions of the role's earlier
// vote in this cycle with the new vote's, and audits it, all at once.
func (s *Store) CastVote(ctx context.Context, a gonogo.Actor, releaseID int64, fn VoteFunc) (gonogo.Vote, error) {
	var out gonogo.Vote
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.castVote(ctx, a, releaseID, fn)
		return err
	})
	return out, err
}

func (tx *Tx) castVote(ctx context.Context, a gonogo.Actor, releaseID int64, fn VoteFunc) (out gonogo.Vote, err error) {
	err = func() error {
		// The release alone: a whole snapshot read here, inside the write
		// transaction, held every other writer up (docs/performance.md).
		rel, err := tx.release(releaseID)
		if err != nil {
			return err
		}
		v, err := fn(rel)
		if err != nil {
			return err
		}
		v.At = tx.now
		conds, _ := json.Marshal(v.Conditions)
		if v.Conditions == nil {
			conds = []byte("[]")
		}
		res, err := tx.Exec(`INSERT INTO votes (release_id, cycle, role, user_id, user_name, value, comment, conditions, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, releaseID, v.Cycle, string(v.Role), v.UserID, v.UserName, string(v.Value),
			v.Comment, string(conds), fmtTime(v.At))
		if err != nil {
			return err
		}
		v.ID, _ = res.LastInsertId()
		// The role's earlier conditions in this cycle give way to the new vote's.
		if _, err := tx.Exec(`DELETE FROM items WHERE release_id = ? AND source = 'vote' AND source_id IN
			(SELECT id FROM votes WHERE release_id = ? AND cycle = ? AND role = ? AND id <> ?)`,
			releaseID, releaseID, v.Cycle, string(v.Role), v.ID); err != nil {
			return err
		}
		if err := tx.addConditions(releaseID, "vote", v.ID, v.Conditions); err != nil {
			return err
		}
		out = v
		detail := fmt.Sprintf("signed %s for %s", v.Value.Label(), v.Role.Label())
		if v.Comment != "" {
			detail += ": " + v.Comment
		}
		if len(v.Conditions) > 0 {
			detail += fmt.Sprintf(" (conditions: %s)", conditionsText(v.Conditions))
		}
		if err := tx.audit(a, "vote", releaseID, "%s", detail); err != nil {
			return err
		}
		tx.tag(gonogo.TopicVote)
		return tx.touchRelease(releaseID)
	}()
	return out, err
}

// addConditions turns conditions into required post-deploy verification
// items owned by their role, so they are tracked until closed.
func (tx *Tx) addConditions(releaseID int64, source string, sourceID int64, conds []gonogo.Condition) error {
	for _, c := range conds {
		if _, err := tx.Exec(`INSERT INTO items (release_id, phase, title, guidance, owner_role, required, custom, position, source, source_id)
			VALUES (?, 'verification', ?, ?, ?, 1, 1, (SELECT COALESCE(max(position), 0) + 1 FROM items WHERE release_id = ?), ?, ?)`,
			releaseID, c.Text, "A condition of the "+source+"; close it once it holds.", string(c.Owner), releaseID, source, sourceID); err != nil {
			return err
		}
	}
	return nil
}

func conditionsText(cs []gonogo.Condition) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%q for %s", c.Text, c.Owner.Label()))
	}
	return strings.Join(parts, "; ")
}

// WaiverFunc decides whether a role must sign off, or refuses.
type WaiverFunc func(s gonogo.Snapshot) (gonogo.WaiverChange, error)

// SetWaiver marks a role required again or not required with a reason.
func (s *Store) SetWaiver(ctx context.Context, a gonogo.Actor, releaseID int64, fn WaiverFunc) error {
	return s.inTx(ctx, func(tx *Tx) error {
		snap, err := tx.snapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		c, err := fn(snap)
		if err != nil {
			return err
		}
		if c.Required {
			res, err := tx.Exec(`DELETE FROM waivers WHERE release_id = ? AND role = ?`, releaseID, string(c.Role))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			return tx.audit(a, "role.required", releaseID, "%s must sign off again", c.Role.Label())
		}
		if _, err := tx.Exec(`INSERT INTO waivers (release_id, role, reason, by_name, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (release_id, role) DO UPDATE SET reason = excluded.reason, by_name = excluded.by_name, at = excluded.at`,
			releaseID, string(c.Role), c.Reason, a.Name, fmtTime(tx.now)); err != nil {
			return err
		}
		return tx.audit(a, "role.waived", releaseID, "%s need not sign off: %s", c.Role.Label(), c.Reason)
	})
}

// DecisionFunc decides, from the release as it is inside the transaction,
// the decision to record, or refuses.
type DecisionFunc func(s gonogo.Snapshot) (gonogo.Decision, error)

// Decide records a decision: the decision with its frozen record, the
// release's new state, the decision's conditions as items, and the audit
// event, in one immediate transaction. Two people deciding at once cannot
// both succeed: the second finds the release no longer in review.
func (s *Store) Decide(ctx context.Context, a gonogo.Actor, releaseID int64, fn DecisionFunc) (gonogo.Decision, error) {
	var out gonogo.Decision
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.decide(ctx, a, releaseID, fn)
		return err
	})
	return out, err
}

func (tx *Tx) decide(ctx context.Context, a gonogo.Actor, releaseID int64, fn DecisionFunc) (out gonogo.Decision, err error) {
	err = func() error {
		snap, err := tx.snapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		d, err := fn(snap)
		if err != nil {
			return err
		}
		d.At = tx.now
		if err := tx.QueryRow(`SELECT COALESCE(max(number), 0) + 1 FROM decisions WHERE release_id = ?`, releaseID).Scan(&d.Number); err != nil {
			return err
		}
		record, err := json.Marshal(d.Record)
		if err != nil {
			return err
		}
		conds, _ := json.Marshal(d.Conditions)
		if d.Conditions == nil {
			conds = []byte("[]")
		}
		res, err := tx.Exec(`INSERT INTO decisions (release_id, number, cycle, outcome, rationale, conditions, decider_id, decider_name, at, record)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, releaseID, d.Number, d.Cycle, string(d.Outcome), d.Rationale, string(conds),
			sql.NullInt64{Int64: d.DeciderID, Valid: d.DeciderID != 0}, d.DeciderName, fmtTime(d.At), string(record))
		if isUnique(err) {
			return gonogo.Errorf(gonogo.ECONFLICT, "this review cycle already has its decision")
		} else if err != nil {
			return err
		}
		d.ID, _ = res.LastInsertId()
		if _, err := tx.Exec(`UPDATE releases SET state = ?, updated_at = ? WHERE id = ? AND state = 'review'`,
			string(d.Outcome.State()), fmtTime(tx.now), releaseID); err != nil {
			return err
		}
		if err := tx.addConditions(releaseID, "decision", d.ID, d.Conditions); err != nil {
			return err
		}
		out = d
		detail := fmt.Sprintf("recorded %s (decision %d, cycle %d)", d.Outcome.Label(), d.Number, d.Cycle)
		if d.Rationale != "" {
			detail += ": " + d.Rationale
		}
		if len(d.Conditions) > 0 {
			detail += fmt.Sprintf(" (conditions: %s)", conditionsText(d.Conditions))
		}
		if err := tx.audit(a, "decision", releaseID, "%s", detail); err != nil {
			return err
		}
		tx.tag(gonogo.TopicDecision, gonogo.TopicState)
		return nil
	}()
	return out, err
}

const decisionColumns = `id, release_id, number, cycle, outcome, rationale, conditions, COALESCE(decider_id, 0), decider_name, at, record`

func scanDecision(sc scanner) (gonogo.Decision, error) {
	var d gonogo.Decision
	var conds, at, record string
	if err := sc.Scan(&d.ID, &d.ReleaseID, &d.Number, &d.Cycle, &d.Outcome, &d.Rationale, &conds, &d.DeciderID, &d.DeciderName, &at, &record); err != nil {
		return d, err
	}
	d.At = parseTime(at)
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

// TransitionFunc decides, from the release as it is inside the transaction,
// where a transition leads, or refuses.
type TransitionFunc func(s gonogo.Snapshot) (gonogo.TransitionResult, error)

// Transition moves a release to another state and audits it. A new cycle
// resets the post-deploy verification and drops the old cycle's conditions;
// the votes, decisions and audit trail of earlier cycles stay.
func (s *Store) Transition(ctx context.Context, a gonogo.Actor, releaseID int64, how string, fn TransitionFunc) (gonogo.TransitionResult, error) {
	var out gonogo.TransitionResult
	err := s.inTx(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.transition(ctx, a, releaseID, how, fn)
		return err
	})
	return out, err
}

func (tx *Tx) transition(ctx context.Context, a gonogo.Actor, releaseID int64, how string, fn TransitionFunc) (out gonogo.TransitionResult, err error) {
	err = func() error {
		snap, err := tx.snapshot(ctx, releaseID)
		if err != nil {
			return err
		}
		res, err := fn(snap)
		if err != nil {
			return err
		}
		out = res
		return tx.applyTransition(a, snap, res, how)
	}()
	return out, err
}

// applyTransition writes a transition the domain allowed on snap's release,
// and audits it.
func (tx *Tx) applyTransition(a gonogo.Actor, snap gonogo.Snapshot, res gonogo.TransitionResult, how string) error {
	releaseID := snap.Release.ID
	cycle := snap.Release.Cycle
	if res.NewCycle {
		cycle++
		if _, err := tx.Exec(`DELETE FROM items WHERE release_id = ? AND source <> ''`, releaseID); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE items SET status = 'open', evidence = '', reason = '', updated_by = ?, updated_at = ?
			WHERE release_id = ? AND phase = 'verification'`, a.Name, fmtTime(tx.now), releaseID); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`UPDATE releases SET state = ?, cycle = ?, updated_at = ? WHERE id = ?`,
		string(res.To), cycle, fmtTime(tx.now), releaseID); err != nil {
		return err
	}
	if res.To == gonogo.Review {
		if _, err := tx.Exec(`UPDATE releases SET review_at = ? WHERE id = ?`, fmtTime(tx.now), releaseID); err != nil {
			return err
		}
	}
	detail := fmt.Sprintf("moved from %s to %s", res.From.Label(), res.To.Label())
	if res.NewCycle {
		detail += fmt.Sprintf(", opening review cycle %d: everyone signs again", cycle)
	}
	if how != "" {
		detail += " (" + how + ")"
	}
	shipped := res.To == gonogo.Released
	if shipped {
		names, err := tx.goVoters(releaseID, snap.Release.Cycle)
		if err != nil {
			return err
		}
		if len(names) > 0 {
			detail += ", signed off by " + strings.Join(names, ", ")
		}
	}
	if err := tx.audit(a, "release.state", releaseID, "%s", detail); err != nil {
		return err
	}
	tx.tag(gonogo.TopicState)
	if shipped {
		tx.tag(gonogo.TopicReleased)
	}
	return nil
}

// goVoters are the people whose Go counted in a cycle, in the order they signed.
func (tx *Tx) goVoters(releaseID int64, cycle int) ([]string, error) {
	rows, err := tx.Query(`SELECT user_name FROM votes WHERE release_id = ? AND cycle = ? AND value = 'go'
		GROUP BY user_name ORDER BY min(id)`, releaseID, cycle)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(sc scanner) (string, error) {
		var n string
		return n, sc.Scan(&n)
	})
}

// NudgeFunc decides, from the release and the webhooks as they are inside
// the transaction, whether the role may be nudged and who would hear of it.
type NudgeFunc func(s gonogo.Snapshot, hooks []gonogo.Webhook) (gonogo.NudgeReach, error)

// Nudge records that the release manager reminded a role to sign off, and
// through which webhooks: the notice carries gonogo.TopicNudge, so they
// tell the team's channel. It returns the audit event, whose detail says
// who was told and how.
func (s *Store) Nudge(ctx context.Context, a gonogo.Actor, releaseID int64, role gonogo.Role, fn NudgeFunc) (gonogo.Event, error) {
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
		reach, err := fn(snap, hooks)
		if err != nil {
			return err
		}
		waited := ""
		if !snap.Release.ReviewAt.IsZero() {
			waited = fmt.Sprintf(" (awaited for %s)", tx.now.Sub(snap.Release.ReviewAt).Round(time.Minute))
		}
		if err := tx.audit(a, "role.nudge", releaseID, "nudged the %s to sign off %s%s: %s",
			role.Label(), snap.Release.Name(), waited, reach); err != nil {
			return err
		}
		tx.tag(gonogo.TopicNudge)
		e = tx.notices[len(tx.notices)-1].Event
		return nil
	})
	return e, err
}
