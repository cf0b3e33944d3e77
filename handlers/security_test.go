package handlers_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

func TestChangesWithoutCSRFTokenAreRefused(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	item := s.mustItem(t, rel.ID, "Integration tests pass")
	rm := s.signIn(t, "rm")
	admin := s.signIn(t, "admin")
	tests := []struct {
		name string
		c    *client
		path string
		form url.Values
	}{
		{"item status", rm, "/releases/" + itoa(rel.ID) + "/items/" + itoa(item.ID), url.Values{"status": {"done"}}},
		{"new release", rm, "/releases", url.Values{"product": {"web"}, "version": {"2"}, "title": {"T"}}},
		{"edit release", rm, "/releases/" + itoa(rel.ID), url.Values{"title": {"Hijacked"}}},
		{"new user", admin, "/admin/users", url.Values{"name": {"X"}, "email": {"x@example.com"}, "password": {"a long password"}, "admin": {"1"}}},
		{"sign out", rm, "/logout", nil},
	}
	for _, tc := range tests {
		for _, variant := range []string{"missing", "wrong", "cross-site"} {
			t.Run(tc.name+"/"+variant, func(t *testing.T) {
				form := url.Values{}
				for k, v := range tc.form {
					form[k] = v
				}
				headers := map[string]string{}
				switch variant {
				case "wrong":
					form.Set("_csrf", "not-the-token")
				case "cross-site":
					form.Set("_csrf", tc.c.csrf)
					headers["Sec-Fetch-Site"] = "cross-site"
				}
				res := tc.c.postRaw(tc.path, form, headers)
				wantStatus(t, res, http.StatusForbidden)
			})
		}
	}
	// A same-origin browser still needs the token: the header alone is not enough.
	res := rm.postRaw("/releases/"+itoa(rel.ID), url.Values{"title": {"Hijacked"}}, map[string]string{"Sec-Fetch-Site": "same-origin"})
	wantStatus(t, res, http.StatusForbidden)

	got, _ := s.store.FindRelease(t.Context(), rel.ID)
	if got.Title == "Hijacked" {
		t.Fatal("a request without a token changed the release")
	}
	if it := s.mustItem(t, rel.ID, "Integration tests pass"); it.Status != gonogo.ItemOpen {
		t.Fatal("a request without a token changed the item")
	}
	users, _ := s.store.FindUsers(t.Context())
	if len(users) != 7 {
		t.Fatalf("%d users: a request without a token created one", len(users))
	}
	// The sessions survived the forged sign-outs.
	res, _ = rm.get("/")
	wantStatus(t, res, http.StatusOK)
}

func TestHTMXSendsTokenInHeader(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	item := s.mustItem(t, rel.ID, "Integration tests pass")
	qa := s.signIn(t, "qa")
	_, doc := qa.get("/releases/" + itoa(rel.ID))
	hdr, _ := doc.Find("body").Attr("data-hx-headers")
	if !strings.Contains(hdr, `"X-CSRF-Token":"`+qa.csrf+`"`) {
		t.Fatalf("body data-hx-headers = %q, want the CSRF token", hdr)
	}
	res := qa.postHX("/releases/"+itoa(rel.ID)+"/items/"+itoa(item.ID), url.Values{"status": {"done"}})
	wantStatus(t, res, http.StatusOK)
}

func TestSecurityHeaders(t *testing.T) {
	s := newServer(t)
	po := s.signIn(t, "po")
	res, _ := po.get("/")
	want := map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
		"Cache-Control":           "private, no-cache", // kept by this browser, validated (etag_test.go)
	}
	for h, part := range want {
		if got := res.Header.Get(h); !strings.Contains(got, part) {
			t.Errorf("%s = %q, want it to contain %q", h, got, part)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %s", csp)
	}
	if res.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
}

