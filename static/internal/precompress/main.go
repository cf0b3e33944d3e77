// Command precompress writes a gzip and a brotli copy beside each text
// file of the static tree (go generate ./static), so that the server sends
// compressed bytes made once, at the best levels, at build time, instead of
// compressing the same stylesheet for every visitor. The copies are
// committed and embedded with their originals; static's tests fail when
// one is missing, stale or left over.
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

	"github.com/gonogo/gonogo/static/internal/variants"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
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

// refresh writes p's compressed copies, or removes them when p is itself a
// copy whose original is gone or no longer compressed.
func refresh(p string) error {
	for _, enc := range variants.Encodings {
		if orig, ok := strings.CutSuffix(p, enc.Suffix); ok {
			b, err := os.ReadFile(orig)
			if os.IsNotExist(err) || (err == nil && !variants.Compressible(orig, len(b))) {
				return os.Remove(p)
			}
			return err
		}
	}
	b, err := os.ReadFile(p)
	if err != nil || !variants.Compressible(p, len(b)) {
		return err
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
