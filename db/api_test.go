package db_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

func TestTokensAreStoredHashedAndRevoked(t *testing.T) {
	s := db.OpenTest(t)
	admin := gonogo.Actor{Name: "Ada", Admin: true}
	tok, secret, err := s.CreateToken(t.Context(), admin, gonogo.TokenInput{Name: "payments-ci", Product: "Payments"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, gonogo.TokenPrefix) || len(secret) < 40 || tok.Product != "payments" || !strings.HasPrefix(secret, tok.Hint) {
		t.Fatalf("token %+v, secret %q", tok, secret)
	}
	var stored string
	rawDB(t, s).QueryRow(`SELECT hash FROM api_tokens WHERE id = ?`, tok.ID).Scan(&stored)
	if stored == secret || stored != gonogo.HashToken(secret) {
		t.Fatalf("stored %q: the secret must be kept only as its hash", stored)
	}
	if e := lastEvent(t, s); e.Action != "token.create" || strings.Contains(e.Detail, secret) {
		t.Fatalf("audit %+v", e)
	}
	found, err := s.FindTokenBySecret(t.Context(), secret)
	if err != nil || found.ID != tok.ID || !found.LastUsedAt.IsZero() {
		t.Fatalf("find by secret: %+v, %v", found, err)
	}
	_, err = s.FindTokenBySecret(t.Context(), secret+"x")
	wantCode(t, err, gonogo.ENOTFOUND)

	// Two working tokens may not share a name; once revoked, the name is free.
	_, _, err = s.CreateToken(t.Context(), admin, gonogo.TokenInput{Name: "payments-ci"})
	wantFields(t, err, "name")
	if err := s.TouchToken(t.Context(), tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(t.Context(), admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.RevokeToken(t.Context(), admin, tok.ID), gonogo.ECONFLICT)
	found, _ = s.FindTokenBySecret(t.Context(), secret)
	if !found.Revoked() || found.RevokedBy != "Ada" || found.LastUsedAt.IsZero() {
		t.Fatalf("after revoking: %+v", found)
	}
	if _, _, err := s.CreateToken(t.Context(), admin, gonogo.TokenInput{Name: "payments-ci"}); err != nil {
		t.Fatalf("reuse a revoked token's name: %v", err)
	}
	tokens, _ := s.FindTokens(t.Context())
	if len(tokens) != 2 || tokens[0].Revoked() || !tokens[1].Revoked() {
		t.Fatalf("tokens, working first: %+v", tokens)
	}
}

func TestEnsureReleaseIsIdempotent(t *testing.T) {
	s := db.OpenTest(t)
	ci := gonogo.Token{Name: "ci"}.Actor("10.0.0.1")
	in := gonogo.ReleaseInput{Product: "payments", Version: "2.4.0", Title: "Apple Pay"}
	var wg sync.WaitGroup
	results := make([]bool, 4)
	for i := range results {
		wg.Go(func() {
			_, created, err := s.EnsureRelease(t.Context(), ci, in)
			if err != nil {
				t.Error(err)
			}
			results[i] = created
		})
	}
	wg.Wait()
	if n := len(slices.DeleteFunc(results, func(c bool) bool { return !c })); n != 1 {
		t.Fatalf("%d runs created the release, want exactly one", n)
	}
	in.Title = "Something else"
	rel, created, err := s.EnsureRelease(t.Context(), ci, in)
	if err != nil || created || rel.Title != "Apple Pay" {
		t.Fatalf("second call: %+v created=%v err=%v; want the existing release unchanged", rel, created, err)
	}
	if len(mustFindItems(t, s, rel.ID)) == 0 {
		t.Fatal("the release did not get the template's checklist")
	}
	_, _, err = s.EnsureRelease(t.Context(), ci, gonogo.ReleaseInput{Product: "payments"})
	wantFields(t, err, "version", "title")
}

func TestReportCheckAndEvents(t *testing.T) {
	s := db.OpenTest(t)
	var mu sync.Mutex
	var notices []gonogo.Notice
	s.Listen(func(ns []gonogo.Notice) { mu.Lock(); notices = append(notices, ns...); mu.Unlock() })
	ci := gonogo.Token{Name: "ci"}.Actor("10.0.0.1")
	rel := mustCreateRelease(t, s, "payments", "2.4.0")
	report := func(r gonogo.CheckReport) (gonogo.Item, error) {
		return s.ReportCheck(t.Context(), ci, rel.ID, r)
	}
	it, err := report(gonogo.CheckReport{Key: "Smoke-Test", Status: "fail", URL: "https://ci.example.com/7", Summary: "2 of 40 failed"})
	if err != nil || it.Status != gonogo.ItemFailed || it.Evidence != "https://ci.example.com/7" || it.UpdatedBy != "ci (API token)" {
		t.Fatalf("report: %+v, %v", it, err)
	}
	e := lastEvent(t, s)
	if e.Action != "check.report" || e.Actor != "ci (API token)" || !strings.Contains(e.Detail, "2 of 40 failed") || !strings.Contains(e.Detail, "ci.example.com/7") {
		t.Fatalf("audit %+v", e)
	}
	_, err = report(gonogo.CheckReport{Key: "no-such-check", Status: "pass"})
	wantCode(t, err, gonogo.ENOTFOUND)
	mu.Lock()
	if len(notices) != 2 || !slices.Contains(notices[1].Topics, gonogo.TopicCheckFailed) {
		t.Fatalf("notices %+v", notices)
	}
	mu.Unlock()

	event := func(ev gonogo.PipelineEvent) error {
		_, err := s.ReportEvent(t.Context(), ci, rel.ID, gonogo.EventReport{Event: ev, Summary: "job 9"})
		return err
	}
	wantCode(t, event(gonogo.EventDeployStarted), gonogo.ECONFLICT) // a draft is not a Go
	setState(t, s, rel.ID, gonogo.Go)
	if err := event(gonogo.EventDeployStarted); err != nil {
		t.Fatal(err)
	}
	if e := lastEvent(t, s); e.Action != "release.state" || !strings.Contains(e.Detail, "reported deploy-started: job 9") {
		t.Fatalf("audit %+v", e)
	}
	if err := event(gonogo.EventSmokeFailed); err != nil {
		t.Fatal(err)
	}
	got, _ := s.FindRelease(t.Context(), rel.ID)
	if got.State != gonogo.Deploying {
		t.Fatalf("a smoke result moved the release to %s", got.State)
	}
	mu.Lock()
	last := notices[len(notices)-1]
	if last.Event.Action != "pipeline.event" || !slices.Contains(last.Topics, gonogo.TopicCheckFailed) {
		t.Fatalf("smoke failure notice %+v", last)
	}
	mu.Unlock()
	// The smoke results are the smoke test in production: they settle its
	// verification item, in the same change as the note.
	smoke := func() gonogo.Item {
		t.Helper()
		items, _ := s.FindItems(t.Context(), rel.ID)
		for _, it := range items {
			if it.CheckKey == gonogo.ProductionSmokeCheckKey {
				return it
			}
		}
		t.Fatal("the release has no production smoke item")
		return gonogo.Item{}
	}
	if it := smoke(); it.Status != gonogo.ItemFailed || it.UpdatedBy != "ci (API token)" || it.Evidence != "job 9" {
		t.Fatalf("after smoke-failed: %+v", it)
	}
	if err := event(gonogo.EventSmokePassed); err != nil {
		t.Fatal(err)
	}
	if it := smoke(); it.Status != gonogo.ItemDone || it.UpdatedBy != "ci (API token)" {
		t.Fatalf("after smoke-passed: %+v", it)
	}
	if e := lastEvent(t, s); e.Action != "pipeline.event" || !strings.Contains(e.Detail, "smoke test passed: job 9") ||
		!strings.Contains(e.Detail, `set "Smoke test passes in production" done (was failed)`) {
		t.Fatalf("audit %+v", e)
	}
}

func TestWebhookDeliveryQueue(t *testing.T) {
	s := db.OpenTest(t)
	admin := gonogo.Actor{Name: "Ada", Admin: true}
	w, err := s.CreateWebhook(t.Context(), admin, gonogo.WebhookInput{URL: "https://hooks.example.com/services/SECRET-PATH",
		Secret: "a long enough secret", Topics: []gonogo.Topic{gonogo.TopicState, gonogo.TopicDecision}})
	if err != nil {
		t.Fatal(err)
	}
	if e := lastEvent(t, s); e.Action != "webhook.create" || strings.Contains(e.Detail, "SECRET-PATH") {
		t.Fatalf("the audit trail must not keep the webhook's path, which may be its credential: %+v", e)
	}
	_, err = s.CreateWebhook(t.Context(), admin, gonogo.WebhookInput{URL: "gopher://x", Secret: "short"})
	wantFields(t, err, "url", "secret", "topics")

	mustCreateRelease(t, s, "payments", "2.4.0")
	ev := lastEvent(t, s)
	d := gonogo.Delivery{WebhookID: w.ID, EventID: ev.ID, Topics: []gonogo.Topic{gonogo.TopicState}, Body: []byte(`{"text":"hi"}`)}
	if err := s.EnqueueDeliveries(t.Context(), []gonogo.Delivery{d, d}); err != nil {
		t.Fatal(err)
	}
	pending, err := s.FindPendingDeliveries(t.Context(), 10)
	if err != nil || len(pending) != 1 || string(pending[0].Body) != `{"text":"hi"}` || pending[0].NextAttemptAt.IsZero() {
		t.Fatalf("pending %+v, %v: the same event is queued once per webhook", pending, err)
	}
	sent := pending[0].Attempted(503, "service unavailable", []time.Duration{time.Minute}, s.Now())
	if err := s.SaveAttempt(t.Context(), sent); err != nil {
		t.Fatal(err)
	}
	log, _ := s.FindDeliveries(t.Context(), w.ID, 10)
	if len(log) != 1 || log[0].Attempts != 1 || log[0].StatusCode != 503 || log[0].Status != gonogo.DeliveryPending {
		t.Fatalf("log %+v", log)
	}
	counts, _ := s.CountDeliveries(t.Context())
	if counts[w.ID].Pending != 1 {
		t.Fatalf("counts %+v", counts)
	}
	if err := s.DeleteWebhook(t.Context(), admin, w.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "webhook_deliveries"); n != 0 {
		t.Fatalf("%d deliveries outlived their webhook", n)
	}
}
