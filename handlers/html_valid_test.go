package handlers_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestPagesAreStrictHTML reads every main page with the HTML5 parser of
// golang.org/x/net/html and checks what browsers forgive but validators,
// screen readers and other clients do not: markup that only parses by error
// recovery, empty or repeated ids, labels and ARIA references that point at
// nothing, and htmx attributes outside the data- spelling that HTML allows.
// It needs no Java, so it always runs; html_vnu_test.go runs the Nu checker.
func TestPagesAreStrictHTML(t *testing.T) {
	for _, p := range mainPages(t) {
		for _, problem := range htmlProblems(p.body) {
			t.Errorf("%s (GET %s): %s", p.name, p.path, problem)
		}
	}
}

// TestFieldMessagesAreDescribed: a field points at its message while it
// has one, and at nothing while it has none.
func TestFieldMessagesAreDescribed(t *testing.T) {
	s := newServer(t)
	rm := s.signIn(t, "rm")
	_, doc := rm.get("/releases/new")
	if n := doc.Find("[aria-describedby]").Length(); n != 0 {
		t.Errorf("the empty form has %d fields described by messages it does not show", n)
	}
	res := rm.post("/releases", url.Values{"product": {"payments"}, "version": {""}, "title": {"Apple Pay"},
		"manager_id": {itoa(s.users["rm"].ID)}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	ref, _ := doc.Find("input[name=version]").Attr("aria-describedby")
	if msg := doc.Find("#" + ref); ref == "" || msg.Length() != 1 || msg.AttrOr("data-testid", "") != "error-version" {
		t.Errorf("the version field is described by %q, which is %d element(s) (%q)", ref, msg.Length(), msg.Text())
	}
	if ref, ok := doc.Find("input[name=title]").Attr("aria-describedby"); ok {
		t.Errorf("the title, which has no message, is described by %q", ref)
	}
}

// TestStrictHTMLFindsProblems shows the checks catch what they claim to,
// so a page that passes them passes for the right reason.
func TestStrictHTMLFindsProblems(t *testing.T) {
	const head = `<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>`
	const foot = `</body></html>`
	for _, tc := range []struct{ name, body, want string }{
		{"clean", `<main id="main"><label for="q">Q</label><input id="q" aria-describedby="h"/><p id="h">help</p><a href="#main">top</a></main>`, ""},
		{"empty id", `<ul><li id="">x</li></ul>`, `an empty id on <li>`},
		{"repeated id", `<p id="a">1</p><p id="a">2</p>`, `id "a" is used 2 times`},
		{"hx attribute", `<div hx-get="/x">x</div>`, `attribute hx-get on <div>: spell it data-hx-get`},
		{"sse attribute", `<div sse-connect="/events">x</div>`, `attribute sse-connect on <div>: spell it data-sse-connect`},
		{"label for nothing", `<label for="nope">x</label>`, `for="nope" on <label> points at no element`},
		{"aria for nothing", `<section aria-labelledby="t1 t2"><h2 id="t1">T</h2></section>`, `aria-labelledby="t2" on <section> points at no element`},
		{"anchor to nothing", `<a href="#gone">x</a>`, `href="#gone" on <a> points at no element`},
		{"misnested", `<p>text<div>block</div></p>`, `only parses by error recovery`},
		{"unclosed", `<div><span>x</div>`, `</div> closes <span>`},
		{"self-closed div", `<div/>`, `<div/> is not a void element`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(htmlProblems([]byte(head+tc.body+foot)), "\n")
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Fatalf("problems:\n%s\nwant one with %q", got, tc.want)
			}
		})
	}
}

// htmlProblems lists what is wrong with a full page, in words.
func htmlProblems(page []byte) []string {
	out := tokenProblems(page)
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return append(out, "does not parse: "+err.Error())
	}
	ids := map[string]int{}
	var elems []*html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode {
			elems = append(elems, n)
			if id, ok := attr(n, "id"); ok {
				ids[id]++
			}
		}
	}
	for id, n := range ids {
		if id == "" {
			out = append(out, fmt.Sprintf("an empty id on <%s> (%d times)", elemWithID(elems, ""), n))
		} else if n > 1 {
			out = append(out, fmt.Sprintf("id %q is used %d times", id, n))
		}
	}
	for _, n := range elems {
		out = append(out, attrProblems(n, ids)...)
	}
	out = append(out, recoveryProblems(page, elems)...)
	return out
}

// idRefs are the attributes whose value names other elements by id.
var idRefs = []string{"for", "list", "form", "aria-labelledby", "aria-describedby", "aria-controls",
	"aria-owns", "aria-activedescendant", "aria-errormessage", "aria-details"}

