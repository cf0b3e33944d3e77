package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// Kind is what sort of release a release is, chosen at its creation: a
// standard release, or a hotfix that needs fewer sign-offs but owes a
// post-release review. The product's policy for the kind applies.
type Kind string

const (
	KindStandard Kind = "standard"
	KindHotfix   Kind = "hotfix"
)

// Kinds lists every kind, in the order forms offer them.
var Kinds = []Kind{KindStandard, KindHotfix}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindStandard || k == KindHotfix }

// Label is the kind's name for people.
func (k Kind) Label() string {
	if k == KindHotfix {
		return "Hotfix"
	}
	return "Standard"
}

// InText is the kind's name inside a sentence: "a hotfix".
func (k Kind) InText() string {
	if k == KindHotfix {
		return "a hotfix"
	}
	return "a standard release"
}

// ParseKind reads a kind from a form or the API; "" is standard, as a
// release made before kinds existed is.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if k == "" {
		return KindStandard, nil
	}
	if !k.Valid() {
		return KindStandard, FieldErrorf("kind", "choose standard or hotfix")
	}
	return k, nil
}

// Limits of a policy's post-release review allowance, in days.
const (
	DefaultReviewDays = 5
	MaxReviewDays     = 30
)

// TemplateChoice is which checklist a kind's new releases start with.
type TemplateChoice string

const (
	// TemplateProduct is the product's checklist template (its own, or the
	// global one), the one admins edit under Checklist.
	TemplateProduct TemplateChoice = "product"
	// TemplateHotfix is the short hotfix checklist: what a fix that cannot
	// wait still owes (HotfixTemplate).
	TemplateHotfix TemplateChoice = "hotfix"
)

// TemplateChoices lists the choices in the order forms offer them.
var TemplateChoices = []TemplateChoice{TemplateProduct, TemplateHotfix}

// Label is the choice's name for people.
func (t TemplateChoice) Label() string {
	if t == TemplateHotfix {
		return "The short hotfix checklist"
	}
	return "The product's checklist template"
}

// Valid reports whether t is a known choice.
func (t TemplateChoice) Valid() bool { return t == TemplateProduct || t == TemplateHotfix }

// Policy is what a product asks of its releases of one kind: the roles that
// must sign off, how many distinct people must vote Go (never fewer than
// MinGoVoters: the two-person rule holds for every kind), the checklist they
// start with and, for hotfixes, within how many days of the Go the
// post-release review is due.
type Policy struct {
	Product          string
	Kind             Kind
	Roles            RoleSet
	MinGoVoters      int
	Template         TemplateChoice
	ReviewWithinDays int
	// Set is true once someone set the policy; until then the default for
	// the kind applies (DefaultPolicy).
	Set bool
}

// DefaultPolicy is the policy of kind k for a product that never set one:
// for a standard release, what the board has always asked (every role, two
// people, the product's checklist); for a hotfix, the people who build,
// test, run and ship it, two people, the short checklist and a review
// within DefaultReviewDays days.
func DefaultPolicy(product string, k Kind) Policy {
	if k == KindHotfix {
		return Policy{Product: product, Kind: KindHotfix, Roles: NewRoleSet(EngineeringLead, QALead, Ops, ReleaseManager),
			MinGoVoters: MinGoVoters, Template: TemplateHotfix, ReviewWithinDays: DefaultReviewDays}
	}
	return Policy{Product: product, Kind: KindStandard, Roles: NewRoleSet(Roles...), MinGoVoters: MinGoVoters, Template: TemplateProduct}
}

// Requires reports whether the policy asks role r to sign off.
func (p Policy) Requires(r Role) bool { return p.Roles.Has(r) }

// Leaves reports whether the policy leaves role r out, with the waiver
// that says so on the release page.
func (p Policy) Leaves(r Role) (Waiver, bool) {
	if p.Requires(r) {
		return Waiver{}, false
	}
	return Waiver{Role: r, Reason: fmt.Sprintf("the %s policy of %s does not ask %s to sign", strings.ToLower(p.Kind.Label()), p.Product, r.InText()), By: "product policy"}, true
}

