package handlers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gonogo/gonogo/db"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

// TestHandlerSeeingCancelIs499: a handler that gives up because its client
// hung up returns context.Canceled, as a query or a wait does. That is the
// client's doing: logged as 499 below WARN, counted under code 499.
func TestHandlerSeeingCancelIs499(t *testing.T) {
	logs := &syncBuffer{}
	h := New(db.OpenTest(t), Config{Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	h.hasUsers.Store(true)
	h.e.GET("/slow", func(c echo.Context) error {
		<-c.Request().Context().Done()
		return c.Request().Context().Err()
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /slow HTTP/1.1\r\nHost: %s\r\n\r\n", srv.Listener.Addr())
	conn.Close()

	var line map[string]any
	deadline := time.Now().Add(10 * time.Second)
	for line == nil {
		for _, l := range logs.lines() {
			var r map[string]any
			if json.Unmarshal([]byte(l), &r) == nil && r["msg"] == "request" && r["path"] == "/slow" {
				line = r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no request line; the log:\n%s", strings.Join(logs.lines(), "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if line["status"] != float64(499) || (line["level"] != "INFO" && line["level"] != "DEBUG") {
		t.Fatalf("request logged as %v at %v, want 499 at INFO or DEBUG", line["status"], line["level"])
	}
	for _, l := range logs.lines() {
		var r map[string]any
		if json.Unmarshal([]byte(l), &r) == nil && (r["level"] == "ERROR" || r["level"] == "WARN") {
			t.Errorf("logged at %v: %s", r["level"], l)
		}
	}

	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bufio.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]float64{}
	for _, m := range fams["gonogo_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "code" {
				codes[l.GetValue()] += m.GetCounter().GetValue()
			}
		}
	}
	if codes["499"] != 1 || codes["500"] != 0 {
		t.Fatalf("requests by code %v, want the abandoned one under 499", codes)
	}
}
