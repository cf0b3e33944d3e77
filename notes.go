package gonogo

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Limits on release notes.
const (
	MaxNotesTitleLen   = 160
	MaxNotesSectionLen = 20000
	MaxLinks           = 20
	MaxLinkTitleLen    = 160
	MaxAmendNoteLen    = 300
)

// NotesCheckKey is the check key of the checklist item that publishing the
// notes completes.
const NotesCheckKey = "release-notes"

// NotesStatus is where a release's notes stand. A release without notes has
// the zero status.
type NotesStatus string

const (
	NotesNone      NotesStatus = ""
	NotesDraft     NotesStatus = "draft"
	NotesPublished NotesStatus = "published"
)

// Label is the status's name for people.
func (s NotesStatus) Label() string {
	switch s {
	case NotesDraft:
		return "Draft"
	case NotesPublished:
		return "Published"
	}
	return "Not written"
}

// KBLink is a knowledge-base article attached to the notes.
type KBLink struct {
	Title string
	URL   string
}

// NotesContent is what the notes say. Everything but Internal is written for
// customers; Internal is for support and never leaves the signed-in board.
type NotesContent struct {
	Title       string
	Highlights  string // Markdown, like every section below
	Changes     string
	Fixes       string
	KnownIssues string // known issues and their workarounds
	Internal    string
	Links       []KBLink
}

// Equal reports whether two contents say the same.
func (c NotesContent) Equal(o NotesContent) bool {
	return c.Title == o.Title && c.Highlights == o.Highlights && c.Changes == o.Changes && c.Fixes == o.Fixes &&
		c.KnownIssues == o.KnownIssues && c.Internal == o.Internal && slices.Equal(c.Links, o.Links)
}

// Notes are the release notes of one release.
type Notes struct {
	ID        int64
	ReleaseID int64
	NotesContent
	Status      NotesStatus
	UpdatedBy   string
	UpdatedAt   time.Time
	PublishedBy string
	PublishedAt time.Time // first publication
	AmendedAt   time.Time // the latest amendment; zero if never amended
}

// Published reports whether the notes are a page people can read.
func (n Notes) Published() bool { return n.Status == NotesPublished }

// Amended reports whether the notes changed after they were published.
func (n Notes) Amended() bool { return !n.AmendedAt.IsZero() }

// LastChanged is when the published text last changed: the latest amendment,
// or the publication.
func (n Notes) LastChanged() time.Time {
	if n.Amended() {
		return n.AmendedAt
	}
	return n.PublishedAt
}

// RevisionKind says why a revision of published notes was kept.
type RevisionKind string

const (
	RevisionPublish RevisionKind = "publish"
	RevisionAmend   RevisionKind = "amend"
)

// NotesRevision is the published text at one moment: the publication and
// every amendment after it, each kept with who and when.
type NotesRevision struct {
	ID      int64
	NotesID int64
	Number  int // 1 for the publication
	Kind    RevisionKind
	Note    string // what the amendment changed, in the author's words
	Content NotesContent
	ByID    int64
	By      string
	At      time.Time
}

// NotesInput is what a person types in the notes form.
type NotesInput struct {
	Title       string
	Highlights  string
	Changes     string
	Fixes       string
	KnownIssues string
	Internal    string
	Links       string // one per line: "Title | https://…" or a bare link
	Note        string // what an amendment changes
}

// Normalize trims the input and makes line ends Unix ones.
func (in *NotesInput) Normalize() {
	crlf := strings.NewReplacer("\r\n", "\n", "\r", "\n")
	for _, f := range []*string{&in.Highlights, &in.Changes, &in.Fixes, &in.KnownIssues, &in.Internal, &in.Links} {
		*f = strings.TrimSpace(crlf.Replace(*f))
	}
	in.Title = strings.TrimSpace(in.Title)
	in.Note = strings.TrimSpace(in.Note)
}

// Content checks the input and returns what the notes would say, with every
// problem at once.
func (in NotesInput) Content() (NotesContent, error) {
	p := Problems{}
	validateLine(p, "title", "Title", in.Title, MaxNotesTitleLen, true)
	for _, s := range []struct{ field, label, text string }{
		{"highlights", "Highlights", in.Highlights},
		{"changes", "Changes", in.Changes},
		{"fixes", "Fixes", in.Fixes},
		{"known_issues", "Known issues", in.KnownIssues},
		{"internal", "Internal notes", in.Internal},
	} {
		validateText(p, s.field, s.label, s.text, MaxNotesSectionLen, false)
	}
	validateLine(p, "note", "What changed", in.Note, MaxAmendNoteLen, false)
	links, err := ParseLinks(in.Links)
	if err != nil {
		p.Add("links", "%s", ErrorMessage(err))
	}
	c := NotesContent{Title: in.Title, Highlights: in.Highlights, Changes: in.Changes, Fixes: in.Fixes,
		KnownIssues: in.KnownIssues, Internal: in.Internal, Links: links}
	return c, p.Err()
}

