package handlers_test

import (
	"bytes"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestPagesHaveADescription: every page says in its head what it is, in a
// sentence short enough for a search result or a link's preview: a
// section's own page what the section shows, any other page its title.
func TestPagesHaveADescription(t *testing.T) {
	for _, p := range mainPages(t) {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.body))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Find("html > head").Length() == 0 {
			continue // a fragment, not a page
		}
		metas := doc.Find(`head meta[name=description]`)
		content, _ := metas.Attr("content")
		switch {
		case metas.Length() != 1:
			t.Errorf("%s (%s): %d description metas, want 1", p.name, p.path, metas.Length())
		case len(content) < 20 || len(content) > 160:
			t.Errorf("%s (%s): description %q, want 20 to 160 characters", p.name, p.path, content)
		}
		title := doc.Find("head title").Text()
		want := map[string]string{
			"board":         "Each release's readiness, defects and Go/No-Go, in one place, on gonogo, the release board.",
			"calendar":      "Release windows and change freezes, month by month, on gonogo",
			"product notes": "What shipped in payments · gonogo, the release board.",
		}[p.name]
		if want != "" && !bytes.Contains([]byte(content), []byte(want)) {
			t.Errorf("%s (%s, %q): description %q, want it to hold %q", p.name, p.path, title, content, want)
		}
	}
}
