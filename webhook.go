package gonogo

import (
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
	TopicReviewed:       "Post-release review recorded",

	TopicFreezeException: "Freeze exception",
	TopicAlertFiring:     "Alert firing on a release",
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
// posted to URL as JSON in Format, signed with Secret. Products limits it
// to their releases' changes; none means every product's.
type Webhook struct {
	ID        int64
	URL       string
	Secret    string
	Topics    []Topic
	Format    WebhookFormat
	Products  []string
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
	URL      string
	Secret   string
	Topics   []Topic
	Format   WebhookFormat // "" is FormatJSON
	Products []string      // none: every product
}

// Normalize trims the input and puts the topics in canonical order, once
// each, and the products in order, once each.
func (in *WebhookInput) Normalize() {
	in.URL = strings.TrimSpace(in.URL)
	in.Secret = strings.TrimSpace(in.Secret)
	in.Format = WebhookFormat(strings.ToLower(strings.TrimSpace(string(in.Format))))
	if in.Format == "" {
		in.Format = FormatJSON
	}
	var ps []string
	for _, p := range in.Products {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	in.Products = slices.Compact(ps)
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
// webhook.ForbiddenAddr), because answering it takes a DNS lookup.
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
	if !in.Format.Valid() {
		p.Add("format", "choose one of the formats listed, not %q", in.Format)
	}
	if len(in.Products) > MaxWebhookProducts {
		p.Add("products", "a webhook may be limited to at most %d products; leave them all unticked for every product", MaxWebhookProducts)
	}
	for _, pr := range in.Products {
		if ValidateProduct(pr) != nil {
			p.Add("products", "%q is not a product key", pr)
		}
	}
	return p.Err()
}

// CheckProducts refuses a limit to products that are not among known: a
// webhook limited to a product nobody made would wait for nothing.
func (in WebhookInput) CheckProducts(known []string) error {
	for _, p := range in.Products {
		if !slices.Contains(known, p) {
			return FieldErrorf("products", "there is no product %q", p)
		}
	}
	return nil
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

// WebhookCreated is the audit of the webhook in registered as id.
func WebhookCreated(id int64, in WebhookInput) Audit {
	var topics []string
	for _, t := range in.Topics {
		topics = append(topics, string(t))
	}
	products := "every product"
	if len(in.Products) > 0 {
		products = "products " + strings.Join(in.Products, ", ")
	}
	return audit(ActionWebhookCreate, "registered webhook %d to %s in %s format for %s, of %s", id, redactURL(in.URL), in.Format.Label(),
		strings.Join(topics, ", "), products)
}

// WebhookRemoved is the audit of w removed with its queue and log.
func WebhookRemoved(w Webhook) Audit {
	return audit(ActionWebhookDelete, "removed webhook %d to %s", w.ID, redactURL(w.URL))
}

// redactURL keeps a webhook's address out of the audit trail but for its
// host: chat webhook URLs carry their credentials in the path.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "an invalid URL"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
