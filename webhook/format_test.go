package webhook_test

// Each chat format's body is checked against the shape its service
// documents: the Adaptive Card against the published 1.4 schema, the
// others field by field with the documented limits. What people typed is
// read back through a Markdown or HTML parser, as the service would read
// it, to see that it stays text: no link but the board's, no mention.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/PuerkitoBio/goquery"
	"github.com/yuin/goldmark"

	"github.com/gonogo/gonogo"
)

const (
	board     = "https://gonogo.example.com"
	releaseAt = board + "/releases/4"
	signOffAt = releaseAt + "#signoffs"
)

// A release whose words try every service's markup.
var (
	hostileTitle  = `<!channel> @everyone [pay here](https://evil.example/x) <https://evil.example|click> *bold* & <@U123>`
	hostileActor  = `Mallory <users/all> @here`
	hostileDetail = "recorded No-Go\n# heading [x](https://evil.example/y) <!here> @channel"
)

func blockedNotice() (gonogo.Notice, []gonogo.Topic, gonogo.Release, gonogo.Gate) {
	n := gonogo.Notice{
		Event:  gonogo.Event{ID: 9, At: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), Actor: hostileActor, Action: "decision", Detail: hostileDetail, ReleaseID: 4},
		Topics: []gonogo.Topic{gonogo.TopicDecision, gonogo.TopicState},
	}
	rel := gonogo.Release{ID: 4, Product: "payments", Version: "2.4.0", Title: hostileTitle, State: gonogo.NoGo}
	gate := gonogo.Gate{Reasons: []gonogo.Reason{
		{Kind: gonogo.ReasonNoGo, Text: "QA lead (Quinn) voted No-Go: see [here](https://evil.example/z) <!everyone>"},
		{Kind: gonogo.ReasonDefect, Text: "Blocker defect “refunds fail” is open"},
		{Kind: gonogo.ReasonItem, Text: "Required item “Rollback plan” is open"},
		{Kind: gonogo.ReasonNotes, Text: "Release notes are not published"},
		{Kind: gonogo.ReasonQuorum, Text: "Fewer than two people voted Go"},
	}}
	return n, n.Topics, rel, gate
}

func encode(t *testing.T, f gonogo.WebhookFormat, n gonogo.Notice, topics []gonogo.Topic, rel gonogo.Release, gate gonogo.Gate) map[string]any {
	t.Helper()
	body, err := f.Encode(n, topics, rel, gate, board+"/")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	return v
}

func encodeBlocked(t *testing.T, f gonogo.WebhookFormat) map[string]any {
	t.Helper()
	n, topics, rel, gate := blockedNotice()
	return encode(t, f, n, topics, rel, gate)
}

// units counts as the services count: UTF-16 code units.
func units(s string) int { return len(utf16.Encode([]rune(s))) }

func str(t *testing.T, v any, what string) string {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%s is %T, not a string", what, v)
	}
	return s
}

func obj(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is %T, not an object", what, v)
	}
	return m
}

func arr(t *testing.T, v any, what string, min, max int) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("%s is %T, not an array", what, v)
	}
	if len(a) < min || len(a) > max {
		t.Fatalf("%s has %d entries, want %d to %d", what, len(a), min, max)
	}
	return a
}

func atMost(t *testing.T, s string, n int, what string) {
	t.Helper()
	if units(s) > n {
		t.Errorf("%s is %d characters, more than the %d allowed", what, units(s), n)
	}
}

// readMarkdown renders Markdown as CommonMark does and returns the
// visible text and the targets of its links and images.
func readMarkdown(t *testing.T, md string) (string, []string) {
	t.Helper()
	var out bytes.Buffer
	if err := goldmark.Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	return readHTML(t, out.String())
}

// readHTML returns the visible text of an HTML fragment and the targets
// of its links and images.
func readHTML(t *testing.T, h string) (string, []string) {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(h))
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	doc.Find("a[href], img[src]").Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("href")
		if s.Is("img") {
			v, _ = s.Attr("src")
		}
		targets = append(targets, v)
	})
	if strings.Contains(h, "raw HTML omitted") {
		t.Errorf("raw HTML reached the Markdown: %s", h)
	}
	return doc.Text(), targets
}

// onlyBoardLinks fails unless every target is a page of the board.
func onlyBoardLinks(t *testing.T, targets []string, what string) {
	t.Helper()
	for _, u := range targets {
		if !strings.HasPrefix(u, board+"/releases/4") {
			t.Errorf("%s links to %q", what, u)
		}
	}
}

