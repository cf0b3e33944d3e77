package gonogo

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Spread is the middle and the slow end of some durations.
type Spread struct {
	N           int
	Median, P90 time.Duration
}

// SpreadOf measures ds: the median (the mean of the two middle values
// when there is an even number) and the 90th percentile by nearest rank.
func SpreadOf(ds []time.Duration) Spread {
	if len(ds) == 0 {
		return Spread{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	rank := int(math.Ceil(0.9 * float64(n)))
	return Spread{N: n, Median: med, P90: s[rank-1]}
}

// SmallCount is below how many cases a figure is shown as counts, never
// as a percentage, and never compared as a trend.
const SmallCount = 10

// Reading says a spread in one line, beside the period before: "Median
// lead time 3.2 days, down from 4.1 days". what names the measure.
func Reading(what string, cur, prev Spread, none string) string {
	if cur.N == 0 {
		return none
	}
	s := fmt.Sprintf("Median %s %s over %s", what, FormatSpan(cur.Median), Plural(cur.N, "case", "cases"))
	if cur.N < SmallCount || prev.N < SmallCount {
		return s + " (too few to call a trend)."
	}
	switch {
	case FormatSpan(cur.Median) == FormatSpan(prev.Median):
		return s + ", as in the period before."
	case cur.Median < prev.Median:
		return s + ", down from " + FormatSpan(prev.Median) + "."
	}
	return s + ", up from " + FormatSpan(prev.Median) + "."
}

// CountReading says a count beside the period before: "12 shipped, up
// from 9".
func CountReading(cur, prev int, one, many string) string {
	s := Plural(cur, one, many)
	switch {
	case cur == prev:
		return s + ", as many as in the period before."
	case cur < prev:
		return fmt.Sprintf("%s, down from %d.", s, prev)
	}
	return fmt.Sprintf("%s, up from %d.", s, prev)
}

// Share says part of a whole: a percentage with its counts when the whole
// is big enough to read one, the counts alone when it is not.
func Share(part, whole int) string {
	if whole == 0 {
		return "none"
	}
	if whole < SmallCount {
		return fmt.Sprintf("%d of %d", part, whole)
	}
	return fmt.Sprintf("%.0f%% (%d of %d)", 100*float64(part)/float64(whole), part, whole)
}

// FailureRate says the change failure rate of the period.
func (in Insights) FailureRate() string { return Share(in.Failures, in.Ended) }

// Text says how Gos' deployments ended, in counts when they are few.
func (o Outcomes) Text() string {
	if o.Total() == 0 {
		return "no deployment"
	}
	return Share(o.RolledBack+o.SmokeFailed, o.Total()) + " failed"
}

// stopWords are left out of the reasons' common words.
var stopWords = map[string]bool{
	"the": true, "and": true, "for": true, "not": true, "this": true, "that": true, "with": true, "from": true,
	"are": true, "was": true, "has": true, "have": true, "its": true, "our": true, "but": true, "all": true,
	"does": true, "release": true, "there": true, "apply": true, "applies": true,
}

// CommonWords are the n words used most across texts (three letters or
// more, stop words left out), most used first, ties in alphabetical order.
func CommonWords(texts []string, n int) []string {
	count := map[string]int{}
	for _, t := range texts {
		seen := map[string]bool{}
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) {
			w = strings.Trim(w, "-")
			if len([]rune(w)) < 3 || stopWords[w] || seen[w] {
				continue
			}
			seen[w] = true
			count[w]++
		}
	}
	words := make([]string, 0, len(count))
	for w := range count {
		words = append(words, w)
	}
	sort.Slice(words, func(i, j int) bool {
		if count[words[i]] != count[words[j]] {
			return count[words[i]] > count[words[j]]
		}
		return words[i] < words[j]
	})
	return words[:min(n, len(words))]
}
