package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonogo/gonogo/handlers"
)

// logBuffer collects a server's log lines, written as JSON, from any goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records parses the lines written so far.
func (b *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(b.buf.Bytes()))
	for dec.More() {
		var r map[string]any
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("log line: %v", err)
		}
		out = append(out, r)
	}
	return out
}

// TestAbandonedSignInIsNotAServerError: a client that sends half a sign-in
// form and hangs up is logged as 499 at INFO and counted under code 499,
// never as an error of the server.
func TestAbandonedSignInIsNotAServerError(t *testing.T) {
	logs := &logBuffer{}
	s := newServer(t, func(cfg *handlers.Config) {
		cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	c := s.client(t)
	c.get("/login")
	u, _ := url.Parse(s.URL)
	var cookies []string
	for _, ck := range c.http.Jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	form := url.Values{"_csrf": {c.csrf}, "email": {"qa@example.com"}, "password": {"correct horse"}}.Encode()
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	// The form is cut short of its declared length: the client goes away mid-request.
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: %d\r\nCookie: %s\r\n\r\n%s", u.Host, len(form)+100, strings.Join(cookies, "; "), form)
	conn.Close()

	line := waitForRequestLine(t, logs, "POST", "/login")
	if line["status"] != float64(499) || (line["level"] != "INFO" && line["level"] != "DEBUG") {
		t.Fatalf("abandoned sign-in logged as %v at %v, want 499 at INFO or DEBUG", line["status"], line["level"])
	}
	for _, r := range logs.records(t) {
		if r["level"] == "ERROR" || r["level"] == "WARN" {
			t.Errorf("an abandoned request logged at %v: %v", r["level"], r)
		}
	}
	_, fams := scrape(t, s, nil)
	if n, _ := series(fams, "gonogo_http_requests_total", map[string]string{"method": "POST", "route": "/login", "code": "499"}); n != 1 {
		t.Errorf("abandoned sign-ins counted %v under code 499, want 1", n)
	}
	for _, m := range fams["gonogo_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "code" && l.GetValue() != "200" && l.GetValue() != "499" {
				t.Errorf("a request counted under code %s", l.GetValue())
			}
		}
	}
	if n, _ := series(fams, "gonogo_http_requests_total", map[string]string{"method": "GET", "route": "/login"}); n != 1 {
		t.Errorf("the sign-in page counted %v times, want 1", n)
	}
}

// waitForRequestLine waits for the request log's line about method path.
func waitForRequestLine(t *testing.T, logs *logBuffer, method, path string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, r := range logs.records(t) {
			if r["msg"] == "request" && r["method"] == method && r["path"] == path {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no request line for %s %s", method, path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
