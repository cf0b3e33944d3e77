package handlers_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
	"github.com/gonogo/gonogo/webhook"
)

const hookSecret = "a shared webhook secret"

// received is one request a test receiver got.
type received struct {
	signatureOK bool
	headers     http.Header
	body        []byte
	payload     gonogo.WebhookPayload
}

// receiver is a webhook endpoint that checks signatures as a careful
// receiver would: HMAC-SHA256 of the raw body with the shared secret.
type receiver struct {
	*httptest.Server
	got   chan received
	calls atomic.Int32
}

// newReceiver answers the nth call with status(n). If hold is not nil, it
// waits for hold to close before answering.
func newReceiver(t *testing.T, status func(n int) int, hold <-chan struct{}) *receiver {
	t.Helper()
	r := &receiver{got: make(chan received, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := int(r.calls.Add(1))
		body, _ := io.ReadAll(req.Body)
		m := hmac.New(sha256.New, []byte(hookSecret))
		m.Write(body)
		want := "sha256=" + hex.EncodeToString(m.Sum(nil))
		got := received{signatureOK: hmac.Equal([]byte(req.Header.Get("X-Gonogo-Signature")), []byte(want)), headers: req.Header.Clone(), body: body}
		json.Unmarshal(body, &got.payload)
		r.got <- got
		if hold != nil {
			select {
			case <-hold:
			case <-req.Context().Done():
			}
		}
		w.WriteHeader(status(n))
	}))
	t.Cleanup(r.Close)
	return r
}

func always(code int) func(int) int { return func(int) int { return code } }

// next waits for the receiver's next request.
func (r *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case d := <-r.got:
		return d
	case <-time.After(30 * time.Second):
		t.Fatal("the webhook was never called")
	}
	return received{}
}

// eventually waits until ok holds, failing the test if it never does.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// registerWebhook registers a webhook through the admin page.
func (s *testServer) registerWebhook(t *testing.T, admin *client, target string, topics ...gonogo.Topic) gonogo.Webhook {
	t.Helper()
	admin.get("/admin/webhooks")
	form := url.Values{"url": {target}, "secret": {hookSecret}}
	for _, tp := range topics {
		form.Add("topics", string(tp))
	}
	wantStatus(t, admin.post("/admin/webhooks", form), http.StatusSeeOther)
	hooks, _ := s.store.FindWebhooks(t.Context())
	return hooks[len(hooks)-1]
}

// deliveryRows reads a webhook's delivery log as the admin sees it.
func deliveryRows(t *testing.T, admin *client, id int64) *goquery.Selection {
	t.Helper()
	res, doc := admin.get("/admin/webhooks/" + itoa(id))
	wantStatus(t, res, http.StatusOK)
	return doc.Find(`[data-testid=delivery-row]`)
}

// decideNoGo has the release manager record a No-Go through the page.
func (s *testServer) decideNoGo(t *testing.T, rm *client, id int64) *http.Response {
	t.Helper()
	rm.get("/releases/" + itoa(id))
	return rm.post("/releases/"+itoa(id)+"/decisions", url.Values{"outcome": {"no-go"}, "rationale": {"refund flow untested"}, "confirm": {"1"}})
}

func TestWebhookDeliveryIsSigned(t *testing.T) {
	s := newServer(t)
	rcv := newReceiver(t, always(http.StatusOK), nil)
	admin := s.signIn(t, "admin")
	hook := s.registerWebhook(t, admin, rcv.URL+"/hooks/T000/B000/secretpart", gonogo.TopicDecision, gonogo.TopicState)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview) // a state change: delivered
	first := rcv.next(t)
	if !first.signatureOK || first.payload.Release == nil || first.payload.Release.ID != rel.ID {
		t.Fatalf("first delivery: signature ok %v, payload %+v", first.signatureOK, first.payload)
	}

	rm := s.signIn(t, "rm")
	wantStatus(t, s.decideNoGo(t, rm, rel.ID), http.StatusSeeOther)
	d := rcv.next(t)
	if !d.signatureOK {
		t.Fatalf("bad signature %q on %s", d.headers.Get("X-Gonogo-Signature"), d.body)
	}
	p := d.payload
	if !strings.HasPrefix(p.Text, "[Decision recorded] payments 2.4.0 — Rm Tester: recorded No-Go") ||
		!strings.Contains(p.Text, s.URL+"/releases/"+itoa(rel.ID)) {
		t.Fatalf("text %q", p.Text)
	}
	if len(p.Topics) != 2 || p.Topics[0] != gonogo.TopicDecision || p.Event.Action != "decision" || p.Release.State != gonogo.NoGo {
		t.Fatalf("payload %+v", p)
	}
	if d.headers.Get("Content-Type") != "application/json" || d.headers.Get("X-Gonogo-Topic") != string(gonogo.TopicDecision) {
		t.Fatalf("headers %v", d.headers)
	}
	// A vote is not among the webhook's topics: nothing is sent for it.
	s.move(t, rel.ID, gonogo.Reopen)
	rcv.next(t) // the reopening, a state change
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteGo, "")
	s.move(t, rel.ID, gonogo.Cancel)
	if last := rcv.next(t); last.payload.Event.Action != "release.state" || !strings.Contains(last.payload.Event.Detail, "Cancelled") {
		t.Fatalf("the vote was sent, or the cancellation was not: %+v", last.payload)
	}

	eventually(t, "the log shows four deliveries", func() bool {
		rows := deliveryRows(t, admin, hook.ID)
		return rows.Length() == 4 && rows.Filter(`[data-status=delivered][data-code="200"]`).Length() == 4
	})
	// The admin list shows the webhook without the path that holds its credential.
	_, doc := admin.get("/admin/webhooks")
	row := doc.Find(`[data-testid=webhook-row]`)
	if row.Length() != 1 || strings.Contains(row.Text(), "secretpart") || !strings.Contains(row.Text(), "4 delivered") {
		t.Fatalf("webhook list row: %q", row.Text())
	}
}