// attrProblems checks one element's attributes: htmx spelled as HTML
// allows, and every reference to an id answered.
func attrProblems(n *html.Node, ids map[string]int) []string {
	var out []string
	for _, a := range n.Attr {
		if strings.HasPrefix(a.Key, "hx-") || strings.HasPrefix(a.Key, "sse-") {
			out = append(out, fmt.Sprintf("attribute %s on <%s>: spell it data-%s", a.Key, n.Data, a.Key))
		}
		if a.Key == "href" && strings.HasPrefix(a.Val, "#") && len(a.Val) > 1 && ids[a.Val[1:]] == 0 {
			out = append(out, fmt.Sprintf("href=%q on <%s> points at no element", a.Val, n.Data))
		}
		for _, ref := range idRefs {
			if a.Key != ref {
				continue
			}
			for _, id := range strings.Fields(a.Val) {
				if ids[id] == 0 {
					out = append(out, fmt.Sprintf("%s=%q on <%s> points at no element", a.Key, id, n.Data))
				}
			}
		}
	}
	return out
}

// voidElements have no end tag in HTML.
var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// tokenProblems reads the page as written: each element closed by its own
// end tag, in order, self-closing only on void elements. (The tokenizer
// drops a repeated attribute before we could see it; the Nu checker
// reports those.) HTML allows some end tags to be left out; our pages never do,
// so that what a reader sees in the source is the tree a browser builds.
func tokenProblems(page []byte) []string {
	var out []string
	var open []string
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				out = append(out, "does not tokenize: "+z.Err().Error())
			}
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			if tt == html.SelfClosingTagToken && !voidElements[tok.Data] {
				out = append(out, fmt.Sprintf("<%s/> is not a void element: close it with </%s>", tok.Data, tok.Data))
			}
			if tt == html.StartTagToken && !voidElements[tok.Data] {
				open = append(open, tok.Data)
			}
		case html.EndTagToken:
			switch {
			case voidElements[tok.Data]:
				out = append(out, fmt.Sprintf("</%s> ends a void element", tok.Data))
			case len(open) == 0:
				out = append(out, fmt.Sprintf("</%s> closes nothing", tok.Data))
			case open[len(open)-1] != tok.Data:
				out = append(out, fmt.Sprintf("</%s> closes <%s>", tok.Data, open[len(open)-1]))
				if i := lastIndex(open, tok.Data); i >= 0 {
					open = open[:i]
				}
			default:
				open = open[:len(open)-1]
			}
		}
	}
	if len(open) > 0 {
		out = append(out, fmt.Sprintf("never closed: <%s>", strings.Join(open, "> <")))
	}
	return out
}

// recoveryProblems compares the elements as written with the tree the
// HTML5 parser built. They differ where the markup only parses by error
// recovery: a <div> in a <p>, a <div> in a <table>, a link in a link. The
// parser's own <tbody> is no error, so it is left out of both.
func recoveryProblems(page []byte, elems []*html.Node) []string {
	var written []string
	var open []string
	z := html.NewTokenizer(bytes.NewReader(page))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		tok := z.Token()
		if tok.Data == "tbody" {
			continue
		}
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			written = append(written, placed(tok.Data, open))
			if tt == html.StartTagToken && !voidElements[tok.Data] {
				open = append(open, tok.Data)
			}
		case html.EndTagToken:
			if i := lastIndex(open, tok.Data); i >= 0 {
				open = open[:i]
			}
		}
	}
	var parsed []string
	for _, n := range elems {
		if n.Data == "tbody" {
			continue
		}
		var path []string
		for p := n.Parent; p != nil && p.Type == html.ElementNode; p = p.Parent {
			if p.Data != "tbody" {
				path = append([]string{p.Data}, path...)
			}
		}
		parsed = append(parsed, placed(n.Data, path))
	}
	for i := range max(len(written), len(parsed)) {
		w, p := at(written, i), at(parsed, i)
		if w != p {
			return []string{fmt.Sprintf("only parses by error recovery: element %d is %s as written, %s once parsed", i+1, w, p)}
		}
	}
	return nil
}

// placed names an element with the elements around it.
func placed(name string, path []string) string {
	return strings.Join(append(append([]string(nil), path...), name), " > ")
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

func lastIndex(s []string, v string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == v {
			return i
		}
	}
	return -1
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// elemWithID names the first element with id, for a message.
func elemWithID(elems []*html.Node, id string) string {
	for _, n := range elems {
		if v, ok := attr(n, "id"); ok && v == id {
			if c, ok := attr(n, "class"); ok {
				return n.Data + ` class="` + c + `"`
			}
			return n.Data
		}
	}
	return "?"
}
