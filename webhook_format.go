package gonogo

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// WebhookFormat is the shape of a webhook's deliveries: the generic JSON
// payload, or the message a chat service's incoming webhook takes.
type WebhookFormat string

const (
	FormatJSON       WebhookFormat = "json"
	FormatSlack      WebhookFormat = "slack"
	FormatTeams      WebhookFormat = "teams"
	FormatGoogleChat WebhookFormat = "google-chat"
	FormatMattermost WebhookFormat = "mattermost"
	FormatDiscord    WebhookFormat = "discord"
)

// WebhookFormats lists every format, in the order forms show them.
var WebhookFormats = []WebhookFormat{FormatJSON, FormatSlack, FormatTeams, FormatGoogleChat, FormatMattermost, FormatDiscord}

var formatLabels = map[WebhookFormat]string{
	FormatJSON:       "Generic JSON",
	FormatSlack:      "Slack",
	FormatTeams:      "Microsoft Teams (Workflows)",
	FormatGoogleChat: "Google Chat",
	FormatMattermost: "Mattermost",
	FormatDiscord:    "Discord",
}

// Valid reports whether f is a known format.
func (f WebhookFormat) Valid() bool { return slices.Contains(WebhookFormats, f) }

// Label is the format's name for people.
func (f WebhookFormat) Label() string {
	if l, ok := formatLabels[f]; ok {
		return l
	}
	return string(f)
}

// MaxWebhookProducts bounds the products one webhook is limited to: a
// company has tens of products; past this, "every product" is the limit
// meant.
const MaxWebhookProducts = 50

// Covers reports whether the webhook carries events of product: one
// limited to products carries only theirs. An event of no release (the
// daily checkpoint) belongs to no product and reaches every webhook that
// takes its topic.
func (w Webhook) Covers(product string) bool {
	return len(w.Products) == 0 || product == "" || slices.Contains(w.Products, product)
}

// WebhooksFor returns the webhooks that carry events of product.
func WebhooksFor(hooks []Webhook, product string) []Webhook {
	var out []Webhook
	for _, w := range hooks {
		if w.Covers(product) {
			out = append(out, w)
		}
	}
	return out
}

// ChatMessage is what a chat message says, before any service's markup:
// the release, what happened and who did it, why the gate blocks the
// release, and where to sign off.
type ChatMessage struct {
	Headline   string // what kind of change: the first topic's label
	Release    *PayloadRelease
	Actor      string
	What       string // the audit event's words, on one line
	At         time.Time
	Reasons    []string // the gate's first reasons, when it blocks the release
	More       int      // how many reasons are left out
	SignOffURL string   // the release page's sign-off panel
}

// Bounds of a chat message, so that it fits every service's limits
// whatever the release's words: the first few reasons of a blocked gate,
// each cut to a line, and the event's words cut to a paragraph.
const (
	MaxChatReasons   = 3
	maxChatReasonLen = 300
	maxChatWhatLen   = 600
	maxChatActorLen  = 100
)

// gateShown is where a release stands while its gate still matters: until
// it deploys, and after a No-Go, before a new cycle.
var gateShown = []State{Draft, Review, Go, NoGo}

// NewChatMessage builds the message of a notice for the topics a webhook
// wants. rel is the release of the event (zero if none) and gate its gate
// now; baseURL is the board's.
func NewChatMessage(n Notice, topics []Topic, rel Release, gate Gate, baseURL string) ChatMessage {
	p := NewPayload(n, topics, rel, baseURL)
	m := ChatMessage{
		Headline: "Update",
		Release:  p.Release,
		Actor:    clip(n.Event.Actor, maxChatActorLen),
		What:     clip(strings.Join(strings.Fields(n.Event.Detail), " "), maxChatWhatLen),
		At:       n.Event.At.UTC(),
	}
	if len(topics) > 0 {
		m.Headline = topics[0].Label()
	}
	if p.Release == nil {
		return m
	}
	m.SignOffURL = p.Release.URL + "#signoffs"
	if gate.Ready || !slices.Contains(gateShown, rel.State) {
		return m
	}
	for i, r := range gate.Reasons {
		if i == MaxChatReasons {
			m.More = len(gate.Reasons) - i
			break
		}
		m.Reasons = append(m.Reasons, clip(strings.Join(strings.Fields(r.Text), " "), maxChatReasonLen))
	}
	return m
}

// Name is the release's name and title, or "" for an event of no release.
func (m ChatMessage) Name() string {
	if m.Release == nil {
		return ""
	}
	name := m.Release.Product + " " + m.Release.Version
	if m.Release.Title != "" {
		name += " — " + m.Release.Title
	}
	return name
}

// Summary is the message on one line, before markup: what a notification
// or a client that cannot show cards shows.
func (m ChatMessage) Summary() string {
	s := "[" + m.Headline + "] "
	if m.Release != nil {
		s += m.Release.Product + " " + m.Release.Version + " "
	}
	return s + "— " + m.Actor + ": " + m.What
}

// MoreText says how many reasons are left out, or "" if none are.
func (m ChatMessage) MoreText() string {
	if m.More == 0 {
		return ""
	}
	return "and " + strconv.Itoa(m.More) + " more"
}

// Encode returns the body a webhook of format f is sent for the notice:
// the generic payload for FormatJSON, as it always was, and for a chat
// service the message its incoming webhook documents.
func (f WebhookFormat) Encode(n Notice, topics []Topic, rel Release, gate Gate, baseURL string) ([]byte, error) {
	if f == FormatJSON || f == "" {
		return json.Marshal(NewPayload(n, topics, rel, baseURL))
	}
	m := NewChatMessage(n, topics, rel, gate, baseURL)
	var v any
	switch f {
	case FormatSlack:
		v = slackMessage(m)
	case FormatTeams:
		v = teamsMessage(m)
	case FormatGoogleChat:
		v = googleChatMessage(m)
	case FormatMattermost:
		v = mattermostMessage(m)
	case FormatDiscord:
		v = discordMessage(m)
	default:
		return nil, Errorf(EINVALID, "unknown webhook format %q", f)
	}
	return json.Marshal(v)
}

// clip cuts s to at most n characters, counted as UTF-16 code units as
// the services count them, ending a cut text with an ellipsis.
func clip(s string, n int) string {
	if utf16Len(s) <= n {
		return s
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		if used+w > n-1 {
			break
		}
		b.WriteRune(r)
		used += w
	}
	return b.String() + "…"
}

// escapeClip escapes s rune by rune with esc and stops before the escaped
// text would pass n characters, so that a cut never splits an escape.
func escapeClip(s string, esc func(rune) string, n int) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(esc(r))
	}
	if utf16Len(b.String()) <= n {
		return b.String()
	}
	b.Reset()
	used := 0
	for _, r := range s {
		e := esc(r)
		w := utf16Len(e)
		if used+w > n-1 {
			break
		}
		b.WriteString(e)
		used += w
	}
	return b.String() + "…"
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if w := utf16.RuneLen(r); w > 0 {
			n += w
		} else {
			n++
		}
	}
	return n
}
