// Package variants says which static files have minified and compressed
// copies and how they are named: one rule for the generator that writes
// them and the server that sends them.
package variants

import (
	"path"
	"strings"
)

// Dirs are the static tree's folders, embedded and compressed.
var Dirs = []string{"css", "js", "vendor", "img"}

// Encoding is a content coding and the suffix of its copy.
type Encoding struct{ Name, Suffix string }

// Encodings are the copies made, best first: brotli is some 10% smaller
// than gzip; every browser reads gzip.
var Encodings = []Encoding{{"br", ".br"}, {"gzip", ".gz"}}

// MinSuffix names the minified copy of one of our own stylesheets or
// scripts: what is served in its place, and what its compressed copies
// hold.
const MinSuffix = ".min"

// Minifiable reports whether name is one of our own stylesheets or
// scripts, which are kept readable and served minified. Vendored files
// come minified already.
func Minifiable(name string) bool {
	ext := path.Ext(name)
	return (ext == ".css" || ext == ".js") && !strings.HasSuffix(name, ".min"+ext)
}

// Bundles are scripts made by joining others, in order, as each is
// served: every page loads the five, and on a phone's slow line each
// request of its own costs a round trip, a connection, and some 100 ms
// of the board's largest paint. They end in .min.js, so they are not
// minified again.
var Bundles = map[string][]string{
	"js/page.min.js": {
		"vendor/htmx-2.0.11.min.js", "vendor/htmx-ext-sse-2.2.4.min.js",
		"js/app.js", "js/forms.js", "js/confirm.js",
	},
}

// BundleSeparator ends each part of a bundle: a part that ends without a
// semicolon must not run into the next.
const BundleSeparator = ";\n"

// minSize is the smallest file worth compressing: below it the headers
// of the answer outweigh what compression saves.
const minSize = 1024

// Compressible reports whether the file name of size bytes gets copies:
// text, at least minSize bytes.
func Compressible(name string, size int) bool {
	switch path.Ext(name) {
	case ".css", ".js", ".svg", ".txt", ".html", ".json", ".map":
		return size >= minSize
	}
	return false
}
