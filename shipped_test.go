package gonogo_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/yuin/goldmark"

	"github.com/gonogo/gonogo"
)

func shippedPR(n int, title string, labels ...string) gonogo.ShippedItem {
	return gonogo.ShippedItem{Kind: gonogo.GitHub, Type: gonogo.TrackedChange, Key: fmt.Sprintf("#%d", n), Title: title,
		URL: fmt.Sprintf("https://github.com/acme/payments/pull/%d", n), Labels: labels}
}

// rendered is the Markdown as goldmark, the renderer the notes pages use,
// makes it into HTML.
func rendered(t *testing.T, md string) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := goldmark.Convert([]byte(md), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestShippedGroupsByLabel(t *testing.T) {
	d := gonogo.DraftShipped([]gonogo.ShippedItem{
		shippedPR(512, "Refund webhook", "Feature"),
		shippedPR(99, "Faster search", "enhancement", "ui"),
		{Kind: gonogo.Jira, Type: gonogo.TrackedIssue, Key: "PAY-142", Title: "Checkout fails on Safari",
			URL: "https://acme.atlassian.net/browse/PAY-142", Labels: []string{"customer", "Bug"}},
		shippedPR(600, "Off by one in totals", "bug"),
		shippedPR(601, "Timeout on retry", "defect", "feature"), // a fix first
		shippedPR(700, "Bump dependencies"),
	}, 0)
	keys := func(items []gonogo.ShippedItem) string {
		var out []string
		for _, it := range items {
			out = append(out, it.Key)
		}
		return strings.Join(out, " ")
	}
	if got := keys(d.Features); got != "#99 #512" {
		t.Errorf("features: %s", got)
	}
	if got := keys(d.Fixes); got != "#600 #601 PAY-142" {
		t.Errorf("fixes: %s", got)
	}
	if got := keys(d.Other); got != "#700" {
		t.Errorf("other: %s", got)
	}
}

func TestShippedFillsTheNotesAsMarkdown(t *testing.T) {
	d := gonogo.DraftShipped([]gonogo.ShippedItem{
		shippedPR(512, "Refund *webhook* [beta]", "feature"),
		shippedPR(600, "Off by one in <totals>", "bug"),
		shippedPR(700, "Bump dependencies"),
	}, 0)
	in := gonogo.NotesInput{Title: "2.4.0", Changes: "Payments are faster.", Fixes: ""}
	got := d.Fill(in)

	if !strings.HasPrefix(got.Changes, "Payments are faster.\n\n") {
		t.Fatalf("what was typed is not kept first:\n%s", got.Changes)
	}
	doc := rendered(t, got.Changes)
	if h := doc.Find("h3").Map(func(_ int, s *goquery.Selection) string { return s.Text() }); strings.Join(h, ",") != "Features,Other" {
		t.Errorf("the changes' headings: %q", h)
	}
	items := doc.Find("li")
	if items.Length() != 2 {
		t.Fatalf("the changes list %d items:\n%s", items.Length(), got.Changes)
	}
	first := items.First()
	if href, _ := first.Find("a").Attr("href"); href != "https://github.com/acme/payments/pull/512" || first.Find("a").Text() != "#512" {
		t.Errorf("the feature links %q as %q", href, first.Find("a").Text())
	}
	if first.Text() != "#512 Refund *webhook* [beta]" || first.Find("em").Length() != 0 {
		t.Errorf("the feature reads %q: its title must be text, not Markdown", first.Text())
	}

	fixes := rendered(t, got.Fixes).Find("li")
	if fixes.Length() != 1 || fixes.Text() != "#600 Off by one in <totals>" {
		t.Errorf("the fixes: %d items, %q", fixes.Length(), fixes.Text())
	}

	// Filling again adds only what is not there yet.
	if again := d.Fill(got); again != got {
		t.Errorf("a second fill changed the notes:\n%s", again.Changes)
	}
}

func TestShippedDraftIsBounded(t *testing.T) {
	var items []gonogo.ShippedItem
	for i := range gonogo.MaxShippedItems {
		items = append(items, shippedPR(i+1, strings.Repeat("A long title ", 20), "bug"))
	}
	d := gonogo.DraftShipped(items, 40)
	got := d.Fill(gonogo.NotesInput{Title: "Big"})
	if len(got.Fixes) > gonogo.MaxNotesSectionLen {
		t.Fatalf("the fixes hold %d characters, more than a section may", len(got.Fixes))
	}
	if _, err := got.Content(); err != nil {
		t.Fatalf("the filled notes cannot be saved: %v", err)
	}
	if !strings.Contains(got.Fixes, "more") {
		t.Errorf("the fixes do not say some were left out:\n%s", got.Fixes[len(got.Fixes)-200:])
	}
}