// noMentions fails if text, as shown, would mention a whole channel.
func noMentions(t *testing.T, text, what string) {
	t.Helper()
	if m := regexp.MustCompile(`@(everyone|here|channel|all)\b`).FindString(text); m != "" {
		t.Errorf("%s mentions %q: %q", what, m, text)
	}
}

// saysItAll fails unless the visible text carries the release, what
// happened and who did it, the first three reasons and how many more.
func saysItAll(t *testing.T, text, what string) {
	t.Helper()
	text = strings.ReplaceAll(text, "\u200b", "")
	for _, want := range []string{"payments 2.4.0", "pay here", "Mallory", "recorded No-Go", "QA lead (Quinn) voted No-Go",
		"refunds fail", "Rollback plan", "and 2 more"} {
		if !strings.Contains(text, want) {
			t.Errorf("%s does not say %q: %q", what, want, text)
		}
	}
	if strings.Contains(text, "Release notes are not published") {
		t.Errorf("%s lists more than the first reasons", what)
	}
}

func TestSlackFormat(t *testing.T) {
	v := encodeBlocked(t, gonogo.FormatSlack)
	text := str(t, v["text"], "text")
	blocks := arr(t, v["blocks"], "blocks", 1, 50)
	var shown strings.Builder
	var buttons []string
	mrkdwn := []string{text}
	for i, b := range blocks {
		b := obj(t, b, "block")
		switch typ := str(t, b["type"], "block type"); typ {
		case "header":
			txt := obj(t, b["text"], "header text")
			if str(t, txt["type"], "header text type") != "plain_text" {
				t.Errorf("block %d: a header's text must be plain_text", i)
			}
			atMost(t, str(t, txt["text"], "header"), 150, "the header")
			shown.WriteString(txt["text"].(string) + "\n")
		case "section":
			txt := obj(t, b["text"], "section text")
			s := str(t, txt["text"], "section text")
			atMost(t, s, 3000, "a section")
			if txt["type"] == "mrkdwn" {
				mrkdwn = append(mrkdwn, s)
				// Otherwise Slack links bare URLs and reads "@here".
				if txt["verbatim"] != true {
					t.Errorf("block %d: mrkdwn that is not verbatim", i)
				}
			}
			shown.WriteString(s + "\n")
		case "actions":
			els := arr(t, b["elements"], "actions elements", 1, 25)
			for _, e := range els {
				e := obj(t, e, "element")
				label := obj(t, e["text"], "button text")
				if e["type"] != "button" || label["type"] != "plain_text" {
					t.Errorf("element %v is not a button with plain_text", e)
				}
				atMost(t, str(t, label["text"], "button label"), 75, "a button's label")
				u := str(t, e["url"], "button url")
				atMost(t, u, 3000, "a button's URL")
				atMost(t, str(t, e["action_id"], "action_id"), 255, "an action_id")
				buttons = append(buttons, u)
			}
		default:
			t.Errorf("block %d has type %q", i, typ)
		}
	}
	if len(buttons) == 0 || buttons[0] != signOffAt {
		t.Errorf("no button to sign off: %v", buttons)
	}
	// In Slack's mrkdwn, <…> is a link or a mention: only the board's
	// links may appear; the release's own words are escaped.
	for _, s := range mrkdwn {
		for _, tag := range regexp.MustCompile(`<[^>]*>`).FindAllString(s, -1) {
			if !strings.HasPrefix(tag, "<"+board+"/releases/4") {
				t.Errorf("mrkdwn holds %q: %q", tag, s)
			}
		}
		noMentions(t, s, "mrkdwn")
	}
	unescaped := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "\u200b", "").Replace(shown.String())
	saysItAll(t, unescaped, "the Slack message")
	if !strings.Contains(unescaped, hostileTitle) {
		t.Errorf("the title is not shown as typed: %q", unescaped)
	}
}

