package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonogo/gonogo/db"
)

// setting is one row of the README's configuration table.
type setting struct{ flag, env string }

// readmeSettings reads the configuration table of the README: the manual
// is what people follow, so it is what the tests hold the Makefile to.
func readmeSettings(t *testing.T) []setting {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\|\\s*`(-[a-z-]+)`\\s*\\|\\s*`(GONOGO_[A-Z_]+)`\\s*\\|")
	var out []setting
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := row.FindStringSubmatch(sc.Text()); m != nil {
			out = append(out, setting{m[1], m[2]})
		}
	}
	if len(out) < 10 {
		t.Fatalf("found %d rows in the README's configuration table; has its layout changed?", len(out))
	}
	return out
}

// needMake skips a test on a machine without make.
func needMake(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed")
	}
	return path
}

// makeEnv is the test's environment without what a make running the tests
// passes to the makes they start: its flags and command-line variables.
func makeEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name != "MAKEFLAGS" && name != "MFLAGS" && name != "MAKELEVEL" {
			out = append(out, kv)
		}
	}
	return out
}

// TestReadmeSettingsAreTheBinarys: every flag of the README's table is a
// flag of the binary, with the environment variable the table names.
func TestReadmeSettingsAreTheBinarys(t *testing.T) {
	var help bytes.Buffer
	parseConfig([]string{"-h"}, func(string) string { return "" }, &help)
	for _, s := range readmeSettings(t) {
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(s.flag) + `(\s|$)[^\n]*\n[^\n]*\(` + s.env + `[;)]`).MatchString(help.String()) {
			t.Errorf("the README lists %s with %s; the binary's help does not:\n%s", s.flag, s.env, help.String())
		}
	}
}

// TestMakeLeavesSettingsToTheEnvironment: the commands make run and make
// demo would run pass no flag of the README's table (but -demo), so each
// GONOGO_* variable reaches the binary; ADDR and DB on make's command line
// still do, and the same names in the environment do not.
func TestMakeLeavesSettingsToTheEnvironment(t *testing.T) {
	mk := needMake(t)
	settings := readmeSettings(t)
	dryRun := func(env []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(mk, append([]string{"-s", "-n"}, args...)...)
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(makeEnv(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	var env []string
	for _, s := range settings {
		env = append(env, s.env+"=from-the-environment")
	}
	for _, target := range []string{"run", "demo"} {
		line := dryRun(append(env, "ADDR=:1", "DB=/elsewhere.db"), target)
		for _, s := range settings {
			if s.flag == "-demo" && target == "demo" {
				continue
			}
			if regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(s.flag) + `(\s|=|$)`).MatchString(line) {
				t.Errorf("make %s runs %q: its %s overrides %s", target, strings.TrimSpace(line), s.flag, s.env)
			}
		}
		line = dryRun(nil, target, "ADDR=:9000", "DB=/tmp/board.db")
		if !strings.Contains(line, "-addr ':9000'") || !strings.Contains(line, "-db '/tmp/board.db'") {
			t.Errorf("make %s ADDR=:9000 DB=/tmp/board.db runs %q", target, strings.TrimSpace(line))
		}
	}
}

// TestMakeRunServesWhereTheEnvironmentSays runs make run and make demo for
// real, configured only by GONOGO_* variables, and checks the server that
// answers: on GONOGO_ADDR, with its file at GONOGO_DB, its key at
// GONOGO_AUDIT_KEY, JSON logs, public notes and the demo password asked for.
func TestMakeRunServesWhereTheEnvironmentSays(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server twice; skipped in -short mode")
	}
	mk := needMake(t)
	dir := t.TempDir()
	dbPath, keyPath := filepath.Join(dir, "board", "gonogo.db"), filepath.Join(dir, "keys", "audit.key")
	addr := freeAddr(t)
	log := makeServe(t, mk, "run", addr,
		"GONOGO_ADDR="+addr, "GONOGO_DB="+dbPath, "GONOGO_AUDIT_KEY="+keyPath, "GONOGO_LOG_FORMAT=json",
		"GONOGO_PUBLIC_NOTES=1", "GONOGO_DEMO=1", "GONOGO_DEMO_PASSWORD=a password from the environment",
		"GONOGO_BASE_URL=http://"+addr, "GONOGO_TZ=Europe/Berlin", "GONOGO_TRUSTED_PROXIES=10.0.0.0/8",
		"GONOGO_WEBHOOK_ALLOW_PRIVATE=1", "GONOGO_METRICS_TOKEN=a metrics token from the environment",
		"GONOGO_WRITE_BURST=10", "GONOGO_WRITE_RATE=2")
	res, err := noRedirects.Get("http://" + addr + "/notes")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("with GONOGO_PUBLIC_NOTES=1 an anonymous reader gets status %d from /notes", res.StatusCode)
	}
	log.stop()
	for _, f := range []string{dbPath, keyPath} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("no file where the environment says: %v", err)
		}
	}
	if !hasJSONLine(log.out.String()) {
		t.Errorf("with GONOGO_LOG_FORMAT=json the log has no JSON line:\n%s", log.out.String())
	}
	mustSignIn(t, dbPath, "a password from the environment")

	// make demo, with the address, file and password from the environment.
	dbPath, addr = filepath.Join(dir, "demo.db"), freeAddr(t)
	makeServe(t, mk, "demo", addr, "GONOGO_ADDR="+addr, "GONOGO_DB="+dbPath,
		"GONOGO_DEMO_PASSWORD=another password from the environment").stop()
	mustSignIn(t, dbPath, "another password from the environment")
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// served is a server that make started.
type served struct {
	out  *syncBuffer
	stop func()
}

// makeServe runs make target with env in its own process group, waits until
// /healthz answers on addr, and returns its output and a stop func that ends
// the group (make, go run and the server) with SIGINT, as Ctrl-C would.
func makeServe(t *testing.T, mk, target, addr string, env ...string) served {
	t.Helper()
	cmd := exec.Command(mk, "-s", target)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(makeEnv(), env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}
	t.Cleanup(stop)
	// go run builds the binary first: minutes on a cold cache.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var serving time.Time // when the server said it serves, somewhere
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return served{out: out, stop: stop}
			}
		}
		if strings.Contains(out.String(), "gonogo is serving") && serving.IsZero() {
			serving = time.Now()
		}
		if !serving.IsZero() && time.Since(serving) > 10*time.Second {
			t.Fatalf("make %s serves, but not on %s\n%s", target, addr, out)
		}
		select {
		case err := <-exited:
			t.Fatalf("make %s exited before serving on %s: %v\n%s", target, addr, err, out)
		case <-ctx.Done():
			t.Fatalf("make %s did not serve on %s\n%s", target, addr, out)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// hasJSONLine says whether a line of out is a JSON log record.
func hasJSONLine(out string) bool {
	for line := range strings.Lines(out) {
		var rec struct{ Time, Msg string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Time != "" && rec.Msg != "" {
			return true
		}
	}
	return false
}

// mustSignIn checks that the demo accounts in the file take password.
func mustSignIn(t *testing.T, path, password string) {
	t.Helper()
	store, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Authenticate(context.Background(), "rm@example.com", password); err != nil {
		t.Errorf("the demo account does not take the password from the environment: %v", err)
	}
}
