package db_test

import (
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

var qaLead = gonogo.Actor{Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead}}

// mustDefect adds one defect to rel and returns its id.
func mustDefect(t *testing.T, s *db.Store, rel gonogo.Release, in gonogo.DefectInput) int64 {
	t.Helper()
	ids, err := s.CreateDefects(t.Context(), gonogo.SystemActor, rel.ID, []gonogo.DefectInput{in})
	if err != nil {
		t.Fatalf("add defect: %v", err)
	}
	return ids[0]
}

func mustStatus(t *testing.T, s *db.Store, rel gonogo.Release, id int64, st gonogo.DefectStatus, reason string) {
	t.Helper()
	if _, err := s.SetDefectStatus(t.Context(), qaLead, rel.ID, id, gonogo.DefectChange{Status: st, Reason: reason}); err != nil {
		t.Fatalf("set defect %d %s: %v", id, st, err)
	}
}

func knownIssues(t *testing.T, s *db.Store, releaseID int64) []gonogo.KnownIssue {
	t.Helper()
	m, err := s.FindKnownIssues(t.Context(), []int64{releaseID})
	if err != nil {
		t.Fatalf("find known issues: %v", err)
	}
	return m[releaseID]
}

func hasAction(t *testing.T, s *db.Store, releaseID int64, action gonogo.Action, text string) bool {
	t.Helper()
	events, err := s.FindReleaseEvents(t.Context(), releaseID, 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Action == string(action) && strings.Contains(e.Detail, text) {
			return true
		}
	}
	return false
}

func TestKnownIssuesFlowIntoTheNextRelease(t *testing.T) {
	s := db.OpenTest(t)
	old := mustCreateRelease(t, s, "payments", "2.4.0")
	next := mustCreateRelease(t, s, "payments", "2.5.0")
	crash := mustDefect(t, s, old, gonogo.DefectInput{Title: "Refund crashes on zero amount", Severity: gonogo.Critical,
		TrackerURL: "https://acme.atlassian.net/browse/PAY-142"})
	minor := mustDefect(t, s, old, gonogo.DefectInput{Title: "Typo", Severity: gonogo.Minor, Key: "PAY-7"})

	mustStatus(t, s, old, minor, gonogo.DefectDeferred, "")
	if ks := knownIssues(t, s, old.ID); len(ks) != 0 {
		t.Fatalf("a deferred minor defect became a known issue: %+v", ks)
	}
	mustStatus(t, s, old, crash, gonogo.DefectDeferred, "fix needs a schema change")
	ks := knownIssues(t, s, old.ID)
	if len(ks) != 1 || ks[0].Key != "PAY-142" || ks[0].Title != "Refund crashes on zero amount" || ks[0].Severity != gonogo.Critical {
		t.Fatalf("known issues of 2.4.0 = %+v", ks)
	}
	if !hasAction(t, s, old.ID, gonogo.ActionKnownIssueAdd, "PAY-142") {
		t.Error("the known issue was not audited")
	}
	item := itemWithKey(t, s, old.ID, gonogo.KnownIssuesCheckKey)
	if item.OwnerRole != gonogo.SupportLead || !item.Required || item.Status != gonogo.ItemOpen {
		t.Errorf("the support item = %+v", item)
	}

	// Support writes the workaround; others may not.
	support := gonogo.Actor{Name: "Sam", Roles: gonogo.RoleSet{gonogo.SupportLead}}
	if _, err := s.SetWorkaround(t.Context(), support, old.ID, ks[0].ID, "Refund 0.01 and void it."); err != nil {
		t.Fatal(err)
	}
	eng := gonogo.Actor{Name: "Eve", Roles: gonogo.RoleSet{gonogo.EngineeringLead}}
	_, err := s.SetWorkaround(t.Context(), eng, old.ID, ks[0].ID, "nothing")
	wantCode(t, err, gonogo.EFORBIDDEN)
	_, err = s.SetWorkaround(t.Context(), support, old.ID, ks[0].ID, strings.Repeat("x", gonogo.MaxWorkaroundLen+1))
	wantFields(t, err, "workaround")
	if ks = knownIssues(t, s, old.ID); ks[0].Workaround != "Refund 0.01 and void it." || ks[0].UpdatedBy != "Sam" {
		t.Fatalf("workaround = %+v", ks[0])
	}
	if !hasAction(t, s, old.ID, gonogo.ActionWorkaround, "PAY-142") {
		t.Error("the workaround was not audited")
	}
	setState(t, s, old.ID, gonogo.Released)

	// 2.5.0 verifies a defect with the same key: the known issue is fixed there.
	fix := mustDefect(t, s, next, gonogo.DefectInput{Title: "Refund zero amount", Severity: gonogo.Major, Key: "pay-142"})
	if ks = knownIssues(t, s, old.ID); ks[0].FixedBy != nil {
		t.Fatal("an open defect fixed the known issue")
	}
	mustStatus(t, s, next, fix, gonogo.DefectVerified, "")
	ks = knownIssues(t, s, old.ID)
	if ks[0].FixedBy == nil || ks[0].FixedBy.ReleaseID != next.ID || ks[0].FixedBy.Version != "2.5.0" || ks[0].FixedBy.DefectID != fix {
		t.Fatalf("fixed by = %+v", ks[0].FixedBy)
	}
	if ks[0].FixedIn() != "" {
		t.Error("fixed in a release that has not shipped")
	}
	fixed, err := s.FindFixedKnownIssues(t.Context(), next.ID)
	if err != nil || len(fixed) != 1 || fixed[0].Version != "2.4.0" {
		t.Fatalf("2.5.0 fixes %+v, %v", fixed, err)
	}
	if !hasAction(t, s, old.ID, gonogo.ActionKnownIssueFixed, "fixed in 2.5.0") || !hasAction(t, s, next.ID, gonogo.ActionKnownIssueFixed, "known issue of 2.4.0") {
		t.Error("the fix was not audited on both releases")
	}
	setState(t, s, next.ID, gonogo.Released)
	if ks = knownIssues(t, s, old.ID); ks[0].FixedIn() != "2.5.0" {
		t.Errorf("fixed in = %q", ks[0].FixedIn())
	}
}

