//go:build bench

package main

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/gonogo/gonogo/seed"
)

// A scale run (make bench SCALE=10, 30 or H30) measures 1× and the bigger
// board in one run: one build, both servers up at once, each load run on
// one then the other, so that the ratio between them is taken at the same
// moment of a shared machine.

// commitsPerSecond is release day's writing: a vote every 50 ms.
const commitsPerSecond = 20

// coldReads is how many times a page is read right after a commit, and
// coldMax the most time that may take.
const (
	coldReads = 50
	coldMax   = 20 * time.Second
)

// crowds are the numbers of open boards the live measurement opens, and
// crowdVotes the votes cast before each.
var crowds = []int{1000, 3000}

const crowdVotes = 10

// boardRun is one board of a scale run and its server.
type boardRun struct {
	file     boardFile
	fx       *fixture
	srv      *benchServer
	lead     *benchBrowser // signs and settles: holds every role
	admin    *benchBrowser
	reads    map[string][]vegeta.Target
	items    []vegeta.Target
	votes    []vegeta.Target
	commits  int // item changes made so far, to change the next one
	crowd    []crowdResult
	voteRate [2]float64 // votes per second in the first and last 5 s
}

func (b *boardRun) start(t *testing.T, bin, dir string) {
	t.Helper()
	b.srv = startBenchServer(t, bin, b.file.path, filepath.Join(dir, "server-"+b.file.scale+".log"))
	b.lead = signIn(t, b.srv.base, b.fx.email, b.fx.password)
	b.admin = signIn(t, b.srv.base, seed.BenchAccounts[0].Email, b.fx.password)
	b.reads = b.fx.readTargets(b.lead, createToken(t, bin, b.file.path))
	b.items, b.votes = b.fx.itemTargets(b.lead), b.fx.voteTargets(b.lead)
	attack("warm-up", append(b.reads["board page"], b.reads["release page"]...), 200, 0, 2*time.Second, http.StatusOK)
}

// page is a GET of path as the lead's browser asks for it.
func (b *boardRun) page(path string) vegeta.Target {
	return vegeta.Target{Method: http.MethodGet, URL: b.srv.base + path, Header: b.lead.pageHeaders()}
}

// commit is the next checklist change: a commit that changes little.
func (b *boardRun) commit(int) vegeta.Target {
	b.commits++
	return b.items[b.commits%len(b.items)]
}

// scaleLoad is one load of a scale run: the rows it measures on a board.
type scaleLoad func(t *testing.T, b *boardRun, d time.Duration) []load

func benchScale(t *testing.T, scales []string, d time.Duration) {
	runStart := time.Now()
	dir := t.TempDir()
	var boards []*boardRun
	for _, scale := range scales {
		bf := prepareBoard(t, scale, dir)
		logBoard(t, bf)
		boards = append(boards, &boardRun{file: bf, fx: loadFixture(t, bf, maxViewers)})
	}
	bin, _ := buildBenchServer(t, dir, 0)
	for _, b := range boards {
		b.start(t, bin, dir)
	}
	loadsStart := time.Now()
	var rows [][]load // per row, per board
	for _, run := range scaleLoads() {
		per := make([][]load, len(boards))
		for i, b := range boards {
			per[i] = run(t, b, d)
			for _, l := range per[i] {
				t.Logf("%s: %s (%s): %.0f/s, p50 %s, p99 %s, CPU %s a request", b.file.scale, l.name, l.mode, l.perSecond, ms(l.p50), ms(l.p99), ms(l.cpu))
			}
		}
		for j := range per[0] {
			row := make([]load, len(boards))
			for i := range boards {
				row[i] = per[i][j]
			}
			rows = append(rows, row)
		}
	}
	for _, n := range crowds {
		for _, b := range boards {
			viewers := b.fx.viewerBrowsers(t, b.srv.base)
			b.crowd = append(b.crowd, measureCrowd(t, b.srv, b.lead, viewers, n, crowdVotes, b.fx.sseVote, b.fx.sseRelease))
		}
	}
	fmt.Printf("\n%s\n%s\n", scaleTable(boards, rows), crowdTable(boards))
	for _, b := range boards {
		fmt.Printf("Votes, 32 writers for %s on %s: %.0f/s in the first 5 s, %.0f/s in the last 5 s (%.2f×).\n",
			3*d, b.file.scale, b.voteRate[0], b.voteRate[1], b.voteRate[1]/b.voteRate[0])
	}
	fmt.Printf("Loads took %s; the run %s (boards: %s).\n", time.Since(loadsStart).Round(time.Second),
		time.Since(runStart).Round(time.Second), boardsLine(boards))
	for _, row := range rows {
		for i, l := range row {
			if l.errors() > 0 {
				t.Logf("%s (%s) on %s: status codes %v", l.name, l.mode, boards[i].file.scale, l.codes)
			}
		}
	}
}

