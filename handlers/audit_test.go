package handlers_test

import (
	"bytes"
	"crypto/ed25519"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// upload sends a checkpoint file through the verify form, as a browser
// sends a file: multipart, with the page's CSRF token.
func (c *client) upload(path, field, name string, content []byte) *http.Response {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", c.csrf)
	fw, _ := w.CreateFormFile(field, name)
	fw.Write(content)
	w.WriteField("checkpoint", "")
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// verifyOutcome is what the audit page says after verifying: "ok", or the
// problem it found.
func verifyOutcome(t *testing.T, res *http.Response) (string, *goquery.Document) {
	t.Helper()
	wantStatus(t, res, http.StatusOK)
	doc := parse(t, res)
	switch {
	case doc.Find(`[data-testid=checkpoint-ok]`).Length() == 1:
		return "ok", doc
	case doc.Find(`[data-testid=checkpoint-failed]`).Length() == 1:
		return text(doc, `[data-testid=checkpoint-problem]`), doc
	}
	t.Fatal("the page shows no outcome")
	return "", nil
}

// TestAdminChecksTheTrailAgainstACheckpoint: an admin downloads a signed
// checkpoint and later verifies the trail against it, by file or pasted.
// The trail keeps verifying as it grows; deleting its newest events or
// rewriting it, which the chain alone cannot show, fails with the reason.
func TestAdminChecksTheTrailAgainstACheckpoint(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	pub := s.key.Public().(ed25519.PublicKey)

	res, doc := admin.get("/admin/audit")
	wantStatus(t, res, http.StatusOK)
	if got := text(doc, `[data-testid=checkpoint-key]`); got != gonogo.KeyID(pub) {
		t.Fatalf("the page shows key %q, want %q", got, gonogo.KeyID(pub))
	}
	if doc.Find(`[data-testid=checkpoint-form] input[name=_csrf]`).Length() != 1 || doc.Find(`[data-testid=checkpoint-row]`).Length() != 0 {
		t.Fatal("the checkpoint form lacks its CSRF token, or a checkpoint is listed before any")
	}

	// Download: audited like a backup, so a POST with the page's token.
	wantStatus(t, admin.post("/admin/audit/checkpoint", url.Values{"_csrf": {"forged"}}), http.StatusForbidden)
	head, _ := s.store.FindEvents(t.Context(), 1)
	res = admin.post("/admin/audit/checkpoint", nil)
	wantStatus(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := res.Header.Get("Content-Disposition"); !regexp.MustCompile(`^attachment; filename="gonogo-checkpoint-\d+-\d{8}-\d{6}\.txt"$`).MatchString(cd) {
		t.Errorf("content disposition %q", cd)
	}
	file, _ := io.ReadAll(res.Body)
	cp, err := gonogo.ParseCheckpoint(string(file))
	if err != nil {
		t.Fatalf("the download is not a checkpoint: %v\n%s", err, file)
	}
	if cp.Seq != head[0].ID || cp.Hash != head[0].Hash || !cp.Key.Equal(pub) {
		t.Fatalf("checkpoint of event %d (%s), want the head, %d (%s)", cp.Seq, cp.Hash, head[0].ID, head[0].Hash)
	}
	_, doc = admin.get("/admin/audit")
	if rows := doc.Find(`[data-testid=checkpoint-row]`); rows.Length() != 1 || !strings.Contains(rows.Text(), "Admin Tester") {
		t.Fatalf("the checkpoint is not listed with who signed it: %q", rows.Text())
	}

	// The board goes on; the trail still verifies, by file or pasted.
	s.mustCreateRelease(t, "payments", "2.5.0")
	if got, _ := verifyOutcome(t, admin.upload("/admin/audit/verify", "file", "checkpoint.txt", file)); got != "ok" {
		t.Fatalf("uploaded: %s", got)
	}
	pasted := strings.ReplaceAll(string(file), "\n", "\r\n") // as a text area sends it
	got, doc := verifyOutcome(t, admin.post("/admin/audit/verify", url.Values{"checkpoint": {pasted}}))
	if got != "ok" {
		t.Fatalf("pasted: %s", got)
	}
	if kept := doc.Find(`textarea[name=checkpoint]`).Text(); strings.TrimSpace(kept) != strings.TrimSpace(string(file)) {
		t.Errorf("the pasted checkpoint is not kept in the form: %q", kept)
	}

	// A checkpoint changed after signing is caught by its signature.
	forged := strings.Replace(string(file), "seq: ", "seq: 1", 1)
	if got, _ := verifyOutcome(t, admin.post("/admin/audit/verify", url.Values{"checkpoint": {forged}})); !strings.HasPrefix(got, "Signature invalid") {
		t.Errorf("a forged checkpoint: %s", got)
	}

	// Someone with the file rewrites an early event and hashes the chain
	// again: the chain verifies, the checkpoint does not.
	db.RewriteEventForTest(t, s.store.Path(), 2, "nothing to see")
	got, doc = verifyOutcome(t, admin.post("/admin/audit/verify", url.Values{"checkpoint": {string(file)}}))
	if doc.Find(`[data-testid=chain-ok]`).Length() != 1 {
		t.Fatal("the rewritten chain does not verify: the test shows nothing")
	}
	if want := "The trail was rewritten: event " + itoa(cp.Seq) + "'s hash differs from the checkpoint's"; got != want {
		t.Errorf("rewritten: %q, want %q", got, want)
	}

	// Then deletes the newest events.
	db.DeleteEventsAfterForTest(t, s.store.Path(), cp.Seq-2)
	got, doc = verifyOutcome(t, admin.post("/admin/audit/verify", url.Values{"checkpoint": {string(file)}}))
	if doc.Find(`[data-testid=chain-ok]`).Length() != 1 {
		t.Fatal("the shortened chain does not verify: the test shows nothing")
	}
	if want := "Events after " + itoa(cp.Seq-2) + " were deleted"; !strings.HasPrefix(got, want) {
		t.Errorf("deleted: %q, want it to start %q", got, want)
	}
}

// TestVerifyRefusesWhatIsNotACheckpoint: the reason is beside the field
// and what was pasted is kept.
func TestVerifyRefusesWhatIsNotACheckpoint(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	admin.get("/admin/audit")
	for name, tc := range map[string]struct{ text, want string }{
		"nothing":    {"", "Give a checkpoint to verify"},
		"a hash":     {"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "its first line must be"},
		"a big file": {strings.Repeat("x", 5000), "at most 1000 characters"},
	} {
		t.Run(name, func(t *testing.T) {
			res := admin.upload("/admin/audit/verify", "file", "checkpoint.txt", []byte(tc.text))
			wantStatus(t, res, http.StatusUnprocessableEntity)
			doc := parse(t, res)
			if got := text(doc, `[data-testid=error-checkpoint]`); !strings.Contains(got, tc.want) {
				t.Errorf("beside the field: %q, want %q", got, tc.want)
			}
		})
	}
	res := admin.post("/admin/audit/verify", url.Values{"checkpoint": {"gonogo audit checkpoint v1\nseq: x"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if kept := parse(t, res).Find(`textarea[name=checkpoint]`).Text(); kept != "gonogo audit checkpoint v1\nseq: x" {
		t.Errorf("the pasted text is not kept: %q", kept)
	}
}

// TestWebhookFormOffersCheckpoints: an admin subscribes a webhook to the
// daily checkpoint from the webhook form.
func TestWebhookFormOffersCheckpoints(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	_, doc := admin.get("/admin/webhooks")
	box := doc.Find(`input[name=topics][value="audit.checkpoint"]`)
	if box.Length() != 1 || !strings.Contains(box.Parent().Text(), "Daily audit checkpoint") {
		t.Fatal("the webhook form offers no audit.checkpoint topic")
	}
	hook := s.registerWebhook(t, admin, "http://127.0.0.1:9/keep", gonogo.TopicCheckpoint)
	if len(hook.Topics) != 1 || hook.Topics[0] != gonogo.TopicCheckpoint {
		t.Fatalf("webhook topics %v", hook.Topics)
	}
}
