package handlers

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/cespare/xxhash/v2"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/klauspost/compress/flate"
	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo/static"
)

// packed is a part of a page kept until the next commit (the board's
// columns, the calendar's month, a list of notes), compressed once when it
// is made rather than for every reader. A DEFLATE stream may be cut into
// pieces that each begin afresh and end on a byte boundary (a sync flush,
// RFC 1951 section 3.2.3); so each request compresses only its own small
// part of the page (the top bar, the filter: what differs between readers)
// and puts the kept bytes between, as they are, in one gzip answer.
type packed struct {
	deflate []byte // the body, ending in a sync flush, never final
	crc     uint32 // CRC-32 of the body, for the gzip trailer
	size    int
	sum     [8]byte // the body's hash, for validators
}

// packLevel is what the kept parts are compressed at: made once per
// commit, they may take the time a better ratio costs.
const packLevel = 6

func pack(body []byte) packed {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, packLevel) // the level is valid
	w.Write(body)
	w.Flush()
	p := packed{deflate: buf.Bytes(), crc: crc32.ChecksumIEEE(body), size: len(body)}
	binary.LittleEndian.PutUint64(p.sum[:], xxhash.Sum64(body))
	return p
}

// gzipHeader is a gzip member's header with no name and no time (RFC
// 1952): the same page gives the same bytes.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// writeGzip writes one gzip stream of prefix, the packed body and suffix.
// prefix and suffix are compressed at the fastest level, each by a
// compressor of its own that knows nothing of what came before: nothing
// they encode may point into the kept bytes.
func (p packed) writeGzip(w io.Writer, prefix, suffix []byte) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer recycle(buf)
	buf.Write(gzipHeader)
	var crc uint32
	if len(prefix) > 0 {
		pre := compressed(prefix, false)
		buf.Write(pre.deflate)
		crc = pre.crc
	}
	buf.Write(p.deflate)
	suf := compressed(suffix, true)
	buf.Write(suf.deflate)
	crc = crc32Combine(crc, p.crc, int64(p.size))
	crc = crc32Combine(crc, suf.crc, int64(len(suffix)))
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc)
	binary.LittleEndian.PutUint32(trailer[4:], uint32(len(prefix)+p.size+len(suffix)))
	buf.Write(trailer[:])
	_, err := w.Write(buf.Bytes())
	return err
}

// piece is a reader's own part of a page, compressed.
type piece struct {
	raw     []byte // the part, to tell apart two parts of one hash
	deflate []byte // ending in a sync flush, or in the final block
	crc     uint32
}

type pieceKey struct {
	sum   uint64
	final bool
}

// pieces keeps the readers' own parts compressed: a reader who opens the
// board again, or in another tab, between two changes, has the same top
// bar and filter, and they are not compressed for them again. A part is a
// few kilobytes; a thousand are kept.
var pieces = func() *lru.Cache[pieceKey, piece] {
	c, _ := lru.New[pieceKey, piece](1024) // the size is valid
	return c
}()

// compressed returns b compressed afresh, ending in a sync flush, or in
// the final block when final.
func compressed(b []byte, final bool) piece {
	key := pieceKey{xxhash.Sum64(b), final}
	if pc, ok := pieces.Get(key); ok && bytes.Equal(pc.raw, b) {
		return pc
	}
	var out bytes.Buffer
	fw := flaters.Get().(*flate.Writer)
	fw.Reset(&out)
	fw.Write(b)
	if final {
		fw.Close()
	} else {
		fw.Flush()
	}
	flaters.Put(fw)
	pc := piece{raw: bytes.Clone(b), deflate: out.Bytes(), crc: crc32.ChecksumIEEE(b)}
	pieces.Add(key, pc)
	return pc
}

// flaters are the fastest-level compressors of the per-request parts.
var flaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(io.Discard, flate.BestSpeed)
	return w
}}

// spliceMark stands in a page for its kept part while the rest of the
// page is rendered around it.
const spliceMark = "\x00gonogo: the kept part\x00"

// renderKept renders page, made with the HTML it is given, around a part
// kept until the next commit (body, packed as part), and sends it: the
// kept part's compressed bytes as they are, the rest compressed now.
func renderKept(c echo.Context, status int, part packed, body string, page func(html string) templ.Component) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer recycle(buf)
	if err := page(spliceMark).Render(c.Request().Context(), buf); err != nil {
		return err
	}
	all := buf.Bytes()
	i := bytes.Index(all, []byte(spliceMark))
	if i < 0 {
		return errors.New("render: the page has no place for its kept part")
	}
	return sendKept(c, status, all[:i], part, body, all[i+len(spliceMark):])
}

// sendKept answers prefix, the kept body and suffix as one page, with the
// validator of what it shows, gzipped for a browser that takes gzip. The
// validator hashes the kept body's own hash (made with it, in pack) in
// place of its bytes: a change to any part still changes it, and the big
// part is not read again for every request.
func sendKept(c echo.Context, status int, prefix []byte, part packed, body string, suffix []byte) error {
	res := c.Response()
	res.Header().Add("Vary", "HX-Request")
	if status == http.StatusOK && notModified(c, pageETag(prefix, part.sum[:], suffix)) {
		return nil
	}
	res.Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	if static.Accepts(c.Request().Header.Get(echo.HeaderAcceptEncoding), "gzip") {
		res.Header().Set(echo.HeaderContentEncoding, "gzip")
		res.WriteHeader(status)
		return part.writeGzip(res, prefix, suffix)
	}
	res.WriteHeader(status)
	res.Write(prefix)
	io.WriteString(res, body)
	_, err := res.Write(suffix)
	return err
}
