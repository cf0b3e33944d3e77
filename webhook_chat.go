package gonogo

// The chat services' incoming-webhook messages. Each is built from a
// ChatMessage and escaped for its service's markup, so that what people
// typed (a release title, a No-Go comment, a name) shows as text and can
// neither link elsewhere nor call a whole channel.

import (
	"html"
	"strings"
)

// oneLine keeps text on one line: a line break in a title or a comment
// must not start a heading, a list or a quote in the message.
func oneLine(r rune) (rune, bool) {
	switch r {
	case '\n', '\r', '\t', '\v', '\f', '\u2028', '\u2029':
		return ' ', true
	}
	return r, false
}

// slackEsc escapes the three characters Slack's mrkdwn reserves for links
// and mentions (<url|text>, <!channel>, <@U123>). An @ is followed by a
// zero-width space, so that a client that reads "@here" in the
// notification's text still finds no mention.
func slackEsc(r rune) string {
	r, _ = oneLine(r)
	switch r {
	case '&':
		return "&amp;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	case '@':
		return "@\u200b"
	}
	return string(r)
}

// markdownEsc is the backslash escape of the CommonMark punctuation that
// starts emphasis, code, links, images, tables and headings, shared by
// Discord and Mattermost. An @ is followed by a zero-width space, so that
// "@everyone", "@channel" or "@name" mention nobody: neither service
// honours a backslash before it.
func markdownEsc(r rune) string {
	r, _ = oneLine(r)
	switch r {
	case '\\', '*', '_', '~', '`', '|', '[', ']', '(', ')', '#', '!':
		return `\` + string(r)
	case '@':
		return "@\u200b"
	}
	return string(r)
}

// discordEsc escapes Discord's Markdown and its <@id>, <#id> and <t:…>
// tags.
func discordEsc(r rune) string {
	if r == '<' || r == '>' {
		return `\` + string(r)
	}
	return markdownEsc(r)
}

// mattermostEsc escapes Mattermost's Markdown. Angle brackets become
// entities, which its Markdown shows as the characters: a backslash would
// not stop the server from reading Slack's <!channel> and <url|text> in a
// webhook's text.
func mattermostEsc(r rune) string {
	switch r {
	case '&':
		return "&amp;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	}
	return markdownEsc(r)
}

// htmlEsc escapes the HTML that Google Chat's card text understands.
func htmlEsc(r rune) string {
	r, _ = oneLine(r)
	return html.EscapeString(string(r))
}

// plain keeps text as it is but on one line: for fields that services
// show as plain text (Slack's plain_text, an Adaptive Card's TextRun).
func plain(r rune) string {
	r, _ = oneLine(r)
	return string(r)
}

// bullets lists the message's reasons, each escaped and cut to n, and the
// count of those left out.
func (m ChatMessage) bullets(esc func(rune) string, n int, bullet, more string) string {
	var b strings.Builder
	for _, r := range m.Reasons {
		b.WriteString("\n" + bullet + escapeClip(r, esc, n))
	}
	if m.More > 0 {
		b.WriteString("\n" + more)
	}
	return b.String()
}
