package gonogo

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Field limits for checklist items.
const (
	MaxItemTitleLen = 160
	MaxGuidanceLen  = 1000
	MaxEvidenceLen  = 2000
	MaxReasonLen    = 1000
	MaxCheckKeyLen  = 40
)

// Phase is the part of a release's life an item belongs to.
type Phase string

const (
	Readiness    Phase = "readiness"    // before the decision, grouped by pillar
	Verification Phase = "verification" // after deploying, before released
	Rollback     Phase = "rollback"     // how to undo it
)

// Phases lists every phase in the order of the release page.
var Phases = []Phase{Readiness, Verification, Rollback}

var phaseLabels = map[Phase]string{
	Readiness: "Readiness", Verification: "Post-deploy verification", Rollback: "Rollback",
}

// Valid reports whether p is a known phase.
func (p Phase) Valid() bool { _, ok := phaseLabels[p]; return ok }

// Label is the phase's name for people.
func (p Phase) Label() string { return phaseLabels[p] }

// Pillar is one of the three things a Go rests on. Only readiness items have one.
type Pillar string

const (
	Technical   Pillar = "technical"
	Operational Pillar = "operational"
	Business    Pillar = "business"
)

// Pillars lists the pillars in the order of the release page.
var Pillars = []Pillar{Technical, Operational, Business}

var pillarLabels = map[Pillar]string{
	Technical: "Technical readiness", Operational: "Operational preparedness", Business: "Business alignment",
}

// Valid reports whether p is a known pillar.
func (p Pillar) Valid() bool { _, ok := pillarLabels[p]; return ok }

// Label is the pillar's name for people.
func (p Pillar) Label() string { return pillarLabels[p] }

// Short is the pillar's one-word name, for cards.
func (p Pillar) Short() string {
	switch p {
	case Technical:
		return "Tech"
	case Operational:
		return "Ops"
	case Business:
		return "Business"
	}
	return string(p)
}

// ItemStatus is where a checklist item stands.
type ItemStatus string

const (
	ItemOpen   ItemStatus = "open"
	ItemDone   ItemStatus = "done"
	ItemFailed ItemStatus = "failed"
	ItemNA     ItemStatus = "n/a" // does not apply; needs a reason
)

// ItemStatuses lists the statuses in the order of the status buttons.
var ItemStatuses = []ItemStatus{ItemOpen, ItemDone, ItemFailed, ItemNA}

var itemStatusLabels = map[ItemStatus]string{
	ItemOpen: "Open", ItemDone: "Done", ItemFailed: "Failed", ItemNA: "N/A",
}

// Valid reports whether s is a known status.
func (s ItemStatus) Valid() bool { _, ok := itemStatusLabels[s]; return ok }

// Label is the status's name for people.
func (s ItemStatus) Label() string { return itemStatusLabels[s] }

// Settled reports whether an item in status s asks nothing more: done, or
// not applicable to this release.
func (s ItemStatus) Settled() bool { return s == ItemDone || s == ItemNA }

// Slug is the status as a CSS-friendly word.
func (s ItemStatus) Slug() string {
	if s == ItemNA {
		return "na"
	}
	return string(s)
}

// Item is one line of a release's checklist.
type Item struct {
	ID        int64
	ReleaseID int64
	Phase     Phase
	Pillar    Pillar // readiness items only
	Title     string
	Guidance  string
	OwnerRole Role
	Required  bool
	Custom    bool // added to this release by hand rather than from the template
	CheckKey  string
	Position  int
	Status    ItemStatus
	Evidence  string // a link or a note
	Reason    string // why the item does not apply (n/a)
	UpdatedBy string // the name of who last changed it
	UpdatedAt time.Time
	// Source is "vote" or "decision" for an item that is a condition of a
	// sign-off or of the decision, "" otherwise; SourceID says which one.
	Source   string
	SourceID int64
	// StageID is the rollout stage whose verification the item is (see
	// PromotionCheck); 0 for every other item.
	StageID int64
}

// IsCondition reports whether the item is a condition of a vote or decision.
func (it Item) IsCondition() bool { return it.Source != "" }

// Removable reports whether the item may be taken off the release: advisory
// and custom items may, required template items may not, so nobody can make a
// release look ready by deleting what it lacks.
func (it Item) Removable() bool { return it.Custom || !it.Required }

