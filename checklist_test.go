package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestItemChangeValidate(t *testing.T) {
	tests := []struct {
		name   string
		c      gonogo.ItemChange
		fields []string // nil means valid
	}{
		{"open", gonogo.ItemChange{Status: gonogo.ItemOpen}, nil},
		{"done with a link", gonogo.ItemChange{Status: gonogo.ItemDone, Evidence: "https://ci.example.com/1"}, nil},
		{"failed with a note", gonogo.ItemChange{Status: gonogo.ItemFailed, Evidence: "p99 at 900ms\nbudget 500ms"}, nil},
		{"n/a with a reason", gonogo.ItemChange{Status: gonogo.ItemNA, Reason: "no personal data touched"}, nil},
		{"n/a without a reason", gonogo.ItemChange{Status: gonogo.ItemNA}, []string{"reason"}},
		{"unknown status", gonogo.ItemChange{Status: "maybe"}, []string{"status"}},
		{"empty status", gonogo.ItemChange{}, []string{"status"}},
		{"status in capitals", gonogo.ItemChange{Status: "DONE"}, []string{"status"}},
		{"evidence at the limit", gonogo.ItemChange{Status: gonogo.ItemDone, Evidence: strings.Repeat("e", gonogo.MaxEvidenceLen)}, nil},
		{"evidence too long", gonogo.ItemChange{Status: gonogo.ItemDone, Evidence: strings.Repeat("e", gonogo.MaxEvidenceLen+1)}, []string{"evidence"}},
		{"evidence with NUL", gonogo.ItemChange{Status: gonogo.ItemDone, Evidence: "ok\x00"}, []string{"evidence"}},
		{"evidence invalid UTF-8", gonogo.ItemChange{Status: gonogo.ItemDone, Evidence: "\xff"}, []string{"evidence"}},
		{"reason too long", gonogo.ItemChange{Status: gonogo.ItemNA, Reason: strings.Repeat("r", gonogo.MaxReasonLen+1)}, []string{"reason"}},
		{"unknown status, n/a-less and long evidence", gonogo.ItemChange{Status: "x", Evidence: strings.Repeat("e", gonogo.MaxEvidenceLen+1)},
			[]string{"status", "evidence"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			wantCode(t, err, gonogo.EINVALID)
			wantFields(t, err, tc.fields...)
		})
	}
}

func TestItemChangeApply(t *testing.T) {
	it := gonogo.Item{ID: 7, Title: "Privacy review done", Status: gonogo.ItemNA, Reason: "no personal data"}
	got := gonogo.ItemChange{Status: gonogo.ItemDone, Evidence: "https://wiki/privacy", Reason: "stale"}.Apply(it, "Priya", t0)
	if got.Status != gonogo.ItemDone || got.Evidence != "https://wiki/privacy" || got.Reason != "" ||
		got.UpdatedBy != "Priya" || !got.UpdatedAt.Equal(t0) || got.ID != 7 {
		t.Fatalf("Apply = %+v", got)
	}
	got = gonogo.ItemChange{Status: gonogo.ItemNA, Reason: "does not apply"}.Apply(it, "Priya", t0)
	if got.Reason != "does not apply" {
		t.Fatalf("n/a reason = %q", got.Reason)
	}
}

func TestItemInputValidate(t *testing.T) {
	valid := gonogo.ItemInput{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Title: "Fuzz tests pass", OwnerRole: gonogo.QALead}
	tests := []struct {
		name   string
		edit   func(in *gonogo.ItemInput)
		fields []string
	}{
		{"valid", func(in *gonogo.ItemInput) {}, nil},
		{"valid verification without pillar", func(in *gonogo.ItemInput) { in.Phase, in.Pillar = gonogo.Verification, "" }, nil},
		{"valid check key", func(in *gonogo.ItemInput) { in.CheckKey = "fuzz-2" }, nil},
		{"no phase", func(in *gonogo.ItemInput) { in.Phase = "" }, []string{"phase"}},
		{"readiness without pillar", func(in *gonogo.ItemInput) { in.Pillar = "" }, []string{"pillar"}},
		{"unknown pillar", func(in *gonogo.ItemInput) { in.Pillar = "legal" }, []string{"pillar"}},
		{"no title", func(in *gonogo.ItemInput) { in.Title = "" }, []string{"title"}},
		{"title too long", func(in *gonogo.ItemInput) { in.Title = strings.Repeat("t", gonogo.MaxItemTitleLen+1) }, []string{"title"}},
		{"guidance too long", func(in *gonogo.ItemInput) { in.Guidance = strings.Repeat("g", gonogo.MaxGuidanceLen+1) }, []string{"guidance"}},
		{"admin is no owner", func(in *gonogo.ItemInput) { in.OwnerRole = "admin" }, []string{"owner_role"}},
		{"check key with space", func(in *gonogo.ItemInput) { in.CheckKey = "fuzz tests" }, []string{"check_key"}},
		{"check key upper case", func(in *gonogo.ItemInput) { in.CheckKey = "Fuzz" }, []string{"check_key"}},
		{"check key too long", func(in *gonogo.ItemInput) { in.CheckKey = strings.Repeat("k", gonogo.MaxCheckKeyLen+1) }, []string{"check_key"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := valid
			tc.edit(&in)
			err := in.Validate()
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			wantCode(t, err, gonogo.EINVALID)
			wantFields(t, err, tc.fields...)
		})
	}
}

