//go:build bench

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/seed"
)

// fixture is what the load needs to know of the generated board.
type fixture struct {
	email, password string
	viewers         []string // the people who watch the live board
	releases        int
	active          []gonogo.Release // on the board's columns
	review          []gonogo.Release // taking votes
	items           []gonogo.Item    // readiness items of drafts and reviews
	sseRelease      int64
}

// seedBench generates the board into a fresh file at path.
func seedBench(t *testing.T, path string) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	spec := seed.DefaultBenchSpec
	if err := seed.Bench(ctx, store, spec); err != nil {
		t.Fatal(err)
	}
	lead := seed.BenchAccounts[len(seed.BenchAccounts)-1]
	fx := &fixture{email: lead.Email, password: spec.Password, releases: spec.Products * spec.ReleasesPer}
	// The live pages are watched by many people, as on a release day: each
	// viewer has the streams of one browser, within the server's caps.
	for i := range sseViewers {
		email := fmt.Sprintf("viewer%02d@bench.example", i)
		if _, err := store.CreateUser(ctx, gonogo.SystemActor, gonogo.NewUser{Email: email, Name: fmt.Sprintf("Viewer %02d", i),
			Password: spec.Password, Roles: gonogo.RoleSet{gonogo.SupportLead}}); err != nil {
			t.Fatal(err)
		}
		fx.viewers = append(fx.viewers, email)
	}
	if fx.active, err = store.FindReleases(ctx, gonogo.ReleaseFilter{States: gonogo.ActiveStates}); err != nil {
		t.Fatal(err)
	}
	if fx.review, err = store.FindReleases(ctx, gonogo.ReleaseFilter{States: []gonogo.State{gonogo.Review}}); err != nil {
		t.Fatal(err)
	}
	fx.sseRelease = fx.review[0].ID
	for _, r := range fx.active {
		if r.State != gonogo.Draft && r.State != gonogo.Review {
			continue
		}
		items, err := store.FindItems(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Phase == gonogo.Readiness && it.CheckKey != gonogo.NotesCheckKey {
				fx.items = append(fx.items, it)
			}
		}
	}
	return fx
}

// searches are what support types into the notes search.
var searches = []string{"refunds", "passkeys", "offline", "export", "dark mode", "layout", "coupons", "PAY-1", "single sign-on", "faster"}

// readTargets are the pages and API calls people and pipelines read.
func (fx *fixture) readTargets(b *benchBrowser, token string) map[string][]vegeta.Target {
	page := func(path string) vegeta.Target {
		return vegeta.Target{Method: http.MethodGet, URL: b.base + path, Header: b.pageHeaders()}
	}
	out := map[string][]vegeta.Target{"board page": {page("/")}}
	for _, r := range fx.active {
		out["release page"] = append(out["release page"], page(fmt.Sprintf("/releases/%d", r.ID)))
		out["gate API"] = append(out["gate API"], vegeta.Target{Method: http.MethodGet,
			URL:    fmt.Sprintf("%s/api/v1/releases/%s/%s/gate", b.base, r.Product, r.Version),
			Header: http.Header{"Authorization": {"Bearer " + token}}})
	}
	for _, q := range searches {
		out["notes search"] = append(out["notes search"], page("/notes?q="+url.QueryEscape(q)))
	}
	return out
}

// voteTargets sign Go for every role on every release in review, as htmx
// posts the sign-off form.
func (fx *fixture) voteTargets(b *benchBrowser) []vegeta.Target {
	var out []vegeta.Target
	for _, role := range gonogo.Roles {
		for _, r := range fx.review {
			out = append(out, vegeta.Target{Method: http.MethodPost, URL: fmt.Sprintf("%s/releases/%d/votes", b.base, r.ID),
				Header: b.htmxPost(), Body: []byte(url.Values{"role": {string(role)}, "value": {"go"}}.Encode())})
		}
	}
	return out
}

// itemTargets mark every readiness item of drafts and reviews done, then
// open again, as htmx posts the item's buttons.
func (fx *fixture) itemTargets(b *benchBrowser) []vegeta.Target {
	var out []vegeta.Target
	for _, status := range []gonogo.ItemStatus{gonogo.ItemDone, gonogo.ItemOpen} {
		for _, it := range fx.items {
			out = append(out, vegeta.Target{Method: http.MethodPost, URL: fmt.Sprintf("%s/releases/%d/items/%d", b.base, it.ReleaseID, it.ID),
				Header: b.htmxPost(), Body: []byte(url.Values{"status": {string(status)}, "evidence": {"https://ci.example.com/run/1"}}.Encode())})
		}
	}
	return out
}

// sseVote is the i-th vote of the live update measurement.
func (fx *fixture) sseVote(i int) url.Values {
	return url.Values{"role": {string(gonogo.Roles[i%len(gonogo.Roles)])}, "value": {"go"}}
}