func TestKnownIssueUnfixedWhenTheFixIsReopened(t *testing.T) {
	s := db.OpenTest(t)
	old := mustCreateRelease(t, s, "payments", "2.4.0")
	next := mustCreateRelease(t, s, "payments", "2.5.0")
	other := mustCreateRelease(t, s, "web", "9.0")
	crash := mustDefect(t, s, old, gonogo.DefectInput{Title: "Crash", Severity: gonogo.Blocker, Key: "PAY-9"})
	mustStatus(t, s, old, crash, gonogo.DefectWontFix, "legacy path")
	elsewhere := mustDefect(t, s, other, gonogo.DefectInput{Title: "Crash", Severity: gonogo.Major, Key: "PAY-9"})
	mustStatus(t, s, other, elsewhere, gonogo.DefectVerified, "")
	if ks := knownIssues(t, s, old.ID); ks[0].FixedBy != nil {
		t.Fatal("another product's defect fixed the known issue")
	}
	fix := mustDefect(t, s, next, gonogo.DefectInput{Title: "Crash", Severity: gonogo.Major, Key: "PAY-9"})
	mustStatus(t, s, next, fix, gonogo.DefectVerified, "")
	mustStatus(t, s, next, fix, gonogo.DefectOpen, "")
	if ks := knownIssues(t, s, old.ID); ks[0].FixedBy != nil {
		t.Fatalf("a reopened fix still fixes: %+v", ks[0].FixedBy)
	}
	if !hasAction(t, s, old.ID, gonogo.ActionKnownIssueUnfix, "PAY-9") {
		t.Error("the unlinking was not audited")
	}
}

