package gonogo

import (
	"cmp"
	"slices"
	"time"
)

// Support's most common question is "the customer is on 2.1; what changed
// up to 2.4?". The answer is every published note of the product's shipped
// releases after the one version and up to the other, grouped by kind.

// MaxChangesNotes bounds the notes one answer shows: the newest of a longer
// range, with how many older ones were left out, so that the page costs
// what it shows whatever the span asked for.
const MaxChangesNotes = 100

// MaxChangesKnownIssues bounds the known issues of a product read to
// answer which are still open at a version: far more than ever ship.
const MaxChangesKnownIssues = 500

// MaxShippedVersions bounds the shipped versions read to order a product's
// history: years of weekly releases, a few KB of version names.
const MaxShippedVersions = 2000

// ShippedVersion is one shipped release of a product with published notes,
// as version order needs it.
type ShippedVersion struct {
	ReleaseID int64
	Version   string
	ShippedAt time.Time
}

// SortVersions orders a product's shipped versions oldest first: by
// semantic versioning where the versions parse, by when they shipped
// otherwise. The versions are first put in the order they shipped; then
// those that parse are sorted among themselves into the places they held,
// so that "2.4.1" shipped after "2.5.0" still comes before it, and a
// "2024-winter" keeps its place in time.
func SortVersions(vs []ShippedVersion) {
	slices.SortStableFunc(vs, func(a, b ShippedVersion) int {
		return cmp.Or(a.ShippedAt.Compare(b.ShippedAt), cmp.Compare(a.ReleaseID, b.ReleaseID))
	})
	var places []int
	var parsed []ShippedVersion
	var sems []semver
	for i, v := range vs {
		if s, ok := parseSemver(v.Version); ok {
			places, parsed, sems = append(places, i), append(parsed, v), append(sems, s)
		}
	}
	order := make([]int, len(parsed))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return compareSemver(sems[a], sems[b]) })
	for i, k := range order {
		vs[places[i]] = parsed[k]
	}
}

// ChangesRange is what a "what changed" question picks from a product's
// sorted versions: those after From up to To, oldest first, at most
// MaxChangesNotes of them; Omitted counts the older ones left out.
type ChangesRange struct {
	From, To string
	Versions []ShippedVersion
	Omitted  int
	// UpTo is every version up to and including To, by release id: what a
	// customer on To has, and so which known issues To still has.
	UpTo map[int64]bool
}

// PickChanges picks the versions after from, up to and including to, from
// versions sorted by SortVersions. An empty from starts at the first
// version; an empty to ends at the newest. A version the product has not
// shipped with published notes, or a range that runs backwards, is an
// EINVALID error on its field; no versions at all is ENOTFOUND.
func PickChanges(sorted []ShippedVersion, from, to string) (ChangesRange, error) {
	r := ChangesRange{From: from, To: to}
	if len(sorted) == 0 {
		return r, Errorf(ENOTFOUND, "nothing has shipped with published notes yet")
	}
	p := Problems{}
	start, end := -1, len(sorted)-1
	if from != "" {
		if start = versionIndex(sorted, from); start < 0 {
			p.Add("from", "%s has not shipped with published notes: pick a version from the list", from)
		}
	}
	if to == "" {
		r.To = sorted[end].Version
	} else if end = versionIndex(sorted, to); end < 0 {
		p.Add("to", "%s has not shipped with published notes: pick a version from the list", to)
	}
	if err := p.Err(); err != nil {
		return r, err
	}
	if start >= end {
		return r, FieldErrorf("to", "%s is not later than %s: pick a later version to compare to", r.To, from)
	}
	in := sorted[start+1 : end+1]
	if len(in) > MaxChangesNotes {
		r.Omitted = len(in) - MaxChangesNotes
		in = in[r.Omitted:]
	}
	r.Versions = slices.Clone(in)
	r.UpTo = make(map[int64]bool, end+1)
	for _, v := range sorted[:end+1] {
		r.UpTo[v.ReleaseID] = true
	}
	return r, nil
}

