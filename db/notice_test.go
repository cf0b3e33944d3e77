package db_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

func TestNoticesFollowCommits(t *testing.T) {
	s := db.OpenTest(t)
	var mu sync.Mutex
	var got []gonogo.Notice
	s.Listen(func(ns []gonogo.Notice) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ns...)
	})
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	mu.Lock()
	if len(got) != 1 || got[0].Event.Action != "release.create" || got[0].Event.ReleaseID != rel.ID {
		t.Fatalf("notices after creating a release: %+v", got)
	}
	got = nil
	mu.Unlock()

	// A refused change publishes nothing.
	_, err := s.CreateDefects(t.Context(), gonogo.SystemActor, rel.ID, []gonogo.DefectInput{{Title: "ok", Severity: gonogo.Minor}, {Title: "", Severity: gonogo.Minor}})
	if err == nil {
		t.Fatal("expected a refusal")
	}
	qa := gonogo.Actor{Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead}}
	it := itemTitled(t, mustFindItems(t, s, rel.ID), "Integration tests pass")
	_, err = s.UpdateItem(t.Context(), qa, rel.ID, it.ID, gonogo.ItemChange{Status: "skipped"})
	if err == nil {
		t.Fatal("expected a refusal")
	}
	mu.Lock()
	if len(got) != 0 {
		t.Fatalf("a rolled-back change was announced: %+v", got)
	}
	mu.Unlock()

	// A blocker and a failed check carry their topics.
	if _, err := s.CreateDefects(t.Context(), qa, rel.ID, []gonogo.DefectInput{{Title: "Crash", Severity: gonogo.Blocker}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateItem(t.Context(), qa, rel.ID, it.ID, gonogo.ItemChange{Status: gonogo.ItemFailed}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || !slices.Contains(got[0].Topics, gonogo.TopicBlockingDefect) || !slices.Contains(got[1].Topics, gonogo.TopicCheckFailed) {
		t.Fatalf("notices %+v", got)
	}
	if got[0].Event.ID >= got[1].Event.ID {
		t.Fatal("notices out of commit order")
	}
}
