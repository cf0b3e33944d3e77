package handlers_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// cardNames are the releases the board shows, in page order.
func cardNames(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid=release-card]`).Each(func(_ int, c *goquery.Selection) {
		out = append(out, c.AttrOr("data-release", ""))
	})
	slices.Sort(out)
	return out
}

// My board: a person whose roles are held for some products only sees
// those products' releases first, by a filter in the address that is on
// for them unless ?mine=0 says otherwise; a person holding roles for every
// product sees the whole board, the filter off unless ?mine=1.
func TestMyBoard(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "storefront", "5.0.0")
	s.mustCreateRelease(t, "mobile", "1.0.0")
	s.mustScopedUser(t, "paula", gonogo.Grant{Role: gonogo.QALead, Product: "payments"})
	s.mustScopedUser(t, "several", gonogo.Grant{Role: gonogo.QALead, Product: "payments"}, gonogo.Grant{Role: gonogo.Ops, Product: "mobile"})
	// Ops everywhere, and QA lead for payments only: every product is
	// hers, and payments is where she answers for QA.
	if _, err := s.store.CreateUser(t.Context(), gonogo.SystemActor, gonogo.NewUser{Email: "both@example.com", Name: "Both Tester",
		Password: testPassword, Roles: gonogo.RoleSet{gonogo.Ops}, Products: gonogo.Grants{{Role: gonogo.QALead, Product: "payments"}}}); err != nil {
		t.Fatal(err)
	}
	every := []string{"mobile 1.0.0", "payments 2.4.0", "storefront 5.0.0"}
	tests := []struct {
		name, who, path string
		cards           []string
		checked         bool // the "My products" box
	}{
		{"on by default for a product-scoped person", "paula", "/", []string{"payments 2.4.0"}, true},
		{"turned off in the address", "paula", "/?mine=0", every, false},
		{"turned on in the address", "paula", "/?mine=1", []string{"payments 2.4.0"}, true},
		{"the form's box unticked: its hidden field alone", "paula", "/?product=&state=&mine=0", every, false},
		{"the form's box ticked: the box's value comes last", "paula", "/?product=&state=&mine=0&mine=1", []string{"payments 2.4.0"}, true},
		{"each of several products", "several", "/", []string{"mobile 1.0.0", "payments 2.4.0"}, true},
		{"off for a person holding a role for every product too", "both", "/", every, false},
		{"on when such a person asks", "both", "/?mine=1", []string{"payments 2.4.0"}, true},
		{"a product chosen by name is shown", "paula", "/?product=storefront", []string{"storefront 5.0.0"}, true},
		{"off for a person holding roles for every product", "qa", "/", every, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := s.signIn(t, tc.who)
			res, doc := c.get(tc.path)
			wantStatus(t, res, 200)
			if got := cardNames(doc); !slices.Equal(got, tc.cards) {
				t.Errorf("the board shows %v, want %v", got, tc.cards)
			}
			box := doc.Find(`[data-testid=board-filters] input[type=checkbox][name=mine]`)
			if tc.who == "qa" {
				if box.Length() != 0 {
					t.Errorf("the board offers My products to someone whose products are all")
				}
				return
			}
			if box.Length() != 1 {
				t.Fatalf("the board's filters have %d My products boxes", box.Length())
			}
			if _, on := box.Attr("checked"); on != tc.checked {
				t.Errorf("My products ticked %t, want %t", on, tc.checked)
			}
			if hidden := doc.Find(`[data-testid=board-filters] input[type=hidden][name=mine]`); hidden.AttrOr("value", "") != "0" {
				t.Errorf("the form sends no mine=0 when the box is unticked")
			}
		})
	}
	// The board is kept between changes: one person's filter never shows
	// in another's board.
	_, doc := s.signIn(t, "qa").get("/")
	if got := cardNames(doc); !slices.Equal(got, every) {
		t.Errorf("after Paula's board, the QA lead's shows %v", got)
	}
	_, doc = s.signIn(t, "paula").get("/?mine=1")
	if live, ok := doc.Find(`#board`).Attr("data-hx-get"); ok && !strings.HasSuffix(live, "&mine=1") {
		t.Errorf("the live board redraws from %q, which loses the filter", live)
	}
}
