package handlers_test

import (
	"database/sql"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestAdminDownloadsBackup(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")

	res, doc := admin.get("/admin/backup")
	wantStatus(t, res, http.StatusOK)
	if doc.Find(`[data-testid=backup-form] input[name=_csrf]`).Length() != 1 {
		t.Fatal("the backup form carries no CSRF token")
	}
	if doc.Find(`[data-testid=backup-row]`).Length() != 0 {
		t.Fatal("a backup is listed before any was taken")
	}

	res = admin.post("/admin/backup", nil)
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("content type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="gonogo-\d{8}-\d{6}\.db"$`).MatchString(cd) {
		t.Errorf("content disposition %q", cd)
	}
	path := filepath.Join(t.TempDir(), "downloaded.db")
	body, _ := io.ReadAll(res.Body)
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var check, version string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the download: %q %v", check, err)
	}
	if err := raw.QueryRow(`SELECT version FROM releases WHERE id = ?`, rel.ID).Scan(&version); err != nil || version != "2.4.0" {
		t.Fatalf("the release in the download: %q %v", version, err)
	}

	_, doc = admin.get("/admin/backup")
	rows := doc.Find(`[data-testid=backup-row]`)
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "Admin Tester") {
		t.Fatalf("the backup is not listed with who took it: %q", rows.Text())
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(s.store.Path()), ".backup-*"))
	if len(leftovers) > 0 {
		t.Errorf("the temporary copy was left beside the database: %v", leftovers)
	}

	// Without the page's token, no backup: it is audited like any change.
	res = admin.post("/admin/backup", map[string][]string{"_csrf": {"forged"}})
	wantStatus(t, res, http.StatusForbidden)
}
