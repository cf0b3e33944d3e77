package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// MaxWorkaroundLen bounds a known issue's workaround: a few paragraphs
// support can read out on the phone, not a knowledge-base article.
const MaxWorkaroundLen = 2000

// KnownIssuesCheckKey is the check key of the support lead's readiness
// item that a release's first known issue adds, and every new one reopens:
// the gate waits until support has looked at what ships unfixed.
const KnownIssuesCheckKey = "known-issues-reviewed"

// Audit actions of known issues. They are part of the release's notes, so
// a notes page that listens live hears of them.
const (
	ActionKnownIssueAdd    Action = "notes.known-issue"
	ActionKnownIssueRemove Action = "notes.known-issue-removed"
	ActionWorkaround       Action = "notes.workaround"
	ActionKnownIssueFixed  Action = "notes.known-issue-fixed"
	ActionKnownIssueUnfix  Action = "notes.known-issue-unfixed"
)

// KnownIssue is a blocker or critical defect a release ships with: set
// aside (deferred or won't fix) before it shipped, it stands in the
// release's notes with a workaround support writes, until a later release
// of the product verifies a defect with the same tracker key.
type KnownIssue struct {
	ID        int64
	ReleaseID int64
	DefectID  int64
	Title     string
	Key       string // the defect's tracker key; "" if it has none
	URL       string // the defect's tracker link
	Severity  Severity
	// Workaround is Markdown written by the QA or support lead.
	Workaround string
	// Version is the version of the release that ships with the issue.
	Version string
	Product string
	// FixedBy is the later release whose verified defect fixes the issue;
	// nil while none has.
	FixedBy   *KnownIssueFix
	CreatedAt time.Time
	UpdatedBy string
	UpdatedAt time.Time
}

// KnownIssueFix is the release (and its defect) that fixed a known issue.
type KnownIssueFix struct {
	ReleaseID int64
	DefectID  int64
	Version   string
	State     State
}

// Shipped reports whether the fix is in production: the release that
// verified it is released. Only then does the old release's notes page
// say the issue is fixed, since until then customers still have it.
func (f *KnownIssueFix) Shipped() bool { return f != nil && f.State == Released }

// Name is how a sentence names the issue: its key and title.
func (k KnownIssue) Name() string {
	if k.Key != "" {
		return fmt.Sprintf("%s %q", k.Key, k.Title)
	}
	return fmt.Sprintf("%q", k.Title)
}

// FixedIn is the version that fixed the issue in production, or "" while
// none has shipped.
func (k KnownIssue) FixedIn() string {
	if k.FixedBy.Shipped() {
		return k.FixedBy.Version
	}
	return ""
}

// IsKnownIssue reports whether d ships as a known issue of its release: a
// blocker or critical set aside. The store asks while the release's
// defects may change (DefectsEditable); once it shipped or was cancelled
// its known issues stand as they were.
func IsKnownIssue(d Defect) bool {
	return d.Severity.Grave() && d.Status.SetsAside()
}

// KnownIssueOf is the known issue d of rel becomes.
func KnownIssueOf(rel Release, d Defect, now time.Time) KnownIssue {
	return KnownIssue{
		ReleaseID: rel.ID, DefectID: d.ID, Title: d.Title, Key: d.TrackerKey(), URL: d.TrackerURL, Severity: d.Severity,
		Version: rel.Version, Product: rel.Product, CreatedAt: now,
	}
}

// KnownIssueAdded is the audit of a known issue joining rel's notes.
func KnownIssueAdded(k KnownIssue, d Defect) Audit {
	return audit(ActionKnownIssueAdd, "added known issue %s to the release notes: the %s defect is %s", k.Name(), d.Severity, d.Status.InText())
}

// KnownIssueRemoved is the audit of a known issue leaving the notes,
// because its defect is no longer set aside.
func KnownIssueRemoved(k KnownIssue, d Defect) Audit {
	return audit(ActionKnownIssueRemove, "removed known issue %s from the release notes: the defect is %s again", k.Name(), d.Status.InText())
}

// KnownIssueFixed are the audits of a fix linked to a known issue: one
// for the release that shipped with it, one for the release that fixed it.
func KnownIssueFixed(k KnownIssue, fix Release) (old, fixing Audit) {
	return audit(ActionKnownIssueFixed, "known issue %s is fixed in %s, which verified it", k.Name(), fix.Version),
		audit(ActionKnownIssueFixed, "verified the fix of %s, a known issue of %s", k.Name(), k.Version)
}

