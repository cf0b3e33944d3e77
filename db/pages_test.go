package db_test

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// TestSnapshotHoldsTheVotesThatCount checks that a page's snapshot, which
// reads only the vote that counts for each role, picks the one the domain
// would pick from every vote: the latest by time, even when a clock set
// back gave a later vote an earlier time.
func TestSnapshotHoldsTheVotesThatCount(t *testing.T) {
	s, rel, rm := reviewFixture(t)
	now := time.Now().UTC()
	for i, back := range []time.Duration{0, 0, time.Hour} {
		s.Now = func() time.Time { return now.Add(time.Duration(i)*time.Minute - back) }
		in := gonogo.VoteInput{Role: gonogo.ReleaseManager, Value: gonogo.VoteNoGo, Comment: fmt.Sprint("second thoughts ", i)}
		if _, err := s.CastVote(t.Context(), rm, rel.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := s.FindVotes(t.Context(), rel.ID)
	snap, err := s.FindSnapshot(t.Context(), rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, got := gonogo.CurrentVotes(rel, all), gonogo.CurrentVotes(rel, snap.Votes)
	if len(snap.Votes) != len(gonogo.Roles) || !maps.EqualFunc(want, got, func(a, b gonogo.Vote) bool { return a.ID == b.ID }) {
		t.Fatalf("the snapshot holds %d votes, counting %v; every vote says %v", len(snap.Votes), got, want)
	}
	if snap.Comments != nil {
		t.Errorf("a page's snapshot read %d comments", len(snap.Comments))
	}
}

// TestPagesReadFromACursor checks the paged reads: newest first, below
// the cursor, no more than asked, and nothing of another cycle or release.
func TestPagesReadFromACursor(t *testing.T) {
	s, rel, rm := reviewFixture(t)
	other := mustCreateRelease(t, s, "web", "1.0.0")
	var ids []int64
	for i := range 7 {
		for _, r := range []gonogo.Release{rel, other} {
			in := gonogo.CommentInput{Body: fmt.Sprint("comment ", i)}
			c, err := s.AddComment(t.Context(), rm, r.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if r.ID == rel.ID {
				ids = append(ids, c.ID)
			}
		}
	}
	page, err := s.FindCommentPage(t.Context(), rel.ID, rel.Cycle, 0, 3)
	if err != nil || len(page) != 3 || page[0].ID != ids[6] || page[2].ID != ids[4] {
		t.Fatalf("newest page %v, %v", commentIDs(page), err)
	}
	page, _ = s.FindCommentPage(t.Context(), rel.ID, rel.Cycle, ids[1], 3)
	if len(page) != 1 || page[0].ID != ids[0] {
		t.Fatalf("oldest page %v", commentIDs(page))
	}
	if page, _ = s.FindCommentPage(t.Context(), rel.ID, rel.Cycle+1, 0, 3); len(page) != 0 {
		t.Fatalf("another cycle's page %v", commentIDs(page))
	}

	events, _ := s.FindEventPage(t.Context(), rel.ID, 0, 4)
	older, _ := s.FindEventPage(t.Context(), rel.ID, events[3].ID, 4)
	if len(events) != 4 || len(older) != 4 || older[0].ID >= events[3].ID || events[0].ReleaseID != rel.ID || older[3].ReleaseID != rel.ID {
		t.Fatalf("event pages %+v then %+v", events, older)
	}

	pages, _ := s.FindVotePages(t.Context(), rel.ID, rel.Cycle, []gonogo.Role{gonogo.QALead, gonogo.Ops}, nil, 5)
	votes := pages[gonogo.QALead]
	counts, _ := s.CountVotes(t.Context(), rel.ID, rel.Cycle)
	if len(pages) != 2 || len(pages[gonogo.Ops]) != 1 || len(votes) != 1 || votes[0].Role != gonogo.QALead || counts[gonogo.QALead] != 1 || len(counts) != len(gonogo.Roles) {
		t.Fatalf("QA's votes %+v, counts %v", votes, counts)
	}
}

func commentIDs(cs []gonogo.Comment) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
