package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// The 30× board of make bench ships about 900 releases a year over 50
// products; a year of insights reads the facts of two years (the period
// and the one before). BenchmarkFindInsights times that read on facts
// made by gonogo.FactsOf from a history of the bench's shape (41 items,
// 15 defects, six votes a cycle, a rollback in 7, a No-Go and a second
// cycle in 13, a cancel in 11), 1,000 releases a year over two years:
//
//	go test -run '^$' -bench FindInsights ./db
//
// cold is a read right after a commit (the memo emptied), split into its
// parts: reading the rows (read), decoding their JSON alone (decode) and
// summing them (summarize); hot is a read between two commits.
const (
	insightsBenchProducts = 50
	insightsBenchPerYear  = 1000
)

func BenchmarkFindInsights(b *testing.B) {
	s, now := insightsBenchStore(b)
	ctx := context.Background()
	p := gonogo.LastDays(365, now, time.UTC)
	b.Logf("%d release facts since %s", mustCountFacts(b, s, p.Prev().From), p.Prev().From.Format(time.DateOnly))
	commits := 0
	commit := func() { // a change that empties the memo, and nothing else
		commits++
		if _, err := s.write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('bench', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, fmt.Sprint(commits)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			commit()
			b.StartTimer()
			if _, err := s.FindInsights(ctx, "", p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cold/read", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.readFacts(ctx, "", p.Prev().From); err != nil {
				b.Fatal(err)
			}
		}
	})
	raw := mustRawFacts(b, s, p.Prev().From)
	b.Run("cold/decode", func(b *testing.B) {
		for b.Loop() {
			for _, r := range raw {
				var f gonogo.Facts
				if err := json.Unmarshal(r, &f); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	facts, err := s.readFacts(ctx, "", p.Prev().From)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("cold/summarize", func(b *testing.B) {
		for b.Loop() {
			gonogo.Summarize(facts, "", p)
		}
	})
	b.Run("hot", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.FindInsights(ctx, "", p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("metrics/cold", func(b *testing.B) {
		month := gonogo.LastDays(30, now, time.UTC)
		for b.Loop() {
			b.StopTimer()
			commit()
			b.StartTimer()
			if _, err := s.FindProductInsights(ctx, month); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// insightsBenchStore is a store whose release_facts hold two years of
// facts, the newest made an hour before the now it returns. The facts go
// in through a plain connection with foreign keys off: insights read
// release_facts alone, and the releases they name are beside the point.
func insightsBenchStore(b *testing.B) (*Store, time.Time) {
	b.Helper()
	s := OpenTest(b)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	raw, err := sql.Open("sqlite", "file:"+filepath.Clean(s.Path())+"?_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	n := 2 * insightsBenchPerYear
	step := 2 * 365 * 24 * time.Hour / time.Duration(n)
	start := now.AddDate(-2, 0, 0)
	for k := range n {
		if err := storeFacts(context.Background(), tx, gonogo.FactsOf(benchHistory(k, start.Add(time.Duration(k)*step)))); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return s, now
}

// benchHistory is the history of release k, created at t0, in the shape
// seed.Bench gives its releases: a draft of two days, a review of a day,
// deployed two days after its Go.
func benchHistory(k int, t0 time.Time) gonogo.History {
	rel := gonogo.Release{ID: int64(k + 1), Product: fmt.Sprintf("product-%02d", k%insightsBenchProducts),
		Version: fmt.Sprintf("%d.%d.0", 1+k/10, k%10), CreatedAt: t0, Cycle: 1}
	h := gonogo.History{Release: rel, Zone: time.UTC}
	at := t0
	move := func(cycle int, from, to gonogo.State, after time.Duration) {
		at = at.Add(after)
		h.Moves = append(h.Moves, gonogo.StateMove{Cycle: cycle, From: from, To: to, At: at})
	}
	items := benchItems(k, t0)
	h.Items = items
	if k%3 == 0 {
		h.Failures = []gonogo.ItemFailure{{Cycle: 1, Title: "Integration tests pass", CheckKey: "integration-tests", At: t0.Add(time.Hour)}}
	}
	for i := range 15 {
		sev := []gonogo.Severity{gonogo.Blocker, gonogo.Critical, gonogo.Major, gonogo.Minor, gonogo.Minor}[i%5]
		h.Defects = append(h.Defects, gonogo.Defect{ID: int64(i + 1), Title: fmt.Sprintf("Defect %d", i), Severity: sev, Status: gonogo.DefectVerified})
	}
	if k%11 == 5 {
		move(1, gonogo.Draft, gonogo.Cancelled, 2*24*time.Hour)
		return h
	}
	review := func(cycle int) time.Time {
		opened := at
		for i, r := range gonogo.Roles {
			v := gonogo.VoteGo
			if k%13 == 6 && cycle == 1 && r == gonogo.QALead {
				v = gonogo.VoteNoGo
			}
			h.Votes = append(h.Votes, gonogo.Vote{Cycle: cycle, Role: r, Value: v, At: opened.Add(time.Duration(i+1) * time.Hour)})
		}
		return opened
	}
	decide := func(cycle int, out gonogo.Outcome) {
		d := gonogo.Decision{Cycle: cycle, Outcome: out, At: at, Record: gonogo.Record{Items: items, Defects: h.Defects}}
		for _, v := range h.Votes {
			if v.Cycle == cycle {
				d.Record.Votes = append(d.Record.Votes, v)
			}
		}
		if out == gonogo.OutcomeNoGo {
			d.Record.Gate.Reasons = []gonogo.Reason{{Kind: gonogo.ReasonItem, Text: "Performance thresholds met is failed"}}
		} else if k%3 == 0 {
			d.Conditions = []gonogo.Condition{{Text: "deploy off-peak", Owner: gonogo.Ops}}
		}
		h.Decisions = append(h.Decisions, d)
	}
	move(1, gonogo.Draft, gonogo.Review, 2*24*time.Hour)
	review(1)
	cycle := 1
	if k%13 == 6 {
		move(1, gonogo.Review, gonogo.NoGo, 24*time.Hour)
		decide(1, gonogo.OutcomeNoGo)
		cycle = 2
		h.Release.Cycle = 2
		move(2, gonogo.NoGo, gonogo.Review, 24*time.Hour)
		review(2)
	}
	move(cycle, gonogo.Review, gonogo.Go, 24*time.Hour)
	decide(cycle, gonogo.OutcomeGo)
	move(cycle, gonogo.Go, gonogo.Deploying, 2*24*time.Hour)
	if k%7 == 3 {
		move(cycle, gonogo.Deploying, gonogo.RolledBack, time.Hour)
		return h
	}
	move(cycle, gonogo.Deploying, gonogo.Verifying, time.Hour)
	move(cycle, gonogo.Verifying, gonogo.Released, 2*time.Hour)
	return h
}

// benchItems is a checklist of 41 items, two of them not applicable and,
// on every third release, one that failed once.
func benchItems(k int, t0 time.Time) []gonogo.Item {
	var out []gonogo.Item
	for i, in := range gonogo.DefaultTemplate() {
		out = append(out, gonogo.Item{ID: int64(i + 1), Phase: in.Phase, Title: in.Title, Status: gonogo.ItemDone,
			UpdatedAt: t0.Add(time.Duration(i) * time.Minute)})
	}
	for i := range 16 {
		out = append(out, gonogo.Item{ID: int64(100 + i), Phase: gonogo.Readiness, Title: fmt.Sprintf("Product check %d", i),
			Status: gonogo.ItemDone, UpdatedAt: t0.Add(time.Duration(30+i) * time.Minute)})
	}
	out[6].Status, out[6].Reason = gonogo.ItemNA, "No personal data changed in this release."
	out[7].Status, out[7].Reason = gonogo.ItemNA, "Nothing in this release touches it."
	return out
}

func mustCountFacts(b *testing.B, s *Store, since time.Time) int {
	b.Helper()
	var n int
	if err := s.read.QueryRowContext(context.Background(), `SELECT count(*) FROM release_facts WHERE last_at >= ?`, Time(since)).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

func mustRawFacts(b *testing.B, s *Store, since time.Time) [][]byte {
	b.Helper()
	rows, err := s.read.QueryContext(context.Background(), `SELECT facts FROM release_facts WHERE last_at >= ?`, Time(since))
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	var size int
	for rows.Next() {
		var r []byte
		if err := rows.Scan(&r); err != nil {
			b.Fatal(err)
		}
		out = append(out, r)
		size += len(r)
	}
	b.Logf("%d rows of facts, %d KB of JSON (%d bytes a row)", len(out), size/1024, size/max(len(out), 1))
	return out
}
