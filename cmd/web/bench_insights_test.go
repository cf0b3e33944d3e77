//go:build bench

package main

import (
	"net/http"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Insights for every product over a year, as issue 20 sets their target
// (at the 30× board: hot ≤ 20 ms, cold ≤ 300 ms): the /insights page and
// GET /api/v1/insights, each read right after a commit (cold: the facts
// read and summed anew) and then over and over with nothing changing
// (hot: from the memo).
const (
	insightsPage = "/insights?last=365"
	insightsAPI  = "/api/v1/insights?last=365"
)

// insightsTargets are the reads to measure: the API always, the page once
// it answers 200 (a board without the page is told so, and skips it).
func insightsTargets(t *testing.T, base string, page http.Header, api http.Header) map[string]vegeta.Target {
	t.Helper()
	out := map[string]vegeta.Target{
		"insights API, a year": {Method: http.MethodGet, URL: base + insightsAPI, Header: api},
	}
	target := vegeta.Target{Method: http.MethodGet, URL: base + insightsPage, Header: page}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if code, _, err := send(client, target); err != nil || code != http.StatusOK {
		t.Logf("%s answers %d (%v): the page is not measured", insightsPage, code, err)
		return out
	}
	out["insights page, a year"] = target
	return out
}

// insightsLoads measure each insights read cold, coldReads times right
// after a commit, then hot for d/2 with 8 in flight; each load runs
// through wrap (measured, on a scale run).
func insightsLoads(targets map[string]vegeta.Target, commit func(int) vegeta.Target, d time.Duration, wrap func(func() load) load) []load {
	var out []load
	for _, name := range []string{"insights page, a year", "insights API, a year"} {
		target, ok := targets[name]
		if !ok {
			continue
		}
		out = append(out,
			wrap(func() load { return coldLoop(name, commit, &target, coldReads, coldMax) }),
			wrap(func() load { return attack(name, []vegeta.Target{target}, 0, readers, d/2, http.StatusOK) }))
	}
	return out
}

// insightsScale is insightsLoads as a scale run measures them on each
// board, with the server's CPU and peak memory.
func insightsScale(t *testing.T, b *boardRun, d time.Duration) []load {
	targets := insightsTargets(t, b.srv.base, b.lead.pageHeaders(), b.reads["gate API"][0].Header)
	return insightsLoads(targets, b.commit, d, func(run func() load) load { return measured(t, b.srv, run) })
}
