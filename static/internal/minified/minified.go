// Package minified makes the served form of our own stylesheets and
// scripts: their comments (which say why, for whoever edits them) and
// whitespace cost a phone on a slow line some 3 KB on every first visit.
// Only the generator and the tests use it; the server sends what it made.
package minified

import (
	"bytes"
	"path"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/css"
	"github.com/tdewolff/minify/v2/js"
)

var m = func() *minify.M {
	m := minify.New()
	m.AddFunc("text/css", css.Minify)
	m.AddFunc("text/javascript", js.Minify)
	return m
}()

// Minify returns b, the file name, minified.
func Minify(name string, b []byte) ([]byte, error) {
	mediatype := "text/css"
	if path.Ext(name) == ".js" {
		mediatype = "text/javascript"
	}
	var out bytes.Buffer
	err := m.Minify(mediatype, &out, bytes.NewReader(b))
	return out.Bytes(), err
}
