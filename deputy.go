package gonogo

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Deputies: a person names someone to hold one of their roles for a
// period (a vacation). While the period runs the deputy holds the role for
// the products the holder holds it for, and signs "Ana Ops (deputy for
// Oskar Ops)". The limits keep a deputyship a stand-in, not a second way
// to give roles, and keep what is read for every request small.
const (
	// MaxDeputyDays is the longest a deputyship lasts: a long absence is
	// an admin's to cover, by giving the role.
	MaxDeputyDays = 90
	// MaxDeputyLeadDays is how far ahead a deputyship may begin.
	MaxDeputyLeadDays = 365
	// MaxOpenDeputyships is how many current or upcoming deputyships one
	// person may have named.
	MaxOpenDeputyships = 5
	// MaxDeputyFor is how many current or upcoming deputyships may name
	// one person as the deputy: each is read on every request they make.
	MaxDeputyFor = 10
)

// Audit actions of deputyships.
const (
	ActionDeputyName Action = "deputy.name"
	ActionDeputyEnd  Action = "deputy.end"
)

// Deputyship is a holder's role held by a deputy from From until Until.
type Deputyship struct {
	ID         int64
	HolderID   int64
	HolderName string
	DeputyID   int64
	DeputyName string
	Role       Role
	// Grants are the holder's grants of Role as they stand: the products
	// the deputy holds it for. A holder who loses the role takes it from
	// the deputy too.
	Grants    Grants
	From      time.Time
	Until     time.Time
	EndedAt   time.Time // when the holder ended it early; zero if not
	CreatedAt time.Time
}

// ActiveAt reports whether the deputy holds the role at now.
func (d Deputyship) ActiveAt(now time.Time) bool {
	return d.EndedAt.IsZero() && !now.Before(d.From) && now.Before(d.Until)
}

// OpenAt reports whether d is current or still to come at now.
func (d Deputyship) OpenAt(now time.Time) bool { return d.EndedAt.IsZero() && now.Before(d.Until) }

// Covers reports whether d gives its role on product.
func (d Deputyship) Covers(role Role, product string) bool {
	return d.Role == role && d.Grants.On(product).Has(role)
}

// Signer is the name a deputy's sign-off is recorded under.
func (d Deputyship) Signer() string {
	return fmt.Sprintf("%s (deputy for %s)", d.DeputyName, d.HolderName)
}

// Products says where d holds: "every product" or the products' keys.
func (d Deputyship) Products() string {
	var keys []string
	for _, g := range d.Grants {
		if g.Role != d.Role {
			continue
		}
		if g.Everywhere() {
			return "every product"
		}
		keys = append(keys, g.Product)
	}
	if len(keys) == 0 {
		return "no product"
	}
	return strings.Join(keys, ", ")
}

// whyNot says why d does not let its deputy sign at now.
func (d Deputyship) whyNot(now time.Time) string {
	switch {
	case !d.EndedAt.IsZero():
		return fmt.Sprintf("your deputyship as deputy for %s was ended on %s", d.HolderName, auditTime(d.EndedAt))
	case now.Before(d.From):
		return fmt.Sprintf("your deputyship as deputy for %s begins on %s", d.HolderName, auditTime(d.From))
	}
	return fmt.Sprintf("your deputyship as deputy for %s ended on %s", d.HolderName, auditTime(d.Until))
}

// SplitDeputyships parts the deputyships naming a person into those in
// force at now and the others.
func SplitDeputyships(ds []Deputyship, now time.Time) (active, other []Deputyship) {
	for _, d := range ds {
		if d.ActiveAt(now) {
			active = append(active, d)
		} else {
			other = append(other, d)
		}
	}
	return active, other
}

// DeputyGrants are the grants the deputyships give.
func DeputyGrants(ds []Deputyship) Grants {
	var gs Grants
	for _, d := range ds {
		for _, g := range d.Grants {
			if g.Role == d.Role {
				gs = append(gs, g)
			}
		}
	}
	return NewGrants(gs...)
}

// DeputyInput is what a person submits to name a deputy.
type DeputyInput struct {
	Role     Role
	DeputyID int64
	From     time.Time
	Until    time.Time
}

