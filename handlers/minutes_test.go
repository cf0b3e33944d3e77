package handlers_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// hostileA, B and C are short lines of text that try every way Markdown
// and HTML have of becoming something other than text.
const (
	hostileA = `<script>alert(1)</script> <img src=x onerror=alert(2)> **b** _e_ ~~g~~ ` + "`c`"
	hostileB = `[l](javascript:alert(3)) ![i](x.png) <https://a.example> www.b.example https://c.example/x`
	hostileC = `m@d.example | p | &amp; &lt; &#60; \* {.attr} [^1] $x$ <!-- o`
	// hostileLine is all three, where a field is long enough.
	hostileLine = hostileA + " " + hostileB + " " + hostileC
)

// hostileLines is text on several lines, each starting with something that
// would begin a block.
const hostileLines = "first <b>line</b> \\\n# heading\n- item\n+ item\n1. numbered\n2) numbered\n> quote\n---\n===\n" +
	"```\n<div>block</div>\n| a | b |\n|---|---|\n[ ] task\n: term\n\n    indented code\n<!--\n-->\n" +
	hostileA + "\n" + hostileB + "\n" + hostileC

// minutesRenderer renders as a wiki would: GitHub-flavoured Markdown, with
// raw HTML passed through or not.
func minutesRenderer(unsafe bool) goldmark.Markdown {
	opts := []renderer.Option{html.WithXHTML()} // so that the output can be read as XML, strictly
	if unsafe {
		opts = append(opts, html.WithUnsafe())
	}
	return goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(opts...))
}

// TestMinutesAreSafeMarkdown puts hostile text in every field that reaches
// the minutes and reads them as a CommonMark renderer shows them: the same
// with raw HTML on or off, nothing but the minutes' own structure, every
// value's text intact, and its line breaks kept.
func TestMinutesAreSafeMarkdown(t *testing.T) {
	s := newServer(t)
	ctx := t.Context()
	names := map[string]string{}
	for _, short := range []string{"po", "eng", "qa", "ops", "support", "rm"} {
		name := short + " <i>" + short + "</i> **" + short + "** & co | _x_ [y](z)"
		u, err := s.store.UpdateUser(ctx, gonogo.SystemActor, s.users[short].ID, db.UserUpdate{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		s.users[short], names[short] = u, name
	}
	title := "Checkout … & <Safari> " + hostileA
	rel, err := s.store.CreateRelease(ctx, gonogo.SystemActor, gonogo.ReleaseInput{Product: "payments", Version: "2.4.0",
		Title: title, ManagerID: s.users["rm"].ID})
	if err != nil {
		t.Fatal(err)
	}
	rm := s.rmActor()
	s.settleReadiness(t, rel.ID)
	// Evidence: a note on several lines, and a link with a query.
	items, _ := s.store.FindItems(ctx, rel.ID)
	evidenceNote := "evidence " + hostileLines
	evidenceURL := "https://ci.example.com/run/42?a=1&copy;=2&b=<x>"
	itemTitle := "item " + hostileB
	extra, err := s.store.AddItem(ctx, rm, rel.ID, gonogo.ItemInput{Phase: gonogo.Readiness, Pillar: items[0].Pillar,
		Title: itemTitle, OwnerRole: gonogo.ReleaseManager})
	if err != nil {
		t.Fatal(err)
	}
	naReason := "n/a " + hostileLines
	for id, ch := range map[int64]gonogo.ItemChange{
		items[0].ID: {Status: gonogo.ItemDone, Evidence: evidenceNote},
		items[1].ID: {Status: gonogo.ItemDone, Evidence: evidenceURL},
		extra.ID:    {Status: gonogo.ItemNA, Reason: naReason},
	} {
		if _, err := s.store.UpdateItem(ctx, rm, rel.ID, id, ch); err != nil {
			t.Fatal(err)
		}
	}
	// Defects: a blocker still open (a gate reason) and a critical one
	// deferred (an open risk).
	blockerTitle := "Checkout … & <Safari> blocker " + hostileB
	deferredTitle := "deferred " + hostileC + " " + hostileA
	ids, err := s.store.CreateDefects(ctx, rm, rel.ID, []gonogo.DefectInput{{Title: blockerTitle, Severity: gonogo.Blocker},
		{Title: deferredTitle, Severity: gonogo.Critical}})
	if err != nil {
		t.Fatal(err)
	}
	deferReason := "later " + hostileLines
	qaActor := s.actorOf("qa")
	if _, err := s.store.SetDefectStatus(ctx, qaActor, rel.ID, ids[1], gonogo.DefectChange{Status: gonogo.DefectDeferred, Reason: deferReason}); err != nil {
		t.Fatal(err)
	}
	s.move(t, rel.ID, gonogo.OpenReview)
	waiverReason := "waived " + hostileLines
	if err := s.store.SetWaiver(ctx, rm, rel.ID, gonogo.WaiverChange{Role: gonogo.SupportLead, Reason: waiverReason}); err != nil {
		t.Fatal(err)
	}
	// Votes: comments on several lines, conditions on one each.
	comments := map[string]string{}
	voteCondition := "vote condition " + hostileLine
	for short, role := range map[string]gonogo.Role{"po": gonogo.ProductOwner, "eng": gonogo.EngineeringLead,
		"qa": gonogo.QALead, "ops": gonogo.Ops, "rm": gonogo.ReleaseManager} {
		comments[short] = short + " says " + hostileLines
		value := gonogo.VoteGo
		if short == "qa" {
			value = gonogo.VoteNoGo
		}
		a := s.actorOf(short)
		in := gonogo.VoteInput{Role: role, Value: value, Comment: comments[short]}
		if short == "ops" {
			in.Conditions = voteCondition
		}
		if _, err := s.store.CastVote(ctx, a, rel.ID, in); err != nil {
			t.Fatalf("vote %s: %v", role, err)
		}
	}
	// The discussion: a thread and a reply.
	rmc := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)
	rmc.get(page)
	thread := "thread " + hostileLines
	reply := "reply " + hostileLines
	wantStatus(t, rmc.post(page+"/comments", url.Values{"body": {thread}}), http.StatusSeeOther)
	cs, _ := s.store.FindComments(ctx, rel.ID, 1)
	rmc.get(page)
	wantStatus(t, rmc.post(page+"/comments", url.Values{"body": {reply}, "parent_id": {itoa(cs[0].ID)}}), http.StatusSeeOther)

	rationale := "because " + hostileLines
	condition := "decision condition " + hostileLine
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: rationale, Conditions: condition})

	res, md := rmc.getText(page + "/decisions/1.md")
	wantStatus(t, res, http.StatusOK)
	doc := readMinutes(t, md)

	// Only the minutes' own structure.
	allowed := []string{"root", "h1", "h2", "h3", "p", "ul", "li", "strong", "br", "a", "table", "thead", "tbody", "tr", "th", "td"}
	for _, el := range doc.elements {
		if !slices.Contains(allowed, el) {
			t.Errorf("the minutes hold a <%s> element", el)
		}
	}
	if doc.count["h1"] != 1 || doc.count["table"] != 1 || doc.count["a"] != 1 {
		t.Errorf("structure: %v", doc.count)
	}
	wantHeadings := []string{"Rationale", "Conditions", "Votes", "Comments on the votes", "Discussion", "Evidence", "Open risks", "Gate at the decision"}
	if !slices.Equal(doc.headings, wantHeadings) {
		t.Errorf("headings %q, want %q", doc.headings, wantHeadings)
	}
	if len(doc.hrefs) != 1 || !strings.HasPrefix(doc.hrefs[0], "https://ci.example.com/run/42?a=1&copy;=2&b=") {
		t.Errorf("links %q: only the evidence link is a link, and its address is kept", doc.hrefs)
	}
	if doc.rows != 1+len(gonogo.Roles) || doc.cells != 4*doc.rows {
		t.Errorf("the votes table has %d rows and %d cells", doc.rows, doc.cells)
	}

	// Every value reads as typed, its lines kept as lines.
	values := []string{title, rationale, condition, voteCondition, evidenceNote, evidenceURL, itemTitle, naReason,
		blockerTitle, deferredTitle, deferReason, waiverReason, thread, reply}
	for _, short := range []string{"po", "eng", "qa", "ops", "rm"} {
		values = append(values, comments[short], names[short])
	}
	for _, v := range values {
		if want := asRendered(v); !strings.Contains(doc.text, want) {
			t.Errorf("the minutes lose\n%q\nwhich reads\n%q", v, want)
		}
	}
	if h1 := doc.h1; !strings.Contains(h1, "Checkout … & <Safari>") {
		t.Errorf("title heading %q", h1)
	}
	if t.Failed() {
		t.Logf("minutes:\n%s", md)
	}
}

