package gonogo

// Slack's incoming webhook takes a message of text, shown in
// notifications, and Block Kit blocks, shown in the channel.
// Limits that apply: a header's text at most 150 characters, a section's
// 3000, a button's 75, a URL 3000, at most 50 blocks.

type slackPayload struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string         `json:"type"`
	Text     *slackText     `json:"text,omitempty"`
	Elements []slackElement `json:"elements,omitempty"`
}

// slackText is a text object. Verbatim mrkdwn is shown as sent: Slack
// neither links bare URLs nor reads "@here" in it; the links gonogo
// writes as <url|text> still work.
type slackText struct {
	Type     string `json:"type"` // plain_text or mrkdwn
	Text     string `json:"text"`
	Verbatim bool   `json:"verbatim,omitempty"`
}

func mrkdwn(s string) *slackText { return &slackText{Type: "mrkdwn", Text: s, Verbatim: true} }

// slackElement is a button of an actions block.
type slackElement struct {
	Type     string     `json:"type"`
	Text     *slackText `json:"text"`
	URL      string     `json:"url"`
	ActionID string     `json:"action_id"`
	Style    string     `json:"style,omitempty"`
}

func slackMessage(m ChatMessage) slackPayload {
	p := slackPayload{Text: escapeClip(m.Summary(), slackEsc, 3000)}
	title := m.Headline
	if m.Release != nil {
		title += ": " + m.Release.Product + " " + m.Release.Version
		p.Text += " <" + m.Release.URL + "|open>"
	}
	p.Blocks = append(p.Blocks, slackBlock{Type: "header", Text: &slackText{Type: "plain_text", Text: escapeClip(title, plain, 150)}})
	body := escapeClip(m.Actor, slackEsc, 200) + ": " + escapeClip(m.What, slackEsc, 1500)
	if m.Release != nil {
		body = "*<" + m.Release.URL + "|" + escapeClip(m.Name(), slackEsc, 600) + ">*\n" + body
	}
	p.Blocks = append(p.Blocks, slackBlock{Type: "section", Text: mrkdwn(body)})
	if len(m.Reasons) > 0 {
		reasons := "*Blocked by:*" + m.bullets(slackEsc, 800, "• ", "_"+m.MoreText()+"_")
		p.Blocks = append(p.Blocks, slackBlock{Type: "section", Text: mrkdwn(reasons)})
	}
	if m.Release != nil {
		p.Blocks = append(p.Blocks, slackBlock{Type: "actions", Elements: []slackElement{
			{Type: "button", Text: &slackText{Type: "plain_text", Text: "Sign off"}, URL: m.SignOffURL, ActionID: "gonogo-sign-off", Style: "primary"},
			{Type: "button", Text: &slackText{Type: "plain_text", Text: "Open release"}, URL: m.Release.URL, ActionID: "gonogo-open-release"},
		}})
	}
	return p
}
