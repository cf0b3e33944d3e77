package db_test

import (
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// saveNotes writes notes as a through the domain's rules.
func saveNotes(t *testing.T, s *db.Store, a gonogo.Actor, releaseID int64, in gonogo.NotesInput, publish bool) (gonogo.NotesChange, error) {
	t.Helper()
	return s.SaveNotes(t.Context(), a, releaseID, in, publish)
}

// publishNotes publishes short notes on a release, as a.
func publishNotes(t *testing.T, s *db.Store, a gonogo.Actor, releaseID int64) {
	t.Helper()
	if _, err := saveNotes(t, s, a, releaseID, gonogo.NotesInput{Title: "What is new", Highlights: "Something new."}, true); err != nil {
		t.Fatalf("publish notes: %v", err)
	}
}

func TestNotesLifecycle(t *testing.T) {
	s := db.OpenTest(t)
	po := actor(mustCreateUser(t, s, "po@example.com", false, gonogo.ProductOwner))
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	search := func(q string) []gonogo.NotesEntry {
		t.Helper()
		es, err := s.FindPublishedNotes(t.Context(), gonogo.NotesFilter{Query: q})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		return es
	}

	// A draft: stored, audited, not published, not searchable, and the gate says so.
	in := gonogo.NotesInput{Title: "Apple Pay in checkout", Highlights: "Pay with **Apple Pay** in the web checkout.",
		KnownIssues: "Safari 16 shows the sheet twice.", Internal: "Escalate refunds to payments-oncall.",
		Links: "Apple Pay help | https://help.example.com/apple-pay"}
	ch, err := saveNotes(t, s, po, rel.ID, in, false)
	if err != nil || ch.Kind != gonogo.NotesSaved {
		t.Fatalf("save draft: %+v, %v", ch, err)
	}
	n, err := s.FindNotes(t.Context(), rel.ID)
	if err != nil || n.Status != gonogo.NotesDraft || n.Title != in.Title || len(n.Links) != 1 || n.UpdatedBy != po.Name {
		t.Fatalf("draft = %+v, %v", n, err)
	}
	if e := lastEvent(t, s); e.Action != "notes.save" || e.ReleaseID != rel.ID {
		t.Fatalf("last event %+v", e)
	}
	snap, _ := s.FindSnapshot(t.Context(), rel.ID)
	if snap.Notes != gonogo.NotesDraft {
		t.Fatalf("snapshot notes %q", snap.Notes)
	}
	if len(search("apple")) != 0 {
		t.Fatal("a draft is searchable")
	}
	if _, err := s.FindNotesEntry(t.Context(), "payments", "2.4.0"); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
		t.Fatalf("a draft has a page: %v", err)
	}

	// Publishing: the page, the revision, the index and the checklist item, at once.
	if ch, err = saveNotes(t, s, po, rel.ID, in, true); err != nil || ch.Kind != gonogo.NotesFirstPub {
		t.Fatalf("publish: %+v, %v", ch, err)
	}
	e, err := s.FindNotesEntry(t.Context(), "payments", "2.4.0")
	if err != nil || !e.Notes.Published() || e.Notes.PublishedBy != po.Name || e.Notes.PublishedAt.IsZero() || e.Notes.Amended() {
		t.Fatalf("published entry %+v, %v", e, err)
	}
	item := itemTitled(t, mustFindItems(t, s, rel.ID), "Release notes written")
	if item.CheckKey != gonogo.NotesCheckKey || item.Status != gonogo.ItemDone || item.Evidence != "/notes/payments/2.4.0" || item.UpdatedBy != po.Name {
		t.Fatalf("the release-notes item after publishing: %+v", item)
	}
	actions := map[string]bool{}
	for _, ev := range mustEvents(t, s)[:2] {
		actions[ev.Action] = true
	}
	if !actions["notes.publish"] || !actions["item.status"] {
		t.Fatalf("publishing audited %v", actions)
	}
	snap, _ = s.FindSnapshot(t.Context(), rel.ID)
	for _, r := range gonogo.Evaluate(snap).Reasons {
		if r.Kind == gonogo.ReasonNotes || strings.Contains(r.Text, "Release notes written") {
			t.Fatalf("the gate still names the notes: %v", r)
		}
	}
	if got := search("apple"); len(got) != 1 || got[0].Release.ID != rel.ID {
		t.Fatalf("search after publishing: %+v", got)
	}
	if len(search("oncall")) != 0 {
		t.Fatal("internal notes are searchable")
	}

	// Amending keeps every revision and re-indexes.
	in.Highlights = "Pay with Apple Pay or Google Pay in the web checkout."
	in.Note = "Google Pay joined the release"
	if ch, err = saveNotes(t, s, po, rel.ID, in, false); err != nil || ch.Kind != gonogo.NotesAmended {
		t.Fatalf("amend: %+v, %v", ch, err)
	}
	e, _ = s.FindNotesEntry(t.Context(), "payments", "2.4.0")
	if !e.Notes.Amended() || !e.Notes.Published() {
		t.Fatalf("amended entry %+v", e.Notes)
	}
	revs, err := s.FindNotesRevisions(t.Context(), e.Notes.ID)
	if err != nil || len(revs) != 2 {
		t.Fatalf("revisions %+v, %v", revs, err)
	}
	if revs[0].Kind != gonogo.RevisionPublish || !strings.Contains(revs[0].Content.Highlights, "**Apple Pay**") ||
		revs[1].Kind != gonogo.RevisionAmend || revs[1].Note != in.Note || revs[1].By != po.Name || revs[1].Number != 2 {
		t.Fatalf("revisions %+v", revs)
	}
	if len(search("google")) != 1 {
		t.Fatal("the amendment is not searchable")
	}
	if ev := lastEvent(t, s); ev.Action != "notes.amend" || !strings.Contains(ev.Detail, in.Note) {
		t.Fatalf("last event %+v", ev)
	}

	// Saving the same text again changes nothing, not even the trail.
	before := len(mustEvents(t, s))
	if ch, err = saveNotes(t, s, po, rel.ID, in, false); err != nil || ch.Kind != gonogo.NotesUnchanged {
		t.Fatalf("unchanged save: %+v, %v", ch, err)
	}
	if after := len(mustEvents(t, s)); after != before {
		t.Fatalf("an unchanged save wrote %d events", after-before)
	}
}

