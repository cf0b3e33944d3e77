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

// asset is an embedded file as it is served: read, hashed and typed once,
// at start-up, with its compressed copies, best first.
type asset struct {
	hash   string // of the bytes served, for its URL
	mime   string
	plain  []byte // the file, or its minified copy
	copies []encoded
	vary   bool // it is compressible: answers vary by Accept-Encoding
}

type encoded struct {
	coding string
	body   []byte
}

var assets = func() map[string]asset {
	out := map[string]asset{}
	fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || isCopy(p) {
			return err
		}
		b, err := served(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a := asset{hash: hex.EncodeToString(sum[:])[:12], mime: mime.TypeByExtension(path.Ext(p)), plain: b,
			vary: variants.Compressible(p, 1<<30)}
		for _, enc := range variants.Encodings {
			if c, err := files.ReadFile(p + enc.Suffix); err == nil {
				a.copies = append(a.copies, encoded{enc.Name, c})
			}
		}
		out[p] = a
		return nil
	})
	return out
}()

// Path returns the cache-busted URL of the embedded file name, such as
// "css/app.css". It panics on a name that is not embedded, which a test of
// every page catches before anyone else does.
func Path(name string) string {
	a, ok := assets[name]
	if !ok {
		panic("static: no file " + name)
	}
	return Prefix + a.hash + "/" + name
}

// Handler serves /static/{hash}/{name}. A current hash gets a year-long
// immutable cache; a stale one (an old page asking after a deploy) still gets
// the file, but only for a short while.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, Prefix)
		hash, name, ok := strings.Cut(rest, "/")
		a, found := assets[name]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		if a.hash == hash {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "public, max-age=60")
		}
		if a.mime != "" {
			h.Set("Content-Type", a.mime)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		if a.vary {
			h.Add("Vary", "Accept-Encoding")
		}
		coding, b := a.pick(r.Header.Get("Accept-Encoding"))
		if coding != "" {
			h.Set("Content-Encoding", coding)
		}
		h.Set("Content-Length", strconv.Itoa(len(b)))
		if r.Method != http.MethodHead {
			w.Write(b)
		}
	})
}

// pick returns what to send a browser that accepts the codings of accept
// (an Accept-Encoding header): the best copy it takes, or the file as it
// is served ("" coding).
func (a asset) pick(accept string) (coding string, b []byte) {
	for _, c := range a.copies {
		if Accepts(accept, c.coding) {
			return c.coding, c.body
		}
	}
	return "", a.plain
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
