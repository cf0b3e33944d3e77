package gonogo_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestEvaluateNotes(t *testing.T) {
	tests := []struct {
		name   string
		status gonogo.NotesStatus
		want   string // "" means no notes reason
	}{
		{"none", gonogo.NotesNone, "Release notes are not written yet"},
		{"draft", gonogo.NotesDraft, "Release notes are still a draft"},
		{"published", gonogo.NotesPublished, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := gonogo.Evaluate(gonogo.Snapshot{Release: reviewRelease, Votes: allSigned(), Notes: tc.status})
			if tc.want == "" {
				if !g.Ready {
					t.Fatalf("published notes, yet the gate is blocked: %v", g.Reasons)
				}
				return
			}
			if g.Ready || len(g.Reasons) != 1 {
				t.Fatalf("reasons %v, want one about the notes", g.Reasons)
			}
			r := g.Reasons[0]
			if r.Kind != gonogo.ReasonNotes || r.Anchor != "notes" || !strings.Contains(r.Text, tc.want) {
				t.Fatalf("reason %+v, want kind notes, anchor notes, text containing %q", r, tc.want)
			}
		})
	}
}

func TestDefaultTemplateNotesItem(t *testing.T) {
	for _, in := range gonogo.DefaultTemplate() {
		if in.CheckKey == gonogo.NotesCheckKey {
			if in.Title != "Release notes written" || in.Phase != gonogo.Readiness || !in.Required {
				t.Fatalf("the release-notes item is %+v", in)
			}
			return
		}
	}
	t.Fatal("no template item has the release-notes check key")
}

func TestParseLinks(t *testing.T) {
	links, err := gonogo.ParseLinks("Refunds in JPY | https://help.example.com/refunds\n\n- https://help.example.com/apple-pay\r")
	if err != nil {
		t.Fatal(err)
	}
	want := []gonogo.KBLink{
		{Title: "Refunds in JPY", URL: "https://help.example.com/refunds"},
		{Title: "https://help.example.com/apple-pay", URL: "https://help.example.com/apple-pay"},
	}
	if !slices.Equal(links, want) {
		t.Fatalf("links %+v", links)
	}
	if again, _ := gonogo.ParseLinks(gonogo.FormatLinks(links)); !slices.Equal(again, links) {
		t.Fatalf("format then parse gives %+v", again)
	}
	for _, bad := range []string{
		"Bad | javascript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"Relative | /help",
		"Title | ftp://example.com/file",
		strings.Repeat("x", 200) + " | https://example.com",
		strings.Repeat("https://example.com/a\n", gonogo.MaxLinks+1),
	} {
		if _, err := gonogo.ParseLinks(bad); gonogo.ErrorCode(err) != gonogo.EINVALID {
			t.Errorf("ParseLinks(%.40q) = %v, want invalid", bad, err)
		}
	}
	if _, err := gonogo.ParseLinks("ok | https://example.com\nBad | javascript:alert(1)"); err == nil || !strings.Contains(err.Error(), "Line 2") {
		t.Errorf("the error should name the line: %v", err)
	}
}

