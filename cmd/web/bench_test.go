//go:build bench

// make bench: the board under the load of a release day, measured on the
// real server binary with a generated year of data. Run it with
//
//	go test -tags bench -run TestBench -count=1 -v -timeout 60m ./cmd/web
//
// GONOGO_BENCH_DURATION sets how long each load runs (default 10s).
// GONOGO_BENCH_SCALE (make bench SCALE=10, 30 or H30) measures 1× and a
// bigger board side by side, with the loads that grow with history or
// with viewers (bench_scale_test.go); SCALE=1 runs those on 1× alone.
package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/gonogo/gonogo/seed"
)

// readRate is the constant rate read latencies are measured at.
const readRate = 500

// mixedVotes is how many votes a second are cast while the board is read:
// a busy review.
const mixedVotes = 20

// readers and writers are the requests in flight in the closed loops.
const (
	readers = 8
	writers = 32
)

func TestBench(t *testing.T) {
	d := benchDuration(t)
	if os.Getenv("GONOGO_BENCH_SCALE") != "" {
		benchScale(t, benchScales(t), d)
		return
	}
	dir := t.TempDir()
	bf := prepareBoard(t, "1", dir)
	logBoard(t, bf)
	dbPath := bf.path
	fx := loadFixture(t, bf, sseViewers)
	srv, ceiling, boardSize := startMeasured(t, dir, dbPath, fx)
	b := signIn(t, srv.base, fx.email, fx.password)
	token := createToken(t, srv.cmd.Path, dbPath)
	reads := fx.readTargets(b, token)
	attack("warm-up", append(reads["board page"], reads["release page"]...), 200, 0, 2*time.Second, http.StatusOK)

	loads := readLoads(reads, d)
	static := attack(fmt.Sprintf("static file, %d bytes", boardSize), []vegeta.Target{{Method: "GET", URL: srv.base + ceiling}},
		0, readers, d, http.StatusOK)
	loads = append(loads, static)
	loads = append(loads, mixed(reads["board page"], fx.voteTargets(b), d))
	loads = append(loads, attack("cast a vote", fx.voteTargets(b), 0, writers, d, http.StatusOK))
	loads = append(loads, attack("change a checklist item", fx.itemTargets(b), 0, writers, d, http.StatusOK))
	// Insights cold after a vote (each one a commit), then hot.
	votes := fx.voteTargets(b)
	insights := insightsTargets(t, srv.base, b.pageHeaders(), http.Header{"Authorization": {"Bearer " + token}})
	loads = append(loads, insightsLoads(insights, func(i int) vegeta.Target { return votes[i%len(votes)] }, d,
		func(run func() load) load { return run() })...)
	sse := measureSSE(t, b, fx.viewerBrowsers(t, srv.base), 100, fx.sseVote, fx.sseRelease)
	wire := wireLoads(t, srv, reads, assetTargets(t, b), d/2)
	report(t, loads, loads[1], static, boardSize, sse, srv.peakRSS(t))
	reportWire(wire, static)
}

// TestBenchPrepare only generates the boards of GONOGO_BENCH_SCALE (and
// 1×) into the cache, for a run later.
func TestBenchPrepare(t *testing.T) {
	for _, scale := range benchScales(t) {
		logBoard(t, prepareBoard(t, scale, t.TempDir()))
	}
}

// benchScales are the boards a run measures: 1×, and the scale asked for.
func benchScales(t *testing.T) []string {
	t.Helper()
	scale := strings.TrimSuffix(strings.ToUpper(os.Getenv("GONOGO_BENCH_SCALE")), "X")
	if scale == "" || scale == "1" {
		return []string{"1"}
	}
	if _, ok := seed.BenchScales[scale]; !ok {
		t.Fatalf("SCALE=%s: want 1, 10, 30 or H30", scale)
	}
	return []string{"1", scale}
}

func logBoard(t *testing.T, bf boardFile) {
	t.Helper()
	how := "generated"
	if bf.cached {
		how = "reused from .cache; generating it took"
	}
	t.Logf("board %s: %d releases, %s %s", bf.scale, bf.spec.Releases(), how, bf.seeded)
}

// startMeasured starts the server to measure: a first start learns the
// size of the board page, then the binary is built again with a static
// file of that size, and started on the same data.
func startMeasured(t *testing.T, dir, dbPath string, fx *fixture) (srv *benchServer, ceiling string, boardSize int) {
	t.Helper()
	bin, _ := buildBenchServer(t, dir, 0)
	srv = startBenchServer(t, bin, dbPath, filepath.Join(dir, "size.log"))
	boardSize = len(signIn(t, srv.base, fx.email, fx.password).get(t, "/"))
	srv.stop()
	bin, ceiling = buildBenchServer(t, dir, boardSize)
	return startBenchServer(t, bin, dbPath, filepath.Join(dir, "server.log")), ceiling, boardSize
}

// readLoads measures each read at the constant rate, then closed-loop.
func readLoads(reads map[string][]vegeta.Target, d time.Duration) []load {
	var loads []load
	for _, name := range []string{"board page", "release page", "notes search", "gate API"} {
		want := []uint16{http.StatusOK}
		if name == "gate API" {
			want = append(want, http.StatusConflict) // not a GO yet: a correct answer too
		}
		loads = append(loads, attack(name, reads[name], readRate, 0, d, want...))
		loads = append(loads, attack(name, reads[name], 0, readers, d, want...))
	}
	return loads
}

// report prints the table and the lines below it.
func report(t *testing.T, loads []load, board, static load, boardSize int, sse sseResult, rss int64) {
	fmt.Printf("\n%s\n", table(loads))
	fmt.Printf("Board page (%d bytes) closed-loop throughput is %.0f%% of the static file's (%.0f req/s).\n",
		boardSize, 100*board.perSecond/static.perSecond, static.perSecond)
	fmt.Printf("Live updates: %d streams on the board, %d votes: %d of %d deliveries, p50 %s, p99 %s after the vote's response.\n",
		sse.streams, sse.votes, sse.delivered, sse.streams*sse.votes, ms(sse.p50), ms(sse.p99))
	fmt.Printf("Server peak RSS (VmHWM): %.1f MB.\n", float64(rss)/(1<<20))
	for _, l := range loads {
		if l.errors() > 0 {
			t.Logf("%s (%s): status codes %v", l.name, l.mode, l.codes)
		}
	}
}

// mixed is release day: the board read at the constant rate while votes
// come in, each a commit after which the board is judged anew.
func mixed(board, votes []vegeta.Target, d time.Duration) load {
	return mixedAt(board, votes, readRate, d)
}

// mixedAt is mixed with the board read at rate requests a second.
func mixedAt(board, votes []vegeta.Target, rate int, d time.Duration) load {
	done := make(chan load)
	go func() { done <- attack("votes beside", votes, mixedVotes, 0, d, http.StatusOK) }()
	l := attack(fmt.Sprintf("board page, %d votes/s beside", mixedVotes), board, rate, 0, d, http.StatusOK)
	if v := <-done; v.errors() > 0 {
		l.sent, l.ok = l.sent+v.sent, l.ok+v.ok // a failed vote is an error of this run too
	}
	return l
}

func benchDuration(t *testing.T) time.Duration {
	t.Helper()
	s := os.Getenv("GONOGO_BENCH_DURATION")
	if s == "" {
		return 10 * time.Second
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatalf("GONOGO_BENCH_DURATION: %v", err)
	}
	return d
}
