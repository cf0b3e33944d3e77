//go:build bench

package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// load is one line of the report: what was asked, how, and how it went.
type load struct {
	name, mode string
	sent, ok   int
	perSecond  float64 // answered as expected, per second
	p50, p90   time.Duration
	p99        time.Duration
	codes      map[uint16]int
	bytes      int64       // mean body of an answer
	ends       []time.Time // when each answered request ended, in order
	// Measured on the server (see measured): its CPU per request and its
	// peak resident memory during the load.
	cpu time.Duration
	rss int64
}

func (l load) errors() int { return l.sent - l.ok }

// attack runs targets round-robin, either at a constant rate (rate > 0)
// for latency, or closed-loop with workers requests always in flight for
// the most the server can take. Only the statuses in want count as answered.
func attack(name string, targets []vegeta.Target, rate, workers int, d time.Duration, want ...uint16) load {
	opts := []func(*vegeta.Attacker){vegeta.KeepAlive(true), vegeta.Redirects(vegeta.NoFollow),
		vegeta.Timeout(30 * time.Second), vegeta.MaxBody(0)}
	pace := vegeta.Rate{Freq: rate, Per: time.Second}
	mode := fmt.Sprintf("%d req/s", rate)
	if rate == 0 {
		opts = append(opts, vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(uint64(workers)), vegeta.Connections(workers))
		mode = fmt.Sprintf("closed loop, %d in flight", workers)
	}
	atk := vegeta.NewAttacker(opts...)
	l := load{name: name, mode: mode, codes: map[uint16]int{}}
	var lat []time.Duration
	var first, last time.Time
	var bytes int64
	for res := range atk.Attack(vegeta.NewStaticTargeter(targets...), pace, d, name) {
		l.sent++
		l.codes[res.Code]++
		bytes += int64(res.BytesIn)
		lat = append(lat, res.Latency)
		if first.IsZero() || res.Timestamp.Before(first) {
			first = res.Timestamp
		}
		if end := res.End(); end.After(last) {
			last = end
		}
		if slices.Contains(want, res.Code) {
			l.ok++
			l.ends = append(l.ends, res.End())
		}
	}
	if l.sent > 0 {
		l.bytes = bytes / int64(l.sent)
	}
	if l.bytes == 0 {
		l.bytes = meanSize(targets) // the attack read no body: see MaxBody
	}
	slices.SortFunc(l.ends, func(a, b time.Time) int { return a.Compare(b) })
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		l.p50, l.p90, l.p99 = lat[n*50/100], lat[n*90/100], lat[min(n-1, n*99/100)]
		l.perSecond = float64(l.ok) / last.Sub(first).Seconds()
	}
	return l
}

// meanSize is the mean size of the answers to (the first 40 of) targets,
// each asked once.
func meanSize(targets []vegeta.Target) int64 {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var sum, n int64
	for _, tg := range targets[:min(40, len(targets))] {
		if _, size, err := send(client, tg); err == nil {
			sum, n = sum+size, n+1
		}
	}
	if n == 0 {
		return 0
	}
	return sum / n
}

// table prints the report as Markdown.
func table(loads []load) string {
	var b strings.Builder
	b.WriteString("| what | load | requests/s | p50 | p90 | p99 | errors |\n|---|---|--:|--:|--:|--:|--:|\n")
	for _, l := range loads {
		rate := fmt.Sprintf("%.0f", l.perSecond)
		if l.perSecond == 0 { // one read after each commit: latency, not throughput
			rate = "–"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %d |\n", l.name, l.mode, rate, ms(l.p50), ms(l.p90), ms(l.p99), l.errors())
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
