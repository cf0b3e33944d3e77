package gonogo_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// TestActionArea: the part of a release page each action refreshes, as
// the page's fragments name it.
func TestActionArea(t *testing.T) {
	for a, want := range map[gonogo.Action]string{
		gonogo.ActionVote: "vote", gonogo.ActionRoleWaived: "vote", gonogo.ActionRoleNudge: "vote",
		gonogo.ActionDecision: "state", gonogo.ActionReleaseState: "state", gonogo.ActionReleaseUpdate: "state",
		gonogo.ActionReleaseWindow: "window", gonogo.ActionFreezeCreate: "window",
		gonogo.ActionItemStatus: "item", gonogo.ActionDefectStatus: "defect", gonogo.ActionNotesPublish: "notes",
		gonogo.ActionCommentAdd: "comment", gonogo.ActionCheckReport: "check", gonogo.ActionUserSignIn: "user",
	} {
		if got := a.Area(); got != want {
			t.Errorf("%s: area %q, want %q", a, got, want)
		}
	}
}

// TestCastVoteChange: a role's new vote drops the conditions of its
// earlier votes in the cycle, and no one else's, and its own become
// required verification items.
func TestCastVoteChange(t *testing.T) {
	rel := gonogo.Release{ID: 1, State: gonogo.Review, Cycle: 2}
	snap := gonogo.VoteSnapshot{Release: rel,
		Votes: []gonogo.Vote{{ID: 10, Cycle: 2, Role: gonogo.Ops}, {ID: 11, Cycle: 2, Role: gonogo.QALead}},
		Items: []gonogo.Item{{ID: 100, Source: gonogo.SourceVote, SourceID: 10}, {ID: 101, Source: gonogo.SourceVote, SourceID: 11}},
	}
	ops := gonogo.Actor{Name: "Otto", Roles: gonogo.RoleSet{gonogo.Ops}}
	res, err := gonogo.CastVote(ops, snap, gonogo.VoteInput{Role: gonogo.Ops, Value: gonogo.VoteGo, Conditions: "deploy off-peak"}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.DropItems, []int64{100}) {
		t.Errorf("drops %v, want the ops condition alone", res.DropItems)
	}
	if len(res.AddItems) != 1 || res.AddItems[0].Phase != gonogo.Verification || !res.AddItems[0].Required ||
		res.AddItems[0].Guidance != "A condition of the vote; close it once it holds." {
		t.Errorf("adds %+v", res.AddItems)
	}
	if res.Audit.Action != gonogo.ActionVote || res.Audit.Detail != `signed Go for Ops (conditions: "deploy off-peak" for Ops)` ||
		!slices.Equal(res.Audit.Topics, []gonogo.Topic{gonogo.TopicVote}) {
		t.Errorf("audit %+v", res.Audit)
	}
}

// TestReopenResetsVerification: a new cycle drops every condition and
// opens every other verification item again.
func TestReopenResetsVerification(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	snap := gonogo.Snapshot{Release: gonogo.Release{State: gonogo.RolledBack, Cycle: 1}, Items: []gonogo.Item{
		{ID: 1, Phase: gonogo.Readiness, Status: gonogo.ItemDone},
		{ID: 2, Phase: gonogo.Verification, Status: gonogo.ItemDone, Evidence: "ok"},
		{ID: 3, Phase: gonogo.Verification, Source: gonogo.SourceDecision, SourceID: 4},
	}}
	rm := gonogo.Actor{Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	res, err := gonogo.Move(rm, snap, gonogo.Reopen, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cycle != 2 || !res.ReviewAt.Equal(now) || !slices.Equal(res.DropItems, []int64{3}) {
		t.Errorf("result %+v", res)
	}
	if len(res.ResetItems) != 1 || res.ResetItems[0].ID != 2 || res.ResetItems[0].Status != gonogo.ItemOpen || res.ResetItems[0].Evidence != "" ||
		res.ResetItems[0].UpdatedBy != "Rita" {
		t.Errorf("resets %+v", res.ResetItems)
	}
	if want := "moved from Rolled back to In review, opening review cycle 2: everyone signs again"; res.Audit.Detail != want {
		t.Errorf("audit %q, want %q", res.Audit.Detail, want)
	}
}

// TestUpdateUserChange: the last enabled admin stays one, and only some
// changes end the person's sessions.
func TestUpdateUserChange(t *testing.T) {
	admin := gonogo.User{ID: 1, Email: "a@example.com", Admin: true}
	no, yes := false, true
	if _, err := gonogo.UpdateUser(admin, gonogo.UserUpdate{Admin: &no}, 0); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Errorf("the last admin let go: %v", err)
	}
	if _, err := gonogo.UpdateUser(admin, gonogo.UserUpdate{Disabled: &yes}, 0); gonogo.ErrorCode(err) != gonogo.ECONFLICT {
		t.Errorf("the last admin disabled: %v", err)
	}
	roles := gonogo.RoleSet{gonogo.QALead}
	tests := []struct {
		name string
		up   gonogo.UserUpdate
		ends bool
	}{
		{"roles", gonogo.UserUpdate{Roles: &roles}, false},
		{"admin", gonogo.UserUpdate{Admin: &no}, true},
		{"disabled", gonogo.UserUpdate{Disabled: &yes}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := gonogo.UpdateUser(admin, tc.up, 1)
			if err != nil || res.EndSessions != tc.ends || res.Audit == nil {
				t.Errorf("%+v %v", res, err)
			}
		})
	}
	if res, _ := gonogo.UpdateUser(admin, gonogo.UserUpdate{Admin: &yes}, 0); res.Audit != nil {
		t.Errorf("no change audited: %+v", res.Audit)
	}
}
