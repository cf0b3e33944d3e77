package gonogo_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestBlockingEverySeverityAndStatus(t *testing.T) {
	blocks := map[gonogo.DefectStatus]bool{
		gonogo.DefectOpen: true, gonogo.DefectInProgress: true, gonogo.DefectFixed: true,
		gonogo.DefectVerified: false, gonogo.DefectDeferred: false, gonogo.DefectWontFix: false,
	}
	for _, sev := range gonogo.Severities {
		for _, st := range gonogo.DefectStatuses {
			t.Run(string(sev)+"/"+string(st), func(t *testing.T) {
				want := sev.Grave() && blocks[st]
				if got := gonogo.Blocking(gonogo.Defect{Severity: sev, Status: st}); got != want {
					t.Fatalf("Blocking = %v, want %v", got, want)
				}
			})
		}
	}
	if len(gonogo.Severities)*len(gonogo.DefectStatuses) != 24 {
		t.Fatal("the table no longer covers every severity × status")
	}
}

func TestKeyFromURL(t *testing.T) {
	tests := map[string]string{
		"https://acme.atlassian.net/browse/PAY-142":                                          "PAY-142",
		"https://jira.acme.com/browse/PAY-142?focusedCommentId=1":                            "PAY-142",
		"https://acme.atlassian.net/jira/software/projects/PAY/boards/1?selectedIssue=PAY-7": "PAY-7",
		"https://github.com/acme/web/issues/318":                                             "#318",
		"https://github.com/acme/web/pull/12":                                                "#12",
		"https://gitlab.com/acme/group/web/-/issues/318":                                     "#318",
		"https://gitlab.com/acme/web/-/merge_requests/9":                                     "#9",
		"https://example.com/some/page":                                                      "",
		"not a url":                                                                          "",
		"":                                                                                   "",
	}
	for in, want := range tests {
		if got := gonogo.KeyFromURL(in); got != want {
			t.Errorf("KeyFromURL(%q) = %q, want %q", in, got, want)
		}
	}
	d := gonogo.Defect{Key: "PAY-1", TrackerURL: "https://github.com/a/b/issues/2"}
	if d.TrackerKey() != "PAY-1" {
		t.Error("a typed key wins over the link's")
	}
}

func TestCanSetDefectStatus(t *testing.T) {
	for _, to := range gonogo.DefectStatuses {
		cases := []struct {
			role gonogo.Role
			want bool
		}{
			{gonogo.QALead, true},
			{gonogo.ReleaseManager, to != gonogo.DefectVerified},
			{gonogo.EngineeringLead, to == gonogo.DefectFixed},
			{gonogo.ProductOwner, false},
			{gonogo.Ops, false},
			{gonogo.SupportLead, false},
		}
		for _, c := range cases {
			if got := gonogo.AbilitiesOf(gonogo.Actor{Roles: gonogo.RoleSet{c.role}}, gonogo.Snapshot{}).SetDefectStatus(to); got != c.want {
				t.Errorf("%s → %s: %v, want %v", c.role, to, got, c.want)
			}
		}
	}
}