func TestTeamsFormat(t *testing.T) {
	v := encodeBlocked(t, gonogo.FormatTeams)
	if v["type"] != "message" {
		t.Fatalf("type %v, want message", v["type"])
	}
	atts := arr(t, v["attachments"], "attachments", 1, 1)
	att := obj(t, atts[0], "attachment")
	if att["contentType"] != "application/vnd.microsoft.card.adaptive" {
		t.Fatalf("contentType %v", att["contentType"])
	}
	card := obj(t, att["content"], "content")
	checkAdaptiveCard(t, card)
	// A TextBlock reads Markdown: only the board's own words go there;
	// the release's words go in TextRuns, shown as typed.
	var runs strings.Builder
	for _, it := range arr(t, card["body"], "body", 1, 100) {
		it := obj(t, it, "element")
		switch it["type"] {
		case "TextBlock":
			if s := it["text"].(string); strings.ContainsAny(s, "<[@*") || strings.Contains(s, "Mallory") {
				t.Errorf("people's words in a TextBlock: %q", s)
			}
			runs.WriteString(it["text"].(string) + "\n")
		case "RichTextBlock":
			for _, r := range arr(t, it["inlines"], "inlines", 1, 10) {
				runs.WriteString(obj(t, r, "inline")["text"].(string))
			}
			runs.WriteString("\n")
		}
	}
	saysItAll(t, runs.String(), "the card")
	if !strings.Contains(runs.String(), hostileTitle) {
		t.Errorf("the title is not shown as typed: %q", runs.String())
	}
	acts := arr(t, card["actions"], "actions", 1, 6)
	if a := obj(t, acts[0], "action"); a["type"] != "Action.OpenUrl" || a["url"] != signOffAt || a["title"] != "Sign off" {
		t.Errorf("first action %v", a)
	}
}

// checkAdaptiveCard checks card against what the Adaptive Cards 1.4
// reference (adaptivecards.io/explorer) documents for the elements the
// board sends: each element's type among those 1.4 knows, and the
// properties each requires, with the enumerated values it allows.
func checkAdaptiveCard(t *testing.T, card map[string]any) {
	t.Helper()
	if card["type"] != "AdaptiveCard" || card["version"] != "1.4" {
		t.Fatalf("card type %v version %v, want AdaptiveCard 1.4", card["type"], card["version"])
	}
	enum := func(where, prop string, v any, allowed ...string) {
		if v == nil {
			return
		}
		if s, ok := v.(string); !ok || !slices.Contains(allowed, s) {
			t.Errorf("%s: %s is %v, not one of %v", where, prop, v, allowed)
		}
	}
	action := func(where string, a map[string]any) {
		if a["type"] != "Action.OpenUrl" {
			t.Errorf("%s: action type %v, want Action.OpenUrl", where, a["type"])
		}
		if u, ok := a["url"].(string); !ok || !strings.HasPrefix(u, "https://") {
			t.Errorf("%s: Action.OpenUrl needs a url, has %v", where, a["url"])
		}
		enum(where, "style", a["style"], "default", "positive", "destructive")
	}
	for i, raw := range arr(t, card["body"], "body", 1, 100) {
		el := obj(t, raw, "element")
		where := fmt.Sprintf("body[%d] %v", i, el["type"])
		enum(where, "spacing", el["spacing"], "default", "none", "small", "medium", "large", "extraLarge", "padding",
			"Default", "None", "Small", "Medium", "Large", "ExtraLarge", "Padding")
		switch el["type"] {
		case "TextBlock":
			if _, ok := el["text"].(string); !ok {
				t.Errorf("%s: a TextBlock requires text", where)
			}
			enum(where, "weight", el["weight"], "Default", "Lighter", "Bolder", "default", "lighter", "bolder")
			enum(where, "size", el["size"], "Default", "Small", "Medium", "Large", "ExtraLarge", "default", "small", "medium", "large", "extraLarge")
			enum(where, "color", el["color"], "Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention",
				"default", "dark", "light", "accent", "good", "warning", "attention")
		case "RichTextBlock":
			for j, r := range arr(t, el["inlines"], "inlines", 1, 50) {
				run := obj(t, r, "inline")
				if run["type"] != "TextRun" {
					t.Errorf("%s inline %d: type %v, want TextRun", where, j, run["type"])
				}
				if _, ok := run["text"].(string); !ok {
					t.Errorf("%s inline %d: a TextRun requires text", where, j)
				}
				if sel, ok := run["selectAction"].(map[string]any); ok {
					action(where, sel)
				}
			}
		default:
			t.Errorf("%s: not an element the card is meant to send", where)
		}
	}
	for i, a := range arr(t, card["actions"], "actions", 1, 6) {
		action(fmt.Sprintf("actions[%d]", i), obj(t, a, "action"))
	}
}

