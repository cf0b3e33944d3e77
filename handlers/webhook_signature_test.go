package handlers_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// signatureTolerance is how far from its clock a careful receiver lets a
// delivery's timestamp be, as docs/webhooks.md advises.
const signatureTolerance = 5 * time.Minute

// checkSigned is a receiver's check of X-Gonogo-Signature-256, written from
// docs/webhooks.md: "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">", the
// timestamp within the tolerance of the receiver's clock.
func checkSigned(secret string, h http.Header, body []byte, now time.Time) error {
	sig := h.Get("X-Gonogo-Signature-256")
	t, v1, ok := strings.Cut(sig, ",v1=")
	ts, err := strconv.ParseInt(strings.TrimPrefix(t, "t="), 10, 64)
	if !ok || !strings.HasPrefix(t, "t=") || err != nil {
		return fmt.Errorf("malformed signature %q", sig)
	}
	if h.Get("X-Gonogo-Timestamp") != strconv.FormatInt(ts, 10) {
		return fmt.Errorf("X-Gonogo-Timestamp %q is not the signed %d", h.Get("X-Gonogo-Timestamp"), ts)
	}
	if age := now.Sub(time.Unix(ts, 0)).Abs(); age > signatureTolerance {
		return fmt.Errorf("timestamp %d is %s from now: a replay", ts, age)
	}
	if !hmac.Equal([]byte(v1), []byte(signedAt(secret, ts, body))) {
		return errors.New("bad signature")
	}
	return nil
}

// signedAt is the hex HMAC-SHA256 of "<ts>.<body>" keyed with secret.
func signedAt(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// TestWebhookSignatureCarriesATimestamp: each delivery is signed over its
// timestamp and body, so that a receiver can refuse one replayed later;
// the body-only signature stays for receivers that check it today.
func TestWebhookSignatureCarriesATimestamp(t *testing.T) {
	s := newServer(t)
	rcv := newReceiver(t, always(http.StatusOK), nil)
	admin := s.signIn(t, "admin")
	s.registerWebhook(t, admin, rcv.URL, gonogo.TopicState)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	d := rcv.next(t)
	now := time.Now()
	if err := checkSigned(hookSecret, d.headers, d.body, now); err != nil {
		t.Fatalf("a fresh delivery fails the receiver's check: %v\nheaders %v", err, d.headers)
	}
	if !d.signatureOK {
		t.Fatal("the body-only X-Gonogo-Signature no longer checks")
	}
	// The same request sent again later is refused, and so is one whose
	// timestamp was moved forward to look fresh.
	if err := checkSigned(hookSecret, d.headers, d.body, now.Add(signatureTolerance+time.Minute)); err == nil {
		t.Fatal("a replay after the tolerance passes the check")
	}
	moved := d.headers.Clone()
	ts, _ := strconv.ParseInt(moved.Get("X-Gonogo-Timestamp"), 10, 64)
	later := strconv.FormatInt(ts+600, 10)
	moved.Set("X-Gonogo-Timestamp", later)
	moved.Set("X-Gonogo-Signature-256", "t="+later+",v1="+strings.SplitN(d.headers.Get("X-Gonogo-Signature-256"), ",v1=", 2)[1])
	if err := checkSigned(hookSecret, moved, d.body, now.Add(10*time.Minute)); err == nil || !strings.Contains(err.Error(), "bad signature") {
		t.Fatalf("a moved timestamp: %v", err)
	}

	t.Run("README recipe", func(t *testing.T) {
		if _, err := exec.LookPath("openssl"); err != nil {
			t.Skip("skipping: openssl is not installed; the check above recomputes the signature with crypto/hmac")
		}
		recipe := docBlock(t, "webhooks.md", "webhook-verify")
		dir := t.TempDir()
		script, bodyFile := filepath.Join(dir, "verify.sh"), filepath.Join(dir, "body.json")
		if err := os.WriteFile(script, []byte(recipe), 0o600); err != nil {
			t.Fatal(err)
		}
		run := func(sig string, body []byte) (string, error) {
			if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command("sh", script)
			cmd.Env = append(os.Environ(), "SECRET="+hookSecret, "BODY_FILE="+bodyFile, "SIGNATURE="+sig)
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		if out, err := run(d.headers.Get("X-Gonogo-Signature-256"), d.body); err != nil {
			t.Fatalf("the recipe refuses a genuine delivery: %v\n%s", err, out)
		}
		stale := time.Now().Add(-signatureTolerance - time.Minute).Unix()
		if out, err := run(fmt.Sprintf("t=%d,v1=%s", stale, signedAt(hookSecret, stale, d.body)), d.body); err == nil {
			t.Fatalf("the recipe takes a delivery signed %s ago: %s", signatureTolerance+time.Minute, out)
		}
		if out, err := run(d.headers.Get("X-Gonogo-Signature-256"), append(d.body, ' ')); err == nil {
			t.Fatalf("the recipe takes a changed body: %s", out)
		}
	})
}

// docBlock returns the code of docs/file between <!-- name:begin --> and
// <!-- name:end -->, without its fence: the very text people copy.
func docBlock(t *testing.T, file, name string) string {
	t.Helper()
	path := filepath.Join("..", "docs", file)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "<!-- "+name+":begin -->")
	block, _, ok2 := strings.Cut(rest, "<!-- "+name+":end -->")
	if !ok || !ok2 {
		t.Fatalf("%s has no snippet between <!-- %s:begin --> and <!-- %[2]s:end -->", path, name)
	}
	block = strings.TrimSpace(block)
	block = strings.TrimPrefix(block, "```sh")
	return strings.TrimSuffix(block, "```")
}
