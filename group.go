package gonogo

import (
	"slices"
	"strings"
)

// MaxGroupMappings bounds the mappings of groups a board keeps. A company
// maps a few dozen groups at most; the cap keeps the admin page one page
// and the work of each sign-in small.
const MaxGroupMappings = 200

// Actions of group mapping. A role or admin flag a sign-in gives or takes
// away is recorded in the person's name (ActionUserGroups).
const (
	ActionGroupMap   Action = "signin.map"
	ActionGroupUnmap Action = "signin.unmap"
	ActionUserGroups Action = "user.groups"
)

// adminGives is what a mapping to admin reads as, in forms and the trail.
const adminGives = "admin"

// GroupMapping gives the members of a group at the identity provider a
// role, for one product or for every product, or makes them admins.
type GroupMapping struct {
	ID    int64
	Group string
	Admin bool  // the group makes its members admins; Grant is zero
	Grant Grant // the role it gives, when not Admin
}

// Gives is what the mapping gives, as the trail writes it: "admin",
// "qa-lead" (every product) or "qa-lead@payments".
func (m GroupMapping) Gives() string {
	if m.Admin {
		return adminGives
	}
	return m.Grant.Text()
}

// GroupMappingInput is what an admin types to map a group: the group's
// name, the role ("admin" for the admin flag) and the product ("" for
// every product).
type GroupMappingInput struct {
	Group   string
	Role    string
	Product string
}

// Normalize trims the fields. The group is kept as typed otherwise:
// providers send group names as they are, and matching is exact.
func (in *GroupMappingInput) Normalize() {
	in.Group = strings.TrimSpace(in.Group)
	in.Role = strings.TrimSpace(in.Role)
	in.Product = strings.TrimSpace(in.Product)
}

// Mapping returns the mapping in stands for, or every problem with it at
// once, each at its field. Whether the product exists is the store's to
// check.
func (in GroupMappingInput) Mapping() (GroupMapping, error) {
	p := Problems{}
	validateLine(p, "group", "Group", in.Group, MaxGroupLen, true)
	m := GroupMapping{Group: in.Group}
	switch {
	case in.Role == adminGives:
		m.Admin = true
		if in.Product != "" {
			p.Add("product", "Admin holds for the whole board: choose “every product”")
		}
	case in.Role == "":
		p.Add("role", "Choose the role the group gives, or admin")
	default:
		r, err := ParseRole(in.Role)
		if err != nil {
			p.Add("role", "%s", ErrorMessage(err))
		}
		m.Grant = Grant{Role: r, Product: in.Product}
	}
	return m, p.Err()
}

// GroupMapped is the audit of a new mapping.
func GroupMapped(m GroupMapping) Audit {
	return audit(ActionGroupMap, "mapped group %q to %s", m.Group, m.Gives())
}

// GroupUnmapped is the audit of a mapping removed.
func GroupUnmapped(m GroupMapping) Audit {
	return audit(ActionGroupUnmap, "removed the mapping of group %q to %s", m.Group, m.Gives())
}

// Mapped returns what mappings give a member of groups: the grants, once
// each in the mappings' order, and whether they make them an admin.
func Mapped(mappings []GroupMapping, groups []string) (gs []Grant, admin bool) {
	for _, m := range mappings {
		switch {
		case !slices.Contains(groups, m.Group):
		case m.Admin:
			admin = true
		case !slices.Contains(gs, m.Grant):
			gs = append(gs, m.Grant)
		}
	}
	return gs, admin
}

// Held is what a person holds when they sign in: the roles given by hand
// and those given by groups, exactly as stored (one row each), and the
// admin flag with who gave it.
type Held struct {
	Hand, ByGroup []Grant
	Admin         bool
	AdminByGroup  bool
	// OtherAdmins counts the enabled admins beside the person.
	OtherAdmins int
}

// GroupSync is what a sign-in changes so that the person holds exactly
// the group-given roles their groups map to: the group-given roles to add
// and to remove, the admin flag to give or take, and the audit, nil when
// nothing changes.
type GroupSync struct {
	Add, Remove          []Grant
	GiveAdmin, TakeAdmin bool
	// KeptAdmin: no group gives the person admin any more, but taking it
	// would leave the board without an enabled admin, so it stays.
	KeptAdmin bool
	Audit     *Audit
}

