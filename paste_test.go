package gonogo_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gonogo/gonogo"
)

func TestParsePaste(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		want     []gonogo.DefectInput
		errLines []int
		errPart  string
	}{
		{
			name: "four fields",
			text: "blocker | PAY-142 | Checkout fails on Safari | https://acme.atlassian.net/browse/PAY-142",
			want: []gonogo.DefectInput{{Severity: gonogo.Blocker, Key: "PAY-142", Title: "Checkout fails on Safari",
				TrackerURL: "https://acme.atlassian.net/browse/PAY-142", Status: gonogo.DefectOpen}},
		},
		{
			name: "severity and title, mixed case, CRLF and blank lines",
			text: "\r\nCritical | Refund email missing\r\n\r\n  minor|Typo in footer  \r\n",
			want: []gonogo.DefectInput{
				{Severity: gonogo.Critical, Title: "Refund email missing", Status: gonogo.DefectOpen},
				{Severity: gonogo.Minor, Title: "Typo in footer", Status: gonogo.DefectOpen},
			},
		},
		{
			name: "three fields with a link",
			text: "major | Slow search | https://github.com/acme/web/issues/318",
			want: []gonogo.DefectInput{{Severity: gonogo.Major, Title: "Slow search", TrackerURL: "https://github.com/acme/web/issues/318", Status: gonogo.DefectOpen}},
		},
		{
			name: "three fields with a key",
			text: "major | #318 | Slow search",
			want: []gonogo.DefectInput{{Severity: gonogo.Major, Key: "#318", Title: "Slow search", Status: gonogo.DefectOpen}},
		},
		{name: "unknown severity", text: "major | ok\nurgent | Login broken", errLines: []int{2}, errPart: "unknown severity"},
		{name: "one field", text: "blocker", errLines: []int{1}, errPart: "expected severity"},
		{name: "too many fields", text: "blocker | a | b | c | d", errLines: []int{1}, errPart: "expected severity"},
		{name: "empty title", text: "blocker | PAY-1 |  ", errLines: []int{1}, errPart: "Title is required"},
		{name: "bad url", text: "blocker | PAY-1 | Broken | ftp://x", errLines: []int{1}, errPart: "http or https"},
		{name: "javascript url", text: "blocker | PAY-1 | Broken | javascript:alert(1)", errLines: []int{1}, errPart: "http or https"},
		{name: "duplicate key", text: "blocker | PAY-1 | A\nmajor | pay-1 | B", errLines: []int{2}, errPart: "already on line 1"},
		{name: "over-long title", text: "minor | " + strings.Repeat("t", 201), errLines: []int{1}, errPart: "at most 200"},
		{name: "empty paste", text: "  \n\n", errLines: []int{1}, errPart: "at least one defect"},
		{name: "several bad lines are all named", text: "x | a\nminor | fine\n| |\nblocker", errLines: []int{1, 3, 4}},
		{name: "NUL in title", text: "minor | a\x00b", errLines: []int{1}, errPart: "control characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := gonogo.ParsePaste(tc.text)
			var lines []int
			for _, e := range errs {
				lines = append(lines, e.Line)
				if tc.errPart != "" && !strings.Contains(e.Message, tc.errPart) {
					t.Errorf("line %d: message %q, want it to mention %q", e.Line, e.Message, tc.errPart)
				}
			}
			if !equalInts(lines, tc.errLines) {
				t.Fatalf("errors on lines %v, want %v (%v)", lines, tc.errLines, errs)
			}
			if tc.errLines != nil {
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d defects, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i].DefectInput != tc.want[i] {
					t.Errorf("defect %d = %+v, want %+v", i, got[i].DefectInput, tc.want[i])
				}
			}
		})
	}
}

func TestParsePasteLimit(t *testing.T) {
	text := strings.Repeat("minor | a defect\n", gonogo.MaxPasteLines+5)
	_, errs := gonogo.ParsePaste(text)
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "at most") {
		t.Fatalf("errors %v", errs)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzParsePaste checks that no input makes the parser panic, and that what
// it accepts is always valid.
func FuzzParsePaste(f *testing.F) {
	for _, seed := range []string{
		"blocker | PAY-142 | Checkout fails on Safari | https://acme.atlassian.net/browse/PAY-142",
		"minor|x", "|||", "\r\n\r\n", "critical | #1 | a\nmajor | b | http://x/y", "\xff\xfe", "blocker | \x00 | t",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, errs := gonogo.ParsePaste(text)
		if len(got) == 0 && len(errs) == 0 {
			t.Fatal("neither defects nor errors")
		}
		for _, d := range got {
			if err := d.Validate(); err != nil {
				t.Fatalf("accepted an invalid defect %+v: %v", d, err)
			}
			if !utf8.ValidString(d.Title) {
				t.Fatal("accepted invalid UTF-8")
			}
		}
		for _, e := range errs {
			if e.Line < 1 {
				t.Fatalf("error on line %d", e.Line)
			}
		}
	})
}
