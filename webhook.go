package gonogo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on a webhook's secret.
const (
	MinWebhookSecretLen = 16
	MaxWebhookSecretLen = 200
)

var topicLabels = map[Topic]string{
	TopicVote:           "Vote cast",
	TopicDecision:       "Decision recorded",
	TopicState:          "State changed",
	TopicCheckFailed:    "Check failed",
	TopicBlockingDefect: "Blocking defect added",
	TopicWindow:         "Window changed",
	TopicNudge:          "Sign-off nudged",
	TopicReleased:       "Released",
	TopicCheckpoint:     "Daily audit checkpoint",
}

// Valid reports whether t is a known topic.
func (t Topic) Valid() bool { return slices.Contains(Topics, t) }

// Label is the topic's name for people.
func (t Topic) Label() string {
	if l, ok := topicLabels[t]; ok {
		return l
	}
	return string(t)
}

// Webhook is an outgoing notification: changes of the chosen topics are
// posted to URL as JSON, signed with Secret.
type Webhook struct {
	ID        int64
	URL       string
	Secret    string
	Topics    []Topic
	CreatedBy string
	CreatedAt time.Time
}

// Wants returns the topics of a change that the webhook subscribes to, in
// the order of Topics; none means the change is not for it.
func (w Webhook) Wants(topics []Topic) []Topic {
	var out []Topic
	for _, t := range Topics {
		if slices.Contains(w.Topics, t) && slices.Contains(topics, t) {
			out = append(out, t)
		}
	}
	return out
}

// WebhookInput is what an admin gives to register a webhook.
type WebhookInput struct {
	URL    string
	Secret string
	Topics []Topic
}

// Normalize trims the input and puts the topics in canonical order, once each.
func (in *WebhookInput) Normalize() {
	in.URL = strings.TrimSpace(in.URL)
	in.Secret = strings.TrimSpace(in.Secret)
	var ts []Topic
	for _, t := range Topics {
		if slices.Contains(in.Topics, t) {
			ts = append(ts, t)
		}
	}
	for _, t := range in.Topics {
		if !t.Valid() {
			ts = append(ts, t) // kept so that Validate names it
		}
	}
	in.Topics = ts
}

// Validate reports every problem with the input at once. Whether the URL
// points somewhere a webhook may go is a separate question (see
// ForbiddenAddr), because answering it takes a DNS lookup.
func (in WebhookInput) Validate() error {
	p := Problems{}
	u, err := url.Parse(in.URL)
	switch {
	case in.URL == "":
		p.Add("url", "URL is required")
	case len(in.URL) > MaxURLLen:
		p.Add("url", "URL must be at most %d characters", MaxURLLen)
	case !utf8.ValidString(in.URL):
		p.Add("url", "URL must be valid text")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "":
		p.Add("url", "URL must be an http or https address, such as https://hooks.slack.com/services/...")
	case u.User != nil:
		p.Add("url", "URL must not carry a user name or password; use the secret instead")
	}
	validateLine(p, "secret", "Secret", in.Secret, MaxWebhookSecretLen, true)
	if _, bad := p["secret"]; !bad && len(in.Secret) < MinWebhookSecretLen {
		p.Add("secret", "the secret must be at least %d characters, so that signatures cannot be forged", MinWebhookSecretLen)
	}
	if len(in.Topics) == 0 {
		p.Add("topics", "choose at least one kind of change to send")
	}
	for _, t := range in.Topics {
		if !t.Valid() {
			p.Add("topics", "unknown topic %q", t)
		}
	}
	return p.Err()
}

// specialRange is a block of addresses that a webhook may not reach.
type specialRange struct {
	prefix netip.Prefix
	what   string // "a loopback address"
}

// specialRanges are the IANA IPv4 and IPv6 Special-Purpose Address
// Registries (RFC 6890 and its updates), with multicast and the deprecated
// site-local block beside them: loopback, link-local (where cloud metadata
// services live), private and the rest would let whoever registers a
// webhook reach inside the network gonogo runs in, or are not meant to be
// reached at all. The narrower range comes first, for the message. IPv6
// outside global unicast (2000::/3) is refused besides, and the well-known
// NAT64 prefix is judged by the IPv4 address it carries.
var specialRanges = func() []specialRange {
	var rs []specialRange
	for _, r := range [][2]string{
		{"0.0.0.0/8", "a “this network” address"},
		{"10.0.0.0/8", "a private address"},
		{"100.64.0.0/10", "a private address (shared address space, RFC 6598)"},
		{"127.0.0.0/8", "a loopback address"},
		{"169.254.0.0/16", "a link-local address"},
		{"172.16.0.0/12", "a private address"},
		{"192.0.0.0/24", "an IETF protocol assignment"},
		{"192.0.2.0/24", "a documentation address"},
		{"192.31.196.0/24", "an AS112 service address"},
		{"192.52.193.0/24", "an AMT relay address"},
		{"192.88.99.0/24", "a 6to4 relay address"},
		{"192.168.0.0/16", "a private address"},
		{"192.175.48.0/24", "an AS112 service address"},
		{"198.18.0.0/15", "a benchmarking address"},
		{"198.51.100.0/24", "a documentation address"},
		{"203.0.113.0/24", "a documentation address"},
		{"224.0.0.0/4", "a multicast address"},
		{"255.255.255.255/32", "the broadcast address"},
		{"240.0.0.0/4", "a reserved address"},

		{"::/128", "the unspecified address"},
		{"::1/128", "a loopback address"},
		{"::/96", "an IPv4-compatible address (deprecated)"},
		{"64:ff9b:1::/48", "a local-use NAT64 address"},
		{"100::/64", "a discard-only address"},
		{"100:0:0:1::/64", "a dummy address"},
		{"2001::/32", "a Teredo address"},
		{"2001::/23", "an IETF protocol assignment"},
		{"2001:db8::/32", "a documentation address"},
		{"2002::/16", "a 6to4 address"},
		{"2620:4f:8000::/48", "an AS112 service address"},
		{"3fff::/20", "a documentation address"},
		{"5f00::/16", "a segment routing address"},
		{"fc00::/7", "a private (unique local) address"},
		{"fe80::/10", "a link-local address"},
		{"fec0::/10", "a site-local address (deprecated)"},
		{"ff00::/8", "a multicast address"},
	} {
		rs = append(rs, specialRange{netip.MustParsePrefix(r[0]), r[1]})
	}
	return rs
}()

