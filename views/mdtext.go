package views

import (
	"fmt"
	"strings"
)

// People's text in the minutes is text, never Markdown or HTML: minutes
// are pasted into wikis and tickets whose renderers may or may not pass raw
// HTML through, and they must read the same in both. Every character that
// could start Markdown (or GitHub's extensions: tables, strikethrough, task
// lists, bare links) is escaped; '<', '>', '&' and '\' become entities, which a
// Markdown renderer turns back into the characters and an HTML reader reads
// as such. Line breaks are kept as hard breaks where the text may have them.

// mdEscaped are escaped wherever they stand: each can open or close
// something in CommonMark or a common extension of it.
const mdEscaped = "`*_~[]!#+=|{}$^@"

// mdInline is one line of people's text inside a line of the minutes (a
// heading, a table cell, after a label), never at its start: line breaks
// become spaces, because there they would end the line.
func mdInline(s string) string {
	return mdLine(strings.Join(strings.Fields(s), " "), false)
}

// mdBlock is people's text in a paragraph or a list item: each line
// escaped, and the lines joined by hard breaks ("\" at the end of a line),
// the next line indented by indent so that it stays in its list item.
func mdBlock(s, indent string) string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(strings.TrimSpace(s))
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = mdLine(l, true)
	}
	return strings.Join(lines, "\\\n"+indent)
}

// mdLine escapes one line. Besides mdEscaped, some characters matter only
// where they stand: if the text starts a line, '-' and ':' first (a list, a
// rule, a table's delimiter row) and '.' or ')' after leading digits (a
// numbered list); anywhere, the "www." and "://" that make a bare link.
func mdLine(s string, start bool) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	digits := start // the line so far is all digits
	for i, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\\':
			// An entity, not "\\": goldmark reads a "\\" just before
			// the "\" of a hard break as two backslashes and no break.
			b.WriteString("&#92;")
		case strings.ContainsRune(mdEscaped, r),
			start && i == 0 && (r == '-' || r == ':'),
			i > 0 && digits && (r == '.' || r == ')'),
			r == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"),
			r == ':' && strings.HasPrefix(s[i+1:], "/"):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		digits = digits && r >= '0' && r <= '9'
	}
	return b.String()
}

// mdLink is a link to url with text, for evidence that is a web address.
// In the destination, '&' is written as an entity so that "&copy;" in a
// query stays itself, and what would end or break it is percent-encoded.
func mdLink(text, url string) string {
	var d strings.Builder
	for _, c := range []byte(url) {
		switch {
		case c == '&':
			d.WriteString("&amp;")
		case c <= ' ' || c == '<' || c == '>' || c == '\\' || c == 0x7f:
			fmt.Fprintf(&d, "%%%02X", c)
		default:
			d.WriteByte(c)
		}
	}
	return "[" + mdInline(text) + "](<" + d.String() + ">)"
}
