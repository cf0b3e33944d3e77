package gonogo

// Google Chat's incoming webhook takes a message of text and cardsV2.
// The text carries only words gonogo chose and the release's product and
// version (letters, digits and a few marks, never "<"), because Chat's
// text has no escape for its <users/all> mentions and <url|text> links;
// what people typed goes in the card, whose text is HTML and is escaped
// as such.

import "strings"

type googleChatPayload struct {
	Text    string           `json:"text"`
	CardsV2 []googleChatCard `json:"cardsV2"`
}

type googleChatCard struct {
	CardID string         `json:"cardId"`
	Card   googleChatBody `json:"card"`
}

type googleChatBody struct {
	Header   googleChatHeader    `json:"header"`
	Sections []googleChatSection `json:"sections"`
}

type googleChatHeader struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle,omitempty"`
}

type googleChatSection struct {
	Header  string             `json:"header,omitempty"`
	Widgets []googleChatWidget `json:"widgets"`
}

type googleChatWidget struct {
	TextParagraph *googleChatParagraph `json:"textParagraph,omitempty"`
	ButtonList    *googleChatButtons   `json:"buttonList,omitempty"`
}

type googleChatParagraph struct {
	Text string `json:"text"`
}

type googleChatButtons struct {
	Buttons []googleChatButton `json:"buttons"`
}

type googleChatButton struct {
	Text    string            `json:"text"`
	OnClick googleChatOnClick `json:"onClick"`
}

type googleChatOnClick struct {
	OpenLink googleChatLink `json:"openLink"`
}

type googleChatLink struct {
	URL string `json:"url"`
}

func paragraph(html string) googleChatWidget {
	return googleChatWidget{TextParagraph: &googleChatParagraph{Text: html}}
}

func button(text, url string) googleChatButton {
	return googleChatButton{Text: text, OnClick: googleChatOnClick{googleChatLink{url}}}
}

func googleChatMessage(m ChatMessage) googleChatPayload {
	p := googleChatPayload{Text: "*" + m.Headline + "*"}
	header := googleChatHeader{Title: m.Headline}
	if m.Release != nil {
		p.Text += " " + m.Release.Product + " " + m.Release.Version + " <" + m.Release.URL + "|open>"
		header.Subtitle = escapeClip(m.Name(), plain, 200)
	}
	what := googleChatSection{Widgets: []googleChatWidget{
		paragraph("<b>" + escapeClip(m.Actor, htmlEsc, 300) + "</b>: " + escapeClip(m.What, htmlEsc, 2000)),
	}}
	card := googleChatBody{Header: header, Sections: []googleChatSection{what}}
	if len(m.Reasons) > 0 {
		card.Sections = append(card.Sections, googleChatSection{Header: "Blocked by", Widgets: []googleChatWidget{
			paragraph(strings.ReplaceAll(strings.TrimPrefix(m.bullets(htmlEsc, 800, "• ", "<i>"+m.MoreText()+"</i>"), "\n"), "\n", "<br>")),
		}})
	}
	if m.Release != nil {
		card.Sections = append(card.Sections, googleChatSection{Widgets: []googleChatWidget{{ButtonList: &googleChatButtons{[]googleChatButton{
			button("Sign off", m.SignOffURL), button("Open release", m.Release.URL),
		}}}}})
	}
	p.CardsV2 = []googleChatCard{{CardID: "gonogo-release", Card: card}}
	return p
}
