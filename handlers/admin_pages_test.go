package handlers_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
)

// TestAdminListsArePaged checks that the people and the API tokens are
// shown a page at a time, with a link to the next page that shows the
// rest, and that a made-up position is a 4xx.
func TestAdminListsArePaged(t *testing.T) {
	s := newServer(t)
	for i := range handlers.TokenPageSize + 3 {
		s.mustToken(t, fmt.Sprintf("pipeline-%03d", i), "")
	}
	people := len(s.users)
	for i := range handlers.UserPageSize + 5 - people {
		if _, err := s.store.CreateUser(t.Context(), gonogo.SystemActor, gonogo.NewUser{
			Email: fmt.Sprintf("p%03d@example.com", i), Name: fmt.Sprintf("Person %03d", i), Password: testPassword,
		}); err != nil {
			t.Fatal(err)
		}
	}
	admin := s.signIn(t, "admin")
	for _, tc := range []struct {
		path, row, key string
		size, total    int
	}{
		{"/admin/tokens", "token-row", "data-name", handlers.TokenPageSize, handlers.TokenPageSize + 3},
		{"/admin/users", "user-row", "data-email", handlers.UserPageSize, handlers.UserPageSize + 5},
	} {
		t.Run(tc.path, func(t *testing.T) {
			seen := map[string]bool{}
			page := func(path string) (int, string) {
				t.Helper()
				res, doc := admin.get(path)
				wantStatus(t, res, http.StatusOK)
				n := 0
				doc.Find("[data-testid=" + tc.row + "]").Each(func(_ int, r *goquery.Selection) {
					seen[r.AttrOr(tc.key, "")] = true
					n++
				})
				return n, doc.Find("[data-testid=older-link]").AttrOr("href", "")
			}
			n, next := page(tc.path)
			if n != tc.size || next == "" {
				t.Fatalf("the first page shows %d rows and links to %q; want %d and a next page", n, next, tc.size)
			}
			n, after := page(next)
			if n != tc.total-tc.size || after != "" {
				t.Fatalf("the next page shows %d rows and links to %q; want %d and no link", n, after, tc.total-tc.size)
			}
			if len(seen) != tc.total {
				t.Errorf("the two pages show %d of %d", len(seen), tc.total)
			}
			res, _ := admin.get(tc.path + "?from=-4")
			wantStatus(t, res, http.StatusUnprocessableEntity)
		})
	}
}