// versionIndex is where version stands in sorted, -1 if it is not there.
// A version that shipped twice (cancelled, then released again) counts at
// its latest shipment.
func versionIndex(sorted []ShippedVersion, version string) int {
	for i := len(sorted) - 1; i >= 0; i-- {
		if sorted[i].Version == version {
			return i
		}
	}
	return -1
}

// ChangeNote is one version's text in one group of a "what changed" answer.
type ChangeNote struct {
	Entry NotesEntry
	Text  string // Markdown, as its authors wrote it
}

// Changes is a "what changed" answer grouped by kind, each group newest
// version first. KnownIssues are the known issues the newest version's
// notes state in their own words; OpenIssues the known issues recorded
// on any version up to To that no version up to To fixed; FixedIssues
// the known issues a version in the range fixed.
type Changes struct {
	Range       ChangesRange
	Highlights  []ChangeNote
	Changes     []ChangeNote
	Fixes       []ChangeNote
	KnownIssues []ChangeNote
	OpenIssues  []KnownIssue
	FixedIssues []KnownIssue
	Entries     []NotesEntry // every version in the range, newest first
}

// Empty reports whether no note in the range says anything.
func (c Changes) Empty() bool {
	return len(c.Highlights)+len(c.Changes)+len(c.Fixes)+len(c.KnownIssues)+len(c.OpenIssues)+len(c.FixedIssues) == 0
}

// GroupChanges groups the notes of r's versions (entries, in any order) by
// kind, newest version first, and sorts the product's known issues
// (issues, in any order) into those still open at r.To and those the
// range fixed.
func GroupChanges(r ChangesRange, entries []NotesEntry, issues []KnownIssue) Changes {
	byRelease := make(map[int64]NotesEntry, len(entries))
	for _, e := range entries {
		byRelease[e.Release.ID] = e
	}
	c := Changes{Range: r}
	for i := len(r.Versions) - 1; i >= 0; i-- {
		e, ok := byRelease[r.Versions[i].ReleaseID]
		if !ok {
			continue // unpublished between the two reads
		}
		c.Entries = append(c.Entries, e)
		c.Highlights = appendNote(c.Highlights, e, e.Notes.Highlights)
		c.Changes = appendNote(c.Changes, e, e.Notes.Changes)
		c.Fixes = appendNote(c.Fixes, e, e.Notes.Fixes)
	}
	if len(c.Entries) > 0 {
		newest := c.Entries[0]
		c.KnownIssues = appendNote(nil, newest, newest.Notes.KnownIssues)
	}
	inRange := make(map[int64]bool, len(r.Versions))
	for _, v := range r.Versions {
		inRange[v.ReleaseID] = true
	}
	for _, k := range issues {
		fixed := k.FixedBy.Shipped() && r.UpTo[k.FixedBy.ReleaseID]
		switch {
		case fixed && inRange[k.FixedBy.ReleaseID]:
			c.FixedIssues = append(c.FixedIssues, k)
		case !fixed && r.UpTo[k.ReleaseID]:
			c.OpenIssues = append(c.OpenIssues, k)
		}
	}
	byID := func(a, b KnownIssue) int { return cmp.Compare(b.ID, a.ID) }
	slices.SortFunc(c.FixedIssues, byID)
	slices.SortFunc(c.OpenIssues, byID)
	return c
}

func appendNote(notes []ChangeNote, e NotesEntry, text string) []ChangeNote {
	if text == "" {
		return notes
	}
	return append(notes, ChangeNote{Entry: e, Text: text})
}

// ReservedVersion reports whether version would hide a page of the
// product's notes: /notes/{product}/changes is the "what changed" page.
func ReservedVersion(version string) bool {
	return version == "changes" || version == "changes.md"
}
