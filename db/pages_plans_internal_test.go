package db

import (
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// TestListPagesSeekTheirIndexes checks the plans of the paged lists issue
// 16 bounded: an older page of a product's rollup, the rollup's "since"
// choices and a page of the API's releases seek an index in the order they
// show and stop at the page, never sorting every release that ever shipped
// or ever was. (A page of the API filtered by state seeks that state's
// releases and sorts them by id: it costs what the filter matches.)
func TestListPagesSeekTheirIndexes(t *testing.T) {
	s := OpenTest(t)
	const at = "2026-01-02T03:04:05.000Z"
	for _, tc := range []struct {
		name string
		q    string
		args []any
		want string
	}{
		{"rollup", "", nil, "SEARCH r USING INDEX releases_product_shipped (product=?)"},
		{"older rollup page", "", nil, "SEARCH r USING INDEX releases_product_shipped (product=? AND released_at<?)"},
		{"older rollup page since", "", nil, "SEARCH r USING INDEX releases_product_shipped (product=? AND released_at>? AND released_at<?)"},
		{"since choices", shippedVersionsQuery, []any{"payments", 100}, "SEARCH r USING INDEX releases_product_shipped (product=?)"},
		{"API releases", "", nil, "SEARCH r USING INTEGER PRIMARY KEY (rowid<?)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, args := tc.q, tc.args
			switch tc.name {
			case "rollup":
				q, args = shippedNotesPageQuery("payments", "", "", 0, 21)
			case "older rollup page":
				q, args = shippedNotesPageQuery("payments", "", at, 42, 21)
			case "older rollup page since":
				q, args = shippedNotesPageQuery("payments", "2025-01-01T00:00:00.000Z", at, 42, 21)
			case "API releases":
				q, args = releasePageQuery(gonogo.ReleaseFilter{}, 42, 101)
			}
			plan := explain(t, s, q, args)
			if !strings.Contains(plan, tc.want) {
				t.Errorf("the plan does not %s:\n%s", tc.want, plan)
			}
			if strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("the plan sorts:\n%s", plan)
			}
		})
	}
}
