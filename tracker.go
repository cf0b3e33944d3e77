package gonogo

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// TrackerKind is an issue tracker that tells gonogo about defects and scope
// through signed webhooks.
type TrackerKind string

const (
	GitHub TrackerKind = "github"
	GitLab TrackerKind = "gitlab"
	Jira   TrackerKind = "jira"
)

// TrackerKinds lists the trackers gonogo understands.
var TrackerKinds = []TrackerKind{GitHub, GitLab, Jira}

var trackerLabels = map[TrackerKind]string{GitHub: "GitHub", GitLab: "GitLab", Jira: "Jira"}

// Valid reports whether k is a known tracker.
func (k TrackerKind) Valid() bool { _, ok := trackerLabels[k]; return ok }

// Label is the tracker's name for people.
func (k TrackerKind) Label() string { return trackerLabels[k] }

// Actor is who a tracker's changes are made by in the audit trail: the
// integration, never a person.
func (k TrackerKind) Actor() Actor { return Actor{Name: k.Label() + " (integration)"} }

// ReleaseBy is how a tracker's issue names the release it belongs to.
type ReleaseBy string

const (
	ByMilestone  ReleaseBy = "milestone"   // GitHub: the milestone's title is the version
	ByLabel      ReleaseBy = "label"       // GitHub and GitLab: a label such as release:2.4.0
	ByFixVersion ReleaseBy = "fix-version" // Jira: the fix version's name is the version
)

// Limits of a tracker's mapping.
const (
	MaxTrackerProjectLen = 200
	MaxTrackerLabelLen   = 100
	MaxSeverityRules     = 50
	MinTrackerSecretLen  = 16
	MaxTrackerSecretLen  = 200
)

