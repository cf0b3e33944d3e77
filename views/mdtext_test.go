package views

// An internal test: it puts random hostile text through the escaping of
// every place the minutes put people's text, which Minutes alone would
// reach only with a release built around each string.

import (
	"bytes"
	"encoding/xml"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
)

// mdPieces are what the random texts are made of: characters and
// sequences that mean something to Markdown, HTML or GitHub's extensions.
var mdPieces = func() []string {
	ps := []string{"www.", "WWW.", "http://", "https://x.example/", "mailto:", "a@b.example", "<script>", "</p>", "<!--", "-->",
		"<a href=x>", "&amp;", "&#60;", "&#x3C;", "&copy;", "```", "~~~", "1.", "2)", "10.", "- ", "* ", "+ ", "> ", "# ",
		"---", "===", "***", "|---|", ":-:", "[ ]", "[x]", "[a](b)", "![a](b)", "[^1]", "{.c}", "$x$", "\\", "\\\\", "  ",
		"    ", "\t", "\n", "\n\n", "\r\n", "\r", "…", "é", "\u00a0", "word", "x", "42"}
	for c := byte('!'); c <= '~'; c++ {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			ps = append(ps, string(c))
		}
	}
	return ps
}()

// mdContexts are the places people's text takes in the minutes: how the
// text is put there, and the elements the rendered place may hold.
var mdContexts = []struct {
	name    string
	write   func(v string) string
	block   bool // keeps line breaks
	allowed []string
}{
	{"paragraph", func(v string) string { return "## Rationale\n\n" + mdBlock(v, "") + "\n" }, true, []string{"h2", "p", "br"}},
	{"list item", func(v string) string { return "- " + mdBlock(v, "  ") + " — Ops\n" }, true, []string{"ul", "li", "br"}},
	{"reply", func(v string) string {
		return "- **a** (t): b\n  - **a** (t): " + mdBlock(v, "    ") + "\n"
	}, true, []string{"ul", "li", "br", "strong"}},
	{"name", func(v string) string { return "- **" + mdInline(v) + "** (t): b\n" }, false, []string{"ul", "li", "strong"}},
	{"heading", func(v string) string { return "# Minutes: p 1 — " + mdInline(v) + "\n\n- x\n" }, false, []string{"h1", "ul", "li"}},
	{"table cell", func(v string) string {
		return "| Role | By |\n|---|---|\n| Ops | " + mdInline(v) + " |\n"
	}, false, []string{"table", "thead", "tbody", "tr", "th", "td"}},
	{"link text", func(v string) string { return "- t (Done, a): " + mdLink(v, "https://x.example/a?b=1&c=2") + "\n" }, false, []string{"ul", "li", "a"}},
}

// TestMarkdownEscapingHoldsForAnyText: whatever people write, each place
// renders the same with raw HTML on and off, holds only its own elements,
// and shows the text as written, line breaks as hard breaks where kept.
func TestMarkdownEscapingHoldsForAnyText(t *testing.T) {
	rnd := rand.New(rand.NewPCG(12, 3))
	for range 2000 {
		var b strings.Builder
		for range 1 + rnd.IntN(10) {
			b.WriteString(mdPieces[rnd.IntN(len(mdPieces))])
		}
		v := b.String()
		if strings.TrimSpace(v) == "" {
			continue
		}
		for _, c := range mdContexts {
			src := c.write(v)
			els, text := renderBoth(t, src)
			for _, el := range els {
				if !slices.Contains(c.allowed, el) {
					t.Fatalf("%s: %q makes a <%s>\n%s", c.name, v, el, src)
				}
			}
			want := strings.Join(strings.Fields(v), " ")
			if c.block {
				want = keptLines(v)
			}
			if !strings.Contains(text, want) {
				t.Fatalf("%s: %q reads\n%q, want it to hold\n%q\n%s", c.name, v, text, want, src)
			}
		}
	}
}

// TestMarkdownLinkKeepsItsAddress: the evidence link goes where it says.
func TestMarkdownLinkKeepsItsAddress(t *testing.T) {
	src := "- " + mdLink("see <this>", "https://ci.example.com/r?a=1&copy;=2&b=<x>\\y z") + "\n"
	var out bytes.Buffer
	if err := goldmark.New().Convert([]byte(src), &out); err != nil {
		t.Fatal(err)
	}
	want := `<a href="https://ci.example.com/r?a=1&amp;copy;=2&amp;b=%3Cx%3E%5Cy%20z">see &lt;this&gt;</a>`
	if !strings.Contains(out.String(), want) {
		t.Fatalf("got %s\nwant %s", out.String(), want)
	}
}

// keptLines is text as it reads with its line breaks kept: each line's
// words, a ⏎ between lines.
func keptLines(v string) string {
	v = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(strings.TrimSpace(v))
	return strings.Join(strings.Fields(strings.ReplaceAll(v, "\n", " ⏎ ")), " ")
}

// renderBoth renders src as GitHub-flavoured Markdown with raw HTML on and
// off, fails unless both agree, and returns the elements and the text
// (whitespace collapsed, a hard break as ⏎), read strictly as XML.
func renderBoth(t *testing.T, src string) ([]string, string) {
	t.Helper()
	var outs [2]bytes.Buffer
	for i, opts := range [][]renderer.Option{{html.WithXHTML()}, {html.WithXHTML(), html.WithUnsafe()}} {
		md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(opts...))
		if err := md.Convert([]byte(src), &outs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if outs[0].String() != outs[1].String() {
		t.Fatalf("raw HTML changes\n%s\ninto\n%s\nfrom\n%s", outs[0].String(), outs[1].String(), src)
	}
	dec := xml.NewDecoder(strings.NewReader("<root>" + outs[0].String() + "</root>"))
	dec.Strict = true
	var els []string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s\nfrom\n%s", err, outs[0].String(), src)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local != "root" {
				els = append(els, tok.Name.Local)
			}
			if tok.Name.Local == "br" {
				text.WriteString(" ⏎")
			}
			text.WriteString(" ")
		case xml.EndElement:
			text.WriteString(" ")
		case xml.CharData:
			text.Write(tok)
		default:
			t.Fatalf("%T in\n%s", tok, outs[0].String())
		}
	}
	return els, strings.Join(strings.Fields(text.String()), " ")
}