// minutesDoc is what a reader of the rendered minutes sees.
type minutesDoc struct {
	elements    []string
	count       map[string]int
	headings    []string // the h2s and h3s
	h1          string
	hrefs       []string
	rows, cells int
	text        string // all text, whitespace collapsed, a hard break as ⏎
}

// readMinutes renders md with raw HTML allowed and not, requires the same
// HTML of both, and reads it strictly as XML.
func readMinutes(t *testing.T, md string) minutesDoc {
	t.Helper()
	var safe, unsafe bytes.Buffer
	if err := minutesRenderer(false).Convert([]byte(md), &safe); err != nil {
		t.Fatal(err)
	}
	if err := minutesRenderer(true).Convert([]byte(md), &unsafe); err != nil {
		t.Fatal(err)
	}
	if safe.String() != unsafe.String() {
		t.Errorf("the minutes render differently with raw HTML on:\n--- off\n%s\n--- on\n%s", safe.String(), unsafe.String())
	}
	dec := xml.NewDecoder(strings.NewReader("<root>" + unsafe.String() + "</root>"))
	dec.Strict = true
	doc := minutesDoc{count: map[string]int{}}
	var text, cur strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the rendered minutes are not well-formed: %v\n%s", err, unsafe.String())
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			doc.elements = append(doc.elements, name)
			doc.count[name]++
			for _, a := range tok.Attr {
				if name == "a" && a.Name.Local == "href" {
					doc.hrefs = append(doc.hrefs, a.Value)
				} else {
					t.Errorf("<%s> has an attribute %s=%q", name, a.Name.Local, a.Value)
				}
			}
			switch name {
			case "br":
				text.WriteString(" ⏎ ")
			case "tr":
				doc.rows++
			case "td", "th":
				doc.cells++
			case "h1", "h2", "h3":
				cur.Reset()
			}
			text.WriteString(" ")
		case xml.EndElement:
			switch tok.Name.Local {
			case "h1":
				doc.h1 = cur.String()
			case "h2", "h3":
				doc.headings = append(doc.headings, cur.String())
			}
			text.WriteString(" ")
		case xml.CharData:
			text.Write(tok)
			cur.Write(tok)
		case xml.Comment, xml.ProcInst, xml.Directive:
			t.Errorf("the rendered minutes hold %T %q", tok, tok)
		}
	}
	doc.text = strings.Join(strings.Fields(text.String()), " ")
	return doc
}

// asRendered is how a value reads in the rendered minutes: each line as
// typed, the lines separated by hard breaks.
func asRendered(v string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(v), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(strings.Fields(strings.Join(lines, " ⏎ ")), " ")
}