func boardsLine(boards []*boardRun) string {
	var parts []string
	for _, b := range boards {
		how := "generated in"
		if b.file.cached {
			how = "reused from .cache, generated in"
		}
		parts = append(parts, fmt.Sprintf("%s %d releases, %s %s", b.file.scale, b.file.spec.Releases(), how, b.file.seeded))
	}
	return strings.Join(parts, "; ")
}

// scaleLoads are the loads of a scale run, in the order they run: today's
// make bench first, then what grows with history or with viewers.
func scaleLoads() []scaleLoad {
	var out []scaleLoad
	for _, name := range []string{"board page", "release page", "notes search", "gate API"} {
		out = append(out, func(t *testing.T, b *boardRun, d time.Duration) []load {
			want := []uint16{http.StatusOK}
			if name == "gate API" {
				want = append(want, http.StatusConflict) // not a GO yet: a correct answer too
			}
			targets := b.reads[name]
			return []load{
				measured(t, b.srv, func() load { return attack(name, targets, readRate, 0, d, want...) }),
				measured(t, b.srv, func() load { return attack(name, targets, 0, readers, d, want...) }),
			}
		})
	}
	return append(out,
		gateLoads, releaseDay, writeLoads, rebuildLoads,
		coldAndHot("calendar, month", "/calendar"), coldAndHot("calendar, list", "/calendar?view=list"),
		coldAndHot("notes search, common term", "/notes?q="+url.QueryEscape(commonTerm)),
		coldAndHot("notes search, rare term", "/notes?q="+url.QueryEscape(rareTerm)),
		coldAndHot("notes feed", "/notes.atom"), coldAndHot("product feed", "/notes/payments.atom"),
		coldAndHot("calendar feed", "/calendar.ics"),
		coldAndHot("defects", "/defects"), insightsScale, auditLoads)
}

// commonTerm is in every release's notes; rareTerm in one release's at 1×
// (a defect key: 100 + 15 × the release's number, payments' 21st), and in
// two at H30, where PAY-4000 matches its prefix too.
const commonTerm, rareTerm = "customer", "PAY-400"

// gateLoads poll the gate API across the first 40 active releases, the
// 1× board's all: set against the gate API row above (every active
// release) it says whether the cost follows how many are polled.
func gateLoads(t *testing.T, b *boardRun, d time.Duration) []load {
	targets := b.reads["gate API"][:min(40, len(b.reads["gate API"]))]
	name := fmt.Sprintf("gate API, %d releases", len(targets))
	return []load{measured(t, b.srv, func() load {
		return attack(name, targets, 0, readers, d, http.StatusOK, http.StatusConflict)
	})}
}

// releaseDay is today's busy review, and release day as the issue sets
// it: the board at 300 requests/s while 20 votes a second come in.
func releaseDay(t *testing.T, b *boardRun, d time.Duration) []load {
	return []load{
		measured(t, b.srv, func() load { return mixed(b.reads["board page"], b.votes, d) }),
		measured(t, b.srv, func() load { return mixedAt(b.reads["board page"], b.votes, 300, d) }),
	}
}

