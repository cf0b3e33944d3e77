package handlers_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
)

// BenchmarkVotes is 32 writers signing off as htmx does, across ten
// releases in review, over loopback: the answer is the sign-off panel and
// the gate. cpu-µs/op is the process's CPU per vote, the clients' included.
func BenchmarkVotes(b *testing.B) {
	store := db.OpenTest(b)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	srv := httptest.NewServer(handlers.New(store, handlers.Config{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), LoginDelay: time.Millisecond, CheckpointKey: key,
		WriteRate: 1e6, WriteBurst: 1e6, // the bench measures the server, not the cap
	}))
	b.Cleanup(srv.Close)
	ctx := b.Context()
	all := gonogo.RoleSet{}
	for _, r := range gonogo.Roles {
		all = append(all, r)
	}
	u, err := store.CreateUser(ctx, gonogo.SystemActor, gonogo.NewUser{Email: "all@example.com", Name: "All Roles", Password: testPassword, Roles: all})
	if err != nil {
		b.Fatal(err)
	}
	actor := gonogo.Actor{UserID: u.ID, Name: u.Name, Roles: u.Roles}
	var paths []string
	for i := range 10 {
		r, err := store.CreateRelease(ctx, gonogo.SystemActor, gonogo.ReleaseInput{
			Product: fmt.Sprintf("product-%02d", i), Version: "1.0.0", Title: "Release", ManagerID: u.ID,
		})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := store.Transition(ctx, actor, r.ID, gonogo.OpenReview); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, fmt.Sprintf("%s/releases/%d/votes", srv.URL, r.ID))
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	page := func(path string) string {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := token.FindSubmatch(body)
		if m == nil {
			b.Fatalf("%s: no CSRF token", path)
		}
		return string(m[1])
	}
	res, err := client.PostForm(srv.URL+"/login", url.Values{"_csrf": {page("/login")}, "email": {"all@example.com"}, "password": {testPassword}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		b.Fatalf("sign in: %v %v", err, res.Status)
	}
	res.Body.Close()
	csrf := page("/")
	var n atomic.Int64
	b.SetParallelism(16) // 32 writers on two cores
	start := cpuTime()
	began := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			role := gonogo.Roles[int(i)%len(gonogo.Roles)]
			value := []string{"go", "no-go"}[int(i/7)%2]
			body := url.Values{"role": {string(role)}, "value": {value}, "comment": {"looked"}}.Encode()
			req, _ := http.NewRequest(http.MethodPost, paths[int(i)%len(paths)], strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("HX-Request", "true")
			req.Header.Set("X-CSRF-Token", csrf)
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Errorf("vote: %s", res.Status)
				return
			}
		}
	})
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "votes/s")
}
