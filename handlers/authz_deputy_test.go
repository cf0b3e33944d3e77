package handlers_test

import (
	"io"
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// The matrix's deputy dimension: a person who holds no role of their own,
// named the QA lead's deputy, against every route the QA lead may use and
// a person holding no role may not. In their period they get what the QA
// lead gets; before it begins and after it was ended, what anyone without
// the role gets. A deputy of someone who holds the role for another
// product only may not sign the fixtures' releases. The dimension is kept
// to these rows so the matrix stays quick.
func TestAuthorizationMatrixDeputies(t *testing.T) {
	s := newServer(t)
	qa := s.users["qa"] // QA lead for every product
	day := 24 * time.Hour
	now := s.store.Now()
	deputy := func(name string, holder gonogo.User, from, until time.Time) (*client, gonogo.Deputyship) {
		t.Helper()
		u := s.mustCreateUser(t, name, nil, false)
		d, err := s.store.NameDeputy(t.Context(), gonogo.Actor{UserID: holder.ID, Name: holder.Name},
			gonogo.DeputyInput{Role: gonogo.QALead, DeputyID: u.ID, From: from, Until: until})
		if err != nil {
			t.Fatalf("name %s: %v", name, err)
		}
		return s.signIn(t, name), d
	}
	m := &matrix{s: s, clients: map[string]*client{}}
	m.clients["deputy:in"], _ = deputy("deputy-in", qa, now.Add(-time.Hour), now.Add(day))
	m.clients["deputy:upcoming"], _ = deputy("deputy-upcoming", qa, now.Add(day), now.Add(2*day))
	var ended gonogo.Deputyship
	m.clients["deputy:ended"], ended = deputy("deputy-ended", qa, now.Add(-time.Hour), now.Add(day))
	if err := s.store.EndDeputyship(t.Context(), gonogo.Actor{UserID: qa.ID, Name: qa.Name}, ended.ID); err != nil {
		t.Fatal(err)
	}
	web := s.mustCreateUser(t, "webqa", nil, false)
	if _, err := s.store.CreateProduct(t.Context(), s.actorOf("admin"), gonogo.ProductInput{Key: "web", Name: "Web"}); err != nil {
		t.Fatal(err)
	}
	scoped := gonogo.Grants{{Role: gonogo.QALead, Product: "web"}}
	if _, err := s.store.UpdateUser(t.Context(), s.actorOf("admin"), web.ID, db.UserUpdate{Products: &scoped}); err != nil {
		t.Fatal(err)
	}
	web.Name = "Webqa Tester"
	m.clients["deputy:other"], _ = deputy("deputy-other", web, now.Add(-time.Hour), now.Add(day))
	m.shared = m.fixture(t, "")

	var keys []string
	for key, tc := range authTable {
		if slices.Contains(tc.allowed, "qa") && !anyoneSignedIn(tc.allowed) {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	if !slices.Contains(keys, "POST /releases/:id/votes") {
		t.Fatalf("the deputy rows %v leave out the sign-off", keys)
	}
	for _, key := range keys {
		cols := []string{"deputy:in", "deputy:upcoming", "deputy:ended"}
		if key == "POST /releases/:id/votes" {
			// The sign-off is judged on the release's product: a deputy
			// holds the role only where its holder does.
			cols = append(cols, "deputy:other")
		}
		for _, col := range cols {
			t.Run(key+"/"+col, func(t *testing.T) {
				want := outcome{status: http.StatusForbidden}
				if col == "deputy:in" {
					want = outcome{status: authTable[key].ok}
				}
				res := m.run(t, key, col, want)
				if res.StatusCode != want.status {
					body, _ := io.ReadAll(res.Body)
					t.Fatalf("%s as %s: status %d, want %d\n%.400s", res.Request.URL, col, res.StatusCode, want.status, body)
				}
			})
		}
	}
}
