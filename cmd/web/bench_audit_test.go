//go:build bench

package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// TestBenchAuditBeside measures only the board read right after a commit
// on the 1× board, alone and with four admins looping on the audit page,
// a few rounds in turn: whether the audit page costs other readers. With
// GONOGO_BENCH_OTHERS naming server binaries built from other code
// (name=path,name=path), it runs them too, each on its own copy of the
// board, round for round, so that all are compared at the same moments of
// a shared machine:
//
//	go test -tags bench -run TestBenchAuditBeside -count=1 -v ./cmd/web
func TestBenchAuditBeside(t *testing.T) {
	const rounds, reads, busy = 4, 60, 5 * time.Second
	dir := t.TempDir()
	bins := map[string]string{}
	bins["this"], _ = buildBenchServer(t, dir, 0)
	for _, other := range strings.Split(os.Getenv("GONOGO_BENCH_OTHERS"), ",") {
		if name, path, ok := strings.Cut(other, "="); ok {
			bins[name] = path
		}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range bins {
			if !yield(n) {
				return
			}
		}
	})
	runs := map[string]*boardRun{}
	for _, name := range names {
		sub := filepath.Join(dir, name)
		if err := os.MkdirAll(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		bf := prepareBoard(t, "1", sub)
		b := &boardRun{file: bf, fx: loadFixture(t, bf, 0)}
		b.start(t, bins[name], sub)
		runs[name] = b
	}
	p90, p99, day := map[string][2][]time.Duration{}, map[string][2][]time.Duration{}, map[string][2][]time.Duration{}
	for round := range rounds {
		for _, name := range names {
			b := runs[name]
			board := b.page("/")
			audit := vegeta.Target{Method: http.MethodGet, URL: b.srv.base + "/admin/audit", Header: b.admin.pageHeaders()}
			alone := coldLoop("board page", b.commit, &board, reads, coldMax)
			stop := beside(audit, 4)
			with := coldLoop("board page, 4 audit pages beside", b.commit, &board, reads, coldMax)
			views := stop()
			t.Logf("round %d, %s: board p99 %s alone, %s beside %d audit views (%.2f×); p90 %s, %s", round+1, name,
				ms(alone.p99), ms(with.p99), views, float64(with.p99)/float64(alone.p99), ms(alone.p90), ms(with.p90))
			r := p99[name]
			r[0], r[1] = append(r[0], alone.p99), append(r[1], with.p99)
			p99[name] = r
			r = p90[name]
			r[0], r[1] = append(r[0], alone.p90), append(r[1], with.p90)
			p90[name] = r

			// Release day: the board at 300 requests/s, 20 votes/s.
			dayAlone := mixedAt([]vegeta.Target{board}, b.votes, 300, busy)
			stop = beside(audit, 4)
			dayWith := mixedAt([]vegeta.Target{board}, b.votes, 300, busy)
			stop()
			t.Logf("round %d, %s: release day board p99 %s alone, %s beside audit pages", round+1, name, ms(dayAlone.p99), ms(dayWith.p99))
			r = day[name]
			r[0], r[1] = append(r[0], dayAlone.p99), append(r[1], dayWith.p99)
			day[name] = r
		}
	}
	for _, name := range names {
		alone, with := median(p99[name][0]), median(p99[name][1])
		alone90, with90 := median(p90[name][0]), median(p90[name][1])
		fmt.Printf("%s: board after a commit, median of %d rounds: p99 %s alone, %s with 4 audit pages (%.2f×); p90 %s, %s (%.2f×)\n",
			name, rounds, ms(alone), ms(with), float64(with)/float64(alone), ms(alone90), ms(with90), float64(with90)/float64(alone90))
		alone, with = median(day[name][0]), median(day[name][1])
		fmt.Printf("%s: release day (board at 300/s, 20 votes/s), median of %d rounds: p99 %s alone, %s with 4 audit pages (%.2f×)\n",
			name, rounds, ms(alone), ms(with), float64(with)/float64(alone))
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	return s[len(s)/2]
}
