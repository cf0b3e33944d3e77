package static

import (
	"strconv"
	"strings"
)

// Accepts reports whether an Accept-Encoding header value takes coding
// (RFC 9110, section 12.5.3): named, or matched by "*", with a weight
// above zero. The name's own weight wins over the wildcard's.
func Accepts(header, coding string) bool {
	star := false
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		ok := weight(params) > 0
		if strings.EqualFold(name, coding) {
			return ok
		}
		if name == "*" {
			star = ok
		}
	}
	return star
}

// weight is the q parameter of params, 1 when it is absent, 0 when it
// cannot be read.
func weight(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || q < 0 {
				return 0
			}
			return q
		}
	}
	return 1
}
