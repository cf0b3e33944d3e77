package gonogo_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// A defect a tracker keeps: the tracker owns its title, severity and
// status; in gonogo a person may only mark it verified, or defer it with a
// reason.
func TestSyncedDefectsRefuseWhatTheTrackerOwns(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	qa := gonogo.Actor{Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead}}
	rm := gonogo.Actor{Name: "Rae", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	eng := gonogo.Actor{Name: "Eli", Roles: gonogo.RoleSet{gonogo.EngineeringLead}}
	review := gonogo.Release{State: gonogo.Review}
	synced := gonogo.Defect{Title: "Refund fails", Severity: gonogo.Major, Status: gonogo.DefectFixed, Key: "PAY-142",
		Source: gonogo.Synced{TrackerID: 1, Kind: gonogo.Jira, Status: gonogo.DefectFixed, At: now.Add(-time.Hour)}}

	_, err := gonogo.EditDefect(qa, review, synced, gonogo.DefectInput{Title: "Renamed", Severity: gonogo.Minor}, now)
	if gonogo.ErrorCode(err) != gonogo.ECONFLICT || gonogo.ErrorMessage(err) != "PAY-142 is kept by Jira: change its title and severity there" {
		t.Fatalf("editing a synced defect: %v", err)
	}

	for _, tc := range []struct {
		name   string
		actor  gonogo.Actor
		change gonogo.DefectChange
		code   string
		field  string
	}{
		{"QA verifies", qa, gonogo.DefectChange{Status: gonogo.DefectVerified}, "", ""},
		{"QA defers with a reason", qa, gonogo.DefectChange{Status: gonogo.DefectDeferred, Reason: "only on IE11"}, "", ""},
		{"deferring needs a reason, even for a major", qa, gonogo.DefectChange{Status: gonogo.DefectDeferred}, gonogo.EINVALID, "reason"},
		{"reopening is the tracker's", qa, gonogo.DefectChange{Status: gonogo.DefectOpen}, gonogo.EINVALID, "status"},
		{"won't fix is the tracker's", rm, gonogo.DefectChange{Status: gonogo.DefectWontFix, Reason: "no"}, gonogo.EINVALID, "status"},
		{"fixed is the tracker's", eng, gonogo.DefectChange{Status: gonogo.DefectFixed}, gonogo.EINVALID, "status"},
		{"the role still comes first", eng, gonogo.DefectChange{Status: gonogo.DefectVerified}, gonogo.EFORBIDDEN, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := gonogo.ChangeDefectStatus(tc.actor, review, synced, tc.change, now)
			if code := gonogo.ErrorCode(err); code != tc.code {
				t.Fatalf("code %q (%v), want %q", code, err, tc.code)
			}
			if err != nil {
				if tc.field != "" && gonogo.ErrorFields(err)[tc.field] == "" {
					t.Fatalf("no message at %s: %v", tc.field, err)
				}
				if tc.field == "status" && gonogo.ErrorFields(err)["status"] != "PAY-142's status is kept by Jira; you may mark it verified or deferred" {
					t.Fatalf("message %q", gonogo.ErrorFields(err)["status"])
				}
				return
			}
			if got.Status != tc.change.Status || got.Source != synced.Source {
				t.Fatalf("got %+v", got)
			}
		})
	}

	// What the pages offer follows the same rule.
	ab := gonogo.AbilitiesOf(qa, gonogo.Snapshot{Release: review})
	if ab.EditDescription(synced) || !ab.EditDescription(gonogo.Defect{}) {
		t.Fatal("QA may edit a defect kept by hand, never a synced one")
	}
	var offered []gonogo.DefectStatus
	for _, st := range gonogo.DefectStatuses {
		if ab.SetStatusOf(synced, st) {
			offered = append(offered, st)
		}
	}
	if !slices.Equal(offered, []gonogo.DefectStatus{gonogo.DefectVerified, gonogo.DefectDeferred}) {
		t.Fatalf("QA is offered %v for a synced defect", offered)
	}
	if !ab.SetStatusOf(gonogo.Defect{}, gonogo.DefectOpen) {
		t.Fatal("QA may reopen a defect kept by hand")
	}
}

// Connecting and changing a product's trackers is for admins and the
// product's QA lead.
func TestProductAbilitiesOf(t *testing.T) {
	qaHere := gonogo.Actor{Roles: gonogo.RoleSet{gonogo.QALead}, Grants: gonogo.Grants{{Role: gonogo.QALead, Product: "payments"}}}
	for _, tc := range []struct {
		name  string
		actor gonogo.Actor
		want  bool
	}{
		{"admin", gonogo.Actor{Admin: true}, true},
		{"QA lead of every product", gonogo.Actor{Roles: gonogo.RoleSet{gonogo.QALead}}, true},
		{"QA lead of this product", qaHere, true},
		{"release manager", gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ReleaseManager}}, false},
		{"nobody", gonogo.Actor{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gonogo.ProductAbilitiesOf(tc.actor, "payments").ManageTrackers; got != tc.want {
				t.Fatalf("manage trackers: %t, want %t", got, tc.want)
			}
		})
	}
	if gonogo.ProductAbilitiesOf(qaHere, "web").ManageTrackers {
		t.Fatal("a QA lead of payments may change web's trackers")
	}
	if err := gonogo.CheckManageTrackers(qaHere, "web"); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Fatalf("check for another product: %v", err)
	}
	if !slices.Equal(gonogo.RolesFor(gonogo.ActManageTrackers), []gonogo.Role{gonogo.QALead}) || !gonogo.AdminMay(gonogo.ActManageTrackers) {
		t.Fatal("the routes ask RolesFor and AdminMay")
	}
}