// KnownIssueUnfixed are the audits of a fix unlinked again: the defect
// that fixed it is no longer verified.
func KnownIssueUnfixed(k KnownIssue, fix Release) (old, fixing Audit) {
	return audit(ActionKnownIssueUnfix, "known issue %s is no longer fixed in %s: its fix is not verified there any more", k.Name(), fix.Version),
		audit(ActionKnownIssueUnfix, "the fix of %s, a known issue of %s, is not verified any more", k.Name(), k.Version)
}

// FixesKnownIssue reports whether d, a defect of rel, fixes k: a
// verified defect with the same tracker key in another release of the
// same product.
func FixesKnownIssue(rel Release, d Defect, k KnownIssue) bool {
	return d.Status == DefectVerified && k.Key != "" && strings.EqualFold(d.TrackerKey(), k.Key) &&
		k.Product == rel.Product && k.ReleaseID != rel.ID
}

// SetWorkaround changes k's workaround on behalf of actor, or says why it
// may not: the QA or support lead of the product writes it, in any state
// but a cancelled release's, since support needs it most after shipping.
func SetWorkaround(actor Actor, rel Release, k KnownIssue, text string, now time.Time) (KnownIssue, Audit, error) {
	if !AbilitiesOf(actor, Snapshot{Release: rel}).Granted(ActEditWorkaround) {
		return k, Audit{}, Errorf(EFORBIDDEN, "only the QA lead or the support lead may write a known issue's workaround")
	}
	if rel.State == Cancelled {
		return k, Audit{}, Errorf(ECONFLICT, "the release is cancelled: its known issues do not ship")
	}
	text = strings.TrimSpace(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text))
	p := Problems{}
	validateText(p, "workaround", "Workaround", text, MaxWorkaroundLen, false)
	if err := p.Err(); err != nil {
		return k, Audit{}, err
	}
	if text == k.Workaround {
		return k, Audit{}, nil
	}
	a := audit(ActionWorkaround, "wrote the workaround of known issue %s", k.Name())
	if text == "" {
		a = audit(ActionWorkaround, "cleared the workaround of known issue %s", k.Name())
	}
	k.Workaround, k.UpdatedBy, k.UpdatedAt = text, actor.Name, now
	return k, a, nil
}

// KnownIssuesItem is the support lead's required readiness item that
// asks them to review the known issues and their workarounds.
func KnownIssuesItem(rel Release) Item {
	return Item{
		ReleaseID: rel.ID, Phase: Readiness, Pillar: Business, Title: "Known issues reviewed",
		Guidance:  "Support has read the known issues this release ships with and their workarounds in the release notes.",
		OwnerRole: SupportLead, Required: true, CheckKey: KnownIssuesCheckKey, Status: ItemOpen,
	}
}

// ReviewKnownIssues is what a new known issue does to rel's checklist:
// add the support lead's item, or reopen it if it was closed, while
// readiness items may still change. add is nil when the item is there;
// reopen is nil when it need not change.
func ReviewKnownIssues(rel Release, items []Item, k KnownIssue, now time.Time) (add *ItemResult, reopen *ItemResult) {
	if ItemEditable(rel.State, Readiness) != nil {
		return nil, nil
	}
	for _, it := range items {
		if it.CheckKey != KnownIssuesCheckKey {
			continue
		}
		if it.Status == ItemOpen {
			return nil, nil
		}
		it.Status, it.Evidence, it.Reason, it.UpdatedBy, it.UpdatedAt = ItemOpen, "", "", SystemActor.Name, now
		return nil, &ItemResult{Item: it, Audit: audit(ActionItemStatus, "reopened %q: known issue %s is new", it.Title, k.Name())}
	}
	it := KnownIssuesItem(rel)
	return &ItemResult{Item: it, Audit: audit(ActionItemAdd, "added required readiness item %q (%s): the release ships with known issue %s",
		it.Title, it.OwnerRole.Label(), k.Name())}, nil
}

// NoKnownIssuesLeft is what the last known issue leaving rel's notes does
// to the support lead's review item: an open one no longer has anything to
// review and stops holding the gate (n/a, with the reason). Nil when the
// item need not change.
func NoKnownIssuesLeft(rel Release, items []Item, now time.Time) *ItemResult {
	if ItemEditable(rel.State, Readiness) != nil {
		return nil
	}
	for _, it := range items {
		if it.CheckKey != KnownIssuesCheckKey || it.Status != ItemOpen {
			continue
		}
		const why = "no known issues left: every blocker and critical is back in work or fixed"
		it.Status, it.Reason, it.UpdatedBy, it.UpdatedAt = ItemNA, why, SystemActor.Name, now
		return &ItemResult{Item: it, Audit: audit(ActionItemStatus, "set %q n/a: %s", it.Title, why)}
	}
	return nil
}
