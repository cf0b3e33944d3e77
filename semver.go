package gonogo

import (
	"cmp"
	"strconv"
	"strings"
)

// semver is a version read as Semantic Versioning 2.0.0 reads it, with
// the leniency projects' tags need: a leading "v", and a missing minor or
// patch number counting as 0 ("v2.1" is 2.1.0). Build metadata ("+…")
// takes no part in the order, as the specification says.
type semver struct {
	nums [3]uint64
	pre  []string // the dot-separated pre-release identifiers; none for a release
}

// parseSemver reads v, reporting whether it is a semantic version.
func parseSemver(v string) (semver, bool) {
	v = strings.TrimPrefix(v, "v")
	v, _, _ = strings.Cut(v, "+")
	core, pre, hasPre := strings.Cut(v, "-")
	parts := strings.Split(core, ".")
	if len(parts) > 3 || (hasPre && len(parts) != 3) {
		return semver{}, false // "2.1-rc1" is no semantic version: a pre-release needs all three numbers
	}
	var s semver
	for i, p := range parts {
		n, ok := numericID(p)
		if !ok {
			return semver{}, false
		}
		s.nums[i] = n
	}
	if hasPre {
		s.pre = strings.Split(pre, ".")
		for _, id := range s.pre {
			if !validPreID(id) {
				return semver{}, false
			}
		}
	}
	return s, true
}

// numericID reads a number without leading zeros, as the specification
// writes every number.
func numericID(s string) (uint64, bool) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// validPreID is a pre-release identifier: ASCII letters, digits and '-',
// and no leading zero in a number.
func validPreID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	if _, err := strconv.ParseUint(id, 10, 64); err == nil {
		_, ok := numericID(id)
		return ok
	}
	return true
}

// compareSemver orders two semantic versions by precedence: numbers first,
// then a pre-release before its release, pre-releases by their identifiers.
func compareSemver(a, b semver) int {
	for i := range a.nums {
		if c := cmp.Compare(a.nums[i], b.nums[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a.pre) == 0 && len(b.pre) == 0:
		return 0
	case len(a.pre) == 0:
		return 1
	case len(b.pre) == 0:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		if c := comparePreID(a.pre[i], b.pre[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a.pre), len(b.pre))
}

// comparePreID orders two pre-release identifiers: numbers numerically and
// before words, words in ASCII order.
func comparePreID(a, b string) int {
	na, errA := strconv.ParseUint(a, 10, 64)
	nb, errB := strconv.ParseUint(b, 10, 64)
	switch {
	case errA == nil && errB == nil:
		return cmp.Compare(na, nb)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}
