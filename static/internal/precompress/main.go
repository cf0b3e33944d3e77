// Command precompress writes, beside each text file of the static tree
// (go generate ./static), the copies the server sends in its place: our
// own stylesheets and scripts minified, and a gzip and a brotli copy of
// what is served, so that the server sends bytes made once, at the best
// levels, at build time, instead of compressing the same stylesheet for
// every visitor. The copies are committed and embedded with their
// originals; static's tests fail when one is missing, stale or left over.
package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"

	"github.com/gonogo/gonogo/static/internal/minified"
	"github.com/gonogo/gonogo/static/internal/variants"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	for name, parts := range variants.Bundles {
		if err := bundle(root, name, parts); err != nil {
			log.Fatal(err)
		}
	}
	for _, dir := range variants.Dirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			return refresh(p)
		})
		if err != nil {
			log.Fatal(err)
		}
	}
}

// suffixes are those of every copy made.
var suffixes = func() []string {
	s := []string{variants.MinSuffix}
	for _, enc := range variants.Encodings {
		s = append(s, enc.Suffix)
	}
	return s
}()

// refresh writes p's copies, or removes p when it is itself a copy whose
// original is gone or no longer has one of its kind.
func refresh(p string) error {
	for _, suffix := range suffixes {
		if orig, ok := strings.CutSuffix(p, suffix); ok {
			b, err := served(orig)
			if os.IsNotExist(err) || (err == nil && !wanted(orig, len(b), suffix)) {
				return os.Remove(p)
			}
			return err
		}
	}
	b, err := served(p)
	if err != nil {
		return err
	}
	if variants.Minifiable(p) {
		if err := writeIfChanged(p+variants.MinSuffix, b); err != nil {
			return err
		}
	}
	if !variants.Compressible(p, len(b)) {
		return nil
	}
	gz, err := gzipped(b)
	if err != nil {
		return err
	}
	br, err := brotlied(b)
	if err != nil {
		return err
	}
	for suffix, body := range map[string][]byte{".gz": gz, ".br": br} {
		if err := writeIfChanged(p+suffix, body); err != nil {
			return err
		}
	}
	return nil
}

// bundle writes the script name of parts, each as it is served.
func bundle(root, name string, parts []string) error {
	var out bytes.Buffer
	for _, part := range parts {
		b, err := served(filepath.Join(root, part))
		if err != nil {
			return err
		}
		out.Write(b)
		out.WriteString(variants.BundleSeparator)
	}
	return writeIfChanged(filepath.Join(root, name), out.Bytes())
}

// served is what the server sends of the file p: the file, or minified.
func served(p string) ([]byte, error) {
	b, err := os.ReadFile(p)
	if err != nil || !variants.Minifiable(p) {
		return b, err
	}
	if b, err = minified.Minify(p, b); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return b, nil
}

// wanted reports whether the file orig, served as size bytes, has a copy
// with suffix.
func wanted(orig string, size int, suffix string) bool {
	if suffix == variants.MinSuffix {
		return variants.Minifiable(orig)
	}
	return variants.Compressible(orig, size)
}

// gzipped is b at gzip's best level, with an empty header (no name, no
// time), so the same file always gives the same bytes.
func gzipped(b []byte) ([]byte, error) {
	var out bytes.Buffer
	w, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func brotlied(b []byte) ([]byte, error) {
	var out bytes.Buffer
	w := brotli.NewWriterLevel(&out, brotli.BestCompression)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func writeIfChanged(p string, b []byte) error {
	if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, b) {
		return nil
	}
	fmt.Println("precompress:", p)
	return os.WriteFile(p, b, 0o644)
}
