package main

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/gonogo/gonogo/db"
)

// checkCrashBoard holds the restarted board against the ledger: the file
// is sound, the audit chain verifies, every acknowledged change is there
// with its event, and every event's change is there.
func checkCrashBoard(t *testing.T, path string, board crashBoard, led *ledger, round int) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	checkFile(t, raw, round)
	checkChain(t, path, round)
	checkVotes(t, raw, led, round)
	for w, me := range board.workers {
		checkItem(t, raw, me, led.of(w, "item"), itemTitle(w), round)
		checkDefect(t, raw, me, led.of(w, "defect"), defectTitle(w), round)
	}
}

func checkFile(t *testing.T, raw *sql.DB, round int) {
	t.Helper()
	rows, err := queryStrings(raw, `PRAGMA integrity_check`)
	if err != nil || len(rows) != 1 || rows[0] != "ok" {
		t.Fatalf("round %d: integrity_check: %v %v", round, rows, err)
	}
	var problems int
	if err := raw.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&problems); err != nil || problems != 0 {
		t.Fatalf("round %d: foreign_key_check: %d problems %v", round, problems, err)
	}
}

func checkChain(t *testing.T, path string, round int) {
	t.Helper()
	store, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("round %d: open the store: %v", round, err)
	}
	defer store.Close()
	brk, n, err := store.VerifyAudit(context.Background())
	if err != nil || brk != nil {
		t.Fatalf("round %d: the audit chain after %d events: %+v %v", round, n, brk, err)
	}
}

// voteToken is the comment a vote's event ends with.
var voteToken = regexp.MustCompile(`^signed \S+ for QA lead: (\S+)$`)

// checkVotes: votes are only ever added, so each must be there with its
// event, and each event with its vote.
func checkVotes(t *testing.T, raw *sql.DB, led *ledger, round int) {
	t.Helper()
	stored, err := queryStrings(raw, `SELECT comment FROM votes`)
	if err != nil {
		t.Fatal(err)
	}
	details, err := queryStrings(raw, `SELECT detail FROM audit_events WHERE action = 'vote'`)
	if err != nil {
		t.Fatal(err)
	}
	votes, events := counts(stored), map[string]int{}
	for _, d := range details {
		m := voteToken.FindStringSubmatch(d)
		if m == nil {
			t.Fatalf("round %d: a vote event of unknown form: %q", round, d)
		}
		events[m[1]]++
	}
	sent := map[string]op{}
	for w := range crashWorkers {
		for _, o := range led.of(w, "vote") {
			sent[o.token] = o
			if o.acked && (votes[o.token] != 1 || events[o.token] != 1) {
				t.Errorf("round %d: acknowledged vote %s: %d stored, %d events", round, o.token, votes[o.token], events[o.token])
			}
		}
	}
	for tok, n := range votes {
		if _, ok := sent[tok]; !ok || n != 1 || events[tok] != 1 {
			t.Errorf("round %d: vote %s: sent %t, stored %d times, %d events", round, tok, ok, n, events[tok])
		}
	}
	for tok, n := range events {
		if votes[tok] != 1 {
			t.Errorf("round %d: %d events for vote %s, which is stored %d times", round, n, tok, votes[tok])
		}
	}
}

// change is one audited change of an item or a defect: from what status
// to what, carrying which token.
type change struct{ was, status, token string }

