package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// apiReleaseCount is how many releases the board has, whoever may see them.
func (s *testServer) releaseCount(t *testing.T) int {
	t.Helper()
	rs, err := s.store.FindReleases(t.Context(), gonogo.ReleaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// TestAPIRefusesKeysThatDifferOnlyInCase: encoding/json matches a key to a
// field whatever its case, and keeps the last of two that match, so
// {"product":"a","Product":"b"} made a release of product b. The API takes
// field names exactly as its document writes them, so such a key is one it
// does not know, and the error says which it may have meant.
func TestAPIRefusesKeysThatDifferOnlyInCase(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	for name, tc := range map[string]struct{ body, key, meant string }{
		"case":                  {`{"product":"alpha","Product":"beta","version":"1.0.0","title":"Twice"}`, "Product", "product"},
		"all capitals":          {`{"product":"alpha","version":"1.0.0","VERSION":"2.0.0","title":"Twice"}`, "VERSION", "version"},
		"Unicode folding":       {`{"product":"alpha","version":"1.0.0","title":"Twice","\u017fummary":"long s folds to s","summary":"x"}`, "ſummary", "summary"},
		"once, in another case": {`{"Product":"alpha","Version":"1.0.0","Title":"Once"}`, "Product", "product"},
	} {
		t.Run(name, func(t *testing.T) {
			before := s.releaseCount(t)
			r := s.call(t, http.MethodPost, "/api/v1/releases", token, tc.body).want(t, http.StatusBadRequest)
			if msg, want := r.str("error"), fmt.Sprintf("has a field %q, which is not one of its fields: names are exact, so send %q", tc.key, tc.meant); !strings.Contains(msg, want) {
				t.Errorf("error %q, want it to say %q", msg, want)
			}
			if after := s.releaseCount(t); after != before {
				t.Fatalf("%d releases stored from an ambiguous body", after-before)
			}
		})
	}
	// A key given twice in the same case is refused as such.
	r := s.call(t, http.MethodPost, "/api/v1/releases", token, `{"product":"alpha","product":"beta","version":"1.0.0","title":"Twice"}`).want(t, http.StatusBadRequest)
	if msg := r.str("error"); !strings.Contains(msg, `gives "product" more than once`) {
		t.Errorf("error %q does not say a key was given twice", msg)
	}
}

// TestAPIRefusesLoneSurrogates: a JSON escape of half a UTF-16 pair names no
// character; encoding/json would store U+FFFD in its place.
func TestAPIRefusesLoneSurrogates(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	for name, title := range map[string]string{
		"high":                     `Apple \ud800 Pay`,
		"high at the end":          `Apple Pay\uD800`,
		"low":                      `Apple \udc00 Pay`,
		"high, then not a low":     `Apple \ud83d\u0041 Pay`,
		"two highs":                `Apple \ud83d\ud83d Pay`,
		"after an escaped slash":   `Apple \\\ud800 Pay`,
		"in the key":               "\",\"x\\ud800\":\"",
		"high before an escape":    `Apple \ud800\" Pay`,
		"low, after an escaped \\": `\\\udc00`,
	} {
		t.Run(name, func(t *testing.T) {
			before := s.releaseCount(t)
			body := `{"product":"surrogates","version":"1.0.0","title":"` + title + `"}`
			r := s.call(t, http.MethodPost, "/api/v1/releases", token, body)
			if r.status < 400 || r.status >= 500 {
				t.Fatalf("status %d, want a 4xx", r.status)
			}
			if after := s.releaseCount(t); after != before {
				t.Fatalf("%d releases stored from a body with a lone surrogate", after-before)
			}
		})
	}
	// A pair is a character, as is an escaped backslash before a "u".
	r := s.call(t, http.MethodPost, "/api/v1/releases", token,
		`{"product":"surrogates","version":"1.0.0","title":"Rocket \ud83d\ude80 and \\ud800 as text"}`).want(t, http.StatusCreated)
	if got := r.str("title"); got != `Rocket 🚀 and \ud800 as text` {
		t.Fatalf("title stored as %q", got)
	}
}

// TestAPIRefusesInvisibleCharacters: the domain refuses them, and the API
// says which field.
func TestAPIRefusesInvisibleCharacters(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	r := s.call(t, http.MethodPost, "/api/v1/releases", token,
		`{"product":"payments","version":"1.0.0","title":"Invoice \u202egnp.exe"}`).want(t, http.StatusUnprocessableEntity)
	if reasons := strings.Join(r.list("reasons"), "; "); !strings.Contains(reasons, "title: Title must not contain invisible characters (U+202E)") {
		t.Fatalf("reasons: %s", reasons)
	}
}

// TestFormsRefuseInvisibleAndInvalidText: a form's title with a bidi
// override is refused beside the field, the rest kept; a form cannot carry
// a lone surrogate except as bytes that are not UTF-8, refused as such.
func TestFormsRefuseInvisibleAndInvalidText(t *testing.T) {
	s := newServer(t)
	rm := s.signIn(t, "rm")
	for name, tc := range map[string]struct{ title, want string }{
		"bidi override":  {"Invoice \u202egnp.exe", "Title must not contain invisible characters (U+202E): they change how the text around them is shown"},
		"zero width":     {"Apple\u200bPay", "Title must not contain invisible characters (U+200B): they change how the text around them is shown"},
		"lone surrogate": {"Apple \xed\xa0\x80 Pay", "Title must be valid text"},
	} {
		t.Run(name, func(t *testing.T) {
			before := s.releaseCount(t)
			res := rm.post("/releases", url.Values{"product": {"payments"}, "version": {"3.0.0"}, "title": {tc.title}})
			wantStatus(t, res, http.StatusUnprocessableEntity)
			doc := parse(t, res)
			if got := text(doc, "[data-testid=error-title]"); got != tc.want {
				t.Errorf("beside the title: %q, want %q", got, tc.want)
			}
			if v, _ := doc.Find(`input[name=version]`).Attr("value"); v != "3.0.0" {
				t.Errorf("the version was not kept: %q", v)
			}
			if after := s.releaseCount(t); after != before {
				t.Fatal("a release was stored")
			}
		})
	}
}
