package gonogo_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// export reads a fixture of testdata/exports, an export shaped as the
// tracker writes it (see testdata/exports/README.md for the documentation
// of each).
func export(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "exports", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReadJiraExport(t *testing.T) {
	zone := time.FixedZone("CET", 3600)
	rows, errs := gonogo.ReadExport(gonogo.Jira, export(t, "jira.csv"), zone)
	if len(errs) != 0 {
		t.Fatalf("line errors: %v", errs)
	}
	if len(rows) != 7 {
		t.Fatalf("read %d issues, want 7", len(rows))
	}
	first := rows[0]
	want := time.Date(2026, 11, 29, 15, 40, 0, 0, time.UTC) // 4:40 PM in the team's zone
	if first.Line != 2 || first.Item.Key != "PAY-142" || first.Item.Title != "Checkout fails on Safari" || first.Item.Priority != "Highest" ||
		first.Item.IssueType != "Bug" || !first.Item.Started || first.Item.State != gonogo.TrackedOpen || !first.Item.UpdatedAt.Equal(want) {
		t.Errorf("the first issue: %+v", first)
	}
	if fmt.Sprint(first.Item.FixVersions) != "[2.4.0]" || fmt.Sprint(first.Item.Labels) != "[customer safari]" {
		t.Errorf("repeated columns: versions %q, labels %q", first.Item.FixVersions, first.Item.Labels)
	}
	// The first issue's description runs over five lines: the next starts on line 7.
	if rows[1].Line != 7 || rows[1].Item.State != gonogo.TrackedClosed || rows[1].Item.NotPlanned {
		t.Errorf("the issue done: %+v", rows[1])
	}
	if rows[2].Item.State != gonogo.TrackedClosed || !rows[2].Item.NotPlanned {
		t.Errorf("the issue closed as Won't Do: %+v", rows[2].Item)
	}
	if fmt.Sprint(rows[4].Item.FixVersions) != "[2.4.0 2.4.1]" || rows[4].Item.Status != "Verified" {
		t.Errorf("two fix versions: %+v", rows[4].Item)
	}
}

func TestReadGitHubProjectExport(t *testing.T) {
	rows, errs := gonogo.ReadExport(gonogo.GitHub, export(t, "github-project.tsv"), time.UTC)
	if len(errs) != 0 {
		t.Fatalf("line errors: %v", errs)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%d %s %s %s %s %q", r.Line, r.Item.Key, r.Item.Type, r.Item.State, r.Item.Milestone, r.Item.Labels))
	}
	want := []string{
		`2 #318 issue open v2.4.0 ["bug" "blocker"]`,
		`3 #319 issue closed 2.4.0 ["minor"]`,
		`4 #512 change open 2.4.0 ["enhancement"]`,
		`5 #321 issue open 2.4.0 ["documentation"]`,
		`6 #330 issue open 2.5.0 ["critical"]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("read:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !rows[0].Item.UpdatedAt.Equal(gonogo.ExportUndated) || !rows[0].Item.Started {
		t.Errorf("an undated issue in progress: %+v", rows[0].Item)
	}
}

func TestReadGitLabExport(t *testing.T) {
	rows, errs := gonogo.ReadExport(gonogo.GitLab, export(t, "gitlab.csv"), time.FixedZone("X", -5*3600))
	if len(errs) != 0 || len(rows) != 2 {
		t.Fatalf("%d issues, errors %v", len(rows), errs)
	}
	if it := rows[0].Item; it.Key != "#5" || fmt.Sprint(it.Labels) != "[bug severity::critical]" ||
		!it.UpdatedAt.Equal(time.Date(2026, 11, 29, 16, 40, 0, 0, time.UTC)) {
		t.Errorf("the first issue (times in UTC, as the column says): %+v", it)
	}
	if rows[1].Item.State != gonogo.TrackedClosed {
		t.Errorf("the closed issue: %+v", rows[1].Item)
	}
}

func TestReadExportRefusesWhatItCannotRead(t *testing.T) {
	_, errs := gonogo.ReadExport(gonogo.GitHub, export(t, "github-issues.csv"), time.UTC)
	var got []string
	for _, e := range errs {
		got = append(got, e.String())
	}
	want := []string{
		"line 4: the issue has no number or link to read its key from",
		`line 5: the time "yesterday" is not one gonogo reads, such as 2026-11-29 16:40 or 29/Nov/26 4:40 PM`,
		"line 6: #318 is already on line 2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	for _, tc := range []struct {
		name, kind, text, want string
	}{
		{"no header", "github", "", "paste an export"},
		{"a Jira export without keys", "jira", "Summary,Status\nA,Open\n", "Summary and Issue key"},
		{"a GitHub export without numbers", "github", "Title,State\nA,open\n", "Number or URL"},
		{"too big", "github", strings.Repeat("x", gonogo.MaxImportBytes+1), "at most 512 KB"},
		{"too many rows", "github", "Title,Number\n" + strings.Repeat("A,1\n", 1) + manyRows(gonogo.MaxImportRows+1), "at most 500 issues"},
		{"a broken quote", "github", "Title,Number\n\"A \"quoted\" title,1\n", "missing \" in quoted-field"},
		{"only a header", "jira", "Summary,Issue key\n", "no issues"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := gonogo.ReadExport(gonogo.TrackerKind(tc.kind), tc.text, time.UTC)
			if len(errs) == 0 || !strings.Contains(errs[len(errs)-1].Message, tc.want) {
				t.Errorf("errors %v, want one saying %q", errs, tc.want)
			}
		})
	}
}

func manyRows(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "Issue %d,%d\n", i, i+2)
	}
	return b.String()
}

func TestPlanImport(t *testing.T) {
	tr := gonogo.NewTracker("payments", gonogo.Jira)
	rows, errs := gonogo.ReadExport(gonogo.Jira, export(t, "jira.csv"), time.UTC)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	releases := []gonogo.Release{
		{ID: 1, Product: "payments", Version: "2.4.0", State: gonogo.Review},
		{ID: 2, Product: "payments", Version: "2.3.0", State: gonogo.Released},
	}
	known := map[string]time.Time{"PAY-150": time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)} // a webhook told of it since
	p := gonogo.PlanImport(tr, rows, releases, known)
	var adds, skips []string
	for _, a := range p.Adds {
		adds = append(adds, fmt.Sprintf("%s→%s %s %s", a.Item.Key, a.Release.Version, a.Severity, a.Status))
	}
	for _, s := range p.Skips {
		skips = append(skips, fmt.Sprintf("%d %s: %s", s.Line, s.Key, s.Reason))
	}
	wantAdds := []string{"PAY-142→2.4.0 blocker in-progress", "PAY-151→2.4.0 minor wont-fix", "PAY-170→2.4.0 critical verified"}
	wantSkips := []string{
		"7 PAY-150: Jira told gonogo of it since: it stays as it is",
		"9 PAY-160: a Story is not a defect here (Bug)",
		"11 PAY-180: payments has no release 3.0.0",
		"12 PAY-181: it names no release (no fix version)",
	}
	if strings.Join(adds, "\n") != strings.Join(wantAdds, "\n") {
		t.Errorf("adds:\n%s\nwant:\n%s", strings.Join(adds, "\n"), strings.Join(wantAdds, "\n"))
	}
	if strings.Join(skips, "\n") != strings.Join(wantSkips, "\n") {
		t.Errorf("skips:\n%s\nwant:\n%s", strings.Join(skips, "\n"), strings.Join(wantSkips, "\n"))
	}
}

// FuzzReadExport feeds ReadExport what a paste may hold: it never panics,
// and every issue it reads has a key and a title.
func FuzzReadExport(f *testing.F) {
	for _, name := range []string{"jira.csv", "github-project.tsv", "github-issues.csv", "gitlab.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", "exports", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("Title,Number\n\"unterminated,1\n")
	f.Fuzz(func(t *testing.T, text string) {
		for _, k := range gonogo.TrackerKinds {
			rows, _ := gonogo.ReadExport(k, text, time.UTC)
			for _, r := range rows {
				if r.Item.Key == "" || r.Item.Title == "" || r.Item.UpdatedAt.IsZero() {
					t.Fatalf("%s read an issue without a key, title or time: %+v", k, r)
				}
			}
		}
	})
}
