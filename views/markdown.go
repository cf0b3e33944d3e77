package views

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/a-h/templ"
	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders what people write: GitHub-flavoured Markdown (tables,
// strikethrough, task lists, bare links), with raw HTML left out, which is
// goldmark's default. No extension that writes attributes from the text
// (heading ids, attribute lists, footnotes) is on.
var markdown = goldmark.New(goldmark.WithExtensions(
	extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
	extension.Strikethrough, extension.TaskList, extension.Linkify,
))

// sanitizer is bluemonday's policy for user-generated content: no script,
// no style, no event handler, no attribute htmx would act on, links only to
// http, https and mailto. Links to other sites open in a new tab without
// giving them this page.
var sanitizer = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// RenderMarkdown turns Markdown that people wrote into HTML that is safe to
// put in a page: rendered by goldmark, then cleaned by bluemonday, so that
// even a mistake in one leaves the other standing. Release notes use it, and
// anything else people write in Markdown should.
func RenderMarkdown(src string) string {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		// goldmark fails only when writing to buf fails, which it cannot;
		// should it ever, show the text as text rather than nothing.
		return SanitizeHTML("<p>" + templ.EscapeString(src) + "</p>")
	}
	return SanitizeHTML(buf.String())
}

// SanitizeHTML keeps only what the policy for user content allows.
func SanitizeHTML(s string) string { return strings.TrimSpace(sanitizer.Sanitize(s)) }

// Markdown shows src rendered inside a container that htmx ignores
// (data-hx-disable, the spelling HTML validates), so that no attribute in it could ever make htmx act, and
// that tests find by data-testid.
func Markdown(testID, src string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, `<div class="markdown" data-hx-disable data-testid="`+templ.EscapeString(testID)+`">`+
			RenderMarkdown(src)+`</div>`)
		return err
	})
}
