package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo/db"
)

// syncBuffer collects the server's log while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the server like main does and returns its log and a stop func
// that waits for a graceful shutdown.
func start(t *testing.T, args ...string) (*syncBuffer, func() error) {
	t.Helper()
	return startAt(t, freeAddr(t), args...)
}

// startAt is start on a given address.
func startAt(t *testing.T, addr string, args ...string) (*syncBuffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", addr}, args...), func(string) string { return "" }, out)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/login")
		if err == nil {
			res.Body.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("server stopped: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return out, func() error { cancel(); return <-done }
}

func TestRunDemoSeedsOnceAndShutsDownGracefully(t *testing.T) {
	db.BcryptCost = bcrypt.MinCost
	path := filepath.Join(t.TempDir(), "nested", "gonogo.db")

	log, stop := start(t, "-db", path, "-demo", "-demo-password", "a demo password")
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if !strings.Contains(log.String(), "DEMO ACCOUNTS CREATED") || !strings.Contains(log.String(), "rm@example.com") {
		t.Fatalf("the log does not say loudly that demo accounts exist:\n%s", log)
	}

	store, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Authenticate(context.Background(), "qa@example.com", "a demo password"); err != nil {
		t.Fatalf("demo account with the given password: %v", err)
	}
	n, _ := store.CountUsers(context.Background())
	store.Close()

	log, stop = start(t, "-db", path, "-demo")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "already has data; nothing was changed") {
		t.Fatalf("a second -demo did not say it changed nothing:\n%s", log)
	}
	store, _ = db.Open(context.Background(), path)
	defer store.Close()
	if m, _ := store.CountUsers(context.Background()); m != n {
		t.Fatalf("a second -demo changed the users: %d then %d", n, m)
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	env := map[string]string{"GONOGO_ADDR": "0.0.0.0:9999", "GONOGO_DB": "/tmp/x.db", "GONOGO_TZ": "Europe/Berlin", "GONOGO_DEMO_PASSWORD": "from env pw",
		"GONOGO_WEBHOOK_ALLOW_PRIVATE": "1"}
	c, err := parseConfig(nil, func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != "0.0.0.0:9999" || c.dbPath != "/tmp/x.db" || c.timeZone != "Europe/Berlin" || c.demoPassword != "from env pw" || !c.webhookAllowPrivate {
		t.Fatalf("config from env: %+v", c)
	}
	c, _ = parseConfig([]string{"-addr", "localhost:1"}, func(k string) string { return env[k] }, &bytes.Buffer{})
	if c.addr != "localhost:1" {
		t.Fatalf("a flag should win over the environment: %q", c.addr)
	}
	c, _ = parseConfig(nil, func(string) string { return "" }, &bytes.Buffer{})
	if c.addr != "localhost:8080" || c.dbPath != "./data/gonogo.db" || c.demoPassword != "gonogo-demo" || c.webhookAllowPrivate {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestWriteLimitSetting(t *testing.T) {
	c, err := parseConfig(nil, func(string) string { return "" }, &bytes.Buffer{})
	if err != nil || c.writeBurst != 30 || c.writeRate != 1 {
		t.Fatalf("defaults: burst %d, rate %v, %v", c.writeBurst, c.writeRate, err)
	}
	env := map[string]string{"GONOGO_WRITE_BURST": "50", "GONOGO_WRITE_RATE": "0.5"}
	c, err = parseConfig(nil, func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil || c.writeBurst != 50 || c.writeRate != 0.5 {
		t.Fatalf("from env: burst %d, rate %v, %v", c.writeBurst, c.writeRate, err)
	}
	c, err = parseConfig([]string{"-write-rate", "inf"}, func(k string) string { return env[k] }, &bytes.Buffer{})
	if err != nil || !math.IsInf(c.writeRate, 1) {
		t.Fatalf("-write-rate inf: %v, %v", c.writeRate, err)
	}
	for _, bad := range []map[string]string{{"GONOGO_WRITE_BURST": "lots"}, {"GONOGO_WRITE_RATE": "0"}, {"GONOGO_WRITE_BURST": "0"}} {
		if _, err := parseConfig(nil, func(k string) string { return bad[k] }, &bytes.Buffer{}); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	for _, args := range [][]string{{"-tz", "Mars/Olympus"}, {"-trusted-proxies", "not-a-cidr"}, {"-nope"}} {
		err := run(context.Background(), append(args, "-db", filepath.Join(t.TempDir(), "x.db")), func(string) string { return "" }, &bytes.Buffer{})
		if err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

func TestPublicNotesSetting(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want bool
	}{
		{nil, "", false},
		{nil, "1", true},
		{nil, "true", true},
		{nil, "no", false},
		{[]string{"-public-notes"}, "", true},
		{[]string{"-public-notes=false"}, "true", false},
	} {
		c, err := parseConfig(tc.args, func(k string) string {
			if k == "GONOGO_PUBLIC_NOTES" {
				return tc.env
			}
			return ""
		}, &bytes.Buffer{})
		if err != nil || c.publicNotes != tc.want {
			t.Errorf("args %v, env %q: public notes %t (%v), want %t", tc.args, tc.env, c.publicNotes, err, tc.want)
		}
	}
}

// TestShutdownEndsLiveStreams: an open live page must not hold up a
// graceful shutdown.
func TestShutdownEndsLiveStreams(t *testing.T) {
	db.BcryptCost = bcrypt.MinCost
	addr := freeAddr(t)
	_, stop := startAt(t, addr, "-db", filepath.Join(t.TempDir(), "g.db"), "-demo", "-demo-password", "a demo password")
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	base := "http://" + addr
	res, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the sign-in page")
	}
	res, err = c.PostForm(base+"/login", url.Values{"_csrf": {string(m[1])}, "email": {"po@example.com"}, "password": {"a demo password"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	stream, err := c.Get(base + "/events?scope=board")
	if err != nil || stream.StatusCode != http.StatusOK {
		t.Fatalf("stream: %v %v", stream, err)
	}
	defer stream.Body.Close()
	done := make(chan error, 1)
	go func() { done <- stop() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("shutdown waited on the open stream")
	}
	if _, err := io.ReadAll(stream.Body); err != nil && !strings.Contains(err.Error(), "EOF") {
		t.Logf("stream ended with %v", err)
	}
}