// Voters is how many distinct people must vote Go: the policy's number,
// never fewer than the floor of MinGoVoters.
func (p Policy) Voters() int { return max(p.MinGoVoters, MinGoVoters) }

// PolicyInput is what a person submits to set a kind's policy.
type PolicyInput struct {
	Roles       []string
	MinGoVoters string
	Template    string
	ReviewDays  string
}

// NewPolicy checks in and returns the policy of kind k for product, with
// every problem at once, each next to its field.
func NewPolicy(product string, k Kind, in PolicyInput) (Policy, error) {
	p := Problems{}
	pol := Policy{Product: product, Kind: k, Set: true}
	if !k.Valid() {
		return pol, Errorf(ENOTFOUND, "no release kind %q: it is standard or hotfix", k)
	}
	var roles []Role
	for _, s := range in.Roles {
		r, err := ParseRole(s)
		if err != nil {
			p.Add("roles", "%q is not a role", s)
			continue
		}
		roles = append(roles, r)
	}
	pol.Roles = NewRoleSet(roles...)
	if _, bad := p["roles"]; !bad && len(pol.Roles) < MinGoVoters {
		p.Add("roles", "choose at least %d roles: a Go needs Go votes from at least %d people, and only required roles count", MinGoVoters, MinGoVoters)
	}
	n, err := atoiField(in.MinGoVoters)
	switch {
	case err != nil:
		p.Add("min_voters", "give the number of people who must vote Go, %d or more", MinGoVoters)
	case n < MinGoVoters:
		p.Add("min_voters", "at least %d people must vote Go: nobody approves a release alone", MinGoVoters)
	case len(pol.Roles) >= MinGoVoters && n > len(pol.Roles):
		p.Add("min_voters", "at most %d: only the votes of the %s required count", len(pol.Roles), Plural(len(pol.Roles), "role", "roles"))
	}
	pol.MinGoVoters = n
	pol.Template = TemplateChoice(strings.TrimSpace(in.Template))
	if !pol.Template.Valid() {
		p.Add("template", "choose the product's checklist template or the short hotfix checklist")
	}
	if k == KindHotfix {
		d, err := atoiField(in.ReviewDays)
		if err != nil || d < 1 || d > MaxReviewDays {
			p.Add("review_days", "the post-release review is due within 1 to %d days of the Go", MaxReviewDays)
		}
		pol.ReviewWithinDays = d
	}
	return pol, p.Err()
}

