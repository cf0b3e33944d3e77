package gonogo

// Microsoft Teams takes a message through a Workflows webhook ("Post to a
// channel when a webhook request is received"): a message activity whose
// attachment is an Adaptive Card. What people typed goes in TextRuns,
// which Teams shows as plain text: a TextBlock would read it as Markdown.

// AdaptiveCardVersion is the version of the cards sent: 1.4, which Teams
// shows on desktop, web and mobile.
const AdaptiveCardVersion = "1.4"

type teamsPayload struct {
	Type        string            `json:"type"`
	Attachments []teamsAttachment `json:"attachments"`
}

type teamsAttachment struct {
	ContentType string       `json:"contentType"`
	ContentURL  *string      `json:"contentUrl"`
	Content     adaptiveCard `json:"content"`
}

type adaptiveCard struct {
	Schema  string           `json:"$schema"`
	Type    string           `json:"type"`
	Version string           `json:"version"`
	Body    []adaptiveItem   `json:"body"`
	Actions []adaptiveAction `json:"actions,omitempty"`
}

// adaptiveItem is a TextBlock (fixed words) or a RichTextBlock of TextRuns
// (words people typed).
type adaptiveItem struct {
	Type    string        `json:"type"`
	Text    string        `json:"text,omitempty"`
	Inlines []adaptiveRun `json:"inlines,omitempty"`
	Weight  string        `json:"weight,omitempty"`
	Size    string        `json:"size,omitempty"`
	Color   string        `json:"color,omitempty"`
	Wrap    bool          `json:"wrap,omitempty"`
	Spacing string        `json:"spacing,omitempty"`
}

type adaptiveRun struct {
	Type         string          `json:"type"`
	Text         string          `json:"text"`
	Weight       string          `json:"weight,omitempty"`
	IsSubtle     bool            `json:"isSubtle,omitempty"`
	SelectAction *adaptiveAction `json:"selectAction,omitempty"`
}

type adaptiveAction struct {
	Type  string `json:"type"`
	Title string `json:"title,omitempty"`
	URL   string `json:"url"`
	Style string `json:"style,omitempty"`
}

func runs(rs ...adaptiveRun) adaptiveItem {
	return adaptiveItem{Type: "RichTextBlock", Inlines: rs}
}

func run(text string) adaptiveRun {
	return adaptiveRun{Type: "TextRun", Text: escapeClip(text, plain, 2000)}
}

func teamsMessage(m ChatMessage) teamsPayload {
	card := adaptiveCard{Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: AdaptiveCardVersion}
	card.Body = append(card.Body, adaptiveItem{Type: "TextBlock", Text: m.Headline, Weight: "Bolder", Size: "Medium", Wrap: true})
	if m.Release != nil {
		name := run(m.Name())
		name.Weight = "Bolder"
		name.SelectAction = &adaptiveAction{Type: "Action.OpenUrl", URL: m.Release.URL}
		card.Body = append(card.Body, runs(name))
	}
	who := run(m.Actor + ": ")
	who.IsSubtle = true
	card.Body = append(card.Body, runs(who, run(m.What)))
	if len(m.Reasons) > 0 {
		card.Body = append(card.Body, adaptiveItem{Type: "TextBlock", Text: "Blocked by", Weight: "Bolder", Color: "Attention", Wrap: true, Spacing: "Medium"})
		for _, r := range m.Reasons {
			card.Body = append(card.Body, runs(run("• "+r)))
		}
		if m.More > 0 {
			card.Body = append(card.Body, adaptiveItem{Type: "TextBlock", Text: m.MoreText(), Wrap: true, Spacing: "Small"})
		}
	}
	if m.Release != nil {
		card.Actions = []adaptiveAction{
			{Type: "Action.OpenUrl", Title: "Sign off", URL: m.SignOffURL, Style: "positive"},
			{Type: "Action.OpenUrl", Title: "Open release", URL: m.Release.URL},
		}
	}
	return teamsPayload{Type: "message", Attachments: []teamsAttachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: card}}}
}
