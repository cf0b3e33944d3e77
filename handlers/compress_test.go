package handlers_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// getEncoded asks path as c with the given Accept-Encoding (and htmx's
// header when hx), and returns the answer and its body as sent: Go's
// client decodes nothing it did not ask for itself.
func getEncoded(t *testing.T, c *client, path, accept string, hx bool, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.srv.URL+path, nil)
	req.Header.Set("Accept-Encoding", accept)
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// gunzip decodes a gzip answer with the standard library's reader, which
// checks the stream's CRC and length.
func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	r.Multistream(false)
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return out
}

// Every page, whether its body was kept since the last commit (the
// board, the calendar, the notes: spliced around bytes compressed once)
// or rendered now (a release page, compressed on the fly), reaches a
// browser that takes gzip compressed, and decodes to exactly the page a
// browser that takes nothing gets. A fragment of the same address too.
func TestPagesAreGzippedForBrowsersThatTakeIt(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "web", "1.0.0")
	po := s.signIn(t, "po")
	for _, path := range []string{"/", "/calendar", "/calendar?view=list", "/notes", "/notes?q=payments",
		fmt.Sprintf("/releases/%d", rel.ID), "/defects"} {
		for _, hx := range []bool{false, true} {
			plainRes, plain := getEncoded(t, po, path, "identity", hx)
			res, wire := getEncoded(t, po, path, "gzip, deflate, br, zstd", hx)
			if res.StatusCode != http.StatusOK || plainRes.StatusCode != http.StatusOK {
				t.Fatalf("GET %s (htmx %t): %d and %d", path, hx, res.StatusCode, plainRes.StatusCode)
			}
			if plainRes.Header.Get("Content-Encoding") != "" {
				t.Errorf("GET %s (htmx %t) with identity: Content-Encoding %q", path, hx, plainRes.Header.Get("Content-Encoding"))
			}
			if len(plain) < 1400 { // too small to be worth compressing
				continue
			}
			if got := res.Header.Get("Content-Encoding"); got != "gzip" {
				t.Errorf("GET %s (htmx %t): Content-Encoding %q, want gzip", path, hx, got)
				continue
			}
			if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Errorf("GET %s (htmx %t): Vary %q lacks Accept-Encoding", path, hx, res.Header.Values("Vary"))
			}
			if got := gunzip(t, wire); !bytes.Equal(got, plain) {
				t.Errorf("GET %s (htmx %t): the gzip answer decodes to %d bytes unlike the %d of the plain one", path, hx, len(got), len(plain))
			}
			if len(wire)*2 > len(plain) {
				t.Errorf("GET %s (htmx %t): %d bytes on the wire for %d of page", path, hx, len(wire), len(plain))
			}
		}
	}
}

// The board's columns are compressed when they are built: two readers
// with different top bars get the same kept bytes between their own.
func TestTheBoardKeepsItsCompressedBytes(t *testing.T) {
	s := newServer(t)
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0", "1.3.0"} {
		s.mustCreateRelease(t, "payments", v)
	}
	po, qa := s.signIn(t, "po"), s.signIn(t, "qa")
	_, a := getEncoded(t, po, "/", "gzip", false)
	_, b := getEncoded(t, qa, "/", "gzip", false)
	_, cols := getEncoded(t, po, "/", "gzip", true)
	// The fragment is the kept bytes between a header and a final block.
	kept := cols[10 : len(cols)-8-2]
	if len(kept) < 500 || !bytes.Contains(a, kept) || !bytes.Contains(b, kept) {
		t.Fatalf("the board pages of two readers do not carry the columns' %d compressed bytes as they are", len(kept))
	}
	if plain := gunzip(t, a); !bytes.Contains(plain, []byte("Po Tester")) {
		t.Error("the product owner's board does not name them")
	}
	if plain := gunzip(t, b); !bytes.Contains(plain, []byte("Qa Tester")) {
		t.Error("the QA lead's board does not name them")
	}
}

// A feed kept until the next commit is sent gzipped too, with a validator
// of its own for that representation, and a reader that has it gets 304.
func TestFeedsAreGzippedWithTheirOwnValidator(t *testing.T) {
	s := newServer(t)
	c := s.signIn(t, "po")
	for _, path := range []string{"/notes.atom", "/calendar.ics"} {
		plainRes, plain := getEncoded(t, c, path, "identity", false)
		res, wire := getEncoded(t, c, path, "gzip", false)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("GET %s: %d, Content-Encoding %q", path, res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		if got := gunzip(t, wire); !bytes.Equal(got, plain) {
			t.Errorf("GET %s: the gzip feed decodes to something else than the plain one", path)
		}
		etag := res.Header.Get("ETag")
		if etag == "" || etag == plainRes.Header.Get("ETag") {
			t.Errorf("GET %s: gzip ETag %q, plain %q: each representation needs its own", path, etag, plainRes.Header.Get("ETag"))
		}
		again, body := getEncoded(t, c, path, "gzip", false, "If-None-Match", etag)
		if again.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("GET %s with its ETag: %d with %d bytes, want 304 and nothing", path, again.StatusCode, len(body))
		}
	}
}

// A live stream is never held back by a compressor: its events arrive
// as they happen, uncompressed, to a browser that takes gzip.
func TestLiveStreamsAreNeverCompressed(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	po := s.signIn(t, "po")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/events?scope=board", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := po.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "" {
		t.Fatalf("stream: %d, Content-Encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	got := make(chan string, 1)
	go func() {
		var seen strings.Builder
		buf := make([]byte, 4096)
		for !strings.Contains(seen.String(), "event: ") {
			n, err := res.Body.Read(buf)
			seen.Write(buf[:n])
			if err != nil {
				break
			}
		}
		got <- seen.String()
	}()
	s.move(t, rel.ID, gonogo.OpenReview)
	select {
	case text := <-got:
		if !strings.Contains(text, "event: ") {
			t.Fatalf("the stream ended without an event: %q", text)
		}
	case <-ctx.Done():
		t.Fatal("no event reached the browser: something holds the stream back")
	}
}

// Small answers are not worth compressing; they go as they are.
func TestSmallAnswersAreNotCompressed(t *testing.T) {
	s := newServer(t)
	c := s.client(t)
	res, body := getEncoded(t, c, "/healthz", "gzip", false)
	if res.Header.Get("Content-Encoding") != "" || len(body) == 0 {
		t.Errorf("/healthz: Content-Encoding %q on %d bytes", res.Header.Get("Content-Encoding"), len(body))
	}
}
