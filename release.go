package gonogo

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Field limits for releases.
const (
	MaxProductLen = 40
	MaxVersionLen = 40
	MaxTitleLen   = 120
	MaxSummaryLen = 4000
)

// Release is one version of one product on its way to production.
type Release struct {
	ID          int64
	Product     string
	Version     string
	Title       string
	Summary     string
	State       State
	Cycle       int
	ManagerID   int64  // the release manager responsible; 0 if none
	ManagerName string // filled by the store for display
	Window      Window
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ReviewAt    time.Time // when the current review cycle opened
	Kind        Kind      // standard or hotfix, chosen at creation
	// ReviewDue is when a hotfix's post-release review falls due, set when
	// its Go is recorded; zero otherwise.
	ReviewDue time.Time
}

// Name is how people refer to the release: "payments 2.4.0".
func (r Release) Name() string { return r.Product + " " + r.Version }

// ReleaseInput is what a person types to create or edit a release.
type ReleaseInput struct {
	Product   string
	Version   string
	Title     string
	Summary   string
	ManagerID int64
	Window    Window
	Kind      Kind // "" is standard
}

// Normalize trims the fields; products are lower case so "Payments" and
// "payments" are one product.
func (in *ReleaseInput) Normalize() {
	in.Product = strings.ToLower(strings.TrimSpace(in.Product))
	in.Version = strings.TrimSpace(in.Version)
	in.Title = strings.TrimSpace(in.Title)
	in.Summary = strings.TrimSpace(in.Summary)
}

// Products and versions appear in URLs (/notes/{product}/{version}).
// Products are kept to characters that need no escaping. Versions are what
// projects call them: SemVer's "+build", Debian's "~rc", letters of any
// script; whoever writes one into a path escapes it (NotesPath does), and
// the server decodes it. Marks are left out, so that "é" is one letter and
// not also "e" and a combining accent that look the same; so are spaces,
// '/', '?' and '#', which no escaping gets through every proxy and tool.
var (
	productPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	versionPattern = regexp.MustCompile(`^[\p{L}\p{Nd}][\p{L}\p{Nd}._+~%-]*$`)
)

// ValidateProduct checks a product name given to look releases up by, such
// as a filter: one that no release could have is a mistake to point out,
// not a question whose answer is "none".
func ValidateProduct(product string) error {
	if len(product) > MaxProductLen || !productPattern.MatchString(product) {
		return FieldErrorf("product", "product may use lower-case letters, digits and dashes, at most %d", MaxProductLen)
	}
	return nil
}

// Validate reports every problem with the input at once.
func (in ReleaseInput) Validate() error {
	p := Problems{}
	validateLine(p, "product", "Product", in.Product, MaxProductLen, true)
	if _, bad := p["product"]; !bad && !productPattern.MatchString(in.Product) {
		p.Add("product", "product may use lower-case letters, digits and dashes, starting with a letter or digit")
	}
	validateLine(p, "version", "Version", in.Version, MaxVersionLen, true)
	if _, bad := p["version"]; !bad && !versionPattern.MatchString(in.Version) {
		p.Add("version", "version may use letters, digits, '.', '-', '+', '_', '~' and '%%', starting with a letter or digit")
	}
	if ReservedVersion(in.Version) {
		p.Add("version", "%q names the page of what changed between versions: call the version something else", in.Version)
	}
	validateLine(p, "title", "Title", in.Title, MaxTitleLen, true)
	validateText(p, "summary", "Summary", in.Summary, MaxSummaryLen, false)
	if in.Kind != "" && !in.Kind.Valid() {
		p.Add("kind", "choose standard or hotfix")
	}
	if err := in.Window.Validate(); err != nil {
		p.Add("window", "%s", ErrorMessage(err))
	}
	return p.Err()
}

// Window is the planned deployment window. The zero Window means none is set.
type Window struct {
	Start time.Time
	End   time.Time
}

// IsZero reports whether no window is set.
func (w Window) IsZero() bool { return w.Start.IsZero() && w.End.IsZero() }

// Validate checks that a set window has both ends in order.
func (w Window) Validate() error {
	switch {
	case w.IsZero():
		return nil
	case w.Start.IsZero() || w.End.IsZero():
		return Errorf(EINVALID, "a window needs both a start and an end")
	case !w.End.After(w.Start):
		return Errorf(EINVALID, "the window must end after it starts")
	case w.End.Sub(w.Start) > 7*24*time.Hour:
		return Errorf(EINVALID, "a window may last at most 7 days")
	}
	return nil
}

// Contains reports whether t falls within the window.
func (w Window) Contains(t time.Time) bool {
	return !w.IsZero() && !t.Before(w.Start) && t.Before(w.End)
}

// ReleaseFilter selects releases for the board.
type ReleaseFilter struct {
	Product string
	States  []State
	// ClosedSince, when set, leaves out closed releases last changed before
	// it: the board's closed lane shows only the recent ones, and a year of
	// history should not be loaded to be thrown away.
	ClosedSince time.Time
}

// CheckManager judges the person chosen to manage a release; found says
// whether the chosen id named anyone at all.
func CheckManager(u User, found bool, product string) error {
	if !found || u.Disabled || !u.RolesOn(product).Has(ReleaseManager) {
		return FieldErrorf("manager", "choose an enabled user who holds the release manager role for %s", product)
	}
	return nil
}

// ReleaseCreated is the audit of a release made from in with a checklist
// of items, replacing the cancelled release replaces (0 when none); with
// newProduct, the release was its product's first and made the product.
func ReleaseCreated(in ReleaseInput, items, replaces int64, newProduct bool) Audit {
	a := audit(ActionReleaseCreate, "created %s %s %q with %d checklist items", in.Product, in.Version, in.Title, items)
	if in.Kind == KindHotfix {
		a.Detail = "created hotfix" + strings.TrimPrefix(a.Detail, "created")
	}
	if replaces != 0 {
		a.Detail += fmt.Sprintf(", replacing cancelled release #%d", replaces)
	}
	if newProduct {
		a.Detail += fmt.Sprintf(", the first of the new product %s", in.Product)
	}
	return a
}

// EditRelease is the change of rel's title, summary and manager to in's:
// its audit, and false when in changes nothing. Product and version are the
// release's identity and stay; the window has its own rule (MoveWindow).
func EditRelease(rel Release, in ReleaseInput) (Audit, bool) {
	var changes []string
	if rel.Title != in.Title {
		changes = append(changes, fmt.Sprintf("title to %q", in.Title))
	}
	if rel.Summary != in.Summary {
		changes = append(changes, "summary")
	}
	if rel.ManagerID != in.ManagerID {
		changes = append(changes, "release manager")
	}
	if len(changes) == 0 {
		return Audit{}, false
	}
	return audit(ActionReleaseUpdate, "changed %s", strings.Join(changes, ", ")), true
}
