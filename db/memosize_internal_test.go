package db

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// TestMemoSizeCountsWhatAValueHolds checks the estimate against what a
// value plainly holds: its strings, its slices' backing arrays, its maps.
func TestMemoSizeCountsWhatAValueHolds(t *testing.T) {
	words := strings.Repeat("w", 1000)
	small := memoSize(gonogo.Item{})
	big := memoSize(gonogo.Item{Title: words, Guidance: words})
	if big-small != 2000 {
		t.Errorf("an item with 2,000 bytes of words counts %d more than an empty one, want 2000", big-small)
	}
	items := make([]gonogo.Item, 10, 16)
	if got, want := memoSize(items), 16*memoSize(gonogo.Item{})+memoSize([]gonogo.Item(nil)); got != want {
		t.Errorf("a slice counts %d, want its backing array: %d", got, want)
	}
	m := map[gonogo.Role]int{gonogo.Ops: 1}
	if got := memoSize(m); got < len(gonogo.Ops) {
		t.Errorf("a map counts %d, less than its key's bytes", got)
	}
	var x any = words
	if got := memoSize(x); got < 1000 {
		t.Errorf("a string in an interface counts %d, want its 1,000 bytes", got)
	}
}

// TestMemoHoldsTheGateOf400Releases checks that the memo's budget keeps
// the gate's reads of 400 active releases (a release, its snapshot and
// its decision each) as memoSize counts them, with a release's checklist
// and defects as the ten-year board has them: the gate API polled across
// 200 costs what it costs across 40 (docs/performance.md).
func TestMemoHoldsTheGateOf400Releases(t *testing.T) {
	snap := gonogo.Snapshot{Release: gonogo.Release{Product: "payments", Version: "12.4.0", Title: "Release 12.4.0",
		Summary: strings.Repeat("s", 200)}, Zone: time.UTC}
	for i := range 46 {
		snap.Items = append(snap.Items, gonogo.Item{Title: fmt.Sprintf("Item %d of the readiness checklist", i),
			Guidance: strings.Repeat("g", 160), Evidence: "https://ci.example.com/run/1234567", UpdatedBy: "Lou Lead",
			Phase: "technical", Pillar: "technical", OwnerRole: gonogo.Ops, Status: gonogo.ItemDone, Source: "template"})
	}
	for i := range 15 {
		snap.Defects = append(snap.Defects, gonogo.Defect{Title: fmt.Sprintf("Defect %d found in testing", i),
			Key: "PAY-1234", Notes: strings.Repeat("n", 80), UpdatedBy: "Quentin QA"})
	}
	for _, r := range gonogo.Roles {
		snap.Votes = append(snap.Votes, gonogo.Vote{Role: r, UserName: "Lou Lead", Comment: "Looked at it"})
	}
	per := memoSize(snap) + 2*memoSize(snap.Release)
	if need := 400 * per; need > MemoBytes*7/8 {
		t.Errorf("400 active releases need %d KB of the memo's %d KB (%d KB each): more than seven eighths, so the board's own reads would push them out",
			need>>10, MemoBytes>>10, per>>10)
	}
}