func TestChangeDefectStatus(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	qa := gonogo.Actor{Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead}}
	eng := gonogo.Actor{Name: "Eli", Roles: gonogo.RoleSet{gonogo.EngineeringLead}}
	review := gonogo.Release{State: gonogo.Review}
	blocker := gonogo.Defect{Severity: gonogo.Blocker, Status: gonogo.DefectOpen}
	minor := gonogo.Defect{Severity: gonogo.Minor, Status: gonogo.DefectOpen}
	tests := []struct {
		name     string
		actor    gonogo.Actor
		rel      gonogo.Release
		d        gonogo.Defect
		change   gonogo.DefectChange
		wantCode string
	}{
		{"qa verifies", qa, review, blocker, gonogo.DefectChange{Status: gonogo.DefectVerified}, ""},
		{"eng fixes", eng, review, blocker, gonogo.DefectChange{Status: gonogo.DefectFixed}, ""},
		{"eng may not verify", eng, review, blocker, gonogo.DefectChange{Status: gonogo.DefectVerified}, gonogo.EFORBIDDEN},
		{"deferring a blocker needs a reason", qa, review, blocker, gonogo.DefectChange{Status: gonogo.DefectDeferred}, gonogo.EINVALID},
		{"won't fix a blocker needs a reason", qa, review, blocker, gonogo.DefectChange{Status: gonogo.DefectWontFix, Reason: " "}, gonogo.EINVALID},
		{"deferring a blocker with a reason", qa, review, blocker, gonogo.DefectChange{Status: gonogo.DefectDeferred, Reason: "only on IE11"}, ""},
		{"deferring a minor needs none", qa, review, minor, gonogo.DefectChange{Status: gonogo.DefectDeferred}, ""},
		{"unknown status", qa, review, minor, gonogo.DefectChange{Status: "closed"}, gonogo.EINVALID},
		{"released releases are frozen", qa, gonogo.Release{State: gonogo.Released}, minor, gonogo.DefectChange{Status: gonogo.DefectFixed}, gonogo.ECONFLICT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := gonogo.ChangeDefectStatus(tc.actor, tc.rel, tc.d, tc.change, now)
			if code := gonogo.ErrorCode(err); code != tc.wantCode {
				t.Fatalf("code %q (%v), want %q", code, err, tc.wantCode)
			}
			if err != nil {
				if got != tc.d {
					t.Fatal("a refused change altered the defect")
				}
				return
			}
			if got.Status != tc.change.Status || got.UpdatedBy != tc.actor.Name || !got.UpdatedAt.Equal(now) {
				t.Fatalf("got %+v", got)
			}
			if tc.change.Status.SetsAside() && got.Reason != tc.change.Reason {
				t.Fatalf("reason %q not kept", got.Reason)
			}
		})
	}
}

func TestDefectInputValidate(t *testing.T) {
	ok := gonogo.DefectInput{Title: "Checkout fails", Severity: gonogo.Blocker, TrackerURL: "https://x.example/browse/A-1"}
	ok.Normalize()
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		in    gonogo.DefectInput
		field string
	}{
		"no title":         {gonogo.DefectInput{Severity: gonogo.Minor}, "title"},
		"unknown severity": {gonogo.DefectInput{Title: "x", Severity: "urgent"}, "severity"},
		"bad url":          {gonogo.DefectInput{Title: "x", Severity: gonogo.Minor, TrackerURL: "javascript:alert(1)"}, "tracker_url"},
		"key with space":   {gonogo.DefectInput{Title: "x", Severity: gonogo.Minor, Key: "PAY 1"}, "key"},
		"grave set aside":  {gonogo.DefectInput{Title: "x", Severity: gonogo.Critical, Status: gonogo.DefectWontFix}, "status"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.in.Normalize()
			if _, ok := gonogo.ErrorFields(tc.in.Validate())[tc.field]; !ok {
				t.Fatalf("no problem reported for %s", tc.field)
			}
		})
	}
}

func TestCountAndSortDefects(t *testing.T) {
	ds := []gonogo.Defect{
		{ID: 1, Severity: gonogo.Minor, Status: gonogo.DefectOpen},
		{ID: 2, Severity: gonogo.Blocker, Status: gonogo.DefectVerified},
		{ID: 3, Severity: gonogo.Critical, Status: gonogo.DefectFixed},
		{ID: 4, Severity: gonogo.Blocker, Status: gonogo.DefectOpen},
	}
	c := gonogo.CountDefects(ds)
	if c != (gonogo.DefectCounts{Blocking: 2, Open: 3, Total: 4}) {
		t.Fatalf("counts %+v", c)
	}
	slicesSort(ds)
	var ids []int64
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	if want := []int64{4, 2, 3, 1}; !equal64(ids, want) {
		t.Fatalf("order %v, want %v", ids, want)
	}
}

func slicesSort(ds []gonogo.Defect) { slices.SortFunc(ds, gonogo.CompareDefects) }

func equal64(a, b []int64) bool { return slices.Equal(a, b) }
