package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
	"github.com/gonogo/gonogo/seed"
)

// The boards the calendar, notes and feed benchmarks read: a small board
// (1×: 300 releases, more published notes than a page of them) and the
// same board with thirty times its history (H30): the same products and the
// same releases still on their way, a release every twelve days per
// product, over thirty times as many days. Generating H30 takes several
// minutes; with GONOGO_BENCH_DIR set the files are kept
// there and reused by the next run.
var feedBenchSpecs = map[string]seed.BenchSpec{
	"1x":  {Products: 3, ReleasesPer: 100, Defects: 1, Days: 1200, Password: "bench-password"},
	"H30": {Products: 3, ReleasesPer: 3000, Defects: 1, Days: 36000, Password: "bench-password"},
}

// feedBench is a generated board served by a handler, with a signed-in
// session and a feed token to read it with.
type feedBench struct {
	h      *handlers.Handler
	store  *db.Store
	cookie string
	token  string
	admin  gonogo.Actor
}

var feedBenches = map[string]func() (*feedBench, error){}

func init() {
	for name, spec := range feedBenchSpecs {
		feedBenches[name] = sync.OnceValues(func() (*feedBench, error) { return openFeedBench(name, spec) })
	}
}

func openFeedBench(name string, spec seed.BenchSpec) (*feedBench, error) {
	ctx := context.Background()
	dir := os.Getenv("GONOGO_BENCH_DIR")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "gonogo-feeds-bench"); err != nil {
			return nil, err
		}
	}
	path := filepath.Join(dir, "feeds-"+name+".db")
	done := path + ".done"
	if _, err := os.Stat(done); err != nil {
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(p)
		}
	}
	store, err := db.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(done); err != nil {
		if err := seed.Bench(ctx, store, spec); err != nil {
			return nil, err
		}
		if err := os.WriteFile(done, nil, 0o600); err != nil {
			return nil, err
		}
	}
	h := handlers.New(store, handlers.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		LoginDelay: time.Millisecond, PublicNotes: true, BaseURL: "http://bench.example"})
	b := &feedBench{h: h, store: store, token: "bench-feed-token-" + name}
	users, err := store.FindUsers(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Email == "rm@bench.example" {
			if err := store.SetFeedToken(ctx, gonogo.Actor{UserID: u.ID, Name: u.Name}, hashForTest(b.token)); err != nil {
				return nil, err
			}
		}
		if u.Admin {
			b.admin = gonogo.Actor{UserID: u.ID, Name: u.Name}
		}
	}
	b.cookie, err = benchSignIn(h, "rm@bench.example", spec.Password)
	return b, err
}

// benchSignIn signs in through the real form and returns the Cookie
// header that carries the session.
func benchSignIn(h http.Handler, email, password string) (string, error) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := cl.Get(srv.URL + "/login")
	if err != nil {
		return "", err
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	res.Body.Close()
	if err != nil {
		return "", err
	}
	csrf, _ := doc.Find(`input[name=_csrf]`).First().Attr("value")
	res, err = cl.PostForm(srv.URL+"/login", url.Values{"email": {email}, "password": {password}, "_csrf": {csrf}})
	if err != nil {
		return "", err
	}
	res.Body.Close()
	u, _ := url.Parse(srv.URL)
	var parts []string
	for _, c := range jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; "), nil
}

func mustFeedBench(b *testing.B, name string) *feedBench {
	b.Helper()
	fb, err := feedBenches[name]()
	if err != nil {
		b.Fatalf("bench board %s: %v", name, err)
	}
	return fb
}

// get answers path as the server would, signed in unless anonymous.
func (fb *feedBench) get(b *testing.B, path string, signedIn bool) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if signedIn {
		req.Header.Set("Cookie", fb.cookie)
	}
	rec := httptest.NewRecorder()
	fb.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %.300s", path, rec.Code, rec.Body.String())
	}
}

// commit changes the database without changing what these pages show,
// so the next read is a cold one: after a commit, every cache is stale.
func (fb *feedBench) commit(b *testing.B) {
	if err := fb.store.SetFeedToken(b.Context(), fb.admin, hashForTest(time.Now().String())); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFeedPages reads the calendar, notes searches and feeds on the
// 1× and H30 boards: cold (after a commit, timed without it) and hot (the
// same read again), reporting the median of each in ms: the shared machine
// makes the mean swing with whatever else runs.
func BenchmarkFeedPages(b *testing.B) {
	month := time.Now().Format("2006-01")
	pages := []struct {
		name, path string
		signedIn   bool
	}{
		{"calendar-month", "/calendar?month=" + month, true},
		{"calendar-list", "/calendar?view=list", true},
		{"calendar-ics", "/calendar.ics?token=TOKEN", false},
		{"notes-atom", "/notes.atom", false},
		{"notes-atom-token", "/notes.atom?token=TOKEN", false},
		{"product-atom", "/notes/payments.atom", false},
		{"search-common", "/notes?q=customer", true},
		{"search-rare", "/notes?q=PAY-105", true},
		{"notes-list", "/notes", true},
	}
	for _, board := range []string{"1x", "H30"} {
		for _, p := range pages {
			b.Run(board+"/"+p.name+"/cold", func(b *testing.B) {
				fb := mustFeedBench(b, board)
				path := strings.ReplaceAll(p.path, "TOKEN", fb.token)
				var took []time.Duration
				for b.Loop() {
					b.StopTimer()
					fb.commit(b)
					b.StartTimer()
					t0 := time.Now()
					fb.get(b, path, p.signedIn)
					took = append(took, time.Since(t0))
				}
				reportMedian(b, took)
			})
			b.Run(board+"/"+p.name+"/hot", func(b *testing.B) {
				fb := mustFeedBench(b, board)
				path := strings.ReplaceAll(p.path, "TOKEN", fb.token)
				fb.get(b, path, p.signedIn)
				var took []time.Duration
				for b.Loop() {
					t0 := time.Now()
					fb.get(b, path, p.signedIn)
					took = append(took, time.Since(t0))
				}
				reportMedian(b, took)
			})
		}
	}
}

func reportMedian(b *testing.B, took []time.Duration) {
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
}
