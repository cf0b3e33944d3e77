package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// Limits on a product's fields.
const (
	MaxProductNameLen = 100
	MaxTeamLen        = 100
	MaxDescriptionLen = 2000
)

// Product is a thing a team releases: its key is the one in URLs and the
// API, and never changes; its name, description and owner team may. An
// archived product's releases stay readable, and it takes no new ones.
type Product struct {
	Key         string
	Name        string
	Description string
	OwnerTeam   string
	ArchivedAt  time.Time // zero while in use
	CreatedAt   time.Time
	// OwnTemplate is set once an admin customized the product's checklist
	// template; until then its releases start from the global one.
	OwnTemplate bool
}

// Archived reports whether the product was archived.
func (p Product) Archived() bool { return !p.ArchivedAt.IsZero() }

// ProductInput is what an admin gives to create or change a product. The
// key is only read at creation.
type ProductInput struct {
	Key         string
	Name        string
	Description string
	OwnerTeam   string
}

// Normalize trims the fields and lower-cases the key, as a release's
// product is.
func (in *ProductInput) Normalize() {
	in.Key = strings.ToLower(strings.TrimSpace(in.Key))
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.OwnerTeam = strings.TrimSpace(in.OwnerTeam)
}

// Validate reports every problem with in at once.
func (in ProductInput) Validate() error {
	p := Problems{}
	if err := ValidateProduct(in.Key); err != nil {
		p.Add("key", "The key may use lower-case letters, digits and dashes, starting with a letter or digit, at most %d", MaxProductLen)
	}
	validateLine(p, "name", "Name", in.Name, MaxProductNameLen, true)
	validateLine(p, "owner_team", "Owner team", in.OwnerTeam, MaxTeamLen, false)
	validateText(p, "description", "Description", in.Description, MaxDescriptionLen, false)
	return p.Err()
}

// ProductCreated is the audit of an admin making a product from in.
func ProductCreated(in ProductInput) Audit {
	return audit(ActionProductCreate, "created product %s %q", in.Key, in.Name)
}

// EditProduct is the change of p to in: the audit, and whether anything
// changed at all.
func EditProduct(p Product, in ProductInput) (Audit, bool) {
	var changes []string
	if in.Name != p.Name {
		changes = append(changes, fmt.Sprintf("name %q", in.Name))
	}
	if in.OwnerTeam != p.OwnerTeam {
		changes = append(changes, fmt.Sprintf("owner team %q", in.OwnerTeam))
	}
	if in.Description != p.Description {
		changes = append(changes, "description")
	}
	if len(changes) == 0 {
		return Audit{}, false
	}
	return audit(ActionProductUpdate, "updated product %s: %s", p.Key, strings.Join(changes, ", ")), true
}

// ArchiveProduct archives p or puts it back in use; archiving an archived
// product again is a conflict.
func ArchiveProduct(p Product, archive bool) (Audit, error) {
	switch {
	case archive && p.Archived():
		return Audit{}, Errorf(ECONFLICT, "%s is already archived", p.Key)
	case !archive && !p.Archived():
		return Audit{}, Errorf(ECONFLICT, "%s is not archived", p.Key)
	case archive:
		return audit(ActionProductArchive, "archived product %s: its releases stay readable, it takes no new ones", p.Key), nil
	}
	return audit(ActionProductArchive, "put product %s back in use", p.Key), nil
}

// CheckNewRelease refuses a new release of an archived product.
func CheckNewRelease(p Product) error {
	if p.Archived() {
		return FieldErrorf("product", "%s is archived: it takes no new releases", p.Key)
	}
	return nil
}
