package db_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// TestCancelledVersionMadeAgain: a cancelled release frees its version. The
// new release sits beside the old one, which keeps its history; lookups by
// product and version find the live one; a live version is never made twice.
func TestCancelledVersionMadeAgain(t *testing.T) {
	s := db.OpenTest(t)
	rmUser := mustCreateUser(t, s, "rm@example.com", false, gonogo.ReleaseManager)
	rm := actor(rmUser)
	in := gonogo.ReleaseInput{Product: "billing", Version: "1.0.0", Title: "First try", ManagerID: rmUser.ID}
	first, err := s.CreateRelease(t.Context(), rm, in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateRelease(t.Context(), rm, in)
	if gonogo.ErrorFields(err)["version"] != "billing 1.0.0 already exists" {
		t.Fatalf("a live version made twice: %v", err)
	}
	move(t, s, rm, first.ID, gonogo.Cancel)

	in.Title = "Second try"
	second, err := s.CreateRelease(t.Context(), rm, in)
	if err != nil {
		t.Fatalf("after the cancel: %v", err)
	}
	if e := lastEvent(t, s); e.ReleaseID != second.ID || !strings.Contains(e.Detail, "replacing cancelled release #"+strconv.FormatInt(first.ID, 10)) {
		t.Fatalf("audit %+v", e)
	}
	if got, err := s.FindReleaseByName(t.Context(), "billing", "1.0.0"); err != nil || got.ID != second.ID {
		t.Fatalf("by name: %+v, %v; want the live release %d", got, err, second.ID)
	}
	if got, err := s.FindRelease(t.Context(), first.ID); err != nil || got.State != gonogo.Cancelled || got.Title != "First try" {
		t.Fatalf("the cancelled one: %+v, %v", got, err)
	}
	same, err := s.FindNamesakes(t.Context(), "billing", "1.0.0")
	if err != nil || len(same) != 2 || same[0].ID != first.ID || same[1].ID != second.ID {
		t.Fatalf("namesakes %+v, %v", same, err)
	}
	// A pipeline asking for the version gets the live release, not the
	// cancelled one, and makes no third.
	ci := gonogo.Token{Name: "ci"}.Actor("10.0.0.1")
	got, created, err := s.EnsureRelease(t.Context(), ci, in)
	if err != nil || created || got.ID != second.ID {
		t.Fatalf("ensure: %+v created=%v %v", got, created, err)
	}
	_, err = s.CreateRelease(t.Context(), rm, in)
	if gonogo.ErrorFields(err)["version"] != "billing 1.0.0 already exists" {
		t.Fatalf("the new one made twice: %v", err)
	}

	// Cancelled too: the newest of them answers, to a pipeline as well,
	// which learns of the cancel rather than bringing the version back.
	move(t, s, rm, second.ID, gonogo.Cancel)
	if got, _ := s.FindReleaseByName(t.Context(), "billing", "1.0.0"); got.ID != second.ID {
		t.Fatalf("by name, all cancelled: %d, want the newest %d", got.ID, second.ID)
	}
	got, created, err = s.EnsureRelease(t.Context(), ci, in)
	if err != nil || created || got.ID != second.ID || got.State != gonogo.Cancelled {
		t.Fatalf("ensure after both cancelled: %+v created=%v %v", got, created, err)
	}
}
