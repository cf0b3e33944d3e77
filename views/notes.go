package views

import (
	"strings"
	"time"

	"github.com/gonogo/gonogo"
)

// Date formats t as a day in the team's time zone.
func (p Page) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.loc()).Format("Mon 2 Jan 2006")
}

// NotesForm is the notes editor of one release.
type NotesForm struct {
	Release   gonogo.Release
	Notes     gonogo.Notes      // as stored
	Input     gonogo.NotesInput // what the form shows: typed text after an error or a preview
	Preview   gonogo.NotesContent
	Errors    map[string]string
	Editable  bool // the release's state lets the notes change
	Revisions []gonogo.NotesRevision
	// Filled says what filling the editor from what shipped added; "" when
	// it was not filled.
	Filled string
	// Known are the release's known issues and the ones it fixes, kept
	// from its defects rather than typed.
	Known KnownIssuesView
}

// NotesPanel is the release page's summary of its notes.
type NotesPanel struct {
	Release  gonogo.Release
	Notes    gonogo.Notes
	CanWrite bool // the reader may write the notes now
	// KnownIssues the notes carry from the defects, and how many of them
	// have no workaround yet.
	KnownIssues, MissingWorkarounds int
}

// NotesPageView is the page of one release's published notes.
type NotesPageView struct {
	Entry     gonogo.NotesEntry
	Internal  bool // the reader is signed in: internal notes, names and links to the board
	CanEdit   bool
	Decisions []gonogo.Decision
	Revisions []gonogo.NotesRevision
	Known     KnownIssuesView
}

// NotesListView is /notes: published notes, filtered and searched.
type NotesListView struct {
	Filter   gonogo.NotesFilter
	Products []string
	Entries  []gonogo.NotesEntry
	Errors   map[string]string
	Internal bool
	HTML     string // NotesResults as rendered and kept (handlers/feedcache.go), for the page
}

// Searching reports whether the list answers a search.
func (v NotesListView) Searching() bool {
	return strings.TrimSpace(v.Filter.Query) != "" && len(v.Errors) == 0
}

// ProductNotesView rolls up what shipped for one product.
type ProductNotesView struct {
	Product  string
	Since    string
	Versions []string // the newest versions that shipped, newest first, for "since"
	Entries  []gonogo.NotesEntry
	Errors   map[string]string
	Internal bool
	Nav      ListNav // to the older page and back to the newest
	// Compare picks two versions to see what changed between them.
	Compare ChangesView
}

// Part is a piece of search-result text, matched or not.
type Part struct {
	Text  string
	Match bool
}

// markdownNoise is Markdown punctuation that only gets in the way of a
// one-line excerpt.
var markdownNoise = strings.NewReplacer("**", "", "__", "", "`", "", "\n- ", " · ", "\n* ", " · ", "\n#", " ", "\n", " ")

// Marked splits text with matches between gonogo.MarkStart and
// gonogo.MarkEnd into parts, so that the template escapes every word and
// only wraps matches in <mark>.
func Marked(s string) []Part {
	s = markdownNoise.Replace(s)
	var out []Part
	for s != "" {
		before, rest, found := strings.Cut(s, gonogo.MarkStart)
		if before != "" {
			out = append(out, Part{Text: before})
		}
		if !found {
			break
		}
		match, after, _ := strings.Cut(rest, gonogo.MarkEnd)
		if match != "" {
			out = append(out, Part{Text: match, Match: true})
		}
		s = after
	}
	return out
}

// lead is the first thing the notes say, for a list: their highlights, or
// else their changes or fixes.
func lead(c gonogo.NotesContent) string {
	for _, s := range []string{c.Highlights, c.Changes, c.Fixes} {
		if s != "" {
			return s
		}
	}
	return ""
}

// notesURL is where a release's notes page is.
func notesURL(rel gonogo.Release) string { return gonogo.NotesPath(rel) }

// revisionText says what a revision did, in the words of its author.
func revisionText(r gonogo.NotesRevision) string {
	switch {
	case r.Kind == gonogo.RevisionPublish:
		return "published the notes"
	case r.Note != "":
		return "amended them: " + r.Note
	}
	return "amended them"
}

func notesStatusSlug(s gonogo.NotesStatus) string {
	if s == gonogo.NotesNone {
		return "none"
	}
	return string(s)
}

func notesInputValue(in gonogo.NotesInput, name string) string {
	switch name {
	case "highlights":
		return in.Highlights
	case "changes":
		return in.Changes
	case "fixes":
		return in.Fixes
	case "known_issues":
		return in.KnownIssues
	case "internal":
		return in.Internal
	}
	return ""
}
