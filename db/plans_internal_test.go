package db

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// TestReadsSeekTheirIndexes checks the plans SQLite makes for the
// calendar's, the feeds' and the notes search's reads: each seeks its index
// and stops at what the page shows, never scanning the releases or the
// notes, nor sorting every one that ever shipped (issue 16: these grew with
// the history, 5 to 9 times slower on a board with 30 times as much).
func TestReadsSeekTheirIndexes(t *testing.T) {
	s := OpenTest(t)
	now := time.Now()
	feed := func(product string) (string, []any) {
		conds, args := notesConds(gonogo.NotesFilter{Product: product, ShippedOnly: true}, "")
		return notesListQuery(true, conds, args, 50)
	}
	list := func() (string, []any) {
		conds, args := notesConds(gonogo.NotesFilter{}, "")
		return notesListQuery(false, conds, args, 100)
	}
	search := func(shipped bool) (string, []any) {
		conds, args := notesConds(gonogo.NotesFilter{ShippedOnly: shipped}, "")
		return searchQuery("customer*", conds, args, 100)
	}
	calendar := func(product string) func() (string, []any) {
		return func() (string, []any) { return scheduledQuery(now, now.AddDate(0, 0, 90), product) }
	}
	products := func(shipped bool) func() (string, []any) {
		return func() (string, []any) { return notesProductsQuery(shipped), nil }
	}
	for _, tc := range []struct {
		name  string
		query func() (string, []any)
		want  []string
	}{
		{"calendar", calendar(""), []string{"SEARCH releases USING INDEX releases_window (window_start>? AND window_start<?)"}},
		{"calendar of a product", calendar("payments"), []string{"SEARCH releases USING INDEX releases_window (window_start>? AND window_start<?)"}},
		{"feed", func() (string, []any) { return feed("") }, []string{"SEARCH r USING INDEX releases_shipped (state=?)", "SEARCH n USING INDEX sqlite_autoindex_notes_1 (release_id=?)"}},
		{"product feed", func() (string, []any) { return feed("payments") }, []string{"SEARCH r USING INDEX releases_product_shipped (product=?)"}},
		{"notes list", list, []string{"SEARCH n USING INDEX notes_published (status=?)"}},
		{"search", func() (string, []any) { return search(false) }, []string{"SCAN notes_fts VIRTUAL TABLE INDEX 192:M"}},
		{"search of what shipped", func() (string, []any) { return search(true) }, []string{"SCAN notes_fts VIRTUAL TABLE INDEX 192:M"}},
		{"products with notes", products(false), []string{"SEARCH releases USING COVERING INDEX releases_version (product>?)"}},
		{"products with shipped notes", products(true), []string{"releases_product_shipped (product=?)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, args := tc.query()
			plan := explain(t, s, q, args)
			for _, w := range tc.want {
				if !strings.Contains(plan, w) {
					t.Errorf("the plan does not %s:\n%s", w, plan)
				}
			}
			for _, never := range []string{"SCAN releases", "SCAN r\n", "SCAN n\n", "SCAN notes\n"} {
				if strings.Contains(plan+"\n", never) {
					t.Errorf("the plan does %s:\n%s", strings.TrimSpace(never), plan)
				}
			}
			// The one sort left is the search's ranking of its horizon, and
			// the products' few names.
			if tc.name != "search" && tc.name != "search of what shipped" && !strings.HasPrefix(tc.name, "products") &&
				strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("the plan sorts:\n%s", plan)
			}
		})
	}
}

// explain returns SQLite's plan for q, a line per step.
func explain(t *testing.T, s *Store, q string, args []any) string {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := collect(rows, func(sc scanner) (string, error) {
		var id, parent, unused int
		var detail string
		return detail, sc.Scan(&id, &parent, &unused, &detail)
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(steps, "\n")
}