func TestItemInputNormalize(t *testing.T) {
	in := gonogo.ItemInput{Phase: gonogo.Rollback, Pillar: gonogo.Technical, Title: " Undo ", CheckKey: " Smoke-Test "}
	in.Normalize()
	if in.Pillar != "" || in.Title != "Undo" || in.CheckKey != "smoke-test" {
		t.Fatalf("normalized to %+v", in)
	}
}

func TestItemRemovable(t *testing.T) {
	tests := []struct {
		name string
		it   gonogo.Item
		want bool
	}{
		{"required template item", gonogo.Item{Required: true}, false},
		{"advisory template item", gonogo.Item{Required: false}, true},
		{"required custom item", gonogo.Item{Required: true, Custom: true}, true},
		{"advisory custom item", gonogo.Item{Custom: true}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.it.Removable(); got != tc.want {
				t.Errorf("Removable() = %t, want %t", got, tc.want)
			}
		})
	}
}

func TestItemEvidenceURL(t *testing.T) {
	tests := []struct{ evidence, want string }{
		{"https://ci.example.com/run/1", "https://ci.example.com/run/1"},
		{"http://ci.example.com/run/1", "http://ci.example.com/run/1"},
		{"javascript:alert(1)", ""},
		{"ci.example.com/run/1", ""},
		{"https://", ""},
		{"tested by hand", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.evidence, func(t *testing.T) {
			if got := (gonogo.Item{Evidence: tc.evidence}).EvidenceURL(); got != tc.want {
				t.Errorf("EvidenceURL() = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestItemEditable covers every (state, phase) pair.
func TestItemEditable(t *testing.T) {
	tests := []struct {
		state                             gonogo.State
		readiness, verification, rollback bool
	}{
		{gonogo.Draft, true, false, true},
		{gonogo.Review, true, false, true},
		{gonogo.Go, false, true, true},
		{gonogo.NoGo, true, false, true},
		{gonogo.Deploying, false, true, true},
		{gonogo.Verifying, false, true, true},
		{gonogo.Released, false, false, false},
		{gonogo.RolledBack, true, false, true},
		{gonogo.Cancelled, false, false, false},
	}
	if len(tests) != len(gonogo.States) {
		t.Fatalf("table has %d states, the domain %d", len(tests), len(gonogo.States))
	}
	for _, tc := range tests {
		for _, pc := range []struct {
			phase gonogo.Phase
			ok    bool
		}{
			{gonogo.Readiness, tc.readiness},
			{gonogo.Verification, tc.verification},
			{gonogo.Rollback, tc.rollback},
		} {
			t.Run(string(tc.state)+"/"+string(pc.phase), func(t *testing.T) {
				err := gonogo.ItemEditable(tc.state, pc.phase)
				if pc.ok {
					wantCode(t, err, "")
				} else {
					wantCode(t, err, gonogo.ECONFLICT)
				}
			})
		}
	}
	t.Run("unknown phase", func(t *testing.T) {
		wantCode(t, gonogo.ItemEditable(gonogo.Draft, "someday"), gonogo.ECONFLICT)
	})
}

func TestWorkItem(t *testing.T) {
	qaItem := gonogo.Item{ID: 4, Phase: gonogo.Readiness, Pillar: gonogo.Technical, Title: "Integration tests pass",
		OwnerRole: gonogo.QALead, Required: true, Status: gonogo.ItemOpen}
	verifyItem := gonogo.Item{ID: 20, Phase: gonogo.Verification, Title: "Dashboards healthy",
		OwnerRole: gonogo.Ops, Required: true, Status: gonogo.ItemOpen}
	qa := gonogo.Actor{UserID: 3, Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead}}
	rm := gonogo.Actor{UserID: 7, Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	ops := gonogo.Actor{UserID: 5, Name: "Oskar", Roles: gonogo.RoleSet{gonogo.Ops}}
	admin := gonogo.Actor{UserID: 1, Name: "Avery", Admin: true}
	done := gonogo.ItemChange{Status: gonogo.ItemDone, Evidence: "  https://ci.example.com/42  "}
	draft := gonogo.Release{ID: 1, State: gonogo.Draft}

	tests := []struct {
		name       string
		actor      gonogo.Actor
		rel        gonogo.Release
		it         gonogo.Item
		c          gonogo.ItemChange
		wantCode   string
		wantStatus gonogo.ItemStatus
	}{
		{"owner role", qa, draft, qaItem, done, "", gonogo.ItemDone},
		{"owner among several roles", gonogo.Actor{Name: "Q", Roles: gonogo.RoleSet{gonogo.ProductOwner, gonogo.QALead}}, draft, qaItem, done, "", gonogo.ItemDone},
		{"release manager for another role's item", rm, draft, qaItem, done, "", gonogo.ItemDone},
		{"other role", ops, draft, qaItem, done, gonogo.EFORBIDDEN, gonogo.ItemOpen},
		{"no roles", gonogo.Actor{Name: "Nobody"}, draft, qaItem, done, gonogo.EFORBIDDEN, gonogo.ItemOpen},
		{"admin is not a role", admin, draft, qaItem, done, gonogo.EFORBIDDEN, gonogo.ItemOpen},
		{"other role on a closed release is still forbidden", ops, gonogo.Release{State: gonogo.Released}, qaItem, done, gonogo.EFORBIDDEN, gonogo.ItemOpen},
		{"readiness in review", qa, gonogo.Release{State: gonogo.Review}, qaItem, done, "", gonogo.ItemDone},
		{"readiness after the Go", qa, gonogo.Release{State: gonogo.Go}, qaItem, done, gonogo.ECONFLICT, gonogo.ItemOpen},
		{"readiness while deploying, even for the release manager", rm, gonogo.Release{State: gonogo.Deploying}, qaItem, done, gonogo.ECONFLICT, gonogo.ItemOpen},
		{"verification before the Go", ops, draft, verifyItem, done, gonogo.ECONFLICT, gonogo.ItemOpen},
		{"verification while verifying", ops, gonogo.Release{State: gonogo.Verifying}, verifyItem, done, "", gonogo.ItemDone},
		{"n/a with a reason", qa, draft, qaItem, gonogo.ItemChange{Status: gonogo.ItemNA, Reason: "no integration surface"}, "", gonogo.ItemNA},
		{"n/a with a blank reason", qa, draft, qaItem, gonogo.ItemChange{Status: gonogo.ItemNA, Reason: "   "}, gonogo.EINVALID, gonogo.ItemOpen},
		{"unknown status", qa, draft, qaItem, gonogo.ItemChange{Status: "skipped"}, gonogo.EINVALID, gonogo.ItemOpen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := gonogo.WorkItem(tc.actor, tc.rel, tc.it, tc.c, t0)
			wantCode(t, err, tc.wantCode)
			if got.Status != tc.wantStatus {
				t.Errorf("status = %q, want %q", got.Status, tc.wantStatus)
			}
			if err != nil {
				if got != tc.it {
					t.Errorf("a refused change altered the item: %+v", got)
				}
				return
			}
			if got.UpdatedBy != tc.actor.Name || !got.UpdatedAt.Equal(t0) {
				t.Errorf("updated by %q at %v, want %q at %v", got.UpdatedBy, got.UpdatedAt, tc.actor.Name, t0)
			}
			if tc.c.Status == gonogo.ItemDone && got.Evidence != "https://ci.example.com/42" {
				t.Errorf("evidence = %q, want it trimmed", got.Evidence)
			}
		})
	}
	t.Run("forbidden message names the owner role", func(t *testing.T) {
		_, err := gonogo.WorkItem(ops, draft, qaItem, done, t0)
		if msg := gonogo.ErrorMessage(err); !strings.Contains(msg, "QA lead") {
			t.Errorf("message %q does not name the QA lead", msg)
		}
	})
}

func TestPillarProgress(t *testing.T) {
	items := []gonogo.Item{
		{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Required: true, Status: gonogo.ItemDone},
		{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Required: true, Status: gonogo.ItemNA},
		{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Required: true, Status: gonogo.ItemFailed},
		{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Required: true, Status: gonogo.ItemOpen},
		{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Required: false, Status: gonogo.ItemFailed}, // advisory
		{Phase: gonogo.Readiness, Pillar: gonogo.Operational, Required: true, Status: gonogo.ItemDone},
		{Phase: gonogo.Readiness, Pillar: gonogo.Operational, Required: false, Status: gonogo.ItemOpen}, // advisory
		{Phase: gonogo.Verification, Required: true, Status: gonogo.ItemFailed},                         // not readiness
		{Phase: gonogo.Rollback, Required: true, Status: gonogo.ItemOpen},                               // not readiness
	}
	got := gonogo.PillarProgress(items)
	tests := []struct {
		pillar   gonogo.Pillar
		want     gonogo.Progress
		percent  int
		complete bool
	}{
		{gonogo.Technical, gonogo.Progress{Done: 2, Required: 4, Failed: 1}, 50, false},
		{gonogo.Operational, gonogo.Progress{Done: 1, Required: 1}, 100, true},
		{gonogo.Business, gonogo.Progress{}, 100, true}, // present even with no items
	}
	if len(got) != len(gonogo.Pillars) {
		t.Errorf("%d pillars, want %d", len(got), len(gonogo.Pillars))
	}
	for _, tc := range tests {
		t.Run(string(tc.pillar), func(t *testing.T) {
			pr, ok := got[tc.pillar]
			if !ok {
				t.Fatal("missing")
			}
			if pr != tc.want {
				t.Errorf("progress = %+v, want %+v", pr, tc.want)
			}
			if pr.Percent() != tc.percent || pr.Complete() != tc.complete {
				t.Errorf("percent %d complete %t, want %d %t", pr.Percent(), pr.Complete(), tc.percent, tc.complete)
			}
		})
	}
}

func TestPhaseProgress(t *testing.T) {
	items := []gonogo.Item{
		{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Required: true, Status: gonogo.ItemOpen},
		{Phase: gonogo.Verification, Required: true, Status: gonogo.ItemDone},
		{Phase: gonogo.Verification, Required: true, Status: gonogo.ItemNA},
		{Phase: gonogo.Verification, Required: true, Status: gonogo.ItemFailed},
		{Phase: gonogo.Verification, Required: false, Status: gonogo.ItemFailed},
		{Phase: gonogo.Rollback, Required: true, Status: gonogo.ItemDone},
	}
	tests := []struct {
		phase gonogo.Phase
		want  gonogo.Progress
	}{
		{gonogo.Readiness, gonogo.Progress{Done: 0, Required: 1}},
		{gonogo.Verification, gonogo.Progress{Done: 2, Required: 3, Failed: 1}},
		{gonogo.Rollback, gonogo.Progress{Done: 1, Required: 1}},
	}
	for _, tc := range tests {
		t.Run(string(tc.phase), func(t *testing.T) {
			if got := gonogo.PhaseProgress(items, tc.phase); got != tc.want {
				t.Errorf("PhaseProgress = %+v, want %+v", got, tc.want)
			}
		})
	}
	if got := gonogo.PhaseProgress(nil, gonogo.Readiness); got.Percent() != 100 || !got.Complete() {
		t.Errorf("empty progress = %+v: percent %d, complete %t", got, got.Percent(), got.Complete())
	}
	if got := (gonogo.Progress{Done: 2, Required: 3}).Percent(); got != 66 {
		t.Errorf("2 of 3 = %d%%, want 66", got)
	}
}

func TestWorkItemUsesGivenTime(t *testing.T) {
	// The rule takes the time as a parameter; it must not read the clock.
	past := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	it := gonogo.Item{Phase: gonogo.Rollback, OwnerRole: gonogo.Ops}
	got, err := gonogo.WorkItem(gonogo.Actor{Name: "O", Roles: gonogo.RoleSet{gonogo.Ops}}, gonogo.Release{State: gonogo.Draft},
		it, gonogo.ItemChange{Status: gonogo.ItemDone}, past)
	if err != nil || !got.UpdatedAt.Equal(past) {
		t.Fatalf("UpdatedAt = %v, %v; want %v", got.UpdatedAt, err, past)
	}
}

func TestItemStatusSettled(t *testing.T) {
	want := map[gonogo.ItemStatus]bool{gonogo.ItemOpen: false, gonogo.ItemDone: true, gonogo.ItemFailed: false, gonogo.ItemNA: true}
	for _, s := range gonogo.ItemStatuses {
		if got := s.Settled(); got != want[s] {
			t.Errorf("%s settled: %t, want %t", s, got, want[s])
		}
	}
}