// NameDeputy checks that holder may name deputy (found says whether the
// person exists) for in's role and period, given the holder's open
// deputyships and how many open ones name the deputy already, and returns
// the deputyship and its audit. Every problem is reported at its field.
func NameDeputy(holder, deputy User, found bool, in DeputyInput, open []Deputyship, deputyLoad int, now time.Time) (Deputyship, Audit, error) {
	p := Problems{}
	switch {
	case !in.Role.Valid():
		p.Add("role", "choose one of your roles")
	case !holder.Grants.Roles().Has(in.Role):
		p.Add("role", "%s is not one of your roles: name a deputy for a role you hold", in.Role.Label())
	}
	switch {
	case !found:
		p.Add("deputy", "choose your deputy from the list")
	case deputy.ID == holder.ID:
		p.Add("deputy", "you cannot be your own deputy: choose someone else")
	case deputy.Disabled:
		p.Add("deputy", "%s cannot sign in: choose someone else", deputy.DisplayName())
	case deputyLoad >= MaxDeputyFor:
		p.Add("deputy", "%s is already deputy %d times over: choose someone else", deputy.DisplayName(), deputyLoad)
	case len(open) >= MaxOpenDeputyships:
		p.Add("deputy", "you have %d current or upcoming deputyships, the most one may: end one first", len(open))
	}
	validatePeriod(p, in, now)
	if len(p) == 0 {
		if o, clash := overlapping(open, in, deputy.ID); clash {
			p.Add("from", "%s is already your deputy as %s from %s until %s", deputy.DisplayName(), in.Role.InText(), auditTime(o.From), auditTime(o.Until))
		}
	}
	if err := p.Err(); err != nil {
		return Deputyship{}, Audit{}, err
	}
	d := Deputyship{
		HolderID: holder.ID, HolderName: holder.DisplayName(), DeputyID: deputy.ID, DeputyName: deputy.DisplayName(),
		Role: in.Role, Grants: NewGrants(slices.DeleteFunc(slices.Clone(holder.Grants), func(g Grant) bool { return g.Role != in.Role })...),
		From: in.From, Until: in.Until, CreatedAt: now,
	}
	a := audit(ActionDeputyName, "named %s deputy as %s for %s, from %s until %s", d.DeputyName, d.Role.InText(), d.Products(), auditTime(d.From), auditTime(d.Until))
	return d, a, nil
}

// validatePeriod checks the period: both ends given, in order, not past,
// not too long, not too far ahead.
func validatePeriod(p Problems, in DeputyInput, now time.Time) {
	if in.From.IsZero() {
		p.Add("from", "enter when the deputyship begins, as a date and time")
	} else if in.From.After(now.AddDate(0, 0, MaxDeputyLeadDays)) {
		p.Add("from", "a deputyship may begin at most %d days ahead", MaxDeputyLeadDays)
	}
	switch {
	case in.Until.IsZero():
		p.Add("until", "enter when the deputyship ends, as a date and time")
	case in.From.IsZero():
	case !in.Until.After(in.From):
		p.Add("until", "the end must come after the beginning")
	case in.Until.Sub(in.From) > MaxDeputyDays*24*time.Hour:
		p.Add("until", "a deputyship lasts at most %d days; an admin can give the role for longer", MaxDeputyDays)
	case !in.Until.After(now):
		p.Add("until", "the end is already past")
	}
}

// overlapping returns an open deputyship of the same role and deputy
// whose period meets in's.
func overlapping(open []Deputyship, in DeputyInput, deputyID int64) (Deputyship, bool) {
	for _, o := range open {
		if o.Role == in.Role && o.DeputyID == deputyID && in.From.Before(o.Until) && o.From.Before(in.Until) {
			return o, true
		}
	}
	return Deputyship{}, false
}

// EndDeputyship checks that actor may end d early at now (its holder, or
// an admin) and returns the audit. Naming the deputy again undoes it.
func EndDeputyship(actor Actor, d Deputyship, now time.Time) (Audit, error) {
	if actor.UserID != d.HolderID && !actor.Admin {
		return Audit{}, Errorf(EFORBIDDEN, "only %s or an admin may end this deputyship", d.HolderName)
	}
	if !d.OpenAt(now) {
		return Audit{}, Errorf(ECONFLICT, "this deputyship has already ended")
	}
	whose := ""
	if actor.UserID != d.HolderID {
		whose = " of " + d.HolderName
	}
	return audit(ActionDeputyEnd, "ended the deputyship%s: %s no longer deputy as %s (it was to last until %s)",
		whose, d.DeputyName, d.Role.InText(), auditTime(d.Until)), nil
}

// StandsInFor returns the deputyship actor signs under for role on
// product: one in force, when the actor does not hold the role there in
// their own right.
func (a Actor) StandsInFor(role Role, product string) (Deputyship, bool) {
	if a.Grants == nil || a.Grants.On(product).Has(role) {
		return Deputyship{}, false
	}
	for _, d := range a.Deputies {
		if d.Covers(role, product) {
			return d, true
		}
	}
	return Deputyship{}, false
}

// lapsedFor says why a deputyship the actor was named to does not let them
// sign for role on product at now, or "" when none would.
func (a Actor) lapsedFor(role Role, product string, now time.Time) string {
	for _, d := range a.Lapsed {
		if d.Covers(role, product) {
			return d.whyNot(now)
		}
	}
	return ""
}

// auditTime is a time as the audit trail and the domain's messages give
// it: in UTC, which every reader can place.
func auditTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// Clone copies d, its grants included.
func (d Deputyship) Clone() Deputyship {
	d.Grants = slices.Clone(d.Grants)
	return d
}