// EvidenceURL returns the evidence as a link when it is one.
func (it Item) EvidenceURL() string {
	if isHTTPURL(it.Evidence) {
		return it.Evidence
	}
	return ""
}

// ItemChange is a status update to one item.
type ItemChange struct {
	Status   ItemStatus
	Evidence string
	Reason   string
}

// Normalize trims the change's text.
func (c *ItemChange) Normalize() {
	c.Evidence = strings.TrimSpace(c.Evidence)
	c.Reason = strings.TrimSpace(c.Reason)
}

// Validate checks the change: a known status, a reason for n/a, and text within limits.
func (c ItemChange) Validate() error {
	p := Problems{}
	if !c.Status.Valid() {
		p.Add("status", "unknown status %q", c.Status)
	}
	validateText(p, "evidence", "Evidence", c.Evidence, MaxEvidenceLen, false)
	if c.Status == ItemNA && c.Reason == "" {
		p.Add("reason", "marking an item n/a needs a reason: say why it does not apply")
	}
	validateText(p, "reason", "Reason", c.Reason, MaxReasonLen, false)
	return p.Err()
}

// Apply returns the item with the change made by who at now.
func (c ItemChange) Apply(it Item, who string, now time.Time) Item {
	it.Status = c.Status
	it.Evidence = c.Evidence
	it.Reason = ""
	if c.Status == ItemNA {
		it.Reason = c.Reason
	}
	it.UpdatedBy = who
	it.UpdatedAt = now
	return it
}

// ItemInput is a new item, added to a release by hand or to the template.
type ItemInput struct {
	Phase     Phase
	Pillar    Pillar
	Title     string
	Guidance  string
	OwnerRole Role
	Required  bool
	CheckKey  string
}

// Normalize trims the input and drops a pillar from items outside readiness.
func (in *ItemInput) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Guidance = strings.TrimSpace(in.Guidance)
	in.CheckKey = strings.ToLower(strings.TrimSpace(in.CheckKey))
	if in.Phase != Readiness {
		in.Pillar = ""
	}
}

var checkKeyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Validate reports every problem with the input at once.
func (in ItemInput) Validate() error {
	p := Problems{}
	if !in.Phase.Valid() {
		p.Add("phase", "choose a phase")
	}
	if in.Phase == Readiness && !in.Pillar.Valid() {
		p.Add("pillar", "readiness items need a pillar")
	}
	validateLine(p, "title", "Title", in.Title, MaxItemTitleLen, true)
	validateText(p, "guidance", "Guidance", in.Guidance, MaxGuidanceLen, false)
	if !in.OwnerRole.Valid() {
		p.Add("owner_role", "choose the role that owns the item")
	}
	if in.CheckKey != "" && (len(in.CheckKey) > MaxCheckKeyLen || !checkKeyPattern.MatchString(in.CheckKey)) {
		p.Add("check_key", "a check key uses lower-case letters, digits and dashes, at most %d", MaxCheckKeyLen)
	}
	return p.Err()
}

// Progress counts the required items of one group that are settled.
type Progress struct {
	Done     int // required items done or not applicable
	Required int
	Failed   int // required items failed
}

// Complete reports whether every required item is settled.
func (p Progress) Complete() bool { return p.Done == p.Required }

// Percent is the share of required items settled, 0 to 100.
func (p Progress) Percent() int {
	if p.Required == 0 {
		return 100
	}
	return p.Done * 100 / p.Required
}

// PillarProgress counts the readiness items of each pillar.
func PillarProgress(items []Item) map[Pillar]Progress {
	out := make(map[Pillar]Progress, len(Pillars))
	for _, p := range Pillars {
		out[p] = Progress{}
	}
	for _, it := range items {
		if it.Phase != Readiness || !it.Required {
			continue
		}
		pr := out[it.Pillar]
		pr.Required++
		switch {
		case it.Status.Settled():
			pr.Done++
		case it.Status == ItemFailed:
			pr.Failed++
		}
		out[it.Pillar] = pr
	}
	return out
}

// PhaseProgress counts the required items of one phase.
func PhaseProgress(items []Item, phase Phase) Progress {
	var pr Progress
	for _, it := range items {
		if it.Phase != phase || !it.Required {
			continue
		}
		pr.Required++
		switch {
		case it.Status.Settled():
			pr.Done++
		case it.Status == ItemFailed:
			pr.Failed++
		}
	}
	return pr
}

