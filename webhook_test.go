package gonogo_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// specialPurpose are the ranges of IANA's IPv4 and IPv6 Special-Purpose
// Address Registries, with multicast, the reserved and deprecated blocks
// beside them, and everything IPv6 outside global unicast (2000::/3) that
// the registries reserve. A webhook may go to none of them.
var specialPurpose = []string{
	// IPv4
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
	"192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
	"192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	"255.255.255.255/32",
	// IPv6
	"::/128", "::1/128", "::/96", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64", "2001::/23",
	"2001::/32", "2001:2::/48", "2001:db8::/32", "2002::/16", "2620:4f:8000::/48", "3fff::/20", "5f00::/16",
	"fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
}

// lastAddr is the highest address of a prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestForbiddenAddr(t *testing.T) {
	forbidden := []string{
		// Accepted before: NAT64 forms of loopback and the metadata
		// address, 6to4, site-local, Teredo, "this network", reserved,
		// benchmarking, IETF protocol assignments.
		"64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "fec0::1", "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
		"0.0.0.1", "240.0.0.1", "198.18.0.1", "192.0.0.8",
		// And the obvious ones, in every spelling.
		"127.0.0.1", "127.8.9.1", "::1", "169.254.169.254", "fe80::1", "fe80::1%eth0", "10.1.2.3", "172.16.0.9", "192.168.1.1",
		"fd00::1", "100.64.0.1", "0.0.0.0", "::", "224.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::7f00:1",
		"64:ff9b::10.0.0.1", "64:ff9b::ffff:ffff", "64:ff9b:1::8.8.8.8", "fd00:ec2::254", "ff02::1", "5f00::1",
	}
	for _, p := range specialPurpose {
		prefix := netip.MustParsePrefix(p)
		forbidden = append(forbidden, prefix.Addr().String(), lastAddr(prefix).String())
		if prefix.Addr().Is4() {
			// The same address mapped into IPv6 and behind NAT64.
			forbidden = append(forbidden, "::ffff:"+prefix.Addr().String(), "64:ff9b::"+lastAddr(prefix).String())
		}
	}
	for _, s := range forbidden {
		t.Run(s, func(t *testing.T) {
			if gonogo.ForbiddenAddr(netip.MustParseAddr(s)) == "" {
				t.Errorf("%s is allowed", s)
			}
		})
	}
	// Public addresses, among them the neighbours of refused ranges; a
	// public IPv4 address behind the well-known NAT64 prefix is what an
	// IPv6-only host with DNS64 dials to reach it.
	for _, s := range []string{"93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8",
		"64:ff9b::808:808", "64:ff9b::93.184.215.14", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
		"128.0.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.0", "192.0.3.0", "198.17.255.255", "198.20.0.0", "223.255.255.255",
		"2001:200::1", "2001:db9::1", "2003::1", "3fff:1000::1", "2620:4f:8001::1"} {
		t.Run(s, func(t *testing.T) {
			if why := gonogo.ForbiddenAddr(netip.MustParseAddr(s)); why != "" {
				t.Errorf("%s is refused: %s", s, why)
			}
		})
	}
	for addr, want := range map[string]string{"169.254.169.254": "link-local", "127.0.0.1": "loopback", "64:ff9b::7f00:1": "loopback",
		"::ffff:10.0.0.1": "private", "2001::1": "Teredo", "2002:7f00:1::": "6to4", "fec0::1": "site-local"} {
		if why := gonogo.ForbiddenAddr(netip.MustParseAddr(addr)); !strings.Contains(why, want) {
			t.Errorf("%s: %q does not say %s", addr, why, want)
		}
	}
}

func TestSign(t *testing.T) {
	body := []byte(`{"text":"hello"}`)
	m := hmac.New(sha256.New, []byte("a shared secret!"))
	m.Write(body)
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	if got := gonogo.Sign("a shared secret!", body); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if gonogo.Sign("another secret..", body) == want {
		t.Fatal("the signature does not depend on the secret")
	}
}

func TestSignAt(t *testing.T) {
	body := []byte(`{"text":"hello"}`)
	at := time.Unix(1741082400, 999_000_000)
	m := hmac.New(sha256.New, []byte("a shared secret!"))
	m.Write([]byte("1741082400." + string(body)))
	want := "t=1741082400,v1=" + hex.EncodeToString(m.Sum(nil))
	if got := gonogo.SignAt("a shared secret!", body, at); got != want {
		t.Fatalf("SignAt = %s, want %s", got, want)
	}
	if gonogo.SignAt("a shared secret!", body, at.Add(time.Second)) == want {
		t.Fatal("the signature does not depend on the time")
	}
}

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
	in := gonogo.WebhookInput{Topics: []gonogo.Topic{gonogo.TopicState, gonogo.TopicVote, gonogo.TopicState}}
	in.Normalize()
	if !slices.Equal(in.Topics, []gonogo.Topic{gonogo.TopicVote, gonogo.TopicState}) {
		t.Fatalf("topics not canonical: %v", in.Topics)
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
