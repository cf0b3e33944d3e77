package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// TestBackupUnderWriteLoad takes a backup while writers keep creating
// releases, and checks the copy is whole and holds everything that was
// acknowledged before it began.
func TestBackupUnderWriteLoad(t *testing.T) {
	s := db.OpenTest(t)
	ctx := t.Context()
	var (
		mu    sync.Mutex
		acked []int64
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				r, err := s.CreateRelease(context.Background(), gonogo.SystemActor, gonogo.ReleaseInput{
					Product: "load", Version: fmt.Sprintf("%d.%d", w, n), Title: "Under load"})
				if err != nil {
					t.Errorf("create release: %v", err)
					return
				}
				mu.Lock()
				acked = append(acked, r.ID)
				mu.Unlock()
			}
		}()
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 20 })
	mu.Lock()
	before := append([]int64(nil), acked...)
	mu.Unlock()

	dst := filepath.Join(t.TempDir(), "backup.db")
	admin := gonogo.Actor{Name: "Backup Tester", Admin: true}
	b, err := s.Backup(ctx, admin, dst)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= len(before)+10 }) // writes went on
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if b.Size == 0 || b.LastEvent < int64(len(before)) {
		t.Fatalf("backup %+v: want a file holding at least %d events", b, len(before))
	}

	raw := openRaw(t, dst)
	wantPragmaOK(t, raw, "integrity_check")
	var fkProblems int
	if err := raw.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fkProblems); err != nil || fkProblems != 0 {
		t.Fatalf("foreign_key_check: %d problems (%v)", fkProblems, err)
	}
	for _, id := range before {
		var n int
		err := raw.QueryRow(`SELECT (SELECT count(*) FROM releases WHERE id = ?) +
			(SELECT count(*) FROM audit_events WHERE release_id = ? AND action = 'release.create')`, id, id).Scan(&n)
		if err != nil || n != 2 {
			t.Fatalf("release %d, acknowledged before the backup: %d of its row and event in the copy (%v)", id, n, err)
		}
	}

	copyStore, err := db.Open(ctx, dst)
	if err != nil {
		t.Fatalf("open the backup as a board: %v", err)
	}
	defer copyStore.Close()
	if brk, _, err := copyStore.VerifyAudit(ctx); err != nil || brk != nil {
		t.Fatalf("the backup's audit chain: %+v %v", brk, err)
	}

	backups, err := s.FindBackups(ctx, 5)
	if err != nil || len(backups) != 1 || backups[0].Actor != "Backup Tester" || !strings.Contains(backups[0].Detail, fmt.Sprintf("#%d", b.LastEvent)) {
		t.Fatalf("the backup in the live audit trail: %+v %v", backups, err)
	}
}

func TestBackupNeverOverwrites(t *testing.T) {
	s := db.OpenTest(t)
	for name, dst := range map[string]string{"the live database": s.Path(), "an existing file": filepath.Join(t.TempDir())} {
		if _, err := s.Backup(t.Context(), gonogo.SystemActor, dst); err == nil || !strings.Contains(err.Error(), "exists") {
			t.Errorf("backup onto %s: %v, want a refusal", name, err)
		}
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("the live database after refused backups: %v", err)
	}
}

func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func wantPragmaOK(t *testing.T, raw *sql.DB, pragma string) {
	t.Helper()
	var res string
	if err := raw.QueryRow(`PRAGMA ` + pragma).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("PRAGMA %s: %q (%v)", pragma, res, err)
	}
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