func atoiField(s string) (int, error) {
	var n int
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 4 {
		return 0, Errorf(EINVALID, "not a number")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, Errorf(EINVALID, "not a number")
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// Summary says the policy in one line, for the audit trail and the page.
func (p Policy) Summary() string {
	var names []string
	for _, r := range p.Roles {
		names = append(names, r.Label())
	}
	s := fmt.Sprintf("%s sign off, %s must vote Go, %s", List(names), Plural(p.Voters(), "person", "people"), strings.ToLower(p.Template.Label()))
	if p.Kind == KindHotfix {
		s += fmt.Sprintf(", post-release review within %s", Plural(p.ReviewWithinDays, "day", "days"))
	}
	return s
}

// PolicyChanged is the audit of the policy of p's kind set to p, from was;
// false when nothing changes.
func PolicyChanged(was, p Policy) (Audit, bool) {
	if was.Set && was.Summary() == p.Summary() {
		return Audit{}, false
	}
	return audit(ActionProductPolicy, "set the %s policy of %s: %s", strings.ToLower(p.Kind.Label()), p.Product, p.Summary()), true
}

// SourcePolicy is the source of a condition that a product's policy sets
// on a release, as the post-release review of a hotfix.
const SourcePolicy = "policy"

// ReviewDue is when the post-release review of a hotfix whose Go is
// recorded at now falls due under p; zero for any other kind.
func (p Policy) ReviewDue(now time.Time) time.Time {
	if p.Kind != KindHotfix || p.ReviewWithinDays <= 0 {
		return time.Time{}
	}
	return now.AddDate(0, 0, p.ReviewWithinDays)
}

// ReviewItem is the condition a hotfix's Go carries: a post-release review
// within the policy's days, owned by the release manager, closed when the
// review is recorded (its check key is PostReleaseReviewKey).
func ReviewItem(p Policy, due time.Time, loc *time.Location) Item {
	if loc == nil {
		loc = time.UTC
	}
	return Item{
		Phase: Verification, Title: fmt.Sprintf("Post-release review within %s (by %s)", Plural(p.ReviewWithinDays, "day", "days"), due.In(loc).Format("Mon 2 Jan 2006")),
		Guidance:  "A condition of every hotfix under the product's policy: record the post-release review; it closes this item.",
		OwnerRole: ReleaseManager, Required: true, Custom: true, Status: ItemOpen, Source: SourcePolicy, CheckKey: PostReleaseReviewKey,
	}
}

// ReviewOverdue reports whether rel, a hotfix, owes a post-release review
// whose deadline has passed at now, its review item still open: the board
// shows it as overdue until the review is recorded.
func ReviewOverdue(rel Release, items []Item, now time.Time) bool {
	if rel.Kind != KindHotfix || rel.ReviewDue.IsZero() || !now.After(rel.ReviewDue) {
		return false
	}
	for _, it := range items {
		if it.CheckKey == PostReleaseReviewKey && !it.Status.Settled() {
			return true
		}
	}
	return false
}

// reviewPending reports whether it is a hotfix's post-release review still
// to be recorded while its deadline has not passed at now: it holds the
// release back from being marked released. Once the deadline passes the
// release may be marked released, and shows as overdue instead.
func reviewPending(rel Release, it Item, now time.Time) bool {
	return it.CheckKey == PostReleaseReviewKey && it.Source == SourcePolicy && !it.Status.Settled() &&
		(rel.ReviewDue.IsZero() || !now.After(rel.ReviewDue))
}

// HotfixTemplate is the short checklist a hotfix starts with when its
// policy says so: what a fix that cannot wait still owes before and after
// it ships, and how to undo it.
func HotfixTemplate() []ItemInput {
	ready := func(p Pillar, title, guidance string, owner Role, key string) ItemInput {
		return ItemInput{Phase: Readiness, Pillar: p, Title: title, Guidance: guidance, OwnerRole: owner, Required: true, CheckKey: key}
	}
	verify := func(title, guidance string, owner Role, key string) ItemInput {
		return ItemInput{Phase: Verification, Title: title, Guidance: guidance, OwnerRole: owner, Required: true, CheckKey: key}
	}
	return []ItemInput{
		ready(Technical, "Fix reviewed", "The change was reviewed by a second engineer.", EngineeringLead, ""),
		ready(Technical, "Regression tests pass", "The tests around the fix, and the integration suite, pass against the hotfix build.", QALead, "integration-tests"),
		ready(Technical, "Security scan clean", "No open high or critical findings in the dependency and code scans.", EngineeringLead, "security-scan"),
		ready(Operational, "Smoke test passes in staging", "The automated smoke test passes in staging; the pipeline reports it as the check smoke-test.", QALead, "smoke-test"),
		ready(Operational, "Rollback plan written", "How to undo the hotfix, in a few steps.", Ops, ""),
		ready(Business, "Affected customers and support told", "Support knows what the hotfix changes and whom it affects.", ReleaseManager, ""),
		verify("Smoke test passes in production", "The automated smoke test passes against production after deploying; the pipeline reports it.", QALead, ProductionSmokeCheckKey),
		verify("The fault is gone", "The fault the hotfix fixes no longer shows in production.", QALead, ""),
		verify("Dashboards healthy", "Error rates, latency and saturation are normal for 30 minutes.", Ops, DashboardsCheckKey),
		{Phase: Rollback, Title: "Rollback steps written", Guidance: "The steps to undo the hotfix are written down.", OwnerRole: Ops, Required: true},
	}
}
