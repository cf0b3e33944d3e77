package views

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/a-h/templ"
	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// markdown renders what people write: GitHub-flavoured Markdown (tables,
// strikethrough, task lists, bare links), with raw HTML left out, which is
// goldmark's default. No extension that writes attributes from the text
// (heading ids, attribute lists, footnotes) is on.
var markdown = goldmark.New(goldmark.WithExtensions(markdownExtensions()...))

func markdownExtensions() []goldmark.Extender {
	return []goldmark.Extender{
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough, extension.TaskList, extension.Linkify,
	}
}

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

// feedMarkdown renders notes for feed readers: as markdown does, except
// that an image becomes a link to it (imageAsLink), since a feed reader
// would load it on its own and tell whoever serves it who read the notes.
var feedMarkdown = goldmark.New(
	goldmark.WithExtensions(markdownExtensions()...),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(imageAsLink{}, 100))),
)

// feedSanitizer keeps the plain HTML that Markdown makes and nothing of
// the app's own: no class, id, style, data- or htmx attribute, no image,
// no script; links only to http, https and mailto, without a referrer.
// Feed readers style and open links as they like.
var feedSanitizer = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowStandardURLs()
	p.AllowAttrs("href").OnElements("a")
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
		"em", "strong", "del", "s", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(bluemonday.CellAlign).OnElements("th", "td")
	p.AllowElements("ul", "ol", "li")
	return p
}()

// RenderFeedMarkdown turns Markdown into the HTML of a feed entry: rendered
// by goldmark with images as links, then cleaned by the feed's policy.
func RenderFeedMarkdown(src string) string {
	var buf bytes.Buffer
	if err := feedMarkdown.Convert([]byte(src), &buf); err != nil {
		return SanitizeFeedHTML("<p>" + templ.EscapeString(src) + "</p>")
	}
	return SanitizeFeedHTML(buf.String())
}

// SanitizeFeedHTML keeps only what the feed's policy allows.
func SanitizeFeedHTML(s string) string { return strings.TrimSpace(feedSanitizer.Sanitize(s)) }

// FeedMarkdown shows src rendered for a feed entry, in no container.
func FeedMarkdown(src string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, RenderFeedMarkdown(src))
		return err
	})
}

// imageAsLink renders a Markdown image as a link to it, its alt text
// ("image" when it has none) saying what is there. An image that is
// already inside a link leaves only its alt text: links do not nest.
type imageAsLink struct{}

func (imageAsLink) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindImage, renderImageAsLink)
}

func renderImageAsLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	img := node.(*ast.Image)
	alt := strings.TrimSpace(altText(img, source))
	if alt == "" {
		alt = "image"
	}
	inLink := false
	for p := node.Parent(); p != nil; p = p.Parent() {
		inLink = inLink || p.Kind() == ast.KindLink || p.Kind() == ast.KindAutoLink
	}
	dest := util.URLEscape(img.Destination, true)
	if inLink || html.IsDangerousURL(dest) {
		_, _ = w.WriteString(templ.EscapeString(alt))
		return ast.WalkSkipChildren, nil
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(dest))
	_, _ = w.WriteString(`">` + templ.EscapeString(alt) + `</a>`)
	return ast.WalkSkipChildren, nil
}

// altText is the plain text of an image's description.
func altText(n ast.Node, source []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Value(source))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		default:
			b.WriteString(altText(c, source))
		}
	}
	return b.String()
}