func TestKnownIssueRemovedWhenReopenedBeforeShipping(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	crash := mustDefect(t, s, rel, gonogo.DefectInput{Title: "Crash", Severity: gonogo.Critical, Key: "PAY-1"})
	mustStatus(t, s, rel, crash, gonogo.DefectDeferred, "later")
	support := gonogo.Actor{Name: "Sam", Roles: gonogo.RoleSet{gonogo.SupportLead}}
	item := itemWithKey(t, s, rel.ID, gonogo.KnownIssuesCheckKey)
	if _, err := s.UpdateItem(t.Context(), support, rel.ID, item.ID, gonogo.ItemChange{Status: gonogo.ItemDone}); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, s, rel, crash, gonogo.DefectOpen, "")
	if ks := knownIssues(t, s, rel.ID); len(ks) != 0 {
		t.Fatalf("a reopened defect is still a known issue: %+v", ks)
	}
	if it := itemWithKey(t, s, rel.ID, gonogo.KnownIssuesCheckKey); it.Status != gonogo.ItemDone {
		t.Errorf("support's review, done, changed to %s", it.Status)
	}
	if !hasAction(t, s, rel.ID, gonogo.ActionKnownIssueRemove, "PAY-1") {
		t.Error("the removal was not audited")
	}
	// Deferred again: a new known issue, and support looks again.
	mustStatus(t, s, rel, crash, gonogo.DefectDeferred, "later after all")
	if ks := knownIssues(t, s, rel.ID); len(ks) != 1 {
		t.Fatalf("known issues = %+v", ks)
	}
	if it := itemWithKey(t, s, rel.ID, gonogo.KnownIssuesCheckKey); it.Status != gonogo.ItemOpen {
		t.Errorf("the support item was not reopened: %s", it.Status)
	}
}

func itemWithKey(t *testing.T, s *db.Store, releaseID int64, key string) gonogo.Item {
	t.Helper()
	for _, it := range mustFindItems(t, s, releaseID) {
		if it.CheckKey == key {
			return it
		}
	}
	t.Fatalf("no item with check key %q", key)
	return gonogo.Item{}
}

// The fix may be verified on the next release before this one defers it.
func TestKnownIssueFindsAFixVerifiedFirst(t *testing.T) {
	s := db.OpenTest(t)
	old := mustCreateRelease(t, s, "payments", "2.4.0")
	next := mustCreateRelease(t, s, "payments", "2.5.0")
	fix := mustDefect(t, s, next, gonogo.DefectInput{Title: "Crash", Severity: gonogo.Major, TrackerURL: "https://github.com/acme/payments/issues/77"})
	mustStatus(t, s, next, fix, gonogo.DefectVerified, "")
	crash := mustDefect(t, s, old, gonogo.DefectInput{Title: "Crash", Severity: gonogo.Critical, TrackerURL: "https://github.com/acme/payments/issues/77"})
	mustStatus(t, s, old, crash, gonogo.DefectDeferred, "on the next branch")
	ks := knownIssues(t, s, old.ID)
	if len(ks) != 1 || ks[0].Key != "#77" || ks[0].FixedBy == nil || ks[0].FixedBy.ReleaseID != next.ID {
		t.Fatalf("known issues = %+v", ks)
	}
}

// A known issue that goes again before support looked leaves nothing to
// review: the item stops holding the gate.
func TestSupportReviewSettlesWhenNoKnownIssueIsLeft(t *testing.T) {
	s := db.OpenTest(t)
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	crash := mustDefect(t, s, rel, gonogo.DefectInput{Title: "Crash", Severity: gonogo.Blocker, Key: "PAY-2"})
	mustStatus(t, s, rel, crash, gonogo.DefectWontFix, "legacy")
	if it := itemWithKey(t, s, rel.ID, gonogo.KnownIssuesCheckKey); it.Status != gonogo.ItemOpen {
		t.Fatalf("support's review = %s", it.Status)
	}
	mustStatus(t, s, rel, crash, gonogo.DefectInProgress, "")
	it := itemWithKey(t, s, rel.ID, gonogo.KnownIssuesCheckKey)
	if it.Status != gonogo.ItemNA || !strings.Contains(it.Reason, "no known issues left") {
		t.Errorf("support's review with no known issue left = %s (%q)", it.Status, it.Reason)
	}
}
