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
}

// groups are the answer's kinds in the order people read them: what
// matters most, what changed, what was fixed, what is still known.
func (v ChangesView) groups() []changeGroup {
	c := v.Changes
	known := "Known issues still open"
	if len(c.Entries) > 0 {
		known += " in " + c.Entries[0].Release.Version
	}
	return []changeGroup{
		{"highlights", "Highlights", c.Highlights},
		{"changes", "Changes", c.Changes},
		{"fixes", "Fixes", c.Fixes},
		{"known-issues", known, c.KnownIssues},
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
		if len(g.Notes) == 0 {
			continue
		}
		w("\n## %s\n", mdInline(g.Title))
		for _, n := range g.Notes {
			w("\n### %s %s (shipped %s)\n\n%s\n", mdInline(n.Entry.Release.Version), mdInline(n.Entry.Notes.Title),
				p.Date(n.Entry.ShippedAt), strings.TrimSpace(n.Text))
		}
	}
	return b.String()
}
