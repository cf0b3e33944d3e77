package gonogo

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Field limits for defects.
const (
	MaxDefectTitleLen = 200
	MaxNotesLen       = 4000
	MaxURLLen         = 2000
	MaxKeyLen         = 40
)

// Severity is how bad a defect is.
type Severity string

const (
	Blocker  Severity = "blocker"
	Critical Severity = "critical"
	Major    Severity = "major"
	Minor    Severity = "minor"
)

// Severities lists the severities, worst first.
var Severities = []Severity{Blocker, Critical, Major, Minor}

var severityLabels = map[Severity]string{Blocker: "Blocker", Critical: "Critical", Major: "Major", Minor: "Minor"}

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { _, ok := severityLabels[s]; return ok }

// Label is the severity's name for people.
func (s Severity) Label() string { return severityLabels[s] }

// Rank orders severities, worst first: 0 for blocker.
func (s Severity) Rank() int { return rank(Severities, s) }

// Grave reports whether a defect of this severity can block a Go.
func (s Severity) Grave() bool { return s == Blocker || s == Critical }

// DefectStatus is where a defect stands.
type DefectStatus string

const (
	DefectOpen       DefectStatus = "open"
	DefectInProgress DefectStatus = "in-progress"
	DefectFixed      DefectStatus = "fixed"
	DefectVerified   DefectStatus = "verified"
	DefectDeferred   DefectStatus = "deferred"
	DefectWontFix    DefectStatus = "wont-fix"
)

// DefectStatuses lists the statuses in the order of a defect's life.
var DefectStatuses = []DefectStatus{DefectOpen, DefectInProgress, DefectFixed, DefectVerified, DefectDeferred, DefectWontFix}

var defectStatusLabels = map[DefectStatus]string{
	DefectOpen: "Open", DefectInProgress: "In progress", DefectFixed: "Fixed",
	DefectVerified: "Verified", DefectDeferred: "Deferred", DefectWontFix: "Won't fix",
}

// Valid reports whether s is a known status.
func (s DefectStatus) Valid() bool { _, ok := defectStatusLabels[s]; return ok }

// Label is the status's name for people.
func (s DefectStatus) Label() string { return defectStatusLabels[s] }

// defectStatusWords say where a defect stands after "is". A fixed defect
// is not done with until QA verifies the fix, and the words say so.
var defectStatusWords = map[DefectStatus]string{
	DefectOpen: "open", DefectInProgress: "in progress", DefectFixed: "fixed, not yet verified",
	DefectVerified: "verified", DefectDeferred: "deferred", DefectWontFix: "set aside as won't fix",
}

// InText is the status in a sentence, after "is": "the blocker is fixed,
// not yet verified".
func (s DefectStatus) InText() string {
	if w, ok := defectStatusWords[s]; ok {
		return w
	}
	return string(s)
}

// Rank orders statuses along a defect's life: 0 for open.
func (s DefectStatus) Rank() int { return rank(DefectStatuses, s) }

// Resolved reports whether nothing more is expected of a defect in this
// status for this release: verified fixed, or consciously set aside.
func (s DefectStatus) Resolved() bool {
	return s == DefectVerified || s == DefectDeferred || s == DefectWontFix
}

// SetsAside reports whether the status leaves the defect in the release
// unfixed, which for a grave defect needs a reason on record.
func (s DefectStatus) SetsAside() bool { return s == DefectDeferred || s == DefectWontFix }

func rank[T comparable](order []T, v T) int {
	for i, o := range order {
		if o == v {
			return i
		}
	}
	return len(order)
}

// Defect is a known problem in a release.
type Defect struct {
	ID         int64
	ReleaseID  int64
	Title      string
	Severity   Severity
	Status     DefectStatus
	Key        string // the tracker's key as typed, e.g. PAY-142; may be empty
	TrackerURL string
	Notes      string
	Reason     string // why a grave defect was deferred or won't be fixed
	UpdatedBy  string
	UpdatedAt  time.Time
	CreatedAt  time.Time
	// Source is the tracker that keeps the defect; zero for one kept by
	// hand in gonogo.
	Source Synced
}

// Synced reports whether a tracker keeps the defect: its title, severity
// and status come from there.
func (d Defect) Synced() bool { return d.Source.Kind != "" }

