package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// local is a wall-clock time in Berlin.
func local(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, berlin)
}

func win(a, b time.Time) gonogo.Window { return gonogo.Window{Start: a, End: b} }

func TestWindowOverlaps(t *testing.T) {
	base := win(local(2026, 12, 1, 20, 0), local(2026, 12, 1, 22, 0))
	tests := []struct {
		name string
		o    gonogo.Window
		want bool
	}{
		{"same", base, true},
		{"inside", win(local(2026, 12, 1, 20, 30), local(2026, 12, 1, 21, 0)), true},
		{"straddles start", win(local(2026, 12, 1, 19, 0), local(2026, 12, 1, 20, 1)), true},
		{"ends when it starts", win(local(2026, 12, 1, 18, 0), local(2026, 12, 1, 20, 0)), false},
		{"starts when it ends", win(local(2026, 12, 1, 22, 0), local(2026, 12, 1, 23, 0)), false},
		{"next day", win(local(2026, 12, 2, 20, 0), local(2026, 12, 2, 22, 0)), false},
		{"none", gonogo.Window{}, false},
	}
	for _, tc := range tests {
		if got := base.Overlaps(tc.o); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if got := tc.o.Overlaps(base); got != tc.want {
			t.Errorf("%s (reversed): %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFreezeMembership(t *testing.T) {
	weekend := gonogo.Freeze{Name: "Weekend", Weekly: true, Week: gonogo.WeeklySpan{
		StartDay: time.Friday, StartMin: 12 * 60, EndDay: time.Monday, EndMin: 6 * 60}}
	// Saturday 22:00 to Sunday 06:00 across the end of summer time on 25 Oct 2026.
	night := gonogo.Freeze{Name: "Night", Weekly: true, Week: gonogo.WeeklySpan{
		StartDay: time.Saturday, StartMin: 22 * 60, EndDay: time.Sunday, EndMin: 6 * 60}}
	// Monday 00:00 to 02:00: the week boundary.
	mondays := gonogo.Freeze{Name: "Monday batch", Weekly: true, Week: gonogo.WeeklySpan{
		StartDay: time.Monday, StartMin: 0, EndDay: time.Monday, EndMin: 2 * 60}}
	sale := gonogo.Freeze{Name: "Black Friday", Once: win(local(2026, 11, 27, 0, 0), local(2026, 11, 30, 6, 0)), Products: []string{"storefront"}}

	tests := []struct {
		name    string
		freeze  gonogo.Freeze
		window  gonogo.Window
		product string
		want    bool
	}{
		{"weekly: Sunday afternoon", weekend, win(local(2026, 12, 6, 14, 0), local(2026, 12, 6, 16, 0)), "web", true},
		{"weekly: Friday morning", weekend, win(local(2026, 12, 4, 9, 0), local(2026, 12, 4, 11, 0)), "web", false},
		{"weekly: runs into Friday noon", weekend, win(local(2026, 12, 4, 11, 0), local(2026, 12, 4, 12, 30)), "web", true},
		{"weekly: Monday from 06:00", weekend, win(local(2026, 12, 7, 6, 0), local(2026, 12, 7, 8, 0)), "web", false},
		{"weekly: Monday across 06:00", weekend, win(local(2026, 12, 7, 5, 30), local(2026, 12, 7, 6, 30)), "web", true},
		{"weekly: summer time, Friday 12:00 local", weekend, win(local(2026, 7, 3, 11, 30), local(2026, 7, 3, 12, 15)), "web", true},
		{"dst end: 05:30 after the clocks went back", night, win(local(2026, 10, 25, 5, 30), local(2026, 10, 25, 5, 50)), "web", true},
		{"dst end: 06:00 wall clock is free", night, win(local(2026, 10, 25, 6, 0), local(2026, 10, 25, 7, 0)), "web", false},
		{"dst end: 21:59 Saturday is free", night, win(local(2026, 10, 24, 21, 0), local(2026, 10, 24, 21, 59)), "web", false},
		{"dst start: 22:00 Saturday 28 Mar", night, win(local(2026, 3, 28, 22, 0), local(2026, 3, 28, 22, 30)), "web", true},
		{"midnight-crossing window hits Monday 00:00", mondays, win(local(2026, 12, 6, 23, 0), local(2026, 12, 7, 1, 0)), "web", true},
		{"midnight-crossing window before it", mondays, win(local(2026, 12, 6, 22, 0), local(2026, 12, 7, 0, 0)), "web", false},
		{"one-off: inside", sale, win(local(2026, 11, 28, 10, 0), local(2026, 11, 28, 11, 0)), "storefront", true},
		{"one-off: other product", sale, win(local(2026, 11, 28, 10, 0), local(2026, 11, 28, 11, 0)), "payments", false},
		{"one-off: after", sale, win(local(2026, 11, 30, 6, 0), local(2026, 11, 30, 7, 0)), "storefront", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits := gonogo.FreezesOver(tc.window, tc.product, []gonogo.Freeze{tc.freeze}, berlin)
			if got := len(hits) > 0; got != tc.want {
				t.Fatalf("in freeze = %v, want %v (%v)", got, tc.want, hits)
			}
		})
	}
}

func TestWeeklyOccurrencesKeepWallClockAcrossDST(t *testing.T) {
	night := gonogo.Freeze{Weekly: true, Week: gonogo.WeeklySpan{StartDay: time.Saturday, StartMin: 22 * 60, EndDay: time.Sunday, EndMin: 6 * 60}}
	occ := night.Occurrences(local(2026, 10, 17, 12, 0), local(2026, 10, 31, 12, 0), berlin)
	if len(occ) != 2 {
		t.Fatalf("%d occurrences", len(occ))
	}
	if got := occ[0].End.Sub(occ[0].Start); got != 8*time.Hour {
		t.Errorf("an ordinary night lasts %v", got)
	}
	if got := occ[1].End.Sub(occ[1].Start); got != 9*time.Hour {
		t.Errorf("the night the clocks go back lasts %v, want 9h", got)
	}
	for _, o := range occ {
		if h := o.Start.In(berlin).Hour(); h != 22 {
			t.Errorf("occurrence starts at %d:00 local", h)
		}
	}
}

func TestLowTraffic(t *testing.T) {
	var lt gonogo.LowTraffic
	evenings := &gonogo.DailySpan{StartMin: 20 * 60, EndMin: 6 * 60}
	for d := time.Monday; d <= time.Friday; d++ {
		lt[d] = evenings
	}
	lt[time.Saturday] = &gonogo.DailySpan{StartMin: 0, EndMin: 0} // all day
	tests := []struct {
		name string
		w    gonogo.Window
		want bool
	}{
		{"Tuesday evening", win(local(2026, 12, 1, 21, 0), local(2026, 12, 1, 23, 0)), true},
		{"Tuesday before 20:00", win(local(2026, 12, 1, 19, 0), local(2026, 12, 1, 21, 0)), false},
		{"across midnight", win(local(2026, 12, 1, 23, 0), local(2026, 12, 2, 1, 0)), true},
		{"into the morning rush", win(local(2026, 12, 2, 5, 0), local(2026, 12, 2, 7, 0)), false},
		{"Friday night into Saturday", win(local(2026, 12, 4, 23, 0), local(2026, 12, 5, 10, 0)), true},
		{"Sunday has no hours", win(local(2026, 12, 6, 10, 0), local(2026, 12, 6, 11, 0)), false},
	}
	for _, tc := range tests {
		if got := lt.Covers(tc.w, berlin); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if !(gonogo.LowTraffic{}).Covers(tests[1].w, berlin) {
		t.Error("with no hours set, nothing should be outside them")
	}
}

func TestWindowWarningsAndConflicts(t *testing.T) {
	a := gonogo.Scheduled{ReleaseID: 1, Product: "payments", Version: "2.4.0", Window: win(local(2026, 12, 1, 20, 0), local(2026, 12, 1, 22, 0))}
	b := gonogo.Scheduled{ReleaseID: 2, Product: "payments", Version: "2.5.0", Window: win(local(2026, 12, 1, 21, 0), local(2026, 12, 1, 23, 0))}
	c := gonogo.Scheduled{ReleaseID: 3, Product: "web", Version: "1.0", Window: a.Window}
	all := []gonogo.Scheduled{a, b, c}
	if got := gonogo.Conflicts(a, all); len(got) != 1 || got[0].ReleaseID != 2 {
		t.Fatalf("conflicts of a: %+v", got)
	}
	if got := gonogo.Conflicts(b, all); len(got) != 1 || got[0].ReleaseID != 1 {
		t.Fatalf("conflicts of b: %+v", got)
	}
	if got := gonogo.Conflicts(c, all); len(got) != 0 {
		t.Fatalf("another product's overlap is not a conflict: %+v", got)
	}
	var lt gonogo.LowTraffic
	lt[time.Tuesday] = &gonogo.DailySpan{StartMin: 21 * 60, EndMin: 23 * 60}
	ws := gonogo.WindowWarnings(a, all, lt, berlin)
	if len(ws) != 2 || ws[0].Kind != "low-traffic" || !strings.Contains(ws[1].Text, "payments 2.5.0") {
		t.Fatalf("warnings %+v", ws)
	}
}

func TestGateBlocksAWindowInAFreeze(t *testing.T) {
	rel := reviewRelease
	rel.Product = "storefront"
	rel.Window = win(local(2026, 11, 28, 10, 0), local(2026, 11, 28, 11, 0))
	sale := gonogo.Freeze{Name: "Black Friday", Once: win(local(2026, 11, 27, 0, 0), local(2026, 11, 30, 6, 0))}
	g := gonogo.Evaluate(gonogo.Snapshot{Release: rel, Votes: allSigned(), Notes: gonogo.NotesPublished, Freezes: []gonogo.Freeze{sale}, Zone: berlin})
	if g.Ready || len(g.Reasons) != 1 || g.Reasons[0].Kind != gonogo.ReasonFreeze || !strings.Contains(g.Reasons[0].Text, "Black Friday") {
		t.Fatalf("gate %+v", g)
	}
	rel.Window = win(local(2026, 12, 1, 20, 0), local(2026, 12, 1, 22, 0))
	if g := gonogo.Evaluate(gonogo.Snapshot{Release: rel, Votes: allSigned(), Notes: gonogo.NotesPublished, Freezes: []gonogo.Freeze{sale}, Zone: berlin}); !g.Ready {
		t.Fatalf("a window after the freeze is blocked: %+v", g)
	}
	if _, frozen := gonogo.FrozenAt(local(2026, 11, 29, 12, 0), "storefront", []gonogo.Freeze{sale}, berlin); !frozen {
		t.Fatal("a deploy during the freeze is not caught")
	}
}

func TestFreezeInputAndSchedule(t *testing.T) {
	bad := []gonogo.FreezeInput{
		{Name: "", Once: win(local(2026, 12, 1, 0, 0), local(2026, 12, 2, 0, 0))},
		{Name: "x", Once: win(local(2026, 12, 2, 0, 0), local(2026, 12, 1, 0, 0))},
		{Name: "x", Weekly: true, Week: gonogo.WeeklySpan{StartDay: time.Friday, StartMin: 600, EndDay: time.Friday, EndMin: 600}},
		{Name: "x", Weekly: true, Week: gonogo.WeeklySpan{StartDay: time.Friday, StartMin: 2000, EndDay: time.Monday, EndMin: 60}},
		{Name: "x", Once: win(local(2026, 12, 1, 0, 0), local(2026, 12, 2, 0, 0)), Products: []string{"Not A Product"}},
	}
	for i, in := range bad {
		if gonogo.ErrorCode(in.Validate()) != gonogo.EINVALID {
			t.Errorf("bad freeze %d accepted", i)
		}
	}
	now := local(2026, 11, 25, 12, 0)
	rm := gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	draft := gonogo.Release{State: gonogo.Draft}
	if err := gonogo.ScheduleWindow(rm, draft, win(local(2026, 11, 24, 20, 0), local(2026, 11, 24, 22, 0)), now); gonogo.ErrorCode(err) != gonogo.EINVALID {
		t.Errorf("a window in the past: %v", err)
	}
	if err := gonogo.ScheduleWindow(rm, draft, gonogo.Window{}, now); err != nil {
		t.Errorf("clearing the window: %v", err)
	}
	if err := gonogo.ScheduleWindow(gonogo.Actor{Roles: gonogo.RoleSet{gonogo.ProductOwner}}, draft, gonogo.Window{}, now); gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
		t.Errorf("a product owner scheduling: %v", err)
	}
	if err := gonogo.ScheduleWindow(rm, gonogo.Release{State: gonogo.Deploying}, win(now.Add(-time.Hour), now.Add(time.Hour)), now); err != nil {
		t.Errorf("stretching the window of a deploy under way: %v", err)
	}
}

// Whoever plans releases may give a new one its window, by the rules of
// any window.
func TestPlanWindow(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	later := gonogo.Window{Start: now.Add(24 * time.Hour), End: now.Add(26 * time.Hour)}
	tests := []struct {
		name  string
		roles gonogo.RoleSet
		w     gonogo.Window
		code  string
	}{
		{"a product owner", gonogo.RoleSet{gonogo.ProductOwner}, later, ""},
		{"the release manager", gonogo.RoleSet{gonogo.ReleaseManager}, later, ""},
		{"no window", gonogo.RoleSet{gonogo.ProductOwner}, gonogo.Window{}, ""},
		{"QA does not plan", gonogo.RoleSet{gonogo.QALead}, later, gonogo.EFORBIDDEN},
		{"in the past", gonogo.RoleSet{gonogo.ProductOwner}, gonogo.Window{Start: now.Add(-3 * time.Hour), End: now.Add(-time.Hour)}, gonogo.EINVALID},
		{"backwards", gonogo.RoleSet{gonogo.ProductOwner}, gonogo.Window{Start: later.End, End: later.Start}, gonogo.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := gonogo.PlanWindow(gonogo.Actor{Roles: tc.roles}, tc.w, now)
			if got := gonogo.ErrorCode(err); got != tc.code {
				t.Fatalf("PlanWindow = %v, want code %q", err, tc.code)
			}
			if tc.code == gonogo.EINVALID && gonogo.ErrorFields(err)["window"] == "" {
				t.Fatalf("no message beside the window: %v", err)
			}
		})
	}
}
