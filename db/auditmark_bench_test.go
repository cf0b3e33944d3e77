package db

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// benchTrail fills a fresh store with n chained audit events, written in
// one transaction as the store would write them one by one.
func benchTrail(b *testing.B, n int) *Store {
	b.Helper()
	s := OpenTest(b)
	at := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	err := s.inTx(b.Context(), func(tx *Tx) error {
		st, err := tx.Prepare(`INSERT INTO audit_events (id, at, actor_id, actor, action, release_id, detail, remote_addr, prev_hash, hash)
			VALUES (?, ?, NULL, ?, ?, NULL, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		prev := gonogo.GenesisHash
		for i := 1; i <= n; i++ {
			e := gonogo.Event{ID: int64(i), At: at.Add(time.Duration(i) * time.Minute), Actor: "Quinn Tester", Action: "item.status",
				Detail: "marked “Integration tests pass” done: https://ci.example.com/build/" + strconv.Itoa(i), RemoteAddr: "10.0.0.7", PrevHash: prev}
			e.Hash = e.ComputeHash(prev)
			if _, err := st.Exec(e.ID, Time(e.At), e.Actor, e.Action, e.Detail, e.RemoteAddr, e.PrevHash, e.Hash); err != nil {
				return err
			}
			prev = e.Hash
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// auditPageReads is what a view of the audit page asks the store: a page
// of events, a look at the trail, the last whole verification and the
// latest checkpoints.
func auditPageReads(ctx context.Context, s *Store) error {
	if _, err := s.FindEventsBefore(ctx, 0, 201); err != nil {
		return err
	}
	if _, err := s.VerifyNewEvents(ctx); err != nil {
		return err
	}
	if _, err := s.LastVerification(ctx); err != nil {
		return err
	}
	_, err := s.FindCheckpoints(ctx, 10)
	return err
}

// cpuTime is the CPU time the process has used: on a machine shared with
// other work, a steadier measure of a view's cost than the time it took.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start, in ms.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkAuditPage times the store's part of a view of the audit page on
// a trail of 200,000 events (GONOGO_BENCH_EVENTS to change it):
//
//   - whole: what a view did before the mark, walking and hashing the
//     whole trail on a reader;
//   - cold: a view of a trail never verified (the look's budget);
//   - marked: a view with the trail verified through its newest event;
//   - 100-new: a view after 100 events were written since the one before.
func BenchmarkAuditPage(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("GONOGO_BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	s := benchTrail(b, n)
	ctx := b.Context()
	b.Run(fmt.Sprintf("events=%d/whole", n), func(b *testing.B) {
		start := cpuTime()
		for b.Loop() {
			if _, _, err := walkTrail(ctx, s.read.DB, 0); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	b.Run(fmt.Sprintf("events=%d/cold", n), func(b *testing.B) {
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			s.audit.mu.Lock()
			s.audit.mark = AuditMark{Hash: gonogo.GenesisHash}
			s.audit.mu.Unlock()
			b.StartTimer()
			start := cpuTime()
			if err := auditPageReads(ctx, s); err != nil {
				b.Fatal(err)
			}
			cpu += cpuTime() - start
		}
		b.ReportMetric(float64(cpu)/float64(b.N)/1e6, "cpu-ms/op")
	})
	if _, err := s.VerifyWholeTrail(ctx); err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("events=%d/marked", n), func(b *testing.B) {
		start := cpuTime()
		for b.Loop() {
			if err := auditPageReads(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	b.Run(fmt.Sprintf("events=%d/100-new", n), func(b *testing.B) {
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			for range 100 {
				if err := s.inTx(ctx, func(tx *Tx) error {
					return tx.audit(gonogo.SystemActor, 0, gonogo.Audit{Action: "bench", Detail: "one more"})
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			start := cpuTime()
			if err := auditPageReads(ctx, s); err != nil {
				b.Fatal(err)
			}
			cpu += cpuTime() - start
		}
		b.ReportMetric(float64(cpu)/float64(b.N)/1e6, "cpu-ms/op")
	})
}