// isHTTPURL reports whether s is an http or https link. url.Parse refuses
// control characters but lets bytes that are not UTF-8 through.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && utf8.ValidString(s) && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// ItemEditable reports whether items of phase may change while a release is
// in state: readiness until the decision (and again after a No-Go or a
// rollback, ahead of a new cycle), verification from the Go until released,
// rollback items until the release is closed for good.
func ItemEditable(state State, phase Phase) error {
	ok := false
	switch phase {
	case Readiness:
		ok = state == Draft || state == Review || state == NoGo || state == RolledBack
	case Verification:
		ok = state == Go || state == Deploying || state == Verifying
	case Rollback:
		ok = state != Released && state != Cancelled
	}
	if !ok {
		return Errorf(ECONFLICT, "%s items cannot change while the release is %s", phase.Label(), state.InText())
	}
	return nil
}

// WorkItem applies a status change to an item of rel on behalf of actor, or
// says why it may not.
func WorkItem(actor Actor, rel Release, it Item, c ItemChange, now time.Time) (Item, error) {
	if !AbilitiesOf(actor, Snapshot{Release: rel}).WorkItem(it) {
		return it, Errorf(EFORBIDDEN, "only %s or the release manager may change %q", it.OwnerRole.InText(), it.Title)
	}
	if err := ItemEditable(rel.State, it.Phase); err != nil {
		return it, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return it, err
	}
	return c.Apply(it, actor.Name, now), nil
}

// ItemResult is the whole change to one checklist item: the item as it is
// to be stored, and the audit.
type ItemResult struct {
	Item  Item
	Audit Audit
}

// ChangeItem is a person's change of an item's status (see WorkItem), with
// its audit; a check that starts failing is heard under TopicCheckFailed.
func ChangeItem(actor Actor, rel Release, it Item, c ItemChange, now time.Time) (ItemResult, error) {
	next, err := WorkItem(actor, rel, it, c, now)
	if err != nil {
		return ItemResult{}, err
	}
	detail := ""
	switch {
	case next.Status == ItemNA:
		detail = ": " + next.Reason
	case next.Evidence != "" && next.Evidence != it.Evidence:
		detail = ", evidence " + next.Evidence
	}
	a := audit(ActionItemStatus, "set %q %s (was %s)%s", it.Title, next.Status, it.Status, detail)
	if next.Status == ItemFailed && next.CheckKey != "" && it.Status != ItemFailed {
		a.Topics = []Topic{TopicCheckFailed}
	}
	a.Causes = itemFailed(rel, it, next, actor.Name)
	return ItemResult{Item: next, Audit: a}, nil
}

// NewItem is a custom item added by hand to rel's checklist, with its audit.
func NewItem(rel Release, in ItemInput) (ItemResult, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return ItemResult{}, err
	}
	if err := ItemEditable(rel.State, in.Phase); err != nil {
		return ItemResult{}, err
	}
	it := Item{
		ReleaseID: rel.ID, Phase: in.Phase, Pillar: in.Pillar, Title: in.Title, Guidance: in.Guidance, OwnerRole: in.OwnerRole,
		Required: in.Required, Custom: true, CheckKey: in.CheckKey, Status: ItemOpen,
	}
	kind := "advisory"
	if in.Required {
		kind = "required"
	}
	return ItemResult{Item: it, Audit: audit(ActionItemAdd, "added %s %s item %q (%s)", kind, in.Phase, in.Title, in.OwnerRole.Label())}, nil
}

// RemoveItem takes it off rel's checklist, or says why it may not go, and
// returns the audit of its removal.
func RemoveItem(rel Release, it Item) (Audit, error) {
	if !it.Removable() {
		return Audit{}, Errorf(ECONFLICT, "%q is a required item of the template and cannot be removed; mark it n/a with a reason instead", it.Title)
	}
	if err := ItemEditable(rel.State, it.Phase); err != nil {
		return Audit{}, err
	}
	return audit(ActionItemRemove, "removed item %q", it.Title), nil
}

// PostReleaseReviewKey is the check key of the condition a hotfix carries:
// a post-release review recorded within the product's allowance of days.
// Recording the review closes every item of the release with this key.
const PostReleaseReviewKey = "post-release-review"