func TestEditNotes(t *testing.T) {
	po := gonogo.Actor{UserID: 1, Name: "Priya", Roles: gonogo.RoleSet{gonogo.ProductOwner}}
	rm := gonogo.Actor{UserID: 2, Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	qa := gonogo.Actor{UserID: 3, Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead}, Admin: true}
	notesItem := gonogo.Item{ID: 9, Phase: gonogo.Readiness, Pillar: gonogo.Business, Title: "Release notes written",
		OwnerRole: gonogo.ProductOwner, Required: true, CheckKey: gonogo.NotesCheckKey, Status: gonogo.ItemOpen}
	snap := gonogo.Snapshot{Release: gonogo.Release{ID: 1, Product: "payments", Version: "2.4.0", State: gonogo.Review, Cycle: 1},
		Items: []gonogo.Item{notesItem}}
	good := gonogo.NotesInput{Title: "Apple Pay in checkout", Highlights: "Pay with **Apple Pay**.\r\n", Links: "https://help.example.com/a"}
	draft := gonogo.Notes{ID: 5, ReleaseID: 1, Status: gonogo.NotesDraft, NotesContent: gonogo.NotesContent{Title: "Apple Pay in checkout", Highlights: "Pay with **Apple Pay**.",
		Links: []gonogo.KBLink{{Title: "https://help.example.com/a", URL: "https://help.example.com/a"}}}}
	published := draft
	published.Status, published.PublishedAt, published.PublishedBy = gonogo.NotesPublished, at(1), "Priya"

	tests := []struct {
		name    string
		actor   gonogo.Actor
		snap    gonogo.Snapshot
		cur     gonogo.Notes
		in      gonogo.NotesInput
		publish bool
		code    string
		kind    gonogo.NotesChangeKind
		field   string // the field an EINVALID error names
	}{
		{name: "first draft", actor: po, snap: snap, in: gonogo.NotesInput{Title: "Apple Pay"}, kind: gonogo.NotesSaved},
		{name: "publish", actor: rm, snap: snap, cur: draft, in: good, publish: true, kind: gonogo.NotesFirstPub},
		{name: "publish without a draft", actor: po, snap: snap, in: good, publish: true, kind: gonogo.NotesFirstPub},
		{name: "saving published notes amends them", actor: po, snap: snap, cur: published,
			in: gonogo.NotesInput{Title: "Apple Pay in checkout", Highlights: "Pay with Apple Pay.", Note: "typo"}, kind: gonogo.NotesAmended},
		{name: "an unchanged draft changes nothing", actor: po, snap: snap, cur: draft, in: good, kind: gonogo.NotesUnchanged},
		{name: "an unchanged amendment changes nothing", actor: po, snap: snap, cur: published, in: good, kind: gonogo.NotesUnchanged},
		{name: "not a writer", actor: qa, snap: snap, in: good, code: gonogo.EFORBIDDEN},
		{name: "cancelled release", actor: po, snap: gonogo.Snapshot{Release: gonogo.Release{State: gonogo.Cancelled}}, in: good, code: gonogo.ECONFLICT},
		{name: "no title", actor: po, snap: snap, in: gonogo.NotesInput{Highlights: "x"}, code: gonogo.EINVALID, field: "title"},
		{name: "a title on two lines", actor: po, snap: snap, in: gonogo.NotesInput{Title: "a\nb"}, code: gonogo.EINVALID, field: "title"},
		{name: "publishing empty notes", actor: po, snap: snap, in: gonogo.NotesInput{Title: "Empty", Internal: "only internal"}, publish: true,
			code: gonogo.EINVALID, field: "highlights"},
		{name: "emptying published notes", actor: po, snap: snap, cur: published, in: gonogo.NotesInput{Title: "Empty"},
			code: gonogo.EINVALID, field: "highlights"},
		{name: "a control character", actor: po, snap: snap, in: gonogo.NotesInput{Title: "x", Fixes: "a\x00b"}, code: gonogo.EINVALID, field: "fixes"},
		{name: "too long", actor: po, snap: snap, in: gonogo.NotesInput{Title: "x", KnownIssues: strings.Repeat("a", gonogo.MaxNotesSectionLen+1)},
			code: gonogo.EINVALID, field: "known_issues"},
		{name: "a bad link", actor: po, snap: snap, in: gonogo.NotesInput{Title: "x", Links: "javascript:alert(1)"}, code: gonogo.EINVALID, field: "links"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := gonogo.EditNotes(tc.actor, tc.snap, tc.cur, tc.in, tc.publish, at(30))
			if gonogo.ErrorCode(err) != tc.code {
				t.Fatalf("code %q (%v), want %q", gonogo.ErrorCode(err), err, tc.code)
			}
			if tc.field != "" {
				if _, ok := gonogo.ErrorFields(err)[tc.field]; !ok {
					t.Fatalf("fields %v, want %q", gonogo.ErrorFields(err), tc.field)
				}
			}
			if err != nil {
				return
			}
			if ch.Kind != tc.kind {
				t.Fatalf("kind %q, want %q", ch.Kind, tc.kind)
			}
			n := ch.Notes
			switch ch.Kind {
			case gonogo.NotesSaved:
				if n.Status != gonogo.NotesDraft || n.UpdatedBy != tc.actor.Name || !n.UpdatedAt.Equal(at(30)) || ch.Item != nil {
					t.Fatalf("draft %+v, item %v", n, ch.Item)
				}
			case gonogo.NotesFirstPub:
				if n.Status != gonogo.NotesPublished || n.PublishedBy != tc.actor.Name || !n.PublishedAt.Equal(at(30)) || n.Amended() {
					t.Fatalf("published %+v", n)
				}
				if n.Highlights != "Pay with **Apple Pay**." {
					t.Fatalf("highlights not normalized: %q", n.Highlights)
				}
				if ch.Item == nil || ch.Item.Item.ID != 9 || ch.Item.Item.Status != gonogo.ItemDone || ch.Item.Item.Evidence != "/notes/payments/2.4.0" {
					t.Fatalf("publishing should complete the release-notes item: %+v", ch.Item)
				}
			case gonogo.NotesAmended:
				if n.Status != gonogo.NotesPublished || !n.PublishedAt.Equal(at(1)) || !n.AmendedAt.Equal(at(30)) || ch.Note != "typo" || ch.Item != nil {
					t.Fatalf("amended %+v", n)
				}
				if !n.LastChanged().Equal(at(30)) {
					t.Fatalf("last changed %v", n.LastChanged())
				}
			}
		})
	}
}

