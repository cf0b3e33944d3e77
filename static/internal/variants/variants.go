// Package variants says which static files have compressed copies and how
// they are named: one rule for the generator that writes them and the
// server that sends them.
package variants

import "path"

// Dirs are the static tree's folders, embedded and compressed.
var Dirs = []string{"css", "js", "vendor", "img"}

// Encoding is a content coding and the suffix of its copy.
type Encoding struct{ Name, Suffix string }

// Encodings are the copies made, best first: brotli is some 10% smaller
// than gzip; every browser reads gzip.
var Encodings = []Encoding{{"br", ".br"}, {"gzip", ".gz"}}

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
