package handlers

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo/db"
)

// TestAPIPanicIsJSON: a handler that panics under /api/ still answers the
// JSON error shape, with the request id and without the panic's detail.
func TestAPIPanicIsJSON(t *testing.T) {
	h := New(db.OpenTest(t), Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h.e.Logger.SetOutput(io.Discard) // Echo's recover logs the stack; the log is not what this tests
	h.e.GET("/api/v1/boom", func(echo.Context) error { panic("secret detail") })
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api/v1/boom")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var body apiError
	if res.StatusCode != http.StatusInternalServerError || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") ||
		json.Unmarshal(raw, &body) != nil {
		t.Fatalf("status %d, %s: %s", res.StatusCode, res.Header.Get("Content-Type"), raw)
	}
	if body.Error != "internal error" || len(body.Reasons) != 1 || !strings.Contains(body.Reasons[0], res.Header.Get(echo.HeaderXRequestID)) ||
		strings.Contains(string(raw), "secret detail") {
		t.Fatalf("body %s", raw)
	}
}