// writeLoads are today's writes, votes for three times as long: whether
// they slow as votes pile up.
func writeLoads(t *testing.T, b *boardRun, d time.Duration) []load {
	votes := measured(t, b.srv, func() load { return attack("cast a vote", b.votes, 0, writers, 3*d, http.StatusOK) })
	b.voteRate[0], b.voteRate[1] = votes.window(5 * time.Second)
	return []load{votes,
		measured(t, b.srv, func() load { return attack("change a checklist item", b.items, 0, writers, d, http.StatusOK) }),
	}
}

// rebuildLoads read the board right after a commit, when it is built
// anew; then again while four admins keep the audit page open.
func rebuildLoads(t *testing.T, b *boardRun, _ time.Duration) []load {
	board := b.page("/")
	alone := measured(t, b.srv, func() load { return coldLoop("a commit alone (checklist change)", b.commit, nil, 2*coldReads, coldMax) })
	cold := measured(t, b.srv, func() load { return coldLoop("board page", b.commit, &board, 2*coldReads, coldMax) })
	audit := vegeta.Target{Method: http.MethodGet, URL: b.srv.base + "/admin/audit", Header: b.admin.pageHeaders()}
	withAudit := measured(t, b.srv, func() load {
		stop := beside(audit, 4)
		defer stop()
		return coldLoop("board page, 4 audit pages open beside", b.commit, &board, coldReads, coldMax)
	})
	return []load{alone, cold, withAudit}
}

// coldAndHot reads a page right after commits, then over and over with
// nothing changing (8 in flight).
func coldAndHot(name, path string) scaleLoad {
	return func(t *testing.T, b *boardRun, d time.Duration) []load {
		target := b.page(path)
		return []load{
			measured(t, b.srv, func() load { return coldLoop(name, b.commit, &target, coldReads, coldMax) }),
			measured(t, b.srv, func() load { return attack(name, []vegeta.Target{target}, 0, readers, d/2, http.StatusOK) }),
		}
	}
}

// auditLoads read the audit page, two admins at once.
func auditLoads(t *testing.T, b *boardRun, d time.Duration) []load {
	target := vegeta.Target{Method: http.MethodGet, URL: b.srv.base + "/admin/audit", Header: b.admin.pageHeaders()}
	return []load{measured(t, b.srv, func() load { return attack("audit page", []vegeta.Target{target}, 0, 2, d/2, http.StatusOK) })}
}

// scaleTable prints every row on every board, and the bigger boards'
// ratios to 1×.
func scaleTable(boards []*boardRun, rows [][]load) string {
	var sb strings.Builder
	sb.WriteString("| what | load | board | requests/s | p50 | p99 | CPU/request | size | peak RSS | errors | p50 vs 1× | CPU vs 1× |\n")
	sb.WriteString("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, row := range rows {
		for i, l := range row {
			rate := fmt.Sprintf("%.0f", l.perSecond)
			if l.perSecond == 0 {
				rate = "–"
			}
			fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s |\n", l.name, l.mode, boards[i].file.scale,
				rate, ms(l.p50), ms(l.p99), ms(l.cpu), kb(l.bytes), mb(l.rss), l.errors(),
				ratio(l.p50, row[0].p50, i), ratio(l.cpu, row[0].cpu, i))
		}
	}
	return sb.String()
}

// crowdTable prints the live measurement.
func crowdTable(boards []*boardRun) string {
	var sb strings.Builder
	sb.WriteString("| board | open boards | events delivered | event p50 | event p99 | cards refreshed | card p50 | card p99 | CPU per vote | heap per stream | RSS before | RSS open | RSS 10 s after close | peak RSS |\n")
	sb.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for i := range crowds {
		for _, b := range boards {
			c := b.crowd[i]
			fmt.Fprintf(&sb, "| %s | %d | %d of %d | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", b.file.scale, c.streams,
				c.delivered, c.streams*c.votes, ms(c.eventP50), ms(c.eventP99), c.refetched, ms(c.cardP50), ms(c.cardP99),
				ms(c.cpuPerVote), kb(c.perStream), mb(c.before), mb(c.open), mb(c.closed), mb(c.peak))
		}
	}
	return sb.String()
}

func ratio(v, base time.Duration, board int) string {
	if board == 0 || base <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f×", float64(v)/float64(base))
}

func kb(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/(1<<20)) }
