package handlers

import (
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/labstack/echo/v4"
)

// A signed-in person's page may be kept by their own browser and asked
// about again each time (private, no-cache): the answer is then a 304 with
// no body when nothing they see has changed, which is most of the live
// layer's refetches. The page is still built and rendered to know that;
// what is saved is the network and the browser's parse and swap.
//
// The validator is the hash of the bytes sent. A page already shows the
// viewer's abilities (the buttons they may press, the forms they may send,
// their name and their token), so equal bytes mean an equal page for
// that viewer: nothing else needs to enter the tag, and a different
// viewer who sees something different gets a different tag. It is weak
// (W/) because it vouches for what a person sees, not for octets a proxy
// may compress. A fragment and the whole page of one address differ in
// their bytes, and so in their tags; Vary: HX-Request keeps them apart
// in the browser's cache as well.
//
// Anonymous pages, errors and redirects keep middleware's no-store:
// nothing said to a browser nobody signed in to is worth keeping there.

// cacheValidated is what a signed-in viewer's page is served with: the
// browser may keep it for that person only, and must ask before it shows
// it again.
const cacheValidated = "private, no-cache"

// pageETag is the weak ETag of the concatenation of parts, hashed as they
// come (xxhash, 64 bits: fast, and no copy of a page spliced from parts).
func pageETag(parts ...[]byte) string {
	d := xxhash.New()
	for _, p := range parts {
		d.Write(p)
	}
	var sum [8]byte
	var tag [2 + 1 + 16 + 1]byte
	copy(tag[:], `W/"`)
	hex.Encode(tag[3:19], d.Sum(sum[:0]))
	tag[19] = '"'
	return string(tag[:])
}

// notModified gives a signed-in viewer's GET or HEAD its validators (and
// does nothing, returning false, for anyone or anything else). When the
// request's If-None-Match holds etag it answers 304 Not Modified, with no
// body, and returns true: the caller is done. Call it for a 200 only, with
// the page ready to write (a failure after it would carry its headers),
// and pageETag of exactly the bytes written after it returns false.
func notModified(c echo.Context, etag string) bool {
	r := c.Request()
	if currentUser(c) == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	h := c.Response().Header()
	h.Set("Cache-Control", cacheValidated)
	h.Set("ETag", etag)
	varyOn(h, "HX-Request") // a 304 says what its 200 would (RFC 9110 15.4.5)
	if !noneMatch(r.Header.Values("If-None-Match"), etag) {
		return false
	}
	c.Response().WriteHeader(http.StatusNotModified)
	return true
}

// varyOn adds name to Vary unless it is there.
func varyOn(h http.Header, name string) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return
			}
		}
	}
	h.Add("Vary", name)
}

// noneMatch is true when the If-None-Match field lines name etag, by the
// weak comparison (RFC 9110 13.1.2): W/"x" and "x" match each other, and
// "*" matches any page there is.
func noneMatch(lines []string, etag string) bool {
	want := opaqueTag(etag)
	for _, line := range lines {
		for s := line; ; {
			s = strings.TrimLeft(s, " \t,")
			if s == "" {
				break
			}
			if s[0] == '*' {
				return true
			}
			tag, rest, ok := scanTag(s)
			if !ok {
				break // a malformed list matches nothing further
			}
			if opaqueTag(tag) == want {
				return true
			}
			s = rest
		}
	}
	return false
}

// scanTag reads one entity-tag ([W/]"...") from the start of s: the
// quotes may hold commas, so a list is not split on them.
func scanTag(s string) (tag, rest string, ok bool) {
	start := 0
	if strings.HasPrefix(s, "W/") {
		start = 2
	}
	if len(s) < start+2 || s[start] != '"' {
		return "", "", false
	}
	end := strings.IndexByte(s[start+1:], '"')
	if end < 0 {
		return "", "", false
	}
	end += start + 2
	return s[:end], s[end:], true
}

// opaqueTag is a tag without its weakness: what weak comparison compares.
func opaqueTag(tag string) string { return strings.TrimPrefix(tag, "W/") }
