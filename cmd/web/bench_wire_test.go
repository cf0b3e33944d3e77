//go:build bench

package main

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// wireLoad is a read measured twice: as a browser asks for it (taking
// gzip, brotli, zstd) and as a client that takes no compression does.
type wireLoad struct {
	name             string
	compressed, flat load
}

// wireLoads measures, closed-loop, what each page and the board's two
// two static files cost on the server and weigh on the wire, both
// ways: the bytes saved and the CPU they cost.
func wireLoads(t *testing.T, srv *benchServer, reads map[string][]vegeta.Target, assets map[string][]vegeta.Target, d time.Duration) []wireLoad {
	t.Helper()
	var out []wireLoad
	measure := func(name string, targets []vegeta.Target) {
		one := func(accept string) load {
			ts := make([]vegeta.Target, len(targets))
			for i, tg := range targets {
				tg.Header = tg.Header.Clone()
				if tg.Header == nil {
					tg.Header = http.Header{}
				}
				tg.Header.Set("Accept-Encoding", accept)
				ts[i] = tg
			}
			return measured(t, srv, func() load { return attack(name, ts, 0, readers, d, http.StatusOK) })
		}
		out = append(out, wireLoad{name: name, compressed: one(browserEncodings), flat: one("identity")})
	}
	for _, name := range []string{"board page", "release page", "notes search"} {
		measure(name, reads[name])
	}
	for _, name := range []string{"stylesheet", "scripts"} {
		measure(name, assets[name])
	}
	return out
}

// assetTargets are the stylesheet and the scripts as the board page links them.
func assetTargets(t *testing.T, b *benchBrowser) map[string][]vegeta.Target {
	t.Helper()
	page := b.get(t, "/")
	out := map[string][]vegeta.Target{}
	for name, file := range map[string]string{"stylesheet": "css/app.css", "scripts": "js/page.min.js"} {
		path := regexp.MustCompile(`/static/[0-9a-f]+/` + regexp.QuoteMeta(file) + `[^"]*`).FindString(page)
		if path == "" {
			t.Fatalf("the board page links no %s", file)
		}
		out[name] = []vegeta.Target{{Method: http.MethodGet, URL: b.base + path}}
	}
	return out
}

// reportWire prints what crossed the network and what it cost.
func reportWire(wire []wireLoad, static load) {
	var b strings.Builder
	b.WriteString("\n| on the wire | compressed: requests/s | CPU a request | bytes | uncompressed: requests/s | CPU a request | bytes |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|\n")
	for _, w := range wire {
		fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %.0f | %s | %s |\n", w.name,
			w.compressed.perSecond, us(w.compressed.cpu), kb(w.compressed.bytes), w.flat.perSecond, us(w.flat.cpu), kb(w.flat.bytes))
	}
	fmt.Print(b.String())
	for _, w := range wire {
		if w.name == "board page" {
			fmt.Printf("Board page compressed: %.0f%% of the static file's throughput (%.0f%% uncompressed), %.1f× fewer bytes.\n",
				100*w.compressed.perSecond/static.perSecond, 100*w.flat.perSecond/static.perSecond,
				float64(w.flat.bytes)/float64(max(1, w.compressed.bytes)))
		}
	}
}

func us(d time.Duration) string { return fmt.Sprintf("%d µs", d.Microseconds()) }