func TestNoInlineScriptsOrStyles(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	admin := s.signIn(t, "admin")
	rm := s.signIn(t, "rm")
	pages := map[*client][]string{
		rm:    {"/", "/releases/" + itoa(rel.ID), "/releases/new", "/releases/" + itoa(rel.ID) + "/edit", "/profile"},
		admin: {"/admin/users", "/admin/users/" + itoa(s.users["qa"].ID), "/admin/template", "/admin/audit", "/admin/tokens", "/admin/webhooks", "/admin/backup"},
	}
	for c, paths := range pages {
		for _, p := range paths {
			res, doc := c.get(p)
			wantStatus(t, res, http.StatusOK)
			doc.Find("script").Each(func(_ int, sel *goquery.Selection) {
				if src, _ := sel.Attr("src"); src == "" {
					t.Errorf("%s: inline script", p)
				}
			})
			if doc.Find("style, [style]").Length() > 0 {
				t.Errorf("%s: inline style, which the CSP forbids", p)
			}
			for _, attr := range []string{"onclick", "onload", "onsubmit", "onchange"} {
				if doc.Find("["+attr+"]").Length() > 0 {
					t.Errorf("%s: inline %s handler", p, attr)
				}
			}
		}
	}
}

func TestStaticFilesAreCacheBusted(t *testing.T) {
	s := newServer(t)
	po := s.signIn(t, "po")
	_, doc := po.get("/")
	for _, sel := range []string{`link[rel=stylesheet]`, `script[src*="page.min.js"]`} {
		attr := "href"
		if strings.HasPrefix(sel, "script") {
			attr = "src"
		}
		src, _ := doc.Find(sel).Attr(attr)
		if !strings.HasPrefix(src, "/static/") {
			t.Fatalf("%s = %q", sel, src)
		}
		res, err := http.Get(s.URL + src)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		wantStatus(t, res, http.StatusOK)
		if len(body) == 0 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d bytes, Cache-Control %q", src, len(body), res.Header.Get("Cache-Control"))
		}
	}
	res, _ := http.Get(s.URL + "/static/abc/css/nope.css")
	wantStatus(t, res, http.StatusNotFound)
	// htmx comes in the page's one script, the vendored 2.0.x file first.
	src := doc.Find(`script[src*="page.min.js"]`).AttrOr("src", "")
	res, _ = http.Get(s.URL + src)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	htmx, _ := os.ReadFile("../static/vendor/htmx-2.0.11.min.js")
	if len(htmx) == 0 || !bytes.HasPrefix(body, htmx) {
		t.Error("the page's script does not begin with the vendored htmx 2.0.11")
	}
	cfg, _ := doc.Find(`meta[name=htmx-config]`).Attr("content")
	if !strings.Contains(cfg, `"includeIndicatorStyles":false`) || !strings.Contains(cfg, `"allowEval":false`) {
		t.Errorf("htmx config %q", cfg)
	}
}

func TestBodyLimit(t *testing.T) {
	s := newServer(t)
	rm := s.signIn(t, "rm")
	rm.get("/releases/new")
	res := rm.post("/releases", url.Values{"product": {"web"}, "version": {"1"}, "title": {"T"}, "summary": {strings.Repeat("x", 2<<20)}})
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	rels, _ := s.store.FindReleases(t.Context(), gonogo.ReleaseFilter{})
	if len(rels) != 0 {
		t.Fatal("an over-large form was stored")
	}
}

func TestHTMXErrorsGoToTheFlashArea(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "web", "1.0.0")
	item := s.mustItem(t, rel.ID, "Integration tests pass")
	eng := s.signIn(t, "eng")
	res := eng.postHX("/releases/"+itoa(rel.ID)+"/items/"+itoa(item.ID), url.Values{"status": {"done"}})
	wantStatus(t, res, http.StatusForbidden)
	if res.Header.Get("HX-Retarget") != "#notice" {
		t.Fatalf("HX-Retarget = %q", res.Header.Get("HX-Retarget"))
	}
	if msg := text(parse(t, res), "[data-testid=notice]"); !strings.Contains(msg, "QA lead or the release manager") {
		t.Fatalf("notice %q", msg)
	}
}

func TestSignedOutRequestsGoToSignIn(t *testing.T) {
	s := newServer(t)
	c := s.client(t)
	for _, p := range []string{"/", "/releases/1", "/releases/new", "/profile", "/admin/users"} {
		res, _ := c.get(p)
		wantStatus(t, res, http.StatusSeeOther)
		if loc := res.Header.Get("Location"); loc != "/login?next="+url.QueryEscape(p) {
			t.Errorf("%s redirected to %q", p, loc)
		}
	}
	res, _ := c.getHX("/")
	if res.Header.Get("HX-Redirect") != "/login" {
		t.Errorf("htmx request signed out: HX-Redirect %q", res.Header.Get("HX-Redirect"))
	}
}
