package gonogo_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

func TestWebhookInputValidate(t *testing.T) {
	good := gonogo.WebhookInput{URL: "https://hooks.slack.com/services/T/B/X", Secret: "sixteen chars ok", Topics: []gonogo.Topic{gonogo.TopicDecision}}
	tests := []struct {
		name   string
		edit   func(*gonogo.WebhookInput)
		fields []string
	}{
		{"good", func(*gonogo.WebhookInput) {}, nil},
		{"no url", func(in *gonogo.WebhookInput) { in.URL = "" }, []string{"url"}},
		{"ftp", func(in *gonogo.WebhookInput) { in.URL = "ftp://example.com/x" }, []string{"url"}},
		{"credentials in url", func(in *gonogo.WebhookInput) { in.URL = "https://u:p@example.com/" }, []string{"url"}},
		{"short secret", func(in *gonogo.WebhookInput) { in.Secret = "short" }, []string{"secret"}},
		{"no topics", func(in *gonogo.WebhookInput) { in.Topics = nil }, []string{"topics"}},
		{"unknown topic", func(in *gonogo.WebhookInput) { in.Topics = []gonogo.Topic{"release.deleted"} }, []string{"topics"}},
		{"chat format", func(in *gonogo.WebhookInput) { in.Format = gonogo.FormatDiscord }, nil},
		{"unknown format", func(in *gonogo.WebhookInput) { in.Format = "carrier-pigeon" }, []string{"format"}},
		{"products", func(in *gonogo.WebhookInput) { in.Products = []string{"payments", "web"} }, nil},
		{"not a product key", func(in *gonogo.WebhookInput) { in.Products = []string{"pay ments"} }, []string{"products"}},
		{"too many products", func(in *gonogo.WebhookInput) {
			for i := range gonogo.MaxWebhookProducts + 1 {
				in.Products = append(in.Products, "p"+strconv.Itoa(i))
			}
		}, []string{"products"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := good
			tc.edit(&in)
			in.Normalize()
			err := in.Validate()
			if tc.fields == nil {
				wantCode(t, err, "")
				return
			}
			wantFields(t, err, tc.fields...)
		})
	}
	in := gonogo.WebhookInput{Topics: []gonogo.Topic{gonogo.TopicState, gonogo.TopicVote, gonogo.TopicState},
		Format: " Slack ", Products: []string{" web", "", "payments", "Web"}}
	in.Normalize()
	if !slices.Equal(in.Topics, []gonogo.Topic{gonogo.TopicVote, gonogo.TopicState}) {
		t.Fatalf("topics not canonical: %v", in.Topics)
	}
	if in.Format != gonogo.FormatSlack || !slices.Equal(in.Products, []string{"payments", "web"}) {
		t.Fatalf("format %q, products %v", in.Format, in.Products)
	}
	none := gonogo.WebhookInput{}
	if none.Normalize(); none.Format != gonogo.FormatJSON {
		t.Fatalf("no format is %q, want json", none.Format)
	}
	wantCode(t, in.CheckProducts([]string{"payments", "web", "api"}), "")
	wantFields(t, in.CheckProducts([]string{"payments"}), "products")
}

// TestWebhookCovers: a webhook limited to products carries theirs, and
// events of no release; one without a limit carries every product's.
func TestWebhookCovers(t *testing.T) {
	limited := gonogo.Webhook{ID: 1, Products: []string{"payments"}}
	all := gonogo.Webhook{ID: 2}
	if !limited.Covers("payments") || limited.Covers("web") || !limited.Covers("") || !all.Covers("web") {
		t.Fatal("covers")
	}
	got := gonogo.WebhooksFor([]gonogo.Webhook{limited, all}, "web")
	if len(got) != 1 || got[0].ID != 2 {
		t.Fatalf("webhooks for web: %+v", got)
	}
}

func TestDeliveryAttempted(t *testing.T) {
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	backoff := []time.Duration{time.Second, time.Minute}
	d := gonogo.Delivery{Status: gonogo.DeliveryPending}
	d = d.Attempted(500, "server error", backoff, now)
	if d.Status != gonogo.DeliveryPending || d.Attempts != 1 || !d.NextAttemptAt.Equal(now.Add(time.Second)) {
		t.Fatalf("after one failure: %+v", d)
	}
	d = d.Attempted(0, "connection refused", backoff, now)
	if d.Status != gonogo.DeliveryPending || !d.NextAttemptAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("after two failures: %+v", d)
	}
	if failed := d.Attempted(502, "bad gateway", backoff, now); failed.Status != gonogo.DeliveryFailed || failed.Attempts != 3 {
		t.Fatalf("after the backoff is used up: %+v", failed)
	}
	if ok := d.Attempted(204, "", backoff, now); ok.Status != gonogo.DeliveryDelivered || ok.Error != "" || ok.StatusCode != 204 {
		t.Fatalf("after a success: %+v", ok)
	}
}

func TestNewPayload(t *testing.T) {
	n := gonogo.Notice{
		Event:  gonogo.Event{ID: 9, Actor: "Rita <RM>", Action: "decision", Detail: "recorded Go\n(decision 1) & more", ReleaseID: 4},
		Topics: []gonogo.Topic{gonogo.TopicDecision, gonogo.TopicState},
	}
	w := gonogo.Webhook{Topics: []gonogo.Topic{gonogo.TopicState, gonogo.TopicDecision}}
	topics := w.Wants(n.Topics)
	if !slices.Equal(topics, []gonogo.Topic{gonogo.TopicDecision, gonogo.TopicState}) {
		t.Fatalf("wants %v", topics)
	}
	if got := (gonogo.Webhook{Topics: []gonogo.Topic{gonogo.TopicVote}}).Wants(n.Topics); got != nil {
		t.Fatalf("a vote webhook wants %v", got)
	}
	rel := gonogo.Release{ID: 4, Product: "payments", Version: "2.4.0", State: gonogo.Go}
	p := gonogo.NewPayload(n, topics, rel, "https://gonogo.example.com/")
	want := "[Decision recorded] payments 2.4.0 — Rita &lt;RM&gt;: recorded Go (decision 1) &amp; more <https://gonogo.example.com/releases/4|open>"
	if p.Text != want {
		t.Fatalf("text\n got %q\nwant %q", p.Text, want)
	}
	if p.Release == nil || p.Release.URL != "https://gonogo.example.com/releases/4" || p.Event.ID != 9 {
		t.Fatalf("payload %+v", p)
	}
}

func TestTokenPermits(t *testing.T) {
	all := gonogo.Token{Name: "ci"}
	limited := gonogo.Token{Name: "payments-ci", Product: "payments"}
	wantCode(t, all.Permits("web"), "")
	wantCode(t, limited.Permits("payments"), "")
	wantCode(t, limited.Permits("web"), gonogo.EFORBIDDEN)
	in := gonogo.TokenInput{Name: "  deploy bot ", Product: " Payments "}
	in.Normalize()
	if in.Name != "deploy bot" || in.Product != "payments" {
		t.Fatalf("normalized %+v", in)
	}
	wantCode(t, in.Validate(), "")
	bad := gonogo.TokenInput{Name: "", Product: "pay ments"}
	wantFields(t, bad.Validate(), "name", "product")
	if gonogo.HashToken("gng_x") == gonogo.HashToken("gng_y") || len(gonogo.HashToken("gng_x")) != 64 {
		t.Fatal("token hash")
	}
}
