//go:build bench

package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// clockTick is the unit of the CPU times in /proc/<pid>/stat (USER_HZ,
// 100 on Linux for every architecture Go builds the server for).
const clockTick = 10 * time.Millisecond

// cpuTime is the CPU the server process has used so far, user and system,
// its exited threads included.
func (s *benchServer) cpuTime(t *testing.T) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	// The command name in parentheses may hold spaces: count after it.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * clockTick
}

// procStatus reads one kB field of the server's /proc status, in bytes.
func (s *benchServer) procStatus(t *testing.T, field string) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb * 1024
		}
	}
	t.Fatalf("no %s in /proc status", field)
	return 0
}

// rss is the server's resident memory now.
func (s *benchServer) rss(t *testing.T) int64 { return s.procStatus(t, "VmRSS") }

// heapInUse is the server's Go heap in use, from its own /metrics (served
// to this machine): what live objects hold, whatever the runtime has not
// yet returned to the system.
func (s *benchServer) heapInUse(t *testing.T) int64 {
	t.Helper()
	res, err := http.Get(s.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "go_memstats_heap_inuse_bytes "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				t.Fatal(err)
			}
			return int64(v)
		}
	}
	t.Fatal("no go_memstats_heap_inuse_bytes in /metrics")
	return 0
}

// resetPeak starts the server's peak resident memory (VmHWM) afresh, so
// that the peak read after a load is that load's (Linux 4.0 and later).
func (s *benchServer) resetPeak(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.cmd.Process.Pid), []byte("5"), 0); err != nil {
		t.Logf("peak memory cannot be reset (%v): each load's peak is the run's so far", err)
	}
}

// measured runs a load and adds what the server spent on it: CPU per
// request sent, and its peak resident memory meanwhile.
func measured(t *testing.T, s *benchServer, run func() load) load {
	t.Helper()
	s.resetPeak(t)
	before := s.cpuTime(t)
	l := run()
	if l.sent > 0 {
		l.cpu = (s.cpuTime(t) - before) / time.Duration(l.sent)
	}
	l.rss = s.procStatus(t, "VmHWM")
	return l
}

// send makes one request of target and reads its answer whole.
func send(client *http.Client, target vegeta.Target) (status int, size int64, err error) {
	req, err := target.Request()
	if err != nil {
		return 0, 0, err
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	size, err = io.Copy(io.Discard, res.Body)
	return res.StatusCode, size, err
}

// coldLoop measures a page read right after a commit, when nothing the
// server kept is current any more: n times (or until max has passed) it
// commits, waits for the answer, then reads the page. The latencies are
// the page's; the CPU per request is the commit's and the page's together
// (a row of the commit alone says what the commit costs). With page empty
// it measures the commit alone.
func coldLoop(name string, commit func(i int) vegeta.Target, page *vegeta.Target, n int, max time.Duration) load {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	l := load{name: name, mode: fmt.Sprintf("after a commit, %d in a row", n), codes: map[uint16]int{}}
	var lat []time.Duration
	var bytes int64
	deadline := time.Now().Add(max)
	for i := 0; i < n && time.Now().Before(deadline); i++ {
		start := time.Now()
		code, _, err := send(client, commit(i))
		if page == nil {
			lat = append(lat, time.Since(start))
			l.sent++
			if err == nil && code == http.StatusOK {
				l.ok++
			}
			l.codes[uint16(code)]++
			continue
		}
		if err != nil || code != http.StatusOK {
			l.codes[uint16(code)]++
			l.sent++
			continue
		}
		start = time.Now()
		code, size, err := send(client, *page)
		lat = append(lat, time.Since(start))
		l.sent++
		l.codes[uint16(code)]++
		bytes += size
		if err == nil && code == http.StatusOK {
			l.ok++
		}
	}
	l.mode = fmt.Sprintf("after a commit, %d in a row", l.sent)
	if l.sent > 0 {
		l.bytes = bytes / int64(l.sent)
	}
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		l.p50, l.p90, l.p99 = lat[n*50/100], lat[n*90/100], lat[min(n-1, n*99/100)]
	}
	return l
}

// beside keeps workers loops of target going until the returned stop is
// called: the other people on the server while a load is measured.
func beside(target vegeta.Target, workers int) (stop func() int) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{}
			for {
				select {
				case <-done:
					return
				default:
				}
				if code, _, err := send(client, target); err == nil && code == http.StatusOK {
					mu.Lock()
					count++
					mu.Unlock()
				}
			}
		}()
	}
	return func() int {
		close(done)
		wg.Wait()
		return count
	}
}

// window counts what l answered in the first and in the last span of its
// run, per second: whether a closed loop slows as it goes.
func (l load) window(span time.Duration) (first, last float64) {
	if len(l.ends) == 0 {
		return 0, 0
	}
	start, end := l.ends[0], l.ends[len(l.ends)-1]
	for _, at := range l.ends {
		if at.Sub(start) < span {
			first++
		}
		if end.Sub(at) < span {
			last++
		}
	}
	return first / span.Seconds(), last / span.Seconds()
}