var (
	// nat64 is the well-known NAT64 prefix (RFC 6052): 64:ff9b::a.b.c.d is
	// a.b.c.d reached through a translator, which is how an IPv6-only host
	// behind DNS64 reaches an IPv4-only receiver.
	nat64         = netip.MustParsePrefix("64:ff9b::/96")
	globalUnicast = netip.MustParsePrefix("2000::/3")
)

// ForbiddenAddr says why a webhook may not be sent to ip, or "" if it may:
// ip is in a special-purpose range (see specialRanges), or is IPv6 outside
// global unicast. An IPv4 address mapped into IPv6 or behind the
// well-known NAT64 prefix is judged as that IPv4 address.
func ForbiddenAddr(ip netip.Addr) string {
	if !ip.IsValid() {
		return "it is not an IP address"
	}
	ip = ip.WithZone("")
	shown := ip.String()
	ip = ip.Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	for _, r := range specialRanges {
		if r.prefix.Contains(ip) {
			return shown + " is " + r.what
		}
	}
	if ip.Is6() && !globalUnicast.Contains(ip) {
		return shown + " is not a global unicast address"
	}
	return ""
}

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

// DeliveryStatus is where a webhook delivery stands.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending" // not sent yet, or to be retried
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed" // every attempt failed; given up
)

// Delivery is one notice sent, or to be sent, to one webhook.
type Delivery struct {
	ID            int64
	WebhookID     int64
	EventID       int64
	Topics        []Topic
	Body          []byte
	Status        DeliveryStatus
	Attempts      int
	StatusCode    int    // of the last attempt; 0 if none answered
	Error         string // why the last attempt failed
	NextAttemptAt time.Time
	LastAttemptAt time.Time
	CreatedAt     time.Time
}

// DefaultBackoff is how long to wait after each failed attempt before the
// next: six attempts over about two and a half hours, then give up.
var DefaultBackoff = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour}

// Attempted returns the delivery after an attempt at now: delivered on a 2xx
// answer, otherwise scheduled again after the backoff for its number of
// attempts, or failed for good once the backoff is used up.
func (d Delivery) Attempted(code int, errText string, backoff []time.Duration, now time.Time) Delivery {
	d.Attempts++
	d.StatusCode, d.Error, d.LastAttemptAt = code, errText, now
	switch {
	case code >= 200 && code < 300 && errText == "":
		d.Status, d.Error = DeliveryDelivered, ""
	case d.Attempts > len(backoff):
		d.Status = DeliveryFailed
	default:
		d.Status, d.NextAttemptAt = DeliveryPending, now.Add(backoff[d.Attempts-1])
	}
	return d
}

// WebhookPayload is the JSON body of a delivery. Text is a line that Slack
// and Mattermost incoming webhooks show as is.
type WebhookPayload struct {
	Text    string          `json:"text"`
	Topics  []Topic         `json:"topics"`
	Event   PayloadEvent    `json:"event"`
	Release *PayloadRelease `json:"release,omitempty"`
	// Checkpoint is a signed checkpoint of the audit trail, as the text
	// file an admin downloads, for a receiver to keep.
	Checkpoint string `json:"checkpoint,omitempty"`
}

// PayloadEvent is the audit event a delivery announces.
type PayloadEvent struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Detail string    `json:"detail"`
}

// PayloadRelease is the release the event concerns, as it was when the
// delivery was prepared.
type PayloadRelease struct {
	ID      int64  `json:"id"`
	Product string `json:"product"`
	Version string `json:"version"`
	Title   string `json:"title"`
	State   State  `json:"state"`
	URL     string `json:"url"`
}

// NewPayload builds the delivery of a notice for the topics a webhook wants.
// rel is the release of the event (zero if none); baseURL is the board's.
func NewPayload(n Notice, topics []Topic, rel Release, baseURL string) WebhookPayload {
	e := n.Event
	p := WebhookPayload{
		Topics: topics,
		Event:  PayloadEvent{ID: e.ID, At: e.At.UTC(), Actor: e.Actor, Action: e.Action, Detail: e.Detail},
	}
	var subject, link string
	if rel.ID != 0 {
		link = strings.TrimSuffix(baseURL, "/") + "/releases/" + strconv.FormatInt(rel.ID, 10)
		p.Release = &PayloadRelease{ID: rel.ID, Product: rel.Product, Version: rel.Version, Title: rel.Title, State: rel.State, URL: link}
		subject = rel.Name() + " "
	}
	label := "Update"
	if len(topics) > 0 {
		label = topics[0].Label()
	}
	detail := strings.Join(strings.Fields(e.Detail), " ") // one line
	text := "[" + label + "] " + subject + "— " + e.Actor + ": " + detail
	p.Text = slackEscape(text)
	if n.Checkpoint != nil {
		p.Checkpoint = n.Checkpoint.String()
	}
	if link != "" {
		p.Text += " <" + link + "|open>"
	}
	return p
}

// slackEscape escapes the three characters Slack's text format reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
