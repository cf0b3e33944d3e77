package handlers

// placeholder: replaced by the ETag work

import (
	"encoding/hex"

	"github.com/cespare/xxhash/v2"
	"github.com/labstack/echo/v4"
)

func pageETag(parts ...[]byte) string {
	d := xxhash.New()
	for _, p := range parts {
		d.Write(p)
	}
	var b [8]byte
	return `W/"` + hex.EncodeToString(d.Sum(b[:0])) + `"`
}

func notModified(c echo.Context, etag string) bool { return false }