// ContentInput is the form showing content, for editing.
func ContentInput(c NotesContent) NotesInput {
	return NotesInput{Title: c.Title, Highlights: c.Highlights, Changes: c.Changes, Fixes: c.Fixes,
		KnownIssues: c.KnownIssues, Internal: c.Internal, Links: FormatLinks(c.Links)}
}

// ParseLinks reads knowledge-base links, one per line: "Title | link" or a
// bare link, which is then its own title.
func ParseLinks(text string) ([]KBLink, error) {
	var out []KBLink
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "-*•"))
		if line == "" {
			continue
		}
		l := KBLink{URL: line}
		if title, link, ok := strings.Cut(line, "|"); ok {
			l = KBLink{Title: strings.TrimSpace(title), URL: strings.TrimSpace(link)}
		}
		if len(l.URL) > MaxURLLen || !isHTTPURL(l.URL) {
			return nil, Errorf(EINVALID, "line %d: %q is not an http or https link", i+1, l.URL)
		}
		if l.Title == "" {
			l.Title = l.URL
		}
		p := Problems{}
		validateLine(p, "t", "A link's title", l.Title, MaxLinkTitleLen, true)
		if msg, bad := p["t"]; bad {
			return nil, Errorf(EINVALID, "line %d: %s", i+1, msg)
		}
		out = append(out, l)
	}
	if len(out) > MaxLinks {
		return nil, Errorf(EINVALID, "at most %d links; link a collection instead", MaxLinks)
	}
	return out, nil
}

// FormatLinks writes links back as the text ParseLinks reads.
func FormatLinks(links []KBLink) string {
	var lines []string
	for _, l := range links {
		if l.Title == l.URL {
			lines = append(lines, l.URL)
		} else {
			lines = append(lines, l.Title+" | "+l.URL)
		}
	}
	return strings.Join(lines, "\n")
}

// NotesEditable says whether a release's notes may change while it is in
// state: at any time, shipped included, until it is cancelled.
func NotesEditable(st State) error {
	if st == Cancelled {
		return Errorf(ECONFLICT, "the release is cancelled; its notes no longer change")
	}
	return nil
}

// NotesChangeKind says what saving the notes did.
type NotesChangeKind string

const (
	NotesUnchanged NotesChangeKind = ""
	NotesSaved     NotesChangeKind = "draft"   // the draft was saved
	NotesFirstPub  NotesChangeKind = "publish" // the notes were published
	NotesAmended   NotesChangeKind = "amend"   // published notes were amended
)

// NotesChange is what EditNotes decided: the notes to store, what kind of
// change it is and, on publication, the checklist item it completes.
type NotesChange struct {
	Kind  NotesChangeKind
	Notes Notes
	Note  string      // what an amendment changed
	Item  *ItemResult // the release-notes item, done, when publishing completes it
	Audit Audit
}

// EditNotes checks that actor may change the notes of the snapshot's release
// and returns the change. Saving notes that are published amends them;
// publish publishes a draft. Published notes must say something: highlights,
// changes or fixes.
func EditNotes(actor Actor, s Snapshot, cur Notes, in NotesInput, publish bool, now time.Time) (NotesChange, error) {
	if !AbilitiesOf(actor, s).Granted(ActWriteNotes) {
		return NotesChange{}, Errorf(EFORBIDDEN, "only product owners and release managers write release notes")
	}
	if err := NotesEditable(s.Release.State); err != nil {
		return NotesChange{}, err
	}
	in.Normalize()
	content, err := in.Content()
	p := Problems(ErrorFields(err))
	if p == nil {
		p = Problems{}
	}
	kind := NotesSaved
	switch {
	case cur.Published():
		kind = NotesAmended
	case publish:
		kind = NotesFirstPub
	}
	if kind != NotesSaved && content.Highlights == "" && content.Changes == "" && content.Fixes == "" {
		p.Add("highlights", "published notes need highlights, changes or fixes: say what is new")
	}
	if err := p.Err(); err != nil {
		return NotesChange{}, err
	}
	if cur.Status != NotesNone && kind != NotesFirstPub && content.Equal(cur.NotesContent) {
		return NotesChange{Kind: NotesUnchanged, Notes: cur}, nil
	}
	n := cur
	n.ReleaseID, n.NotesContent, n.UpdatedBy, n.UpdatedAt = s.Release.ID, content, actor.Name, now
	n.Status = NotesDraft
	ch := NotesChange{Kind: kind, Note: in.Note}
	switch kind {
	case NotesFirstPub:
		n.Status, n.PublishedBy, n.PublishedAt = NotesPublished, actor.Name, now
		ch.Item = notesItem(actor, s, now)
	case NotesAmended:
		n.Status, n.AmendedAt = NotesPublished, now
	}
	ch.Notes = n
	ch.Audit = notesAudit(s.Release, ch)
	return ch, nil
}