// SettableByHand reports whether a person may move d to status in gonogo:
// any status for a defect kept by hand. A tracker keeps the status of a
// synced defect; QA may still mark it verified, or defer it with a reason,
// which stands until the tracker's status changes (SyncDefects).
func (d Defect) SettableByHand(to DefectStatus) bool {
	return !d.Synced() || to == DefectVerified || to == DefectDeferred
}

// syncedName is how a refusal names a synced defect: its key, or its
// title when the tracker gave none.
func (d Defect) syncedName() string {
	if k := d.TrackerKey(); k != "" {
		return k
	}
	return fmt.Sprintf("%q", d.Title)
}

// Blocking reports whether the defect stands between its release and a Go:
// a blocker or critical defect that is not verified, deferred or won't fix.
func Blocking(d Defect) bool { return d.Severity.Grave() && !d.Status.Resolved() }

// TrackerKey is how the defect's tracker issue is shown: the key as typed,
// or one read from the link.
func (d Defect) TrackerKey() string {
	if d.Key != "" {
		return d.Key
	}
	return KeyFromURL(d.TrackerURL)
}

var (
	jiraKey     = regexp.MustCompile(`^[A-Z][A-Z0-9_]+-[0-9]+$`)
	issueNumber = regexp.MustCompile(`^[0-9]+$`)
)

// KeyFromURL reads an issue key from a tracker link: PAY-142 from a Jira
// /browse/ link, #318 from a GitHub or GitLab issue or merge request. It
// returns "" when the link has no key it recognises.
func KeyFromURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		if jiraKey.MatchString(p) {
			return p
		}
		if issueNumber.MatchString(p) && i > 0 {
			switch parts[i-1] {
			case "issues", "pull", "pulls", "merge_requests":
				return "#" + p
			}
		}
	}
	if k := u.Query().Get("selectedIssue"); jiraKey.MatchString(k) {
		return k
	}
	return ""
}

// DefectInput is a new defect, or an edit of one's description.
type DefectInput struct {
	Title      string
	Severity   Severity
	Status     DefectStatus // for a new defect; "" means open
	Key        string
	TrackerURL string
	Notes      string
}

// Normalize trims the fields and lower-cases the severity.
func (in *DefectInput) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Severity = Severity(strings.ToLower(strings.TrimSpace(string(in.Severity))))
	in.Key = strings.TrimSpace(in.Key)
	in.TrackerURL = strings.TrimSpace(in.TrackerURL)
	in.Notes = strings.TrimSpace(in.Notes)
	if in.Status == "" {
		in.Status = DefectOpen
	}
}

// Validate reports every problem with the input at once.
func (in DefectInput) Validate() error {
	p := Problems{}
	validateLine(p, "title", "Title", in.Title, MaxDefectTitleLen, true)
	if !in.Severity.Valid() {
		p.Add("severity", "severity must be blocker, critical, major or minor")
	}
	if !in.Status.Valid() {
		p.Add("status", "unknown status %q", in.Status)
	}
	validateLine(p, "key", "Key", in.Key, MaxKeyLen, false)
	if strings.ContainsAny(in.Key, " \t\n") {
		p.Add("key", "a tracker key has no spaces, e.g. PAY-142 or #318")
	}
	if in.TrackerURL != "" {
		if len(in.TrackerURL) > MaxURLLen || !isHTTPURL(in.TrackerURL) {
			p.Add("tracker_url", "the tracker link must be an http or https URL")
		}
	}
	validateText(p, "notes", "Notes", in.Notes, MaxNotesLen, false)
	if in.Status.SetsAside() && in.Severity.Grave() {
		p.Add("status", "a new %s defect cannot start out %s; add it, then set it aside with a reason", in.Severity, in.Status.InText())
	}
	return p.Err()
}

// DefectChange moves a defect to another status.
type DefectChange struct {
	Status DefectStatus
	Reason string
}

// DefectsEditable says whether a release's defects may change in state:
// until the release is closed for good.
func DefectsEditable(st State) error {
	if st == Released || st == Cancelled {
		return Errorf(ECONFLICT, "defects cannot change once the release is %s", st.InText())
	}
	return nil
}