func TestGoogleChatFormat(t *testing.T) {
	v := encodeBlocked(t, gonogo.FormatGoogleChat)
	text := str(t, v["text"], "text")
	atMost(t, text, 4096, "the text")
	// Chat's text has no escape: it holds only the board's words and link.
	for _, tag := range regexp.MustCompile(`<[^>]*>`).FindAllString(text, -1) {
		if !strings.HasPrefix(tag, "<"+releaseAt+"|") {
			t.Errorf("text holds %q", tag)
		}
	}
	noMentions(t, text, "the text")
	cards := arr(t, v["cardsV2"], "cardsV2", 1, 1)
	c := obj(t, cards[0], "cardsV2 entry")
	str(t, c["cardId"], "cardId")
	card := obj(t, c["card"], "card")
	header := obj(t, card["header"], "header")
	var shown strings.Builder
	shown.WriteString(str(t, header["title"], "header title") + "\n" + str(t, header["subtitle"], "header subtitle") + "\n")
	var buttons []string
	for _, sec := range arr(t, card["sections"], "sections", 1, 100) {
		for _, w := range arr(t, obj(t, sec, "section")["widgets"], "widgets", 1, 100) {
			w := obj(t, w, "widget")
			if len(w) != 1 {
				t.Fatalf("a widget is one kind of widget: %v", w)
			}
			switch {
			case w["textParagraph"] != nil:
				h := str(t, obj(t, w["textParagraph"], "textParagraph")["text"], "paragraph")
				visible, links := readHTML(t, h)
				onlyBoardLinks(t, links, "a paragraph")
				doc, _ := goquery.NewDocumentFromReader(strings.NewReader(h))
				doc.Find("body *").Each(func(_ int, s *goquery.Selection) {
					if !s.Is("b, i, br") {
						t.Errorf("a paragraph has a %s element: %s", goquery.NodeName(s), h)
					}
				})
				shown.WriteString(visible + "\n")
			case w["buttonList"] != nil:
				for _, b := range arr(t, obj(t, w["buttonList"], "buttonList")["buttons"], "buttons", 1, 10) {
					b := obj(t, b, "button")
					str(t, b["text"], "button text")
					buttons = append(buttons, str(t, obj(t, obj(t, b["onClick"], "onClick")["openLink"], "openLink")["url"], "url"))
				}
			default:
				t.Errorf("unknown widget %v", w)
			}
		}
	}
	if len(buttons) == 0 || buttons[0] != signOffAt {
		t.Errorf("no button to sign off: %v", buttons)
	}
	saysItAll(t, shown.String(), "the card")
}

func TestMattermostFormat(t *testing.T) {
	v := encodeBlocked(t, gonogo.FormatMattermost)
	text := str(t, v["text"], "text")
	if n := len([]rune(text)); n > 16383 {
		t.Errorf("text is %d characters", n)
	}
	// The server reads Slack's <!channel> and <url|text> in a webhook's
	// text before any Markdown: none may be there.
	if strings.ContainsAny(text, "<>") {
		t.Errorf("raw angle brackets in %q", text)
	}
	visible, links := readMarkdown(t, text)
	onlyBoardLinks(t, links, "the text")
	noMentions(t, visible, "the text")
	saysItAll(t, visible, "the text")
	if !strings.Contains(strings.ReplaceAll(visible, "\u200b", ""), hostileTitle) {
		t.Errorf("the title is not shown as typed: %q", visible)
	}
	if len(links) < 2 || links[len(links)-1] != signOffAt {
		t.Errorf("no link to sign off: %v", links)
	}
}

func TestDiscordFormat(t *testing.T) {
	v := encodeBlocked(t, gonogo.FormatDiscord)
	content := str(t, v["content"], "content")
	atMost(t, content, 2000, "content")
	mentions := obj(t, v["allowed_mentions"], "allowed_mentions")
	if p := arr(t, mentions["parse"], "allowed_mentions.parse", 0, 0); len(p) != 0 {
		t.Fatal("the message may ping")
	}
	embeds := arr(t, v["embeds"], "embeds", 1, 10)
	total := 0
	var shown strings.Builder
	var links []string
	for _, e := range embeds {
		e := obj(t, e, "embed")
		title, desc := str(t, e["title"], "title"), str(t, e["description"], "description")
		atMost(t, title, 256, "an embed's title")
		atMost(t, desc, 4096, "an embed's description")
		total += units(title) + units(desc)
		for _, s := range []string{title, desc} {
			visible, ls := readMarkdown(t, s)
			noMentions(t, visible, "an embed")
			shown.WriteString(visible + "\n")
			links = append(links, ls...)
		}
	}
	if total > 6000 {
		t.Errorf("embeds hold %d characters", total)
	}
	// <@id>, <#id>, <t:…> are Discord's tags: none may stand unescaped.
	for _, e := range embeds {
		for _, s := range []string{content, e.(map[string]any)["title"].(string), e.(map[string]any)["description"].(string)} {
			if m := regexp.MustCompile(`(^|[^\\])<`).FindString(s); m != "" {
				t.Errorf("an unescaped < in %q", s)
			}
		}
	}
	cv, cl := readMarkdown(t, content)
	noMentions(t, cv, "content")
	onlyBoardLinks(t, append(links, cl...), "the message")
	saysItAll(t, shown.String(), "the embed")
	if !strings.Contains(strings.ReplaceAll(shown.String(), "\u200b", ""), hostileTitle) {
		t.Errorf("the title is not shown as typed: %q", shown.String())
	}
	if len(links) == 0 || links[len(links)-1] != signOffAt {
		t.Errorf("no link to sign off: %v", links)
	}
}

