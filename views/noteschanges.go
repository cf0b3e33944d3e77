package views

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gonogo/gonogo"
)

// ChangesView is what changed in a product between two shipped versions.
type ChangesView struct {
	Product  string
	From, To string   // as asked
	Versions []string // the product's shipped versions with notes, newest first, for the pickers
	Asked    bool     // a range was asked for: show the answer, or why there is none
	Changes  gonogo.Changes
	Errors   map[string]string
	Internal bool // the reader is signed in
}

// ChangesPath is the address of what changed in product after from, up
// to to; with markdown, of the same as Markdown.
func ChangesPath(product, from, to string, markdown bool) string {
	path := "/notes/" + url.PathEscape(product) + "/changes"
	if markdown {
		path += ".md"
	}
	return path + "?" + url.Values{"from": {from}, "to": {to}}.Encode()
}

// changeGroup is one kind of change, as the page and the Markdown list it.
type changeGroup struct {
	ID, Title string
	Notes     []gonogo.ChangeNote
	// Issues are known issues: fixed in the range (in Fixes), or still
	// open at its newest version (in known issues).
	Issues []gonogo.KnownIssue
}

// empty reports whether the group has nothing to show.
func (g changeGroup) empty() bool { return len(g.Notes)+len(g.Issues) == 0 }

// groups are the answer's kinds in the order people read them: what
// matters most, what changed, what was fixed, what is still known.
func (v ChangesView) groups() []changeGroup {
	c := v.Changes
	known := "Known issues still open"
	if len(c.Entries) > 0 {
		known += " in " + c.Entries[0].Release.Version
	}
	return []changeGroup{
		{"highlights", "Highlights", c.Highlights, nil},
		{"changes", "Changes", c.Changes, nil},
		{"fixes", "Fixes", c.Fixes, c.FixedIssues},
		{"known-issues", known, c.KnownIssues, c.OpenIssues},
	}
}

// rangeText names the range: "after 2.1.0 up to 2.4.0".
func (v ChangesView) rangeText() string {
	r := v.Changes.Range
	if r.From == "" {
		return "up to " + r.To
	}
	return "after " + r.From + " up to " + r.To
}

// ChangesMarkdown is the answer as Markdown, for a ticket or an email to
// the customer: each group a section, each version's text as its authors
// wrote it (it is Markdown already) under the version's heading.
func ChangesMarkdown(p Page, v ChangesView) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# What changed in %s %s\n\n", mdInline(v.Product), mdInline(v.rangeText()))
	var versions []string
	for _, e := range v.Changes.Entries {
		versions = append(versions, mdInline(e.Release.Version))
	}
	w("Versions, newest first: %s.\n", strings.Join(versions, ", "))
	if n := v.Changes.Range.Omitted; n > 0 {
		w("\n%d older versions are left out: ask for a shorter range to see them.\n", n)
	}
	if v.Changes.Empty() {
		w("\nTheir notes say nothing.\n")
	}
	for _, g := range v.groups() {
		if g.empty() {
			continue
		}
		w("\n## %s\n", mdInline(g.Title))
		if len(g.Issues) > 0 {
			w("\n")
		}
		for _, k := range g.Issues {
			w("- %s\n", mdIssue(k, g.ID == "fixes"))
		}
		for _, n := range g.Notes {
			w("\n### %s %s (shipped %s)\n\n%s\n", mdInline(n.Entry.Release.Version), mdInline(n.Entry.Notes.Title),
				p.Date(n.Entry.ShippedAt), strings.TrimSpace(n.Text))
		}
	}
	return b.String()
}

// mdIssue is a known issue as a line of the Markdown: its key (linked when
// the tracker's link is known), its title, where it stands, and its
// workaround while it is open.
func mdIssue(k gonogo.KnownIssue, fixed bool) string {
	name := mdInline(k.Title)
	if k.Key != "" {
		key := mdInline(k.Key)
		if k.URL != "" {
			key = mdLink(k.Key, k.URL)
		}
		name = key + " " + name
	}
	if fixed {
		return fmt.Sprintf("%s: fixed in %s (a known issue since %s)", name, mdInline(k.FixedBy.Version), mdInline(k.Version))
	}
	line := fmt.Sprintf("%s (since %s)", name, mdInline(k.Version))
	if w := strings.TrimSpace(k.Workaround); w != "" {
		line += "\\\n  Workaround: " + mdBlock(w, "  ")
	}
	return line
}
