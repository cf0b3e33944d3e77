package db_test

import (
	"fmt"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// inboxBench is a store with a release in review, a QA lead whose inbox
// is full (gonogo.InboxKeep notifications, the newest third unread) and
// ops, who writes the comments.
func inboxBench(b *testing.B) (*db.Store, gonogo.Release, gonogo.User, gonogo.Actor) {
	b.Helper()
	s := db.OpenTest(b)
	ctx := b.Context()
	mk := func(name string, roles gonogo.RoleSet) gonogo.User {
		u, err := s.CreateUser(ctx, gonogo.SystemActor, gonogo.NewUser{Email: name + "@example.com", Name: name,
			Password: "correct horse battery", Roles: roles})
		if err != nil {
			b.Fatal(err)
		}
		return u
	}
	qa, ops := mk("qa", gonogo.RoleSet{gonogo.QALead}), mk("ops", gonogo.RoleSet{gonogo.Ops})
	rel, err := s.CreateRelease(ctx, gonogo.SystemActor, gonogo.ReleaseInput{Product: "payments", Version: "1.0.0", Title: "One"})
	if err != nil {
		b.Fatal(err)
	}
	opsActor := gonogo.Actor{UserID: ops.ID, Name: ops.Name, Roles: ops.Roles}
	for i := range gonogo.InboxKeep {
		if i == 2*gonogo.InboxKeep/3 {
			if _, err := s.MarkAllRead(ctx, qa.ID); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.AddComment(ctx, opsActor, rel.ID, gonogo.CommentInput{Body: fmt.Sprintf("@qa look at %d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	return s, rel, qa, opsActor
}

// BenchmarkInbox times what the inbox costs a person with a full inbox:
// the bell's count (every page), the inbox's first page, and a comment
// that notifies them (the fan-out and the pruning included) beside one
// that notifies nobody, in one run.
func BenchmarkInbox(b *testing.B) {
	s, rel, qa, ops := inboxBench(b)
	ctx := b.Context()
	b.Run("unread count", func(b *testing.B) {
		for b.Loop() {
			if n, err := s.CountUnread(ctx, qa.ID); err != nil || n == 0 {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("first page", func(b *testing.B) {
		for b.Loop() {
			if rows, err := s.FindNotifications(ctx, qa.ID, 0, 51); err != nil || len(rows) != 51 {
				b.Fatal(len(rows), err)
			}
		}
	})
	for _, tc := range []struct{ name, body string }{{"comment, nobody told", "a note"}, {"comment, one told", "@qa a note"}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.AddComment(ctx, ops, rel.ID, gonogo.CommentInput{Body: tc.body}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
