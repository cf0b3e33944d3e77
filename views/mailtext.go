package views

import (
	"context"
	"html"
	"strings"
)

// RenderMail renders a message's text and HTML parts. templ writes HTML:
// the text part is its output unescaped, without the space templ puts
// between expressions written on lines of their own.
func RenderMail(ctx context.Context, v MailView) (text, htmlPart string, err error) {
	var t, h strings.Builder
	if err := MailText(v).Render(ctx, &t); err != nil {
		return "", "", err
	}
	if err := MailHTML(v).Render(ctx, &h); err != nil {
		return "", "", err
	}
	text = strings.ReplaceAll(html.UnescapeString(t.String()), "\n ", "\n")
	return text, h.String(), nil
}
