// Package static holds the board's stylesheets, scripts and images, embedded
// in the binary and served under URLs that carry a hash of their content, so
// browsers may cache them for good and still see every new version. Our own
// stylesheets and scripts are served minified, and each text file has a
// gzip and a brotli copy of what is served beside it, all made at build
// time (go generate); a browser is sent the smallest copy it accepts.
package static

//go:generate go run ./internal/precompress

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/gonogo/gonogo/static/internal/variants"
)

//go:embed css js vendor img
var files embed.FS

// Prefix is where the files are served.
const Prefix = "/static/"

var hashes = func() map[string]string {
	out := map[string]string{}
	fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || isCopy(p) {
			return err
		}
		b, err := served(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[p] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return out
}()

// Path returns the cache-busted URL of the embedded file name, such as
// "css/app.css". It panics on a name that is not embedded, which a test of
// every page catches before anyone else does.
func Path(name string) string {
	h, ok := hashes[name]
	if !ok {
		panic("static: no file " + name)
	}
	return Prefix + h + "/" + name
}

// Handler serves /static/{hash}/{name}. A current hash gets a year-long
// immutable cache; a stale one (an old page asking after a deploy) still gets
// the file, but only for a short while.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, Prefix)
		hash, name, ok := strings.Cut(rest, "/")
		if !ok {
			http.NotFound(w, r)
			return
		}
		if _, ok := hashes[name]; !ok {
			http.NotFound(w, r)
			return
		}
		coding, b, err := pick(name, r.Header.Get("Accept-Encoding"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if hashes[name] == hash {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=60")
		}
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if variants.Compressible(name, 1<<30) {
			w.Header().Add("Vary", "Accept-Encoding")
		}
		if coding != "" {
			w.Header().Set("Content-Encoding", coding)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		if r.Method != http.MethodHead {
			w.Write(b)
		}
	})
}

// pick returns the copy of name to send to a browser that accepts the
// codings of accept (an Accept-Encoding header): the best one it takes
// that was made, or the file itself ("" coding).
func pick(name, accept string) (coding string, b []byte, err error) {
	for _, enc := range variants.Encodings {
		if !Accepts(accept, enc.Name) {
			continue
		}
		if b, err := files.ReadFile(name + enc.Suffix); err == nil {
			return enc.Name, b, nil
		}
	}
	b, err = served(name)
	return "", b, err
}

// served is what is sent of the file name to a browser that takes no
// compression: its minified copy, when it has one, or the file itself.
func served(name string) ([]byte, error) {
	if b, err := files.ReadFile(name + variants.MinSuffix); err == nil {
		return b, nil
	}
	return files.ReadFile(name)
}

// isCopy reports whether p is a minified or compressed copy of another
// file.
func isCopy(p string) bool {
	if strings.HasSuffix(p, variants.MinSuffix) {
		return true
	}
	for _, enc := range variants.Encodings {
		if strings.HasSuffix(p, enc.Suffix) {
			return true
		}
	}
	return false
}
