//go:build bench

package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// browser is a signed-in browser: its cookies and the CSRF token its pages carry.
type benchBrowser struct {
	client *http.Client
	base   string
	cookie string // the Cookie header it sends
	csrf   string
}

// signIn signs in like a browser: it opens the sign-in page for its CSRF
// cookie and token, posts the form, and keeps the session cookie.
func signIn(t *testing.T, base, email, password string) *benchBrowser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &benchBrowser{base: base, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
	page := b.get(t, "/login")
	b.csrf = csrfOf(t, page)
	res, err := b.client.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}, "_csrf": {b.csrf}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %s", email, res.Status)
	}
	b.csrf = csrfOf(t, b.get(t, "/"))
	u, _ := url.Parse(base)
	var parts []string
	for _, c := range jar.Cookies(u) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	b.cookie = strings.Join(parts, "; ")
	return b
}

// get returns the body of a page, failing on anything but 200.
func (b *benchBrowser) get(t *testing.T, path string) string {
	t.Helper()
	res, err := b.client.Get(b.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, res.Status)
	}
	return string(body)
}

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	token, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value")
	if !ok || token == "" {
		t.Fatal("no CSRF token on the page")
	}
	return token
}

// browserEncodings is the Accept-Encoding a browser sends. Given in a
// request, it keeps Go's client from decoding the answer: the bytes read
// are the bytes on the wire, and the client spends no CPU on them.
const browserEncodings = "gzip, deflate, br, zstd"

// pageHeaders are what the browser sends for a page.
func (b *benchBrowser) pageHeaders() http.Header {
	return http.Header{"Cookie": {b.cookie}, "Accept-Encoding": {browserEncodings}}
}

// htmxPost are what the browser sends when htmx posts a form.
func (b *benchBrowser) htmxPost() http.Header {
	return http.Header{"Cookie": {b.cookie}, "Hx-Request": {"true"}, "X-Csrf-Token": {b.csrf},
		"Content-Type": {"application/x-www-form-urlencoded"}}
}
