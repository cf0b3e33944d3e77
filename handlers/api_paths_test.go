package handlers_test

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// pathEncoders are the ways clients write a value into a path. Every one of
// them must reach the same release: the server decodes each path value once.
var pathEncoders = []struct {
	name   string
	encode func(string) string
}{
	// Go's url.PathEscape and curl users: only what a path cannot hold.
	{"as little as possible", url.PathEscape},
	// JavaScript's encodeURIComponent, and the OpenAPI generators' default.
	{"encodeURIComponent", func(s string) string { return percentEncode(s, "-_.!~*'()", false) }},
	// Python's urllib.parse.quote(s, safe=""): RFC 3986's unreserved set.
	{"quote with nothing safe", func(s string) string { return percentEncode(s, "-_.~", false) }},
	// The same with lower-case hex digits, which RFC 3986 says are equivalent.
	{"lower-case hex", func(s string) string { return strings.ToLower(percentEncode(s, "", true)) }},
	// Every byte escaped, letters and digits too.
	{"every byte", func(s string) string { return percentEncode(s, "", true) }},
}

// percentEncode escapes every byte of s but ASCII letters and digits and
// the bytes in keep; all escapes them too.
func percentEncode(s, keep string, all bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !all && (alnum || strings.IndexByte(keep, c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// TestAPIPathsAreDecodedOnce creates versions that need escaping in a path
// and reaches each, however a client escaped it, through every address that
// names a version. "6.0%2B1" is a version with a percent sign in it: decoded
// twice, its path would reach "6.0+1", which exists too.
func TestAPIPathsAreDecodedOnce(t *testing.T) {
	s := newServer(t, unlimitedWrites)
	token := s.mustToken(t, "ci", "")
	versions := []string{"4.0.0+build.5", "1.0~rc.1", "2_0_1", "3.0-ünïcödé", "版本7", "6.0%2B1", "6.0+1", "7.0%"}
	ids := map[string]int64{}
	for _, v := range versions {
		body := fmt.Sprintf(`{"product":"mobile","version":%q,"title":"Mobile %s"}`, v, v)
		res := s.call(t, http.MethodPost, "/api/v1/releases", token, body).want(t, http.StatusCreated)
		if got := res.str("version"); got != v {
			t.Fatalf("created version %q, want %q", got, v)
		}
		var id int64
		fmt.Sscan(res.str("id"), &id)
		ids[v] = id
	}
	for _, v := range versions {
		for _, enc := range pathEncoders {
			t.Run(v+"/"+enc.name, func(t *testing.T) {
				release := "/api/v1/releases/" + enc.encode("mobile") + "/" + enc.encode(v)
				gate := s.call(t, http.MethodGet, release+"/gate", token, "").want(t, http.StatusConflict)
				if got := gate.str("release.version"); got != v {
					t.Fatalf("GET %s/gate answered release %q, want %q", release, got, v)
				}
				head := s.head(t, release+"/gate", token)
				if head != http.StatusConflict {
					t.Fatalf("HEAD %s/gate: status %d, want 409 as GET", release, head)
				}
				check := s.call(t, http.MethodPost, release+"/checks/"+enc.encode("smoke-test"), token, `{"status":"pass"}`).want(t, http.StatusOK)
				if got := check.str("release.version"); got != v {
					t.Fatalf("POST %s/checks answered release %q, want %q", release, got, v)
				}
				// A smoke test is taken only while deploying: the refusal names the release.
				ev := s.call(t, http.MethodPost, release+"/events", token, `{"event":"smoke-passed"}`).want(t, http.StatusConflict)
				if !strings.Contains(ev.str("error"), "mobile "+v+" is") {
					t.Fatalf("POST %s/events: %q does not name mobile %s", release, ev.str("error"), v)
				}
				byID := s.call(t, http.MethodGet, "/api/v1/releases/"+enc.encode(itoa(ids[v]))+"/gate", token, "").want(t, http.StatusConflict)
				if got := byID.str("release.version"); got != v {
					t.Fatalf("the gate by id answered release %q, want %q", got, v)
				}
			})
		}
	}
	t.Run("unknown version", func(t *testing.T) {
		res := s.call(t, http.MethodGet, "/api/v1/releases/mobile/"+url.PathEscape("9.9.9+x")+"/gate", token, "").want(t, http.StatusNotFound)
		if got, want := res.str("error"), "No release mobile 9.9.9+x"; got != want {
			t.Fatalf("error %q, want %q", got, want)
		}
		res = s.call(t, http.MethodGet, "/api/v1/releases/mobile/9.9.9%252Bx/gate", token, "").want(t, http.StatusNotFound)
		if got, want := res.str("error"), "No release mobile 9.9.9%2Bx"; got != want {
			t.Fatalf("error %q, want %q", got, want)
		}
	})
}

// TestNotesPathsAreDecodedOnce: the notes page of a version that needs
// escaping is reached by the link the board gives it, and by its address
// however escaped.
func TestNotesPathsAreDecodedOnce(t *testing.T) {
	s := newServer(t, unlimitedWrites)
	versions := []string{"4.0.0+build.5", "1.0~rc.1", "3.0-ünïcödé", "6.0%2B1", "6.0+1", "7.0%"}
	ids := map[string]int64{}
	for _, v := range versions {
		ids[v] = s.mustCreateRelease(t, "mobile", v).ID
		s.publishNotes(t, ids[v])
	}
	po := s.signIn(t, "po")
	for _, v := range versions {
		t.Run(v, func(t *testing.T) {
			_, page := po.get("/releases/" + itoa(ids[v]))
			href, ok := page.Find(`[data-testid=notes-link]`).Attr("href")
			if !ok {
				t.Fatal("the release page has no link to its notes")
			}
			paths := []string{href}
			for _, enc := range pathEncoders {
				paths = append(paths, "/notes/mobile/"+enc.encode(v))
			}
			for _, p := range paths {
				res, doc := po.get(p)
				wantStatus(t, res, http.StatusOK)
				if got := text(doc, "[data-testid=notes-version]"); got != v {
					t.Fatalf("GET %s shows version %q, want %q", p, got, v)
				}
			}
		})
	}
}

// head sends a HEAD request and returns its status, failing on a body.
func (s *testServer) head(t *testing.T, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodHead, s.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("HEAD %s: %v", path, err)
	}
	defer res.Body.Close()
	if b, _ := io.ReadAll(res.Body); len(b) > 0 {
		t.Fatalf("HEAD %s answered a body: %.200s", path, b)
	}
	return res.StatusCode
}

// TestMinutesFileNameOfAnyVersion: the minutes of a version in another
// script download under its own name, written so that a browser reads it.
func TestMinutesFileNameOfAnyVersion(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "mobile", "3.0-ünï%")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "not yet"})
	res, _ := s.signIn(t, "rm").getText("/releases/" + itoa(rel.ID) + "/decisions/1.md")
	wantStatus(t, res, http.StatusOK)
	cd := res.Header.Get("Content-Disposition")
	for _, r := range cd {
		if r > 0x7e {
			t.Fatalf("Content-Disposition %q is not ASCII: browsers read its bytes as Latin-1", cd)
		}
	}
	_, params, err := mime.ParseMediaType(cd)
	if err != nil {
		t.Fatalf("Content-Disposition %q: %v", cd, err)
	}
	if got, want := params["filename"], "mobile-3.0-ünï%-decision-1.md"; got != want {
		t.Fatalf("file name %q (from %q), want %q", got, cd, want)
	}
}
