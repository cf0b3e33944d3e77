package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// registerChatHook registers a webhook of format limited to products
// through the admin page.
func (s *testServer) registerChatHook(t *testing.T, admin *client, target string, format gonogo.WebhookFormat, products ...string) gonogo.Webhook {
	t.Helper()
	admin.get("/admin/webhooks")
	form := url.Values{"url": {target}, "secret": {hookSecret}, "format": {string(format)},
		"topics": {string(gonogo.TopicDecision), string(gonogo.TopicState)}, "product_keys": products}
	wantStatus(t, admin.post("/admin/webhooks", form), http.StatusSeeOther)
	hooks, _ := s.store.FindWebhooks(t.Context())
	return hooks[len(hooks)-1]
}

// TestChatWebhooksReceiveTheirFormat: a receiver registered as each
// format's webhook gets, when the release manager records a No-Go on the
// page, the message of its format, signed, with the release, the gate's
// reasons and the link to sign off; a webhook limited to another product
// gets nothing of it.
func TestChatWebhooksReceiveTheirFormat(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	web := s.mustCreateRelease(t, "web", "7.1.0")
	admin := s.signIn(t, "admin")
	signOff := s.URL + "/releases/" + itoa(rel.ID) + "#signoffs"

	// What each service documents as its message, and where it puts the
	// link to sign off.
	checks := map[gonogo.WebhookFormat]func(t *testing.T, v map[string]any) string{
		gonogo.FormatSlack: func(t *testing.T, v map[string]any) string {
			blocks := v["blocks"].([]any)
			last := blocks[len(blocks)-1].(map[string]any)
			return last["elements"].([]any)[0].(map[string]any)["url"].(string)
		},
		gonogo.FormatTeams: func(t *testing.T, v map[string]any) string {
			card := v["attachments"].([]any)[0].(map[string]any)["content"].(map[string]any)
			if v["type"] != "message" || card["type"] != "AdaptiveCard" {
				t.Errorf("not a message with an Adaptive Card: %v", v)
			}
			return card["actions"].([]any)[0].(map[string]any)["url"].(string)
		},
		gonogo.FormatGoogleChat: func(t *testing.T, v map[string]any) string {
			sections := v["cardsV2"].([]any)[0].(map[string]any)["card"].(map[string]any)["sections"].([]any)
			w := sections[len(sections)-1].(map[string]any)["widgets"].([]any)[0].(map[string]any)
			return w["buttonList"].(map[string]any)["buttons"].([]any)[0].(map[string]any)["onClick"].(map[string]any)["openLink"].(map[string]any)["url"].(string)
		},
		gonogo.FormatMattermost: func(t *testing.T, v map[string]any) string {
			text := v["text"].(string)
			i := strings.LastIndex(text, "](")
			return strings.TrimSuffix(text[i+2:], ")")
		},
		gonogo.FormatDiscord: func(t *testing.T, v map[string]any) string {
			if v["allowed_mentions"] == nil {
				t.Error("no allowed_mentions")
			}
			desc := v["embeds"].([]any)[0].(map[string]any)["description"].(string)
			i := strings.LastIndex(desc, "](")
			return strings.TrimSuffix(desc[i+2:], ")")
		},
	}
	receivers := map[gonogo.WebhookFormat]*receiver{}
	for f := range checks {
		receivers[f] = newReceiver(t, always(http.StatusOK), nil)
		s.registerChatHook(t, admin, receivers[f].URL+"/hook", f, "payments")
	}
	other := newReceiver(t, always(http.StatusOK), nil)
	otherHook := s.registerChatHook(t, admin, other.URL+"/hook", gonogo.FormatSlack, "web")

	s.move(t, rel.ID, gonogo.OpenReview)
	for _, r := range receivers {
		r.next(t) // the review opened
	}
	rm := s.signIn(t, "rm")
	wantStatus(t, s.decideNoGo(t, rm, rel.ID), http.StatusSeeOther)
	for f, check := range checks {
		t.Run(string(f), func(t *testing.T) {
			d := receivers[f].next(t)
			if !d.signatureOK || d.headers.Get("Content-Type") != "application/json" {
				t.Fatalf("signature ok %v, headers %v", d.signatureOK, d.headers)
			}
			var v map[string]any
			if err := json.Unmarshal(d.body, &v); err != nil {
				t.Fatal(err)
			}
			if _, generic := v["event"]; generic {
				t.Fatalf("the generic payload was sent: %s", d.body)
			}
			if got := check(t, v); got != signOff {
				t.Errorf("sign-off link %q, want %q", got, signOff)
			}
			body := strings.ReplaceAll(string(d.body), "\u200b", "")
			for _, want := range []string{"payments 2.4.0", "Release 2.4.0", "Rm Tester", "recorded No-Go", "refund flow untested", "Blocked by"} {
				if !strings.Contains(body, want) {
					t.Errorf("the message does not say %q: %s", want, d.body)
				}
			}
		})
	}

	// The webhook limited to web hears of web's release, and of nothing
	// before it: deliveries to one webhook go out in order.
	s.move(t, web.ID, gonogo.OpenReview)
	d := other.next(t)
	if !strings.Contains(string(d.body), "web 7.1.0") || strings.Contains(string(d.body), "payments") {
		t.Fatalf("the webhook for web received %s", d.body)
	}
	eventually(t, "the web webhook's log shows its one delivery", func() bool {
		return deliveryRows(t, admin, otherHook.ID).Filter(`[data-status=delivered]`).Length() == 1
	})
	if n := other.calls.Load(); n != 1 {
		t.Fatalf("the webhook for web was called %d times", n)
	}
}