// Publishing goes ahead when the checklist item cannot change any more: the
// notes are what matters, the item follows where it can.
func TestEditNotesLeavesASettledItem(t *testing.T) {
	po := gonogo.Actor{Name: "Priya", Roles: gonogo.RoleSet{gonogo.ProductOwner}}
	item := gonogo.Item{ID: 9, Phase: gonogo.Readiness, Pillar: gonogo.Business, Title: "Release notes written",
		OwnerRole: gonogo.ProductOwner, Required: true, CheckKey: gonogo.NotesCheckKey, Status: gonogo.ItemOpen}
	in := gonogo.NotesInput{Title: "Fix", Fixes: "Rounding."}
	for _, st := range []gonogo.State{gonogo.Go, gonogo.Deploying, gonogo.Released} {
		s := gonogo.Snapshot{Release: gonogo.Release{ID: 1, State: st}, Items: []gonogo.Item{item}}
		ch, err := gonogo.EditNotes(po, s, gonogo.Notes{}, in, true, at(1))
		if err != nil || ch.Kind != gonogo.NotesFirstPub || ch.Item != nil {
			t.Errorf("%s: change %+v, %v", st, ch, err)
		}
	}
	done := item
	done.Status = gonogo.ItemDone
	s := gonogo.Snapshot{Release: gonogo.Release{ID: 1, State: gonogo.Review}, Items: []gonogo.Item{done}}
	if ch, _ := gonogo.EditNotes(po, s, gonogo.Notes{}, in, true, at(1)); ch.Item != nil {
		t.Errorf("an item already done is left alone: %+v", ch.Item)
	}
}

func TestStanding(t *testing.T) {
	for st, want := range map[gonogo.State]gonogo.Standing{
		gonogo.Draft: gonogo.Upcoming, gonogo.Review: gonogo.Upcoming, gonogo.Go: gonogo.Upcoming,
		gonogo.Deploying: gonogo.Upcoming, gonogo.Verifying: gonogo.Upcoming, gonogo.NoGo: gonogo.Upcoming,
		gonogo.Released: gonogo.Shipped, gonogo.RolledBack: gonogo.Withdrawn, gonogo.Cancelled: gonogo.WontShip,
	} {
		got := gonogo.StandingOf(st)
		if got != want {
			t.Errorf("%s: standing %q, want %q", st, got, want)
		}
		if got.Public() != (st == gonogo.Released) {
			t.Errorf("%s: public %t", st, got.Public())
		}
	}
}

func TestNotesPathEscapesTheVersion(t *testing.T) {
	tests := map[string]string{
		"2.4.0":         "/notes/web/2.4.0",
		"4.0.0+build.5": "/notes/web/4.0.0+build.5",
		"1.0~rc.1":      "/notes/web/1.0~rc.1",
		"7.0%":          "/notes/web/7.0%25",
		"6.0%2B1":       "/notes/web/6.0%252B1",
		"3.0-ü":         "/notes/web/3.0-%C3%BC",
	}
	for version, want := range tests {
		if got := gonogo.NotesPath(gonogo.Release{Product: "web", Version: version}); got != want {
			t.Errorf("NotesPath(%q) = %q, want %q", version, got, want)
		}
	}
}
