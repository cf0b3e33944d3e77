package gonogo

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// ShippedItem is a merged pull or merge request, or an issue closed as done,
// of a release, as its tracker last told: what a notes draft is made from.
type ShippedItem struct {
	Kind   TrackerKind
	Type   TrackedType
	Key    string
	Title  string
	URL    string
	Labels []string
}

// MaxShippedItems bounds what one notes draft lists; the rest are counted.
const MaxShippedItems = 200

// FeatureLabels and FixLabels sort what shipped into the notes' groups,
// matched without regard to case; an item with neither is Other, and one
// with both a fix.
var (
	FeatureLabels = []string{"feature", "features", "enhancement", "feat", "type: feature", "type/feature", "kind/feature"}
	FixLabels     = []string{"bug", "fix", "bugfix", "defect", "type: bug", "type/bug", "kind/bug"}
)

// ShippedDraft is what shipped, grouped for the notes: Features, Fixes and
// Other, each in its trackers' order; More counts what was left out.
type ShippedDraft struct {
	Features, Fixes, Other []ShippedItem
	More                   int
}

// Total is how many items the draft lists.
func (d ShippedDraft) Total() int { return len(d.Features) + len(d.Fixes) + len(d.Other) }

// DraftShipped groups what shipped by its labels; more is how many more
// shipped than items holds.
func DraftShipped(items []ShippedItem, more int) ShippedDraft {
	d := ShippedDraft{More: more}
	for _, it := range items {
		switch {
		case hasAnyFold(it.Labels, FixLabels):
			d.Fixes = append(d.Fixes, it)
		case hasAnyFold(it.Labels, FeatureLabels):
			d.Features = append(d.Features, it)
		default:
			d.Other = append(d.Other, it)
		}
	}
	for _, g := range [][]ShippedItem{d.Features, d.Fixes, d.Other} {
		slices.SortStableFunc(g, func(a, b ShippedItem) int {
			return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), cmp.Compare(len(a.Key), len(b.Key)), strings.Compare(a.Key, b.Key))
		})
	}
	return d
}

func hasAnyFold(labels, names []string) bool {
	return slices.ContainsFunc(labels, func(l string) bool { return containsFold(names, l) })
}

// Fill adds the draft to what the notes form holds, below what is typed
// there, never in its place: features and other changes under Changes,
// fixes under Fixes, as Markdown list items whose keys link back to the
// tracker. An item already listed is not listed again, so filling twice
// adds only what shipped since. Each section stays within
// MaxNotesSectionLen; what does not fit is counted at its end.
func (d ShippedDraft) Fill(in NotesInput) NotesInput {
	changes := sectionText{text: in.Changes}
	changes.group("Features", d.Features)
	changes.group("Other", d.Other)
	fixes := sectionText{text: in.Fixes}
	fixes.group("", d.Fixes)
	changes.left += d.More
	in.Changes, in.Fixes = changes.done(), fixes.done()
	return in
}

// sectionText is a notes section being filled; left counts the items that
// did not fit.
type sectionText struct {
	text string
	left int
}

// leftLineRoom is kept free at a section's end for the line that counts
// what did not fit.
const leftLineRoom = 80

func (s *sectionText) group(heading string, items []ShippedItem) {
	var lines []string
	size := len(s.text) + len(heading) + 8
	for _, it := range items {
		if strings.Contains(s.text, "["+markdownText(it.Key)+"]") {
			continue // listed already
		}
		line := shippedLine(it)
		if size+len(line)+1 > MaxNotesSectionLen-leftLineRoom {
			s.left++
			continue
		}
		size += len(line) + 1
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return
	}
	block := strings.Join(lines, "\n")
	if heading != "" {
		block = "### " + heading + "\n\n" + block
	}
	s.add(block)
}

func (s *sectionText) add(block string) {
	if strings.TrimSpace(s.text) != "" {
		s.text = strings.TrimRight(s.text, "\n") + "\n\n"
	}
	s.text += block
}

func (s *sectionText) done() string {
	if s.left > 0 {
		s.add(fmt.Sprintf("And %s more that shipped, not listed here.", Plural(s.left, "item", "items")))
	}
	return s.text
}

// shippedLine is one item as a Markdown list item: its key linking to the
// tracker, then its title as plain text.
func shippedLine(it ShippedItem) string {
	key := "[" + markdownText(it.Key) + "]"
	if isHTTPURL(it.URL) && !strings.ContainsAny(it.URL, "<>\n\r") {
		dest := it.URL
		if strings.ContainsAny(dest, " ()") {
			dest = "<" + dest + ">"
		}
		key += "(" + dest + ")"
	}
	title := strings.Join(strings.Fields(it.Title), " ")
	return "- " + key + " " + markdownText(clip(title, MaxDefectTitleLen))
}

// markdownText escapes what Markdown would read as markup inside a line
// (emphasis, code, links, HTML, entities), so that a title reads as it
// was written; a list item's text never starts a line, so # and the like
// need nothing.
func markdownText(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
