package gonogo

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The words of messages: counts with their nouns, lists as people write
// them, and the first letter of a sentence. Domain messages and views use
// the same few helpers, so "1 reason(s)" cannot creep back in one place.

// Plural is n with the noun in the form n takes: "1 defect", "0 defects",
// "11 defects". The plural is given, not guessed, as English keeps its own
// ("1 person", "2 people").
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// List joins items as a sentence does: "a", "a and b", "a, b and c".
func List(items []string) string {
	var b strings.Builder
	for i, it := range items {
		b.WriteString(ListSeparator(i, len(items)))
		b.WriteString(it)
	}
	return b.String()
}

// ListSeparator is what goes before the i-th of n items in a List: nothing
// before the first (or after the last, i == n), " and " before the last,
// ", " between the others. A page that lists links rather than text puts
// it between them.
func ListSeparator(i, n int) string {
	switch {
	case i <= 0 || i >= n:
		return ""
	case i == n-1:
		return " and "
	}
	return ", "
}

// ListMax lists at most n items and counts the rest: "a, b and 3 more".
func ListMax(items []string, n int) string {
	if len(items) <= n {
		return List(items)
	}
	shown := append(items[:n:n], fmt.Sprintf("%d more", len(items)-n))
	return List(shown)
}

// sentence gives a message's own words a capital: the first letter of the
// format, when the format starts with a word of ours. A format that starts
// with a value ("%s already exists") is left alone, so what a person typed
// ("payments", "rita@acme.test") reads as they typed it.
func sentence(format string) string {
	r, size := utf8.DecodeRuneInString(format)
	if !unicode.IsLower(r) {
		return format
	}
	return string(unicode.ToUpper(r)) + format[size:]
}