// TestWebhookFormAdmin: the admin chooses the format and the products;
// an unknown format or product is refused beside its field; the list and
// the audit say both.
func TestWebhookFormAdmin(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "web", "7.1.0")
	admin := s.signIn(t, "admin")

	_, doc := admin.get("/admin/webhooks")
	var formats []string
	doc.Find(`[data-testid=new-webhook-form] select[name=format] option`).Each(func(_ int, o *goquery.Selection) {
		v, _ := o.Attr("value")
		formats = append(formats, v)
	})
	if strings.Join(formats, ",") != "json,slack,teams,google-chat,mattermost,discord" {
		t.Fatalf("formats offered: %v", formats)
	}
	if n := doc.Find(`[data-testid=new-webhook-form] input[name=product_keys]`).Length(); n != 2 {
		t.Fatalf("%d products offered, want 2", n)
	}

	for _, tc := range []struct {
		name, field string
		form        url.Values
	}{
		{"unknown product", "products", url.Values{"format": {"slack"}, "product_keys": {"payments", "nope"}}},
		{"not a product key", "products", url.Values{"format": {"slack"}, "products": {"payments,Pay Ments!"}}},
		{"unknown format", "format", url.Values{"format": {"carrier-pigeon"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("url", "http://127.0.0.1:9/hook")
			tc.form.Set("secret", hookSecret)
			tc.form.Set("topics", string(gonogo.TopicState))
			admin.get("/admin/webhooks")
			res := admin.post("/admin/webhooks", tc.form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			doc := parse(t, res)
			if doc.Find(`[data-testid=error-`+tc.field+`]`).Length() != 1 {
				t.Fatalf("no message beside %s", tc.field)
			}
			if v, _ := doc.Find(`input[name=url]`).Attr("value"); v != "http://127.0.0.1:9/hook" {
				t.Fatalf("the form lost the URL: %q", v)
			}
		})
	}
	if hooks, _ := s.store.FindWebhooks(t.Context()); len(hooks) != 0 {
		t.Fatalf("refused webhooks were stored: %+v", hooks)
	}

	// Boxes, or a comma list: both name products.
	admin.get("/admin/webhooks")
	wantStatus(t, admin.post("/admin/webhooks", url.Values{"url": {"http://127.0.0.1:9/teams"}, "secret": {hookSecret},
		"topics": {string(gonogo.TopicState)}, "format": {"teams"}, "products": {"web,payments"}}), http.StatusSeeOther)
	s.registerWebhook(t, admin, "http://127.0.0.1:9/plain", gonogo.TopicState)

	_, doc = admin.get("/admin/webhooks")
	rows := doc.Find(`[data-testid=webhook-row]`)
	if rows.Length() != 2 {
		t.Fatalf("%d rows", rows.Length())
	}
	teams, plain := rows.Eq(0), rows.Eq(1)
	if got := strings.TrimSpace(teams.Find(`[data-testid=webhook-format]`).Text()); got != "Microsoft Teams (Workflows)" {
		t.Errorf("format shown %q", got)
	}
	var products []string
	teams.Find(`[data-testid=webhook-products] [data-product]`).Each(func(_ int, p *goquery.Selection) { products = append(products, p.Text()) })
	if strings.Join(products, ",") != "payments,web" {
		t.Errorf("products shown %v", products)
	}
	if f, _ := plain.Find(`[data-testid=webhook-format]`).Attr("data-format"); f != "json" ||
		strings.TrimSpace(plain.Find(`[data-testid=webhook-products]`).Text()) != "Every product" {
		t.Errorf("a webhook registered without a format or products: %q", plain.Text())
	}
	events, _ := s.store.FindEvents(t.Context(), 2)
	if d := events[1].Detail; events[1].Action != "webhook.create" || !strings.Contains(d, "Microsoft Teams (Workflows) format") ||
		!strings.Contains(d, "products payments, web") {
		t.Fatalf("audit %q", d)
	}
	if d := events[0].Detail; !strings.Contains(d, "Generic JSON format") || !strings.Contains(d, "every product") {
		t.Fatalf("audit %q", d)
	}
}

// TestNudgeOnlyThroughWebhooksOfTheProduct: a webhook that takes nudges
// for another product does not carry this one's, so the nudge, which the
// QA lead switched off, is refused rather than claimed.
func TestNudgeOnlyThroughWebhooksOfTheProduct(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	if err := s.store.SetNotificationPrefs(t.Context(), s.actorOf("qa"), gonogo.Prefs{gonogo.NotifyNudge: gonogo.ChannelOff}); err != nil {
		t.Fatal(err)
	}
	s.mustCreateRelease(t, "web", "7.1.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	admin := s.signIn(t, "admin")
	admin.get("/admin/webhooks")
	wantStatus(t, admin.post("/admin/webhooks", url.Values{"url": {"http://127.0.0.1:9/web"}, "secret": {hookSecret},
		"topics": {string(gonogo.TopicNudge)}, "format": {"slack"}, "product_keys": {"web"}}), http.StatusSeeOther)
	rm := s.signIn(t, "rm")
	_, doc := rm.get("/releases/" + itoa(rel.ID))
	action, form := formOf(t, doc, "form:has([data-testid=nudge-qa-lead])", "")
	res := rm.post(action, form)
	wantStatus(t, res, http.StatusConflict)
	if got := text(parse(t, res), "#signoffs [data-testid=nudge-refused]"); !strings.Contains(got, "Nobody could be told") {
		t.Fatalf("refusal %q", got)
	}
}
