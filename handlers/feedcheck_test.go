package handlers_test

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// How the tests read a feed as programs nobody here wrote read it:
// gofeed, the parser Go feed readers use; golang.org/x/net/html for the
// HTML inside entries; and jing, against RFC 4287's RELAX NG schema.

// readFeedAsReaders parses body with gofeed and checks what a feed reader
// relies on: a title, an id, an updated time that is a real date, and for
// every entry an id, a title, an absolute link, an updated time and HTML
// content that is clean (cleanHTMLProblems).
func readFeedAsReaders(t *testing.T, path, body string) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("%s: gofeed cannot read it: %v", path, err)
	}
	if f.FeedType != "atom" || f.Title == "" || f.FeedLink == "" {
		t.Fatalf("%s: gofeed reads type %q, title %q, feed link %q", path, f.FeedType, f.Title, f.FeedLink)
	}
	if f.UpdatedParsed == nil || f.UpdatedParsed.Year() < 2000 {
		t.Errorf("%s: gofeed reads the feed's updated time %q as %v", path, f.Updated, f.UpdatedParsed)
	}
	if len(f.Authors) == 0 || f.Authors[0].Name == "" {
		t.Errorf("%s: gofeed finds no author", path)
	}
	for _, it := range f.Items {
		if it.GUID == "" || it.Title == "" || it.UpdatedParsed == nil || it.PublishedParsed == nil {
			t.Errorf("%s: gofeed reads entry %q with id %q, updated %v, published %v", path, it.Title, it.GUID, it.UpdatedParsed, it.PublishedParsed)
		}
		if u, err := url.Parse(it.Link); err != nil || !u.IsAbs() {
			t.Errorf("%s: entry %q links to %q, not an absolute address", path, it.Title, it.Link)
		}
		if it.Content == "" {
			t.Errorf("%s: entry %q has no content", path, it.Title)
		}
		for _, p := range cleanHTMLProblems(t, it.Content) {
			t.Errorf("%s: entry %q: %s", path, it.Title, p)
		}
	}
	return f
}

// appAttrs are attributes of the app's own pages that have no place in a
// feed: they style, script or mark elements for the app and its tests.
var appAttrs = map[string]bool{"class": true, "id": true, "style": true}

// unsafeInFeed are elements a feed entry must not carry: scripts and
// styles, and whatever a reader would fetch from elsewhere on its own.
var unsafeInFeed = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Img: true, atom.Picture: true, atom.Source: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Video: true, atom.Audio: true, atom.Link: true, atom.Meta: true,
	atom.Form: true, atom.Input: true, atom.Svg: true}

// cleanHTMLProblems parses an entry's HTML as a browser would and lists
// what a feed should not carry: htmx's, data-* and the app's attributes,
// event handlers, scripts and styles, images (a reader loads them, which
// tells whoever serves them who read the notes) and links to anything but
// web and mail addresses.
func cleanHTMLProblems(t *testing.T, fragment string) []string {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), ctx)
	if err != nil {
		t.Fatalf("entry HTML does not parse: %v", err)
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if unsafeInFeed[n.DataAtom] || n.Namespace != "" {
				out = append(out, fmt.Sprintf("a <%s> element", n.Data))
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				switch {
				case appAttrs[k], strings.HasPrefix(k, "hx-"), strings.HasPrefix(k, "data-"), strings.HasPrefix(k, "on"):
					out = append(out, fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val))
				case k == "href":
					if u, err := url.Parse(a.Val); err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
						out = append(out, fmt.Sprintf("a link to %q", a.Val))
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return out
}

// entryLinks returns the links of an entry's HTML, address to text.
func entryLinks(t *testing.T, fragment string) map[string]string {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.DataAtom == atom.A {
			for _, a := range n.Attr {
				if a.Key == "href" {
					out[a.Val] = nodeText(n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return out
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// validateAtomSchema validates feeds (address to body) against RFC 4287's
// RELAX NG schema (testdata/atom.rnc) with jing, Debian's package jing, in
// one run. Without jing the test is skipped, unless GONOGO_REQUIRE_JING=1
// says it must run, as CI does.
func validateAtomSchema(t *testing.T, feeds map[string]string) {
	t.Helper()
	jing, err := exec.LookPath("jing")
	if err != nil {
		if os.Getenv("GONOGO_REQUIRE_JING") == "1" {
			t.Fatal("jing is not installed (apt-get install jing), and GONOGO_REQUIRE_JING=1 requires it")
		}
		t.Skip("jing is not installed (apt-get install jing): feeds are not validated against RFC 4287's schema")
	}
	dir := t.TempDir()
	args := []string{"-c", filepath.Join("testdata", "atom.rnc")}
	names := map[string]string{}
	i := 0
	for path, body := range feeds {
		i++
		file := filepath.Join(dir, fmt.Sprintf("feed%d.atom", i))
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, file)
		names[file] = path
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(t.Context(), jing, args...)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		report := out.String()
		for file, path := range names {
			report = strings.ReplaceAll(report, file, path)
		}
		t.Fatalf("jing finds feeds that RFC 4287's schema refuses (%v):\n%s", err, report)
	}
}

// rfc3339 parses an Atom date as RFC 3339 requires it.
func rfc3339(t *testing.T, where, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("%s: %q is not an RFC 3339 date: %v", where, s, err)
	}
	return ts
}
