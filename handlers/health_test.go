package handlers_test

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"testing"
)

type healthAnswer struct {
	Status     string `json:"status"`
	Database   string `json:"database"`
	Migrations struct {
		Version int64 `json:"version"`
		Pending bool  `json:"pending"`
	} `json:"migrations"`
}

func getHealth(t *testing.T, s *testServer) (*http.Response, healthAnswer) {
	t.Helper()
	res, err := http.Get(s.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var h healthAnswer
	if err := json.NewDecoder(res.Body).Decode(&h); err != nil {
		t.Fatalf("healthz is not JSON: %v", err)
	}
	return res, h
}

func TestHealthz(t *testing.T) {
	// Before anyone has signed up, probes are answered, not sent to /setup.
	s := newEmptyServer(t)
	res, h := getHealth(t, s)
	if res.StatusCode != http.StatusOK || h.Status != "ok" || h.Database != "ok" || h.Migrations.Pending || h.Migrations.Version < 8 {
		t.Fatalf("a healthy board: %d %+v", res.StatusCode, h)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	if len(res.Cookies()) > 0 {
		t.Errorf("a probe was given cookies: %v", res.Cookies())
	}

	// A file that lacks the newest migration, as if an older backup had
	// been restored under the running server.
	raw, err := sql.Open("sqlite", "file:"+s.store.Path()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DELETE FROM goose_db_version WHERE version_id = ?`, h.Migrations.Version); err != nil {
		t.Fatal(err)
	}
	res, h = getHealth(t, s)
	if res.StatusCode != http.StatusServiceUnavailable || h.Status != "unavailable" || !h.Migrations.Pending {
		t.Fatalf("a board missing a migration: %d %+v", res.StatusCode, h)
	}

	s.store.Close() // the database goes away under the running server
	res, h = getHealth(t, s)
	if res.StatusCode != http.StatusServiceUnavailable || h.Status != "unavailable" || h.Database != "unreachable" {
		t.Fatalf("a board without its database: %d %+v", res.StatusCode, h)
	}
}
