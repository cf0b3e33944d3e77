package gonogo

import (
	"slices"
	"strings"
)

// Role is a responsibility a user holds on the release board. A user may hold
// several. Admin is not a role: it administers people and does not sign.
type Role string

const (
	ProductOwner    Role = "product-owner"
	EngineeringLead Role = "engineering-lead"
	QALead          Role = "qa-lead"
	Ops             Role = "ops"
	SupportLead     Role = "support-lead"
	ReleaseManager  Role = "release-manager"
)

// Roles lists every role in the order the board shows them.
var Roles = []Role{ProductOwner, EngineeringLead, QALead, Ops, SupportLead, ReleaseManager}

var roleLabels = map[Role]string{
	ProductOwner:    "Product owner",
	EngineeringLead: "Engineering lead",
	QALead:          "QA lead",
	Ops:             "Ops",
	SupportLead:     "Support lead",
	ReleaseManager:  "Release manager",
}

// roleWords are the roles as running text names them: lower case, as any
// common noun mid-sentence (but for the QA of "QA lead"), with "the" where
// English wants it. Ops is a team, and takes none.
var roleWords = map[Role]string{
	ProductOwner:    "the product owner",
	EngineeringLead: "the engineering lead",
	QALead:          "the QA lead",
	Ops:             "ops",
	SupportLead:     "the support lead",
	ReleaseManager:  "the release manager",
}

// roleHandles are the short names used in mentions (@qa) and on small screens.
var roleHandles = map[Role]string{
	ProductOwner:    "po",
	EngineeringLead: "eng",
	QALead:          "qa",
	Ops:             "ops",
	SupportLead:     "support",
	ReleaseManager:  "rm",
}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { _, ok := roleLabels[r]; return ok }

// Label is the role's name for people.
func (r Role) Label() string {
	if l, ok := roleLabels[r]; ok {
		return l
	}
	return string(r)
}

// InText is the role in the middle of a sentence: "say why ops need not
// sign off", "waiting on the product owner and the QA lead". Label is
// for headings, badges and the start of a sentence.
func (r Role) InText() string {
	if w, ok := roleWords[r]; ok {
		return w
	}
	return string(r)
}

// Handle is the role's short name, as in the mention "@qa".
func (r Role) Handle() string { return roleHandles[r] }

// ParseRole accepts a role's slug or its short handle.
func ParseRole(s string) (Role, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, r := range Roles {
		if string(r) == s || roleHandles[r] == s {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "unknown role %q", s)
}

// RoleSet is the set of roles a user holds, kept in the canonical order.
type RoleSet []Role

// Has reports whether the set holds r.
func (s RoleSet) Has(r Role) bool { return slices.Contains(s, r) }

// Any reports whether the set holds at least one of rs.
func (s RoleSet) Any(rs ...Role) bool {
	for _, r := range rs {
		if s.Has(r) {
			return true
		}
	}
	return false
}

// NewRoleSet returns the valid roles among rs, deduplicated and in canonical order.
func NewRoleSet(rs ...Role) RoleSet {
	var out RoleSet
	for _, r := range Roles {
		if slices.Contains(rs, r) {
			out = append(out, r)
		}
	}
	return out
}