// ChangeDefectStatus applies a status change on behalf of actor, or says
// why it may not happen.
func ChangeDefectStatus(actor Actor, rel Release, d Defect, c DefectChange, now time.Time) (Defect, error) {
	c.Reason = strings.TrimSpace(c.Reason)
	if !c.Status.Valid() {
		return d, FieldErrorf("status", "unknown status %q", c.Status)
	}
	if !AbilitiesOf(actor, Snapshot{Release: rel}).SetDefectStatus(c.Status) {
		if c.Status == DefectVerified {
			return d, Errorf(EFORBIDDEN, "only the QA lead marks a defect verified")
		}
		return d, Errorf(EFORBIDDEN, "you may not mark a defect %s", strings.ToLower(c.Status.Label()))
	}
	if err := DefectsEditable(rel.State); err != nil {
		return d, err
	}
	if !d.SettableByHand(c.Status) {
		return d, FieldErrorf("status", "%s's status is kept by %s; you may mark it verified or deferred", d.syncedName(), d.Source.Kind.Label())
	}
	p := Problems{}
	if d.Synced() && c.Status == DefectDeferred && c.Reason == "" {
		// The tracker still says otherwise: the trail must say why gonogo
		// sets it aside, whatever its severity.
		p.Add("reason", "deferring %s, which %s keeps, needs a reason", d.syncedName(), d.Source.Kind.Label())
	} else if c.Status.SetsAside() && d.Severity.Grave() && c.Reason == "" {
		p.Add("reason", "setting a %s defect to %s needs a reason", d.Severity, strings.ToLower(c.Status.Label()))
	}
	validateText(p, "reason", "Reason", c.Reason, MaxReasonLen, false)
	if err := p.Err(); err != nil {
		return d, err
	}
	d.Status = c.Status
	d.Reason = ""
	if c.Status.SetsAside() {
		d.Reason = c.Reason
	}
	d.UpdatedBy, d.UpdatedAt = actor.Name, now
	return d, nil
}

// DefectCounts sums up a release's defects for a badge.
type DefectCounts struct {
	Blocking int
	Open     int // not resolved
	Total    int
}

// CountDefects counts defects that block, that are unresolved, and all.
func CountDefects(ds []Defect) DefectCounts {
	var c DefectCounts
	for _, d := range ds {
		c.Total++
		if !d.Status.Resolved() {
			c.Open++
		}
		if Blocking(d) {
			c.Blocking++
		}
	}
	return c
}

// CompareDefects orders defects by severity, worst first, then by status
// along their life, then by age.
func CompareDefects(a, b Defect) int {
	if d := a.Severity.Rank() - b.Severity.Rank(); d != 0 {
		return d
	}
	if d := a.Status.Rank() - b.Status.Rank(); d != 0 {
		return d
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// DefectFilter selects defects across releases for the QA view.
type DefectFilter struct {
	Product  string
	Severity Severity
	Status   DefectStatus // "" means every unresolved status
}

// EditDefect changes a defect's description on behalf of actor. Its status
// changes through ChangeDefectStatus, where the rules about who may set
// which status live.
func EditDefect(actor Actor, rel Release, d Defect, in DefectInput, now time.Time) (Defect, error) {
	if !AbilitiesOf(actor, Snapshot{Release: rel}).Granted(ActEditDefects) {
		return d, Errorf(EFORBIDDEN, "only the QA lead or the release manager may edit defects")
	}
	if err := DefectsEditable(rel.State); err != nil {
		return d, err
	}
	if d.Synced() {
		return d, Errorf(ECONFLICT, "%s is kept by %s: change its title and severity there", d.syncedName(), d.Source.Kind.Label())
	}
	in.Status = d.Status
	in.Normalize()
	p := Problems{}
	if err := in.Validate(); err != nil {
		for k, v := range ErrorFields(err) {
			if k != "status" {
				p[k] = v
			}
		}
	}
	if in.Severity.Grave() && d.Status.SetsAside() && d.Reason == "" {
		p.Add("severity", "a %s defect that is %s needs a reason: change its status first", in.Severity, d.Status.InText())
	}
	if err := p.Err(); err != nil {
		return d, err
	}
	d.Title, d.Severity, d.Key, d.TrackerURL, d.Notes = in.Title, in.Severity, in.Key, in.TrackerURL, in.Notes
	d.UpdatedBy, d.UpdatedAt = actor.Name, now
	return d, nil
}