var jiraProject = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,49}$`)

// DeliveryMemory is how long a tracker's delivery id is remembered, so
// that the same delivery sent again is refused.
const DeliveryMemory = 7 * 24 * time.Hour

// SeverityRule maps a tracker's label (GitHub, GitLab) or priority (Jira)
// to a defect's severity. Match is compared without regard to case.
type SeverityRule struct {
	Match    string
	Severity Severity
}

// Tracker is one tracker feeding one product, with the admin's mapping.
type Tracker struct {
	ID      int64
	Product string
	Kind    TrackerKind
	// Project is what the tracker calls the source: a GitHub repository
	// (owner/name), a GitLab project (group/name) or a Jira project key.
	Project   string
	Secret    string
	ReleaseBy ReleaseBy
	// LabelPrefix comes before the version in a release label, when
	// ReleaseBy is ByLabel: "release:" makes release:2.4.0 name 2.4.0.
	LabelPrefix string
	// Verified is the label (GitHub, GitLab) or Jira status that means QA
	// verified the fix; "" when the tracker never says so.
	Verified string
	// RequiredLabel makes a pull or merge request still open in a release
	// under review a gate reason; "" when none is required.
	RequiredLabel string
	// DefectTypes are the Jira issue types that are defects, such as Bug;
	// empty means every issue with a mapped priority.
	DefectTypes []string
	Severities  []SeverityRule
	CreatedAt   time.Time
}

// Name is how the tracker is shown: "GitHub acme/payments".
func (t Tracker) Name() string { return t.Kind.Label() + " " + t.Project }

// DefaultSeverities are the severity rules a new tracker starts with.
func DefaultSeverities(k TrackerKind) []SeverityRule {
	if k == Jira {
		return []SeverityRule{{"Highest", Blocker}, {"Blocker", Blocker}, {"High", Critical}, {"Critical", Critical},
			{"Medium", Major}, {"Major", Major}, {"Low", Minor}, {"Lowest", Minor}, {"Minor", Minor}}
	}
	return []SeverityRule{{"blocker", Blocker}, {"severity:blocker", Blocker}, {"critical", Critical},
		{"severity:critical", Critical}, {"bug", Major}, {"severity:major", Major}, {"minor", Minor}, {"severity:minor", Minor}}
}

// NewTracker is a tracker of kind k for product with the defaults: releases
// by milestone (fix version for Jira), the verified label or status
// "verified", Jira's Bug as the defect type, and DefaultSeverities.
func NewTracker(product string, k TrackerKind) Tracker {
	t := Tracker{Product: product, Kind: k, ReleaseBy: ByMilestone, LabelPrefix: "release:", Verified: "verified",
		Severities: DefaultSeverities(k)}
	switch k {
	case Jira:
		t.ReleaseBy, t.Verified, t.DefectTypes = ByFixVersion, "Verified", []string{"Bug"}
	case GitLab:
		// GitLab's webhooks name an issue's milestone by its id alone,
		// never by its title: a label is the version it can tell.
		t.ReleaseBy = ByLabel
	}
	return t
}

// Validate reports every problem with the tracker's mapping at once.
func (t Tracker) Validate() error {
	p := Problems{}
	if !t.Kind.Valid() {
		p.Add("kind", "the tracker must be GitHub, GitLab or Jira")
	}
	validateLine(p, "project", "Project", t.Project, MaxTrackerProjectLen, true)
	switch {
	case t.Project == "":
	case t.Kind == Jira && !jiraProject.MatchString(t.Project):
		p.Add("project", "a Jira project is its key, such as PAY")
	case t.Kind != Jira && (!strings.Contains(t.Project, "/") || strings.ContainsAny(t.Project, " \t") ||
		strings.HasPrefix(t.Project, "/") || strings.HasSuffix(t.Project, "/")):
		p.Add("project", "a %s project is its path, such as acme/payments", t.Kind.Label())
	}
	if n := len(t.Secret); n < MinTrackerSecretLen || n > MaxTrackerSecretLen {
		p.Add("secret", "the secret must be %d to %d characters", MinTrackerSecretLen, MaxTrackerSecretLen)
	}
	switch {
	case t.Kind == Jira && t.ReleaseBy != ByFixVersion:
		p.Add("release_by", "a Jira issue names its release by its fix version")
	case t.Kind == GitLab && t.ReleaseBy != ByLabel:
		p.Add("release_by", "GitLab's webhooks name a milestone by its id alone: name releases by a label such as release:2.4.0")
	case t.Kind == GitHub && t.ReleaseBy != ByMilestone && t.ReleaseBy != ByLabel:
		p.Add("release_by", "a GitHub issue names its release by its milestone or by a label")
	}
	if t.ReleaseBy == ByLabel && strings.TrimSpace(t.LabelPrefix) == "" {
		p.Add("label_prefix", "say what comes before the version in a release label, such as release:")
	}
	validateLine(p, "label_prefix", "Label prefix", t.LabelPrefix, MaxTrackerLabelLen, false)
	validateLine(p, "verified", "Verified", t.Verified, MaxTrackerLabelLen, false)
	validateLine(p, "required_label", "Required label", t.RequiredLabel, MaxTrackerLabelLen, false)
	for _, ty := range t.DefectTypes {
		validateLine(p, "defect_types", "Defect types", ty, MaxTrackerLabelLen, true)
	}
	t.validateSeverities(p)
	return p.Err()
}

func (t Tracker) validateSeverities(p Problems) {
	if len(t.Severities) > MaxSeverityRules {
		p.Add("severities", "at most %d severity rules", MaxSeverityRules)
	}
	seen := map[string]bool{}
	for _, r := range t.Severities {
		validateLine(p, "severities", "A label", r.Match, MaxTrackerLabelLen, true)
		if !r.Severity.Valid() {
			p.Add("severities", "%q maps to %q: use blocker, critical, major or minor", r.Match, r.Severity)
		}
		k := strings.ToLower(r.Match)
		if seen[k] {
			p.Add("severities", "%q is mapped twice", r.Match)
		}
		seen[k] = true
	}
}

// TrackedType is what a tracker item is: an issue, or a change (a GitHub pull
// request, a GitLab merge request).
type TrackedType string

const (
	TrackedIssue  TrackedType = "issue"
	TrackedChange TrackedType = "change"
)

// TrackedState is where a tracker item stands in its tracker.
type TrackedState string

const (
	TrackedOpen    TrackedState = "open"
	TrackedClosed  TrackedState = "closed"
	TrackedMerged  TrackedState = "merged" // a change that was merged
	TrackedDeleted TrackedState = "deleted"
)

// TrackerItem is an issue or change as a tracker's webhook describes it,
// read from the tracker's own payload.
type TrackerItem struct {
	Type  TrackedType
	Key   string // #318 (GitHub), #5 or !12 (GitLab), PAY-142 (Jira)
	Title string
	URL   string
	State TrackedState
	// NotPlanned is set when the tracker closed the item as not planned:
	// GitHub's state_reason not_planned, or a Jira resolution such as
	// Won't Do.
	NotPlanned bool
	// Started is set while a Jira issue is in progress (its status
	// category is In Progress).
	Started     bool
	Labels      []string
	Milestone   string
	FixVersions []string
	Priority    string // Jira
	IssueType   string // Jira
	Status      string // Jira's status name
	UpdatedAt   time.Time
}

// Versions are the versions the item names as its release, first choice
// first: its milestone, its release labels or its fix versions, by the
// tracker's mapping. A leading "v" is dropped: v2.4.0 names 2.4.0.
func (t Tracker) Versions(it TrackerItem) []string {
	var names []string
	switch t.ReleaseBy {
	case ByMilestone:
		names = []string{it.Milestone}
	case ByFixVersion:
		names = it.FixVersions
	case ByLabel:
		for _, l := range it.Labels {
			if len(l) > len(t.LabelPrefix) && strings.EqualFold(l[:len(t.LabelPrefix)], t.LabelPrefix) {
				names = append(names, l[len(t.LabelPrefix):])
			}
		}
	}
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if len(n) > 1 && (n[0] == 'v' || n[0] == 'V') && n[1] >= '0' && n[1] <= '9' {
			n = n[1:]
		}
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Severity is the severity the tracker's mapping gives an issue, the worst
// of its labels' (or its Jira priority's), and false when the issue is not
// a defect: a change, a Jira issue of another type, or an issue with no
// mapped label or priority.
func (t Tracker) Severity(it TrackerItem) (Severity, bool) {
	if it.Type != TrackedIssue {
		return "", false
	}
	marks := it.Labels
	if t.Kind == Jira {
		if len(t.DefectTypes) > 0 && !containsFold(t.DefectTypes, it.IssueType) {
			return "", false
		}
		marks = []string{it.Priority}
	}
	best, found := Minor, false
	for _, r := range t.Severities {
		if containsFold(marks, r.Match) && (!found || r.Severity.Rank() < best.Rank()) {
			best, found = r.Severity, true
		}
	}
	return best, found
}

// Status is the defect status the tracker gives an issue: open (in
// progress while Jira says so), fixed once closed, won't fix when closed
// as not planned, verified when it carries the verified label or Jira
// status. A reopened issue is open again.
func (t Tracker) Status(it TrackerItem) DefectStatus {
	if t.Verified != "" {
		if t.Kind == Jira && strings.EqualFold(it.Status, t.Verified) || t.Kind != Jira && containsFold(it.Labels, t.Verified) {
			return DefectVerified
		}
	}
	switch {
	case it.State == TrackedClosed && it.NotPlanned:
		return DefectWontFix
	case it.State == TrackedClosed || it.State == TrackedMerged:
		return DefectFixed
	case it.Started:
		return DefectInProgress
	}
	return DefectOpen
}

// RequiredChange reports whether an open change is labelled as required
// for its release, which makes it a gate reason while it stays open.
func (t Tracker) RequiredChange(it TrackerItem) bool {
	return it.Type == TrackedChange && it.State == TrackedOpen && t.RequiredLabel != "" && containsFold(it.Labels, t.RequiredLabel)
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(s)) })
}

// Synced is the source of a defect a tracker keeps: which tracker, the
// status the tracker last gave it, and the tracker's time of its last
// change.
type Synced struct {
	TrackerID int64
	Kind      TrackerKind
	Status    DefectStatus
	At        time.Time
}

// Describe is a synced defect's source for people: "PAY-142 in Jira".
func (s Synced) Describe(key string) string { return fmt.Sprintf("%s in %s", key, s.Kind.Label()) }

// TrackerSaved is the audit of an admin connecting a tracker, or changing
// its mapping (was is the tracker before, nil when new). The secret is
// never written to the trail; that it changed is.
func TrackerSaved(was *Tracker, t Tracker) Audit {
	if was == nil {
		return audit(ActionTrackerSave, "connected %s to product %s (issues name their release by %s)", t.Name(), t.Product, t.ReleaseBy)
	}
	var parts []string
	if was.Project != t.Project {
		parts = append(parts, fmt.Sprintf("project %s → %s", was.Project, t.Project))
	}
	if was.Secret != t.Secret {
		parts = append(parts, "a new secret")
	}
	if was.ReleaseBy != t.ReleaseBy || was.LabelPrefix != t.LabelPrefix {
		parts = append(parts, fmt.Sprintf("releases by %s", t.ReleaseBy))
	}
	if was.Verified != t.Verified {
		parts = append(parts, fmt.Sprintf("verified %q", t.Verified))
	}
	if was.RequiredLabel != t.RequiredLabel {
		parts = append(parts, fmt.Sprintf("required label %q", t.RequiredLabel))
	}
	if !slices.Equal(was.DefectTypes, t.DefectTypes) {
		parts = append(parts, fmt.Sprintf("defect types %q", strings.Join(t.DefectTypes, ", ")))
	}
	if !slices.Equal(was.Severities, t.Severities) {
		parts = append(parts, "severities")
	}
	if len(parts) == 0 {
		parts = append(parts, "unchanged")
	}
	return audit(ActionTrackerSave, "changed the %s tracker of product %s: %s", t.Kind.Label(), t.Product, strings.Join(parts, ", "))
}

// TrackerRemoved is the audit of an admin disconnecting a tracker. The
// defects it kept stay, kept by hand from then on.
func TrackerRemoved(t Tracker) Audit {
	return audit(ActionTrackerRemove, "disconnected %s from product %s; its defects stay, kept by hand", t.Name(), t.Product)
}
