package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/gonogo/gonogo/static/internal/minified"
	"github.com/gonogo/gonogo/static/internal/variants"
)

// decoders read each copy with a reader other than the generator's
// writer where there is one: the standard library's gzip.
var decoders = map[string]func(io.Reader) (io.Reader, error){
	".gz": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
	".br": func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
}

// Every text file has its copies: our own stylesheets and scripts their
// minified form, made from the file as it is now, and every text file
// served compressed copies, each decoding to what is served; no copy is
// left of a file that is gone. A changed stylesheet without
// `go generate ./static` fails here.
func TestCopiesAreFresh(t *testing.T) {
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := files.ReadFile(p)
		if orig, ok := strings.CutSuffix(p, variants.MinSuffix); ok {
			src, err := files.ReadFile(orig)
			if err != nil || !variants.Minifiable(orig) {
				t.Errorf("%s is a minified copy of nothing to minify: run go generate ./static", p)
				return nil
			}
			if want, err := minified.Minify(orig, src); err != nil || !bytes.Equal(b, want) {
				t.Errorf("%s is stale (%v): run go generate ./static", p, err)
			}
			return nil
		}
		if isCopy(p) {
			orig := p[:len(p)-len(path.Ext(p))]
			ob, err := served(orig)
			if err != nil || !variants.Compressible(orig, len(ob)) {
				t.Errorf("%s is a copy of nothing to compress: run go generate ./static", p)
				return nil
			}
			r, err := decoders[path.Ext(p)](bytes.NewReader(b))
			if err == nil {
				b, err = io.ReadAll(r)
			}
			if err != nil || !bytes.Equal(b, ob) {
				t.Errorf("%s is stale (%v): run go generate ./static", p, err)
			}
			return nil
		}
		if variants.Minifiable(p) {
			if _, err := files.ReadFile(p + variants.MinSuffix); err != nil {
				t.Errorf("%s has no minified copy: run go generate ./static", p)
			}
			b, _ = served(p)
		}
		if !variants.Compressible(p, len(b)) {
			return nil
		}
		for _, enc := range variants.Encodings {
			if _, err := files.ReadFile(p + enc.Suffix); err != nil {
				t.Errorf("%s has no %s copy: run go generate ./static", p, enc.Name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A bundle holds its parts as they are served, in order.
func TestBundlesAreFresh(t *testing.T) {
	for name, parts := range variants.Bundles {
		var want []byte
		for _, part := range parts {
			b, err := served(part)
			if err != nil {
				t.Fatalf("%s: part %s: %v", name, part, err)
			}
			want = append(append(want, b...), variants.BundleSeparator...)
		}
		if got, err := files.ReadFile(name); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale (%v): run go generate ./static", name, err)
		}
	}
}

// The copies on disk are the ones embedded: nothing generated was left
// out of a commit by a stale build.
func TestEveryCopyOnDiskIsEmbedded(t *testing.T) {
	for _, dir := range variants.Dirs {
		fs.WalkDir(os.DirFS("."), dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && isCopy(p) {
				if _, err := files.ReadFile(p); err != nil {
					t.Errorf("%s is on disk but not embedded", p)
				}
			}
			return nil
		})
	}
}

// A browser gets the smallest copy it takes, told how it is encoded, and
// every answer of a compressible file says it varies by Accept-Encoding.
func TestHandlerSendsTheCopyTheBrowserTakes(t *testing.T) {
	name := "css/app.css"
	orig, _ := served(name)
	if src, _ := files.ReadFile(name); len(orig)*5 > len(src)*9 {
		t.Errorf("%s is served as %d bytes of its %d: not minified", name, len(orig), len(src))
	}
	for _, tc := range []struct{ accept, coding string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip, deflate", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"*", "br"},
		{"*;q=0, gzip", "gzip"},
		{"", ""},
		{"identity", ""},
		{"zstd", ""},
	} {
		req := httptest.NewRequest(http.MethodGet, Path(name), nil)
		if tc.accept != "" {
			req.Header.Set("Accept-Encoding", tc.accept)
		}
		rec := httptest.NewRecorder()
		Handler().ServeHTTP(rec, req)
		res := rec.Result()
		if got := res.Header.Get("Content-Encoding"); got != tc.coding {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", tc.accept, got, tc.coding)
		}
		if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: no Vary: Accept-Encoding", tc.accept)
		}
		body := rec.Body.Bytes()
		if tc.coding != "" {
			r, err := decoders[map[string]string{"br": ".br", "gzip": ".gz"}[tc.coding]](bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(r)
			if rec.Body.Len() >= len(orig)/3 {
				t.Errorf("%s as %s is %d bytes of %d", name, tc.coding, rec.Body.Len(), len(orig))
			}
		}
		if !bytes.Equal(body, orig) {
			t.Errorf("Accept-Encoding %q: the answer is not the stylesheet", tc.accept)
		}
	}
}

// A copy is not a file of its own: it has no address.
func TestCopiesHaveNoAddressOfTheirOwn(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, strings.Replace(Path("css/app.css"), "app.css", "app.css.gz", 1), nil)
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("a copy's address answers %d, want 404", rec.Code)
	}
}

func TestAccepts(t *testing.T) {
	for _, tc := range []struct {
		header, coding string
		want           bool
	}{
		{"gzip", "gzip", true},
		{"GZIP", "gzip", true},
		{"deflate, gzip;q=0.5", "gzip", true},
		{"gzip;q=0", "gzip", false},
		{"gzip; q=0.0", "gzip", false},
		{"*", "gzip", true},
		{"*;q=0", "gzip", false},
		{"gzip;q=0, *", "gzip", false},
		{"br", "gzip", false},
		{"", "gzip", false},
		{"gzip;q=x", "gzip", false},
	} {
		if got := Accepts(tc.header, tc.coding); got != tc.want {
			t.Errorf("Accepts(%q, %q) = %t", tc.header, tc.coding, got)
		}
	}
}