// notesAudit says what a change did to the release's notes.
func notesAudit(rel Release, ch NotesChange) Audit {
	switch ch.Kind {
	case NotesFirstPub:
		return audit(ActionNotesPublish, "published the release notes %q at %s", ch.Notes.Title, NotesPath(rel))
	case NotesAmended:
		detail := fmt.Sprintf("amended the published release notes %q", ch.Notes.Title)
		if ch.Note != "" {
			detail += ": " + ch.Note
		}
		return audit(ActionNotesAmend, "%s", detail)
	}
	return audit(ActionNotesSave, "saved the release notes draft %q", ch.Notes.Title)
}

// notesItem returns the release-notes checklist item marked done, with the
// notes page as its evidence, when the actor may and the release's state
// lets it change; nil otherwise, and publishing goes ahead anyway.
func notesItem(actor Actor, s Snapshot, now time.Time) *ItemResult {
	for _, it := range s.Items {
		if it.CheckKey != NotesCheckKey || it.Status == ItemDone {
			continue
		}
		done, err := ChangeItem(actor, s.Release, it, ItemChange{Status: ItemDone, Evidence: NotesPath(s.Release)}, now)
		if err != nil {
			return nil
		}
		return &done
	}
	return nil
}

// NotesPath is the address of a release's notes page, its version escaped
// for a path: "1.0%" is /notes/web/1.0%25.
func NotesPath(rel Release) string {
	return "/notes/" + url.PathEscape(rel.Product) + "/" + url.PathEscape(rel.Version)
}

// Standing is whether what the notes describe is in production.
type Standing string

const (
	Shipped   Standing = "shipped"     // the release reached released
	Upcoming  Standing = "upcoming"    // not shipped yet
	Withdrawn Standing = "rolled-back" // it was rolled back: not in production
	WontShip  Standing = "cancelled"   // it was cancelled
)

// StandingOf says where a release in state stands for readers of its notes.
// Only a release that reached released has shipped.
func StandingOf(st State) Standing {
	switch st {
	case Released:
		return Shipped
	case RolledBack:
		return Withdrawn
	case Cancelled:
		return WontShip
	}
	return Upcoming
}

// Label is the standing in words for a reader.
func (s Standing) Label() string {
	switch s {
	case Shipped:
		return "Shipped"
	case Withdrawn:
		return "Rolled back"
	case WontShip:
		return "Cancelled"
	}
	return "Not shipped yet"
}

// Public reports whether notes in this standing may be read by anonymous
// readers when public notes are on: only what shipped is customer-facing.
func (s Standing) Public() bool { return s == Shipped }

// NotesFilter selects published notes.
type NotesFilter struct {
	Product     string
	Query       string // full-text search over titles and customer-facing text
	ShippedOnly bool
	Since       string // with Product: only releases shipped after this version
	Limit       int
}

// Marks around matched words in search results. Notes text cannot contain
// them: validateText refuses control characters.
const (
	MarkStart = "\x02"
	MarkEnd   = "\x03"
)

// NotesEntry is published notes as listed, with their release.
type NotesEntry struct {
	Release   Release
	Notes     Notes
	ShippedAt time.Time // when the release reached released; zero if it has not
	// With a search: the title and an excerpt with matched words between
	// MarkStart and MarkEnd.
	MarkedTitle string
	Snippet     string
}

// Standing is where the entry's release stands.
func (e NotesEntry) Standing() Standing { return StandingOf(e.Release.State) }

// notesReason names what the notes lack for a Go, or "" when they are published.
func notesReason(st NotesStatus) string {
	switch st {
	case NotesPublished:
		return ""
	case NotesDraft:
		return "Release notes are still a draft: publish them (product owner or release manager)"
	}
	return fmt.Sprintf("Release notes are not written yet: %s or %s writes and publishes them",
		ProductOwner.InText(), ReleaseManager.InText())
}