func TestWebhookRetriedUntilItSucceeds(t *testing.T) {
	s := newServer(t)
	rcv := newReceiver(t, func(n int) int {
		if n <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	}, nil)
	admin := s.signIn(t, "admin")
	hook := s.registerWebhook(t, admin, rcv.URL, gonogo.TopicState)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)

	a, b, c := rcv.next(t), rcv.next(t), rcv.next(t)
	if string(a.body) != string(b.body) || string(b.body) != string(c.body) || !c.signatureOK ||
		a.headers.Get("X-Gonogo-Delivery") != c.headers.Get("X-Gonogo-Delivery") {
		t.Fatal("a retry must resend the same delivery, signed the same")
	}
	eventually(t, "the log shows the delivery made on the third attempt", func() bool {
		rows := deliveryRows(t, admin, hook.ID)
		return rows.Filter(`[data-status=delivered][data-code="204"][data-attempts="3"]`).Length() == 1
	})
	if n := rcv.calls.Load(); n != 3 {
		t.Fatalf("%d calls, want 3", n)
	}
}

// TestSlowWebhookDoesNotDelayTheRequest: the receiver holds its answer
// until the test has the response of the request that triggered it.
func TestSlowWebhookDoesNotDelayTheRequest(t *testing.T) {
	s := newServer(t)
	hold := make(chan struct{})
	rcv := newReceiver(t, always(http.StatusOK), hold)
	admin := s.signIn(t, "admin")
	hook := s.registerWebhook(t, admin, rcv.URL, gonogo.TopicDecision)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	rm := s.signIn(t, "rm")
	rm.get("/releases/" + itoa(rel.ID))

	release := sync.OnceFunc(func() { close(hold) })
	t.Cleanup(release)
	answered := make(chan *http.Response, 1)
	go func() {
		answered <- rm.post("/releases/"+itoa(rel.ID)+"/decisions", url.Values{"outcome": {"no-go"}, "rationale": {"not yet"}, "confirm": {"1"}})
	}()
	var res *http.Response
	select {
	case res = <-answered:
	case <-rcv.got:
		// The receiver has the delivery and holds it: the decision must
		// answer all the same.
		select {
		case res = <-answered:
		case <-time.After(30 * time.Second):
			t.Fatal("the request is waiting for the webhook's answer")
		}
	}
	wantStatus(t, res, http.StatusSeeOther)
	if got := s.mustState(t, rel.ID); got != gonogo.NoGo {
		t.Fatalf("state %s", got)
	}
	release() // only now may the receiver answer
	eventually(t, "the held delivery is logged as delivered", func() bool {
		return deliveryRows(t, admin, hook.ID).Filter(`[data-status=delivered]`).Length() == 1
	})
}

// TestWebhookTargetsMustBePublic: without -webhook-allow-private, private
// targets are refused when registered and again when dialed.
func TestWebhookTargetsMustBePublic(t *testing.T) {
	s := newConfiguredServer(t, func(cfg *handlers.Config, opt *webhook.Options) {
		cfg.WebhookAllowPrivate, opt.AllowPrivate = false, false
	})
	s.users = map[string]gonogo.User{"admin": s.mustCreateUser(t, "admin", nil, true), "rm": s.mustCreateUser(t, "rm", gonogo.RoleSet{gonogo.ReleaseManager}, false)}
	admin := s.signIn(t, "admin")
	rcv := newReceiver(t, always(http.StatusOK), nil)
	for _, target := range []string{rcv.URL + "/hook", "http://localhost:8080/hook", "http://169.254.169.254/latest/meta-data",
		"http://10.1.2.3/hook", "http://[::1]:9000/hook", "http://192.168.0.10/", "http://0.0.0.0:80/"} {
		t.Run(target, func(t *testing.T) {
			admin.get("/admin/webhooks")
			res := admin.post("/admin/webhooks", url.Values{"url": {target}, "secret": {hookSecret}, "topics": {"state.changed"}})
			wantStatus(t, res, http.StatusUnprocessableEntity)
			doc := parse(t, res)
			if msg := text(doc, `[data-testid=error-url]`); !strings.Contains(msg, "may not be sent") {
				t.Fatalf("message %q", msg)
			}
			if v, _ := doc.Find(`input[name=url]`).Attr("value"); v != target {
				t.Fatalf("the form lost what was typed: %q", v)
			}
		})
	}
	if hooks, _ := s.store.FindWebhooks(t.Context()); len(hooks) != 0 {
		t.Fatalf("refused webhooks were stored: %+v", hooks)
	}
	// A public address is accepted. (Nothing it listens for happens here.)
	admin.get("/admin/webhooks")
	wantStatus(t, admin.post("/admin/webhooks", url.Values{"url": {"https://93.184.215.14/hook"}, "secret": {hookSecret},
		"topics": {"window.changed"}}), http.StatusSeeOther)

	// A name may resolve elsewhere by the time of delivery: the dialer
	// checks the address it connects to, and refuses.
	hook, err := s.store.CreateWebhook(t.Context(), s.actorOf("admin"), gonogo.WebhookInput{URL: rcv.URL + "/hook", Secret: hookSecret,
		Topics: []gonogo.Topic{gonogo.TopicState}})
	if err != nil {
		t.Fatal(err)
	}
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	eventually(t, "the delivery fails for good, refused at dialing", func() bool {
		rows := deliveryRows(t, admin, hook.ID)
		return rows.Filter(`[data-status=failed]`).Length() == 1 && strings.Contains(rows.Find(`[data-testid=delivery-error]`).Text(), "loopback")
	})
	if n := rcv.calls.Load(); n != 0 {
		t.Fatalf("the private receiver was called %d times", n)
	}
}

