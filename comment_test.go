package gonogo_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestParseMentions(t *testing.T) {
	tests := map[string]gonogo.RoleSet{
		"@qa can you rerun the smoke test?":            {gonogo.QALead},
		"cc @ops and @rm, also @qa-lead again and @qa": {gonogo.QALead, gonogo.Ops, gonogo.ReleaseManager},
		"mail me at eng@example.com":                   nil,
		"@ceo is not a role":                           nil,
		"(@support) and @PO":                           {gonogo.ProductOwner, gonogo.SupportLead},
	}
	for text, want := range tests {
		if got := gonogo.ParseMentions(text); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
	}
}

func TestCommentEditWindow(t *testing.T) {
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	rel := gonogo.Release{ID: 1, Cycle: 2, State: gonogo.Review}
	ann := gonogo.Actor{UserID: 1, Name: "Ann"}
	bob := gonogo.Actor{UserID: 2, Name: "Bob"}
	c, err := gonogo.NewComment(ann, rel, nil, gonogo.CommentInput{Body: " Dashboards look fine @ops "}, start)
	if err != nil || c.Cycle != 2 || c.Body != "Dashboards look fine @ops" || !slices.Equal(c.Mentions, gonogo.RoleSet{gonogo.Ops}) {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := gonogo.NewComment(ann, rel, nil, gonogo.CommentInput{Body: "  "}, start); gonogo.ErrorCode(err) != gonogo.EINVALID {
		t.Fatalf("an empty comment: %v", err)
	}
	if _, err := gonogo.EditComment(bob, c, "hijack", start.Add(time.Minute)); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Fatalf("someone else editing: %v", err)
	}
	edited, err := gonogo.EditComment(ann, c, "Dashboards look fine, @qa", start.Add(9*time.Minute))
	if err != nil || edited.Body != "Dashboards look fine, @qa" || edited.Edits != 1 || !slices.Equal(edited.Mentions, gonogo.RoleSet{gonogo.QALead}) {
		t.Fatalf("edit within the window: %+v %v", edited, err)
	}
	appended, err := gonogo.EditComment(ann, edited, "Latency too.", start.Add(11*time.Minute))
	if err != nil || !strings.HasPrefix(appended.Body, "Dashboards look fine, @qa") || !strings.Contains(appended.Body, "Latency too.") || appended.Edits != 2 {
		t.Fatalf("after the window only appending: %+v %v", appended, err)
	}
	// Replies hang off the thread's first comment.
	c.ID = 7
	reply, _ := gonogo.NewComment(bob, rel, &c, gonogo.CommentInput{Body: "agreed"}, start)
	reply.ID = 8
	nested, _ := gonogo.NewComment(ann, rel, &reply, gonogo.CommentInput{Body: "thanks"}, start)
	if reply.ParentID != 7 || nested.ParentID != 7 {
		t.Fatalf("reply parents %d, %d", reply.ParentID, nested.ParentID)
	}
	old := c
	old.Cycle = 1
	if _, err := gonogo.NewComment(bob, rel, &old, gonogo.CommentInput{Body: "late"}, start); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
		t.Fatalf("replying across cycles: %v", err)
	}
}