// SyncGroups plans what a sign-in with groups changes of h under
// mappings. A role the person holds by hand stays hand-given (a group
// that also gives it adds nothing), and one given by hand is never taken.
// Admin follows the same rule, but the last enabled admin keeps a flag
// their groups no longer give: a board nobody can administer is locked.
func SyncGroups(h Held, mappings []GroupMapping, groups []string) GroupSync {
	want, wantAdmin := Mapped(mappings, groups)
	var s GroupSync
	for _, g := range want {
		if !slices.Contains(h.Hand, g) && !slices.Contains(h.ByGroup, g) {
			s.Add = append(s.Add, g)
		}
	}
	for _, g := range h.ByGroup {
		if !slices.Contains(want, g) {
			s.Remove = append(s.Remove, g)
		}
	}
	switch {
	case wantAdmin && !h.Admin:
		s.GiveAdmin = true
	case !wantAdmin && h.Admin && h.AdminByGroup && h.OtherAdmins > 0:
		s.TakeAdmin = true
	case !wantAdmin && h.Admin && h.AdminByGroup:
		s.KeptAdmin = true
	}
	s.Audit = s.audit()
	return s
}

// audit writes the changes as "roles from groups: +qa-lead@payments, -ops".
func (s GroupSync) audit() *Audit {
	var parts []string
	for _, g := range s.Add {
		parts = append(parts, "+"+g.Text())
	}
	for _, g := range s.Remove {
		parts = append(parts, "-"+g.Text())
	}
	if s.GiveAdmin {
		parts = append(parts, "+"+adminGives)
	}
	if s.TakeAdmin {
		parts = append(parts, "-"+adminGives)
	}
	if len(parts) == 0 && !s.KeptAdmin {
		return nil
	}
	detail := "roles from groups: " + strings.Join(parts, ", ")
	if len(parts) == 0 {
		detail = "roles from groups: no change"
	}
	if s.KeptAdmin {
		detail += "; " + s.Warning()
	}
	a := audit(ActionUserGroups, "%s", detail)
	return &a
}

// Warning is what the operator should hear about the sync, "" if nothing.
func (s GroupSync) Warning() string {
	if !s.KeptAdmin {
		return ""
	}
	return "kept admin, which no group gives any more: the board has no other enabled admin; make someone else admin, and the next sign-in takes it"
}

// GroupGrant is a role a group gave, with the groups that give it now.
type GroupGrant struct {
	Grant  Grant
	Groups []string // empty when no group the person brought maps to it any more
}

// GroupGiven is what groups gave a person, for the person page: the
// roles, and whether the admin flag was a group's, each with the groups
// that give it now among those the person brought at their last sign-in.
type GroupGiven struct {
	Grants      []GroupGrant
	Admin       bool
	AdminGroups []string
}

// GivenBy attributes what groups gave a person to the groups that give it:
// byGroup are their group-given roles, adminByGroup whether their admin
// flag is a group's, groups those they brought at their last sign-in. A
// mapping removed since leaves a role with no group, until the next
// sign-in takes it away.
func GivenBy(byGroup []Grant, adminByGroup bool, mappings []GroupMapping, groups []string) GroupGiven {
	var out GroupGiven
	for _, g := range byGroup {
		gg := GroupGrant{Grant: g}
		for _, m := range mappings {
			if !m.Admin && m.Grant == g && slices.Contains(groups, m.Group) && !slices.Contains(gg.Groups, m.Group) {
				gg.Groups = append(gg.Groups, m.Group)
			}
		}
		out.Grants = append(out.Grants, gg)
	}
	if adminByGroup {
		out.Admin = true
		for _, m := range mappings {
			if m.Admin && slices.Contains(groups, m.Group) && !slices.Contains(out.AdminGroups, m.Group) {
				out.AdminGroups = append(out.AdminGroups, m.Group)
			}
		}
	}
	return out
}

// SeenGroup is a group people brought at their last sign-in, and how many.
type SeenGroup struct {
	Group  string
	People int
}