// TestChatFormatsKeepTheirLimits: the longest words a release can carry,
// in characters that escaping makes longer, still fit every limit.
func TestChatFormatsKeepTheirLimits(t *testing.T) {
	n, topics, rel, gate := blockedNotice()
	rel.Title = strings.Repeat("&<😀", gonogo.MaxTitleLen/3)
	n.Event.Actor = strings.Repeat("&", 200)
	n.Event.Detail = strings.Repeat("<&@", 3000)
	for i := range gate.Reasons {
		gate.Reasons[i].Text = strings.Repeat("&<>@[", 800)
	}
	gate.Reasons = append(gate.Reasons, gate.Reasons...)

	v := encode(t, gonogo.FormatSlack, n, topics, rel, gate)
	for _, b := range v["blocks"].([]any) {
		b := b.(map[string]any)
		if txt, ok := b["text"].(map[string]any); ok {
			limit := map[string]int{"header": 150, "section": 3000}[b["type"].(string)]
			atMost(t, txt["text"].(string), limit, "a Slack "+b["type"].(string))
			if strings.HasSuffix(strings.TrimSuffix(txt["text"].(string), "…"), "&am") {
				t.Error("a cut split an escape")
			}
		}
	}
	v = encode(t, gonogo.FormatDiscord, n, topics, rel, gate)
	atMost(t, v["content"].(string), 2000, "Discord content")
	e := v["embeds"].([]any)[0].(map[string]any)
	atMost(t, e["title"].(string), 256, "a Discord title")
	atMost(t, e["description"].(string), 4096, "a Discord description")
	if units(e["title"].(string))+units(e["description"].(string)) > 6000 {
		t.Error("a Discord embed holds more than 6000 characters")
	}
	v = encode(t, gonogo.FormatMattermost, n, topics, rel, gate)
	if len([]rune(v["text"].(string))) > 16383 {
		t.Error("the Mattermost text is too long")
	}
	v = encode(t, gonogo.FormatGoogleChat, n, topics, rel, gate)
	atMost(t, v["text"].(string), 4096, "Google Chat text")
	body, _ := gonogo.FormatTeams.Encode(n, topics, rel, gate, board)
	if len(body) > 28<<10 {
		t.Errorf("the Teams message is %d bytes, over Teams' 28 KB", len(body))
	}
}

// TestChatReasonsOnlyWhenBlocked: a ready gate, or a release past its
// gate, says no reasons.
func TestChatReasonsOnlyWhenBlocked(t *testing.T) {
	n, topics, rel, gate := blockedNotice()
	released := rel
	released.State = gonogo.Released
	cases := []struct {
		name string
		rel  gonogo.Release
		gate gonogo.Gate
		want bool
	}{
		{"blocked", rel, gate, true},
		{"ready", rel, gonogo.Gate{Ready: true}, false},
		{"released", released, gate, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range gonogo.WebhookFormats[1:] {
				body, err := f.Encode(n, topics, tc.rel, tc.gate, board)
				if err != nil {
					t.Fatal(err)
				}
				if got := bytes.Contains(body, []byte("refunds fail")); got != tc.want {
					t.Errorf("%s: reasons shown %v, want %v", f, got, tc.want)
				}
			}
		})
	}
}

// TestJSONFormatUnchanged: the generic format is the payload every
// webhook had before formats, byte for byte.
func TestJSONFormatUnchanged(t *testing.T) {
	n, topics, rel, gate := blockedNotice()
	want, _ := json.Marshal(gonogo.NewPayload(n, topics, rel, board))
	for _, f := range []gonogo.WebhookFormat{gonogo.FormatJSON, ""} {
		got, err := f.Encode(n, topics, rel, gate, board)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("format %q: %s, %v", f, got, err)
		}
	}
}