// checkItem and checkDefect: one worker alone changes its item and its
// defect, so their events must be its changes in the order sent, each
// starting from where the one before left off, skipping none that was
// acknowledged, and the row must hold the last of them.
func checkItem(t *testing.T, raw *sql.DB, me crashWorker, sent []op, title string, round int) {
	t.Helper()
	re := regexp.MustCompile(`^set ` + regexp.QuoteMeta(fmt.Sprintf("%q", title)) + ` (\S+) \(was (\S+)\), evidence (\S+)$`)
	var changes []change
	for _, d := range eventsOf(t, raw, me.release, title, "item.status") {
		m := re.FindStringSubmatch(d)
		if m == nil {
			t.Fatalf("round %d: an item event of unknown form: %q", round, d)
		}
		changes = append(changes, change{was: m[2], status: m[1], token: m[3]})
	}
	var status, evidence string
	if err := raw.QueryRow(`SELECT status, evidence FROM items WHERE id = ?`, me.item).Scan(&status, &evidence); err != nil {
		t.Fatal(err)
	}
	checkSequence(t, title, round, sent, changes, status, evidence)
}

func checkDefect(t *testing.T, raw *sql.DB, me crashWorker, sent []op, title string, round int) {
	t.Helper()
	name := regexp.QuoteMeta(fmt.Sprintf("%q", title))
	moved := regexp.MustCompile(`^defect ` + name + `: (\S+) → (\S+): (\S+)$`)
	// The same status again, for a new reason.
	again := regexp.MustCompile(`^defect ` + name + `: reason: (\S+)$`)
	var changes []change
	last := "open"
	for _, d := range eventsOf(t, raw, me.release, title, "defect.status", "defect.edit") {
		if m := moved.FindStringSubmatch(d); m != nil {
			changes = append(changes, change{was: m[1], status: m[2], token: m[3]})
		} else if m := again.FindStringSubmatch(d); m != nil {
			changes = append(changes, change{was: last, status: last, token: m[1]})
		} else {
			t.Fatalf("round %d: a defect event of unknown form: %q", round, d)
		}
		last = changes[len(changes)-1].status
	}
	var status, reason string
	if err := raw.QueryRow(`SELECT status, reason FROM defects WHERE id = ?`, me.defect).Scan(&status, &reason); err != nil {
		t.Fatal(err)
	}
	checkSequence(t, title, round, sent, changes, status, reason)
}

// checkSequence walks what was sent beside what was audited. A change
// without an answer may be missing (it never committed); an acknowledged
// one may not. An event that matches nothing sent, or comes out of order,
// or does not start where the one before ended, is a change half-made.
func checkSequence(t *testing.T, what string, round int, sent []op, changes []change, status, token string) {
	t.Helper()
	i, state := 0, "open"
	for _, o := range sent {
		if i < len(changes) && changes[i].token == o.token {
			c := changes[i]
			if c.status != o.status || c.was != state {
				t.Fatalf("round %d: %s: change %s audited as %s → %s, want %s → %s", round, what, o.token, c.was, c.status, state, o.status)
			}
			state = c.status
			i++
		} else if o.acked {
			t.Fatalf("round %d: %s: acknowledged change %s (%s) has no event", round, what, o.token, o.status)
		}
	}
	if i < len(changes) {
		t.Fatalf("round %d: %s: event for %s matches no change sent, in order", round, what, changes[i].token)
	}
	if len(changes) > 0 {
		last := changes[len(changes)-1]
		if status != last.status || token != last.token {
			t.Fatalf("round %d: %s holds %s %q, but its last event says %s %q", round, what, status, token, last.status, last.token)
		}
	}
}

// eventsOf returns, oldest first, the details of the release's events of
// the given actions that name title.
func eventsOf(t *testing.T, raw *sql.DB, release int64, title string, actions ...string) []string {
	t.Helper()
	q := `SELECT detail FROM audit_events WHERE release_id = ? AND action IN (?` + strings.Repeat(", ?", len(actions)-1) +
		`) AND instr(detail, ?) > 0 ORDER BY id`
	args := []any{release}
	for _, a := range actions {
		args = append(args, a)
	}
	args = append(args, fmt.Sprintf("%q", title))
	out, err := queryStrings(raw, q, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func queryStrings(raw *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := raw.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func counts(ss []string) map[string]int {
	m := map[string]int{}
	for _, s := range ss {
		m[s]++
	}
	return m
}
