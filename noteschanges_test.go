package gonogo_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// shipped is a product's history as it shipped: version i shipped on day i.
func shipped(versions ...string) []gonogo.ShippedVersion {
	day := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var out []gonogo.ShippedVersion
	for i, v := range versions {
		out = append(out, gonogo.ShippedVersion{ReleaseID: int64(100 + i), Version: v, ShippedAt: day.AddDate(0, 0, i)})
	}
	return out
}

func versionsOf(vs []gonogo.ShippedVersion) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Version)
	}
	return out
}

// TestSortVersions: semantic versions sort by precedence whatever order
// they shipped in (2.10 after 2.9, a patch of an older line before the
// newer line, pre-releases before their release, "v" and build metadata
// read as SemVer reads them); a version that does not parse keeps its
// place in time.
func TestSortVersions(t *testing.T) {
	for _, tc := range []struct {
		name          string
		shipped, want []string
	}{
		{"numbers, not text", []string{"2.10.0", "2.9.0", "2.1.0"}, []string{"2.1.0", "2.9.0", "2.10.0"}},
		{"a patch of an older line", []string{"2.4.0", "2.5.0", "2.4.1"}, []string{"2.4.0", "2.4.1", "2.5.0"}},
		{"pre-releases", []string{"3.0.0", "3.0.0-rc.1", "3.0.0-beta.2", "3.0.0-beta.11", "3.0.0-alpha"},
			[]string{"3.0.0-alpha", "3.0.0-beta.2", "3.0.0-beta.11", "3.0.0-rc.1", "3.0.0"}},
		{"a v prefix and short forms", []string{"v2.1", "2.0.5", "v2"}, []string{"v2", "2.0.5", "v2.1"}},
		{"build metadata", []string{"1.2.0+build.9", "1.1.0+build.10"}, []string{"1.1.0+build.10", "1.2.0+build.9"}},
		{"odd ones keep their time", []string{"2.2.0", "winter-2026", "2.1.0", "spring"}, []string{"2.1.0", "winter-2026", "2.2.0", "spring"}},
		{"leading zeros do not parse", []string{"1.02.0", "1.1.0"}, []string{"1.02.0", "1.1.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs := shipped(tc.shipped...)
			gonogo.SortVersions(vs)
			if got := versionsOf(vs); !slices.Equal(got, tc.want) {
				t.Fatalf("sorted %v, want %v", got, tc.want)
			}
		})
	}
}

// TestPickChanges: a range runs after from, up to and including to; an
// empty from is the beginning and an empty to the newest; unknown
// versions and backward ranges are refused on their fields.
func TestPickChanges(t *testing.T) {
	vs := shipped("2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0")
	for _, tc := range []struct {
		from, to string
		want     []string
		field    string
	}{
		{"2.1.0", "2.4.0", []string{"2.2.0", "2.3.0", "2.4.0"}, ""},
		{"2.1.0", "", []string{"2.2.0", "2.3.0", "2.4.0"}, ""},
		{"", "2.1.0", []string{"2.0.0", "2.1.0"}, ""},
		{"2.3.0", "2.4.0", []string{"2.4.0"}, ""},
		{"2.4.0", "2.1.0", nil, "to"},
		{"2.2.0", "2.2.0", nil, "to"},
		{"1.9.0", "2.4.0", nil, "from"},
		{"2.1.0", "9.9.9", nil, "to"},
	} {
		r, err := gonogo.PickChanges(vs, tc.from, tc.to)
		if tc.field != "" {
			if gonogo.ErrorCode(err) != gonogo.EINVALID || gonogo.ErrorFields(err)[tc.field] == "" {
				t.Errorf("%q to %q: %v, want a problem with %s", tc.from, tc.to, err, tc.field)
			}
			continue
		}
		if err != nil || !slices.Equal(versionsOf(r.Versions), tc.want) {
			t.Errorf("%q to %q: %v %v, want %v", tc.from, tc.to, versionsOf(r.Versions), err, tc.want)
		}
	}
	if _, err := gonogo.PickChanges(nil, "", ""); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
		t.Errorf("no history: %v, want not found", err)
	}
}

// TestPickChangesIsBounded: a range longer than MaxChangesNotes keeps its
// newest versions and counts those left out.
func TestPickChangesIsBounded(t *testing.T) {
	var names []string
	for i := range gonogo.MaxChangesNotes + 30 {
		names = append(names, fmt.Sprintf("1.%d.0", i))
	}
	r, err := gonogo.PickChanges(shipped(names...), names[0], "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Versions) != gonogo.MaxChangesNotes || r.Omitted != 29 || r.Versions[len(r.Versions)-1].Version != names[len(names)-1] {
		t.Fatalf("%d versions, %d left out, ending %s", len(r.Versions), r.Omitted, r.Versions[len(r.Versions)-1].Version)
	}
}

// TestGroupChanges: each kind lists the versions that say something of
// it, newest first; known issues are the newest version's.
func TestGroupChanges(t *testing.T) {
	vs := shipped("2.1.0", "2.2.0", "2.3.0")
	r, err := gonogo.PickChanges(vs, "", "")
	if err != nil {
		t.Fatal(err)
	}
	entry := func(i int, c gonogo.NotesContent) gonogo.NotesEntry {
		return gonogo.NotesEntry{Release: gonogo.Release{ID: vs[i].ReleaseID, Version: vs[i].Version}, Notes: gonogo.Notes{NotesContent: c}}
	}
	c := gonogo.GroupChanges(r, []gonogo.NotesEntry{
		entry(0, gonogo.NotesContent{Highlights: "Refunds", KnownIssues: "Old issue"}),
		entry(2, gonogo.NotesContent{Highlights: "Payouts", Fixes: "Receipts", KnownIssues: "Still slow"}),
		entry(1, gonogo.NotesContent{Changes: "Exports"}),
	}, nil)
	got := func(ns []gonogo.ChangeNote) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.Entry.Release.Version+":"+n.Text)
		}
		return out
	}
	for name, tc := range map[string]struct{ got, want []string }{
		"highlights":   {got(c.Highlights), []string{"2.3.0:Payouts", "2.1.0:Refunds"}},
		"changes":      {got(c.Changes), []string{"2.2.0:Exports"}},
		"fixes":        {got(c.Fixes), []string{"2.3.0:Receipts"}},
		"known issues": {got(c.KnownIssues), []string{"2.3.0:Still slow"}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s: %v, want %v", name, tc.got, tc.want)
		}
	}
}

// TestChangesIsNoVersion: a release may not be called what would hide the
// page of what changed.
func TestChangesIsNoVersion(t *testing.T) {
	for _, v := range []string{"changes", "changes.md"} {
		err := gonogo.ReleaseInput{Product: "payments", Version: v, Title: "T"}.Validate()
		if gonogo.ErrorFields(err)["version"] == "" {
			t.Errorf("version %q: %v, want refused", v, err)
		}
	}
	if err := (gonogo.ReleaseInput{Product: "payments", Version: "changes-2", Title: "T"}).Validate(); err != nil {
		t.Errorf("version changes-2: %v", err)
	}
}