func TestWebhookAdmin(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	admin.get("/admin/webhooks")
	res := admin.post("/admin/webhooks", url.Values{"url": {"ftp://example.com"}, "secret": {"short"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc := parse(t, res)
	for _, f := range []string{"url", "secret", "topics"} {
		if doc.Find(`[data-testid=error-`+f+`]`).Length() != 1 {
			t.Errorf("no message beside %s", f)
		}
	}
	if v, _ := doc.Find(`input[name=secret]`).Attr("value"); v != "" {
		t.Fatal("the secret was sent back to the browser")
	}
	hook := s.registerWebhook(t, admin, "http://127.0.0.1:9/hook", gonogo.TopicWindow)
	if e, _ := s.store.FindEvents(t.Context(), 1); e[0].Action != "webhook.create" || e[0].Actor != "Admin Tester" {
		t.Fatalf("audit %+v", e[0])
	}
	wantStatus(t, admin.post("/admin/webhooks/"+itoa(hook.ID)+"/delete", url.Values{"confirm": {"1"}}), http.StatusSeeOther)
	if hooks, _ := s.store.FindWebhooks(t.Context()); len(hooks) != 0 {
		t.Fatal("the webhook was not removed")
	}
	res, _ = admin.get("/admin/webhooks/" + itoa(hook.ID))
	wantStatus(t, res, http.StatusNotFound)
}

func TestTokenAdmin(t *testing.T) {
	s := newServer(t)
	admin := s.signIn(t, "admin")
	admin.get("/admin/tokens")
	res := admin.post("/admin/tokens", url.Values{"name": {""}, "product": {"Not A Product!"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc := parse(t, res)
	if doc.Find(`[data-testid=error-name]`).Length() != 1 || doc.Find(`[data-testid=error-product]`).Length() != 1 {
		t.Fatal("no messages beside the fields")
	}

	res = admin.post("/admin/tokens", url.Values{"name": {"payments-deploy"}, "product": {"payments"}})
	wantStatus(t, res, http.StatusCreated)
	secret := text(parse(t, res), `[data-testid=new-token-secret]`)
	if !strings.HasPrefix(secret, gonogo.TokenPrefix) {
		t.Fatalf("secret %q", secret)
	}
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.call(t, http.MethodGet, "/api/v1/releases", secret, "").want(t, http.StatusOK)

	// Shown once: the list has its start, never the whole secret.
	res, doc = admin.get("/admin/tokens")
	if doc.Find(`[data-testid=new-token]`).Length() != 0 || strings.Contains(doc.Text(), secret) {
		t.Fatal("the secret is shown again")
	}
	row := doc.Find(`[data-testid=token-row][data-name=payments-deploy]`)
	if strings.TrimSpace(row.Find(`[data-testid=token-status]`).Text()) != "Active" ||
		strings.Contains(row.Find(`[data-testid=token-last-used]`).Text(), "never") {
		t.Fatalf("token row %q", row.Text())
	}
	action, _ := row.Find(`form`).Attr("action")
	wantStatus(t, admin.post(action, url.Values{"confirm": {"1"}}), http.StatusSeeOther)
	s.call(t, http.MethodGet, "/api/v1/releases", secret, "").want(t, http.StatusUnauthorized)
	_, doc = admin.get("/admin/tokens")
	if got := strings.TrimSpace(doc.Find(`[data-testid=token-row][data-name=payments-deploy] [data-testid=token-status]`).Text()); got != "Revoked" {
		t.Fatalf("status after revoking: %q", got)
	}
	events, _ := s.store.FindEvents(t.Context(), 1)
	if events[0].Action != "token.revoke" || events[0].Actor != "Admin Tester" {
		t.Fatalf("audit %+v", events[0])
	}
}
