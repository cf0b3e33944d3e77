package gonogo

import (
	"cmp"
	"slices"
	"strings"
)

// Grant is a role a person holds for one product, or for every product
// (Product ""). Signing, working an item, changing a defect, deciding and
// moving a release each need the role for the release's product.
type Grant struct {
	Role    Role
	Product string // a product's key; "" for every product
}

// Everywhere reports whether the grant holds for every product.
func (g Grant) Everywhere() bool { return g.Product == "" }

// Text is how the grant reads in the audit trail: "qa-lead" for every
// product, "qa-lead@payments" for one.
func (g Grant) Text() string {
	if g.Everywhere() {
		return string(g.Role)
	}
	return string(g.Role) + "@" + g.Product
}

// Grants are the roles a person holds, each for a product or for all.
type Grants []Grant

// NewGrants returns the grants among gs with a known role, once each, in
// canonical order: by role, every product first, then by product. A grant
// for one product is dropped where the same role is held for every product.
func NewGrants(gs ...Grant) Grants {
	var out Grants
	for _, g := range gs {
		g.Product = strings.TrimSpace(g.Product)
		if g.Role.Valid() && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	out = slices.DeleteFunc(out, func(g Grant) bool {
		return !g.Everywhere() && slices.Contains(out, Grant{Role: g.Role})
	})
	slices.SortFunc(out, func(a, b Grant) int {
		return cmp.Or(cmp.Compare(slices.Index(Roles, a.Role), slices.Index(Roles, b.Role)), cmp.Compare(a.Product, b.Product))
	})
	return out
}

// Everywhere returns the grants of every role in rs for every product: what
// a role held before roles were held per product became.
func Everywhere(rs RoleSet) Grants {
	out := make(Grants, 0, len(rs))
	for _, r := range rs {
		out = append(out, Grant{Role: r})
	}
	return NewGrants(out...)
}

// On returns the roles held for product: those for every product and
// those for it alone.
func (gs Grants) On(product string) RoleSet {
	var rs []Role
	for _, g := range gs {
		if g.Everywhere() || g.Product == product {
			rs = append(rs, g.Role)
		}
	}
	return NewRoleSet(rs...)
}

// Roles returns every role held for some product: what a route may check
// before it knows the release (see RolesFor).
func (gs Grants) Roles() RoleSet {
	rs := make([]Role, 0, len(gs))
	for _, g := range gs {
		rs = append(rs, g.Role)
	}
	return NewRoleSet(rs...)
}

// Split returns the roles held for every product and the grants for one
// product only.
func (gs Grants) Split() (everywhere RoleSet, scoped Grants) {
	var rs []Role
	for _, g := range gs {
		if g.Everywhere() {
			rs = append(rs, g.Role)
		} else {
			scoped = append(scoped, g)
		}
	}
	return NewRoleSet(rs...), scoped
}

// Scoped reports whether any role is held for some products only.
func (gs Grants) Scoped() bool {
	return slices.ContainsFunc(gs, func(g Grant) bool { return !g.Everywhere() })
}

// Products returns the products the grants name, once each, in order.
func (gs Grants) Products() []string {
	var out []string
	for _, g := range gs {
		if !g.Everywhere() && !slices.Contains(out, g.Product) {
			out = append(out, g.Product)
		}
	}
	slices.Sort(out)
	return out
}

// CheckProducts refuses roles given for some products only that name no
// product, or one not among known: a role held for a product nobody made
// would hold for nothing until someone made it.
func (gs Grants) CheckProducts(known []string) error {
	for _, g := range gs {
		if g.Everywhere() {
			return FieldErrorf("grants", "a role for some products only names its product")
		}
		if !slices.Contains(known, g.Product) {
			return FieldErrorf("grants", "there is no product %q", g.Product)
		}
	}
	return nil
}

// Text is how the grants read in the audit trail.
func (gs Grants) Text() string {
	if len(gs) == 0 {
		return "no roles"
	}
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = g.Text()
	}
	return strings.Join(parts, ", ")
}
