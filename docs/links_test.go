// Package docs is the manual. Its test holds the links between the README
// and the pages here to the files and headings they name, so a page moved
// or a heading renamed cannot leave a reader at a dead end.
package docs

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// page is one Markdown file of the manual, read by goldmark as GitHub
// renders it (tables included), so that links in code are not links.
type page struct {
	path    string
	anchors map[string]bool // the ids GitHub gives its headings
	links   []string        // every link and image destination, as written
}

func readPage(t *testing.T, path string) page {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := goldmark.New(goldmark.WithExtensions(extension.GFM)).Parser().Parse(text.NewReader(src))
	p := page{path: path, anchors: map[string]bool{}}
	seen := map[string]int{}
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			id := slug(plainText(n, src))
			if k := seen[id]; k > 0 {
				p.anchors[fmt.Sprintf("%s-%d", id, k)] = true
			} else {
				p.anchors[id] = true
			}
			seen[id]++
		case *ast.Link:
			p.links = append(p.links, string(n.Destination))
		case *ast.Image:
			p.links = append(p.links, string(n.Destination))
		}
		return ast.WalkContinue, nil
	})
	return p
}

// plainText is a heading's text as GitHub makes its id from it: the words
// and code, without the markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch n := n.(type) {
			case *ast.Text:
				b.Write(n.Value(src))
			case *ast.String:
				b.Write(n.Value)
			}
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// slug is GitHub's id for a heading: lower case, every character but
// letters, digits, spaces, hyphens and underscores dropped, spaces made
// hyphens. (A repeated heading gets -1, -2 ...: see readPage.)
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestSlugIsGitHubs(t *testing.T) {
	for in, want := range map[string]string{
		"A live board and the Go/No-Go meeting": "a-live-board-and-the-gono-go-meeting",
		"Windows, freezes and the calendar":     "windows-freezes-and-the-calendar",
		"Pipelines: the gate API":               "pipelines-the-gate-api",
		"make bench":                            "make-bench",
		"Requests, input and output":            "requests-input-and-output",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// manual is the README and every page here.
func manual(t *testing.T) map[string]page {
	t.Helper()
	paths, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, filepath.Join("..", "README.md"))
	out := map[string]page{}
	for _, p := range paths {
		out[abs(t, p)] = readPage(t, p)
	}
	return out
}

// abs is path from the root, so that ../docs/using.md and using.md are one.
func abs(t *testing.T, path string) string {
	t.Helper()
	a, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestLinksResolve: every relative link and image of the manual names a
// file that exists and, after a #, a heading of that page.
func TestLinksResolve(t *testing.T) {
	pages := manual(t)
	for _, p := range pages {
		for _, dest := range p.links {
			if err := resolve(t, pages, p, dest); err != nil {
				t.Errorf("%s: link %q: %v", p.path, dest, err)
			}
		}
	}
}

func resolve(t *testing.T, pages map[string]page, from page, dest string) error {
	u, err := url.Parse(dest)
	if err != nil {
		return err
	}
	if u.Scheme != "" || u.Host != "" {
		return nil // another site: not ours to check
	}
	target := abs(t, from.path)
	if u.Path != "" {
		target = abs(t, filepath.Join(filepath.Dir(from.path), u.Path))
		if _, err := os.Stat(target); err != nil {
			return fmt.Errorf("no file %s", filepath.Join(filepath.Dir(from.path), u.Path))
		}
	}
	if u.Fragment == "" {
		return nil
	}
	to, ok := pages[target]
	if !ok {
		return fmt.Errorf("#%s points into %s, which is not a page of the manual", u.Fragment, u.Path)
	}
	if !to.anchors[u.Fragment] {
		return fmt.Errorf("%s has no heading #%s", to.path, u.Fragment)
	}
	return nil
}

// TestEveryScreenshotIsShown: a screenshot no page shows is one nobody
// keeps up to date.
func TestEveryScreenshotIsShown(t *testing.T) {
	shots, err := filepath.Glob(filepath.Join("screenshots", "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	if len(shots) == 0 {
		t.Fatal("no screenshots in docs/screenshots")
	}
	var shown []string
	for _, p := range manual(t) {
		for _, dest := range p.links {
			if u, err := url.Parse(dest); err == nil && u.Scheme == "" && u.Path != "" {
				shown = append(shown, abs(t, filepath.Join(filepath.Dir(p.path), u.Path)))
			}
		}
	}
	for _, s := range shots {
		if !slices.Contains(shown, abs(t, s)) {
			t.Errorf("%s is shown on no page", s)
		}
	}
}
