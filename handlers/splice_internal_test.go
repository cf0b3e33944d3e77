package handlers

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// A spliced answer is one gzip stream that the standard library's reader
// (which checks the CRC and the length) decodes to the parts in order,
// whether a reader's part was compressed just now or kept from before.
func TestSplicedGzipDecodesToThePage(t *testing.T) {
	body := []byte(strings.Repeat("<article class=card>release 2.4.0, in review</article>\n", 300))
	p := pack(body)
	parts := [][2]string{
		{"<html><body><nav>Rita</nav>", "</body></html>"},
		{"<html><body><nav>Quinn</nav>", "</body></html>"},
		{"", ""},
		{"", "<footer>only after</footer>"},
		{"<html><body><nav>Rita</nav>", "</body></html>"}, // kept from the first
	}
	for _, pr := range parts {
		for range 2 {
			var out bytes.Buffer
			if err := p.writeGzip(&out, []byte(pr[0]), []byte(pr[1])); err != nil {
				t.Fatal(err)
			}
			r, err := gzip.NewReader(&out)
			if err != nil {
				t.Fatal(err)
			}
			r.Multistream(false)
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("prefix %q: %v", pr[0], err)
			}
			if want := pr[0] + string(body) + pr[1]; string(got) != want {
				t.Fatalf("prefix %q: decoded %d bytes, want %d", pr[0], len(got), len(want))
			}
		}
	}
}
