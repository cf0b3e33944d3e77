//go:build bench

package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/seed"
)

// fixture is what the load needs to know of the generated board.
type fixture struct {
	email, password string
	viewers         []string // the people who watch the live board
	releases        int
	spec            seed.BenchSpec
	active          []gonogo.Release // on the board's columns
	review          []gonogo.Release // taking votes
	items           []gonogo.Item    // readiness items of drafts and reviews
	sseRelease      int64
}

// boardFile is a generated board on disk: a copy of the cached file, the
// bench's own to change.
type boardFile struct {
	scale  string
	spec   seed.BenchSpec
	path   string
	seeded time.Duration // how long generating it took, when it was made
	cached bool          // reused from .cache
}

// maxViewers are the viewer accounts every generated board has: enough
// sessions for 3,000 live pages at 10 a session (the server's caps are 10
// a session, 20 a person, 4,000 in all).
const maxViewers = 300

// cacheDir keeps generated boards between runs: .cache at the top of the
// repository, which git ignores.
const cacheDir = "../../.cache/bench"

// prepareBoard copies the board of scale into dir, generating it into the
// cache first unless a run before made it from the same spec, schema and
// generator.
func prepareBoard(t *testing.T, scale, dir string) boardFile {
	t.Helper()
	spec, ok := seed.BenchScales[scale]
	if !ok {
		t.Fatalf("SCALE=%s: want one of 1, 10, 30, H30", scale)
	}
	bf := boardFile{scale: scale, spec: spec, path: filepath.Join(dir, "bench-"+scale+".db")}
	cached := filepath.Join(cacheDir, fmt.Sprintf("%s-%s.db", scale, boardKey(t, spec)))
	took := cached + ".took"
	if b, err := os.ReadFile(took); err == nil {
		bf.seeded, _ = time.ParseDuration(strings.TrimSpace(string(b)))
		bf.cached = true
	} else {
		if err := os.MkdirAll(cacheDir, 0o755); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		generate(t, spec, cached+".tmp")
		bf.seeded = time.Since(start).Round(time.Second)
		if err := os.Rename(cached+".tmp", cached); err != nil {
			t.Fatal(err)
		}
		mustWrite(t, took, []byte(bf.seeded.String()+"\n"))
	}
	copyFile(t, cached, bf.path)
	return bf
}

// boardKey names a generated board by what makes it: the spec, the
// viewers, the schema (the migrations) and the generator's source, so a
// change to any of them makes a new file.
func boardKey(t *testing.T, spec seed.BenchSpec) string {
	t.Helper()
	h := sha256.New()
	fmt.Fprintf(h, "%+v viewers=%d\n", spec, maxViewers)
	var files []string
	for _, pattern := range []string{"../../db/migrations/*.sql", "../../seed/bench*.go"} {
		m, err := filepath.Glob(pattern)
		if err != nil || len(m) == 0 {
			t.Fatalf("no files match %s: %v", pattern, err)
		}
		files = append(files, m...)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// generate writes a board of spec and its viewers into a fresh file at
// path, closed (its log checkpointed) when it returns.
func generate(t *testing.T, spec seed.BenchSpec, path string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	ctx := context.Background()
	store, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
	}()
	if err := seed.Bench(ctx, store, spec); err != nil {
		t.Fatal(err)
	}
	// The live pages are watched by many people, as on a release day: each
	// viewer has the streams of one browser, within the server's caps.
	// Their passwords are hashed at bcrypt's least cost, so that signing
	// in 300 of them is not what the run measures.
	cost := db.BcryptCost
	db.BcryptCost = bcrypt.MinCost
	defer func() { db.BcryptCost = cost }()
	for i := range maxViewers {
		email := fmt.Sprintf("viewer%03d@bench.example", i)
		if _, err := store.CreateUser(ctx, gonogo.SystemActor, gonogo.NewUser{Email: email, Name: fmt.Sprintf("Viewer %03d", i),
			Password: spec.Password, Roles: gonogo.RoleSet{gonogo.SupportLead}}); err != nil {
			t.Fatal(err)
		}
	}
}

// copyFile copies the closed database file src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// loadFixture learns from the board at bf what the load needs: the lead's
// sign-in, the active releases, those in review, their items.
func loadFixture(t *testing.T, bf boardFile, viewers int) *fixture {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, bf.path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	spec := bf.spec
	lead := seed.BenchAccounts[len(seed.BenchAccounts)-1]
	fx := &fixture{email: lead.Email, password: spec.Password, releases: spec.Releases(), spec: spec}
	for i := range viewers {
		fx.viewers = append(fx.viewers, fmt.Sprintf("viewer%03d@bench.example", i))
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
