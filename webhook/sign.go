package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Sign returns the signature of a delivery's body, as sent in the
// X-Gonogo-Signature header: "sha256=" and the hex HMAC-SHA256 of the body
// keyed with the webhook's secret. It says nothing of when the delivery was
// sent, so a copy could be replayed; it stays for the receivers that check
// it, and SignAt is what new ones should check.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// SignAt returns the signature of a delivery sent at at, as sent in the
// X-Gonogo-Signature-256 header: "t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>">", keyed with the webhook's secret. The timestamp is signed
// with the body, so a receiver that refuses timestamps far from its own
// clock refuses a delivery replayed later.
func SignAt(secret string, body []byte, at time.Time) string {
	t := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(t + "."))
	m.Write(body)
	return "t=" + t + ",v1=" + hex.EncodeToString(m.Sum(nil))
}
