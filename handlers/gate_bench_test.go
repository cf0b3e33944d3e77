package handlers_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/handlers"
)

// BenchmarkGateRoundRobin is a pipeline fleet polling the gate API of
// every active release in turn, over loopback, between two commits: a
// board of 40 releases and one of 200. Each answer should cost the same
// whatever the number of releases polled, as long as the read memo holds
// them all (db.Cache). cpu-µs/op is the process's CPU per request, the
// client's included.
func BenchmarkGateRoundRobin(b *testing.B) {
	for _, n := range []int{40, 200} {
		b.Run(fmt.Sprintf("releases=%d", n), func(b *testing.B) {
			store := db.OpenTest(b)
			var paths []string
			for i := range n {
				r, err := store.CreateRelease(b.Context(), gonogo.SystemActor, gonogo.ReleaseInput{
					Product: fmt.Sprintf("product-%02d", i%10), Version: fmt.Sprintf("1.%d.0", i), Title: "Release",
				})
				if err != nil {
					b.Fatal(err)
				}
				paths = append(paths, "/api/v1/releases/"+r.Product+"/"+r.Version+"/gate")
			}
			_, secret, err := store.CreateToken(b.Context(), gonogo.SystemActor, gonogo.TokenInput{Name: "fleet"})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(handlers.New(store, handlers.Config{
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), LoginDelay: time.Millisecond,
			}))
			b.Cleanup(srv.Close)
			get := func(path string) {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+secret)
				res, err := srv.Client().Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusConflict { // 409: not cleared to deploy
					b.Fatalf("%s: %s", path, res.Status)
				}
			}
			for _, p := range paths { // one round, so both boards start warm
				get(p)
			}
			start, i := cpuTime(), 0
			for b.Loop() {
				get(paths[i%len(paths)])
				i++
			}
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuTime is the CPU the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