func TestNotesRefusalsWriteNothing(t *testing.T) {
	s := db.OpenTest(t)
	po := actor(mustCreateUser(t, s, "po@example.com", false, gonogo.ProductOwner))
	qa := actor(mustCreateUser(t, s, "qa@example.com", false, gonogo.QALead))
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	before := len(mustEvents(t, s))
	_, err := saveNotes(t, s, po, rel.ID, gonogo.NotesInput{Title: "", Highlights: "x", Links: "javascript:alert(1)"}, true)
	wantFields(t, err, "title", "links")
	_, err = saveNotes(t, s, qa, rel.ID, gonogo.NotesInput{Title: "x", Highlights: "x"}, true)
	wantCode(t, err, gonogo.EFORBIDDEN)
	_, err = saveNotes(t, s, po, 999, gonogo.NotesInput{Title: "x", Highlights: "x"}, true)
	wantCode(t, err, gonogo.ENOTFOUND)
	if n := count(t, s, "notes"); n != 0 {
		t.Fatalf("%d notes rows after refusals", n)
	}
	if after := len(mustEvents(t, s)); after != before {
		t.Fatalf("refusals wrote %d events", after-before)
	}
}

func TestNotesRevisionsAreNeverEdited(t *testing.T) {
	s := db.OpenTest(t)
	po := actor(mustCreateUser(t, s, "po@example.com", false, gonogo.ProductOwner))
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	publishNotes(t, s, po, rel.ID)
	raw := rawDB(t, s)
	for _, q := range []string{`UPDATE notes_revisions SET note = 'rewritten'`, `DELETE FROM notes_revisions`} {
		if _, err := raw.ExecContext(t.Context(), q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
}

func TestBoardSnapshotsCarryNotes(t *testing.T) {
	s := db.OpenTest(t)
	po := actor(mustCreateUser(t, s, "po@example.com", false, gonogo.ProductOwner))
	published := mustCreateRelease(t, s, "payments", "2.4.0")
	draft := mustCreateRelease(t, s, "payments", "2.5.0")
	none := mustCreateRelease(t, s, "payments", "2.6.0")
	publishNotes(t, s, po, published.ID)
	if _, err := saveNotes(t, s, po, draft.ID, gonogo.NotesInput{Title: "Later"}, false); err != nil {
		t.Fatal(err)
	}
	snaps, err := s.FindSnapshots(t.Context(), gonogo.ReleaseFilter{Product: "payments"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]gonogo.NotesStatus{published.ID: gonogo.NotesPublished, draft.ID: gonogo.NotesDraft, none.ID: gonogo.NotesNone}
	for _, sn := range snaps {
		if sn.Notes != want[sn.Release.ID] {
			t.Errorf("%s: notes %q, want %q", sn.Release.Name(), sn.Notes, want[sn.Release.ID])
		}
	}
}

// searchFixture publishes notes on four releases of two products, two of
// them shipped.
func searchFixture(t *testing.T) *db.Store {
	t.Helper()
	s := db.OpenTest(t)
	po := actor(mustCreateUser(t, s, "po@example.com", false, gonogo.ProductOwner))
	for _, n := range []struct {
		product, version string
		in               gonogo.NotesInput
		shipped          bool
	}{
		{"payments", "2.3.1", gonogo.NotesInput{Title: "Refund rounding fix", Fixes: "Partial refunds in JPY no longer lose a cent (PAY-142)."}, true},
		{"payments", "2.4.0", gonogo.NotesInput{Title: "Apple Pay in checkout", Highlights: "Pay with Apple Pay.", Fixes: "Refunds show the right currency.",
			Internal: "secretword: escalate to oncall"}, false},
		{"payments", "2.2.0", gonogo.NotesInput{Title: "Faster payouts", Changes: "Payouts run hourly."}, true},
		{"mobile", "3.8.0", gonogo.NotesInput{Title: "Offline mode", Highlights: "The app works without a connection; refunds queue until online."}, false},
	} {
		rel := mustCreateRelease(t, s, n.product, n.version)
		if _, err := saveNotes(t, s, po, rel.ID, n.in, true); err != nil {
			t.Fatalf("%s %s: %v", n.product, n.version, err)
		}
		if n.shipped {
			// The raw update sets updated_at first, so released_at orders the shipments.
			mustExec(t, rawDB(t, s), `UPDATE releases SET state = 'released', updated_at = ? WHERE id = ?`,
				map[string]string{"2.3.1": "2026-02-01T10:00:00.000Z", "2.2.0": "2026-01-01T10:00:00.000Z"}[n.version], rel.ID)
		}
	}
	return s
}

func TestFindPublishedNotes(t *testing.T) {
	s := searchFixture(t)
	names := func(es []gonogo.NotesEntry) string {
		var out []string
		for _, e := range es {
			out = append(out, e.Release.Name())
		}
		return strings.Join(out, ", ")
	}
	tests := []struct {
		name string
		f    gonogo.NotesFilter
		want string
	}{
		{"newest first", gonogo.NotesFilter{}, "mobile 3.8.0, payments 2.2.0, payments 2.4.0, payments 2.3.1"},
		{"by product", gonogo.NotesFilter{Product: "mobile"}, "mobile 3.8.0"},
		{"shipped, newest shipment first", gonogo.NotesFilter{Product: "payments", ShippedOnly: true}, "payments 2.3.1, payments 2.2.0"},
		{"shipped since a version", gonogo.NotesFilter{Product: "payments", ShippedOnly: true, Since: "2.2.0"}, "payments 2.3.1"},
		{"a title match ranks first", gonogo.NotesFilter{Query: "refund"}, "payments 2.3.1"},
		{"prefix of a word", gonogo.NotesFilter{Query: "payou"}, "payments 2.2.0"},
		{"search within a product", gonogo.NotesFilter{Query: "refunds", Product: "mobile"}, "mobile 3.8.0"},
		{"a phrase", gonogo.NotesFilter{Query: `"apple pay"`}, "payments 2.4.0"},
		{"a tracker key", gonogo.NotesFilter{Query: "PAY-142"}, "payments 2.3.1"},
		{"a version", gonogo.NotesFilter{Query: "3.8.0"}, "mobile 3.8.0"},
		{"OR", gonogo.NotesFilter{Query: "offline OR payouts"}, ""}, // checked below, order by rank
		{"internal notes are not searched", gonogo.NotesFilter{Query: "secretword"}, ""},
		{"NEAR as a word", gonogo.NotesFilter{Query: "NEAR"}, ""},
		{"diacritics do not matter", gonogo.NotesFilter{Query: "réfund rounding"}, "payments 2.3.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es, err := s.FindPublishedNotes(t.Context(), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "OR" {
				if len(es) != 2 {
					t.Fatalf("OR found %s", names(es))
				}
				return
			}
			got := names(es)
			if tc.name == "a title match ranks first" {
				got = names(es[:1])
				if len(es) != 3 {
					t.Errorf("refund should match three notes: %s", names(es))
				}
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSearchMarksMatches(t *testing.T) {
	s := searchFixture(t)
	es, err := s.FindPublishedNotes(t.Context(), gonogo.NotesFilter{Query: "refun"})
	if err != nil || len(es) == 0 {
		t.Fatalf("search: %v, %v", es, err)
	}
	if want := "Refund rounding fix"; es[0].MarkedTitle != gonogo.MarkStart+"Refund"+gonogo.MarkEnd+" rounding fix" {
		t.Fatalf("marked title %q, want %q with Refund marked", es[0].MarkedTitle, want)
	}
	if !strings.Contains(es[0].Snippet, gonogo.MarkStart+"refunds"+gonogo.MarkEnd) {
		t.Fatalf("snippet %q does not mark the match", es[0].Snippet)
	}
	if es[0].ShippedAt.IsZero() {
		t.Fatal("a shipped release has no shipping date")
	}
}

// Search syntax a reader did not mean (a stray quote or parenthesis, an
// operator with nothing to join) is no error of theirs: the words they
// typed are searched as words.
func TestSearchStraySyntaxSearchesTheWords(t *testing.T) {
	s := searchFixture(t)
	names := func(es []gonogo.NotesEntry) string {
		var out []string
		for _, e := range es {
			out = append(out, e.Release.Name())
		}
		return strings.Join(out, ", ")
	}
	for _, q := range []string{`"refund`, `(refund`, `refund)`, `NEAR(refund`, `refund AND`, `OR refund`, `refund NOT`,
		`((refund`, `{refund`, `"refund" "rounding`, `^refund`, `refund:`, `refund "`} {
		t.Run(q, func(t *testing.T) {
			es, err := s.FindPublishedNotes(t.Context(), gonogo.NotesFilter{Query: q})
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			if len(es) == 0 || es[0].Release.Name() != "payments 2.3.1" {
				t.Fatalf("%q found %q, want the refund fix first", q, names(es))
			}
		})
	}
	// Nothing but syntax: no words to search, so nothing found.
	for _, q := range []string{`"`, `*`, `^`, `((`, `OR`, `AND NOT`, `" ( ) :`} {
		t.Run("no words "+q, func(t *testing.T) {
			es, err := s.FindPublishedNotes(t.Context(), gonogo.NotesFilter{Query: q})
			if err != nil || len(es) != 0 {
				t.Fatalf("%q found %q, %v; want nothing and no error", q, names(es), err)
			}
		})
	}
	// The syntax a reader means still works.
	for _, q := range []string{`nosuch:refund`, `"apple pay"`, `refund*`, `NEAR(apple pay, 3)`, `title:refund`, `refund -`, `'quoted'`, `a'b`, `x; DROP TABLE notes`} {
		t.Run("valid "+q, func(t *testing.T) {
			if _, err := s.FindPublishedNotes(t.Context(), gonogo.NotesFilter{Query: q}); err != nil {
				t.Fatalf("%q: %v", q, err)
			}
		})
	}
	if n := count(t, s, "notes"); n != 4 {
		t.Fatalf("%d notes after the searches", n)
	}
}

func TestSinceAnUnshippedVersion(t *testing.T) {
	s := searchFixture(t)
	_, err := s.FindPublishedNotes(t.Context(), gonogo.NotesFilter{Product: "payments", ShippedOnly: true, Since: "2.4.0"})
	wantFields(t, err, "since")
}
