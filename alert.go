package gonogo

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Alerts that halt (docs/operations.md): Prometheus Alertmanager and
// Grafana Alerting post their alerts to gonogo. An alert names its
// product by a label (gonogo_product unless an admin names another) and
// may name the release's version by another (gonogo_version). While a
// release of that product is being deployed or verified, a firing alert
// fails its "Dashboards healthy" item, halts it (the gate suggests a
// rollback) and tells its release manager and ops; a product may let a
// critical alert roll the release back by itself.

// Actions of the alerts in the audit trail.
const (
	ActionAlertFiring   Action = "alert.fire"
	ActionAlertResolved Action = "alert.resolve"
	ActionAlertSource   Action = "alert.source"
	ActionAlertPolicy   Action = "alert.policy"
)

// NotifyAlert tells the release manager and ops that an alert fired on a
// release being deployed or verified.
const NotifyAlert NotificationKind = "alert"

// AlertSource is a monitoring system that tells gonogo of alerts.
type AlertSource string

const (
	Alertmanager AlertSource = "alertmanager"
	Grafana      AlertSource = "grafana"
)

// AlertSources lists the sources gonogo understands, in the order pages
// show them.
var AlertSources = []AlertSource{Alertmanager, Grafana}

var alertSourceLabels = map[AlertSource]string{Alertmanager: "Alertmanager", Grafana: "Grafana"}

// Valid reports whether s is a known source.
func (s AlertSource) Valid() bool { _, ok := alertSourceLabels[s]; return ok }

// Label is the source's name for people.
func (s AlertSource) Label() string { return alertSourceLabels[s] }

// Actor is who an alert's changes are made by in the audit trail: the
// integration, never a person. It holds the Ops role, as a pipeline does,
// so that a product's rollback on a critical alert takes the same
// transition a person of ops would.
func (s AlertSource) Actor() Actor {
	return Actor{Name: s.Label() + " (integration)", Roles: RoleSet{Ops}}
}

// DashboardsCheckKey is the check key of the verification item a firing
// alert fails: "Dashboards healthy" in the default template.
const DashboardsCheckKey = "dashboards-healthy"

// dashboardsTitle finds the item on releases made before it had its key.
const dashboardsTitle = "Dashboards healthy"

// Default label names, and limits of what an alert source keeps.
const (
	DefaultProductLabel = "gonogo_product"
	DefaultVersionLabel = "gonogo_version"
	MaxAlertLabelLen    = 100
	MaxAlertPayload     = 1 << 20 // bytes of one delivery
	MaxAlertsPerPayload = 100     // Alertmanager's max_alerts keeps a delivery under it
	MaxAlertNameLen     = 200
	MaxAlertSummaryLen  = 500
	MaxAlertFingerprint = 200
	// MaxReleaseAlerts bounds the alerts a release page lists.
	MaxReleaseAlerts = 20
)

// AlertStatus is whether an alert fires or has resolved.
type AlertStatus string

const (
	AlertFiring   AlertStatus = "firing"
	AlertResolved AlertStatus = "resolved"
)

// Label is the status for people.
func (s AlertStatus) Label() string {
	if s == AlertFiring {
		return "Firing"
	}
	return "Resolved"
}

// AlertSettings is how gonogo reads one source's alerts: the labels that
// name the product and the version, and whether a secret is set (only
// its hash is kept; Hint is its first characters, to tell secrets apart).
type AlertSettings struct {
	Source       AlertSource
	ProductLabel string
	VersionLabel string
	Hint         string // "" while no secret is set
	SecretHash   string
	UpdatedAt    time.Time
}

// NewAlertSettings are a source's settings before an admin changes them.
func NewAlertSettings(s AlertSource) AlertSettings {
	return AlertSettings{Source: s, ProductLabel: DefaultProductLabel, VersionLabel: DefaultVersionLabel}
}

// Configured reports whether the source has a secret, without which every
// delivery is refused.
func (a AlertSettings) Configured() bool { return a.SecretHash != "" }

// Accepts reports whether secret is the source's, comparing hashes in
// constant time.
func (a AlertSettings) Accepts(secret string) bool {
	return a.SecretHash != "" && secret != "" && sameText(HashToken(secret), a.SecretHash)
}

// AlertLabelsInput is what an admin gives to change a source's labels.
type AlertLabelsInput struct {
	ProductLabel string
	VersionLabel string
}

// Validate reports every problem with the labels at once. A label name is
// Prometheus's: letters, digits and underscores, not starting with a digit.
func (in AlertLabelsInput) Validate() error {
	p := Problems{}
	for _, f := range []struct{ field, label, v string }{
		{"product_label", "Product label", in.ProductLabel}, {"version_label", "Version label", in.VersionLabel},
	} {
		validateLine(p, f.field, f.label, f.v, MaxAlertLabelLen, true)
		if _, bad := p[f.field]; !bad && !labelName(f.v) {
			p.Add(f.field, "a label name uses letters, digits and underscores and does not start with a digit, such as %s", DefaultProductLabel)
		}
	}
	if in.ProductLabel != "" && in.ProductLabel == in.VersionLabel {
		p.Add("version_label", "the version label must differ from the product label")
	}
	return p.Err()
}

func labelName(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// AlertLabelsChanged is the audit of an admin changing a source's labels.
func AlertLabelsChanged(s AlertSource, in AlertLabelsInput) Audit {
	return audit(ActionAlertSource, "set %s's labels: product by %s, version by %s", s.Label(), in.ProductLabel, in.VersionLabel)
}

// AlertSecretRenewed is the audit of a new secret for a source; the
// secret itself is never written to the trail.
func AlertSecretRenewed(s AlertSource, first bool) Audit {
	if first {
		return audit(ActionAlertSource, "made the first secret of %s's webhook", s.Label())
	}
	return audit(ActionAlertSource, "made a new secret for %s's webhook: deliveries with the old one are refused", s.Label())
}

// AlertPolicy is what a product lets an alert do by itself.
type AlertPolicy struct {
	Product string
	// RollbackOnCritical makes a critical alert roll a release of the
	// product back while it is deployed or verified, without a person.
	RollbackOnCritical bool
}

// AlertPolicyChanged is the audit of an admin changing a product's policy.
func AlertPolicyChanged(p AlertPolicy) Audit {
	if p.RollbackOnCritical {
		return audit(ActionAlertPolicy, "set product %s to roll a release back on a critical alert", p.Product)
	}
	return audit(ActionAlertPolicy, "set product %s to leave the rollback on a critical alert to people", p.Product)
}

// IncomingAlert is one alert of a delivery, as its source describes it.
type IncomingAlert struct {
	Fingerprint string
	Status      AlertStatus
	Name        string // the alertname label
	Severity    string // the severity label, lower case
	Summary     string // the summary annotation, else the description
	URL         string // where to look: Grafana's panel or dashboard, else the generator
	Labels      map[string]string
	StartsAt    time.Time
	EndsAt      time.Time // zero while firing with no end known
}

// Critical reports whether the alert's severity label says critical.
func (a IncomingAlert) Critical() bool { return a.Severity == "critical" }

// Alert is an alert as a release keeps it.
type Alert struct {
	ID          int64
	Source      AlertSource
	Fingerprint string
	ReleaseID   int64
	Status      AlertStatus
	Name        string
	Severity    string
	Summary     string
	URL         string
	StartsAt    time.Time
	EndsAt      time.Time // zero while it fires
	UpdatedAt   time.Time
}

// Firing reports whether the alert still fires.
func (a Alert) Firing() bool { return a.Status == AlertFiring }

// Critical reports whether the alert's severity says critical.
func (a Alert) Critical() bool { return a.Severity == "critical" }

// Describe is the alert in a sentence's words: “HighErrorRate” (critical):
// error rate above 5%.
func (a Alert) Describe() string {
	out := "“" + a.Name + "”"
	if a.Severity != "" {
		out += " (" + a.Severity + ")"
	}
	if a.Summary != "" {
		out += ": " + a.Summary
	}
	return out
}

// AlertWatched reports whether a release in state s is watched by its
// product's alerts: while it is being deployed or verified. (Stages of a
// rollout, when they come, are watched too.)
func AlertWatched(s State) bool { return s == Deploying || s == Verifying }

// FiringAlerts are the alerts of the list that still fire, in its order:
// what the gate and a stage's promotion ask.
func FiringAlerts(alerts []Alert) []Alert {
	var out []Alert
	for _, a := range alerts {
		if a.Firing() {
			out = append(out, a)
		}
	}
	return out
}

// ActionRollbackSuggested is what the gate answers a pipeline while an
// alert fires on a release being deployed or verified.
const ActionRollbackSuggested = "rollback-suggested"

// AlertHalt says what firing alerts (of rel) ask of a pipeline: the action
// ("" when none) and a reason per alert. A stage's promotion asks the same.
func AlertHalt(rel Release, alerts []Alert) (string, []string) {
	firing := FiringAlerts(alerts)
	if !AlertWatched(rel.State) || len(firing) == 0 {
		return "", nil
	}
	var reasons []string
	for _, a := range firing {
		r := fmt.Sprintf("alert %s is firing since %s", a.Describe(), a.StartsAt.UTC().Format("2006-01-02 15:04 UTC"))
		if a.URL != "" {
			r += " (" + a.URL + ")"
		}
		reasons = append(reasons, r+"; consider rolling back")
	}
	return ActionRollbackSuggested, reasons
}

// WithAlerts is the clearance with the firing alerts of its release: while
// one fires, deploying further is not authorized and the gate suggests a
// rollback.
func (c Clearance) WithAlerts(rel Release, alerts []Alert) (Clearance, string) {
	action, reasons := AlertHalt(rel, alerts)
	if action == "" {
		return c, ""
	}
	c.Reasons = append(slices.Clone(c.Reasons), reasons...)
	c.Authorized = false
	return c, action
}

// dashboardsItem is the verification item a firing alert fails: the one
// carrying DashboardsCheckKey or, on releases made before it had one, the
// one titled "Dashboards healthy".
func dashboardsItem(items []Item) (Item, bool) {
	for _, it := range items {
		if it.CheckKey == DashboardsCheckKey && it.Phase == Verification {
			return it, true
		}
	}
	for _, it := range items {
		if it.Title == dashboardsTitle && it.Phase == Verification {
			return it, true
		}
	}
	return Item{}, false
}

// AlertResult is what one alert does to one release: the alert to store
// (Store false when nothing changes), the item it fails (nil if none),
// the audit, and whether the product's policy rolls the release back.
type AlertResult struct {
	Outcome  string // fired, fired-again, resolved, unchanged, stale
	Store    bool
	Alert    Alert
	Item     *Item
	Audit    Audit
	Rollback bool
}

// Outcomes of an alert for a release.
const (
	AlertFired      = "fired"
	AlertFiredAgain = "fired-again"
	AlertCleared    = "resolved"
	AlertUnchanged  = "unchanged"
	AlertStale      = "stale"
)

// ReceiveAlert is what alert in does to rel, whose checklist is items,
// given was, the latest alert of the same fingerprint the release kept (nil
// if none) and the product's policy. A firing alert is kept as firing,
// fails the dashboards item, tells the release manager and ops, and rolls
// the release back if the policy says so and it is critical; said again,
// it changes nothing. A resolved alert is shown resolved; the item stays
// failed, since an alert that fired is evidence, until a person settles it.
// A firing alert whose occurrence was resolved already is late or replayed:
// stale.
func ReceiveAlert(src AlertSource, rel Release, items []Item, was *Alert, in IncomingAlert, policy AlertPolicy, now time.Time) AlertResult {
	if in.Status == AlertResolved {
		if was == nil || !was.Firing() {
			return AlertResult{Outcome: AlertUnchanged}
		}
		a := *was
		a.Status, a.EndsAt, a.UpdatedAt = AlertResolved, in.EndsAt, now
		if a.EndsAt.IsZero() {
			a.EndsAt = now
		}
		detail := fmt.Sprintf("alert %s resolved", a.Describe())
		if it, ok := dashboardsItem(items); ok && it.Status == ItemFailed {
			detail += fmt.Sprintf("; “%s” stays failed until a person settles it", it.Title)
		}
		return AlertResult{Outcome: AlertCleared, Store: true, Alert: a, Audit: audit(ActionAlertResolved, "%s", detail)}
	}
	outcome := AlertFired
	switch {
	case was != nil && was.Firing():
		return AlertResult{Outcome: AlertUnchanged}
	case was != nil && was.StartsAt.Equal(in.StartsAt):
		return AlertResult{Outcome: AlertStale}
	case was != nil:
		outcome = AlertFiredAgain
	}
	a := Alert{Source: src, Fingerprint: in.Fingerprint, ReleaseID: rel.ID, Status: AlertFiring, Name: in.Name,
		Severity: in.Severity, Summary: in.Summary, URL: in.URL, StartsAt: in.StartsAt, UpdatedAt: now}
	res := AlertResult{Outcome: outcome, Store: true, Alert: a}
	detail := fmt.Sprintf("alert %s fired", a.Describe())
	if a.URL != "" {
		detail += " (" + a.URL + ")"
	}
	var itemID int64
	if it, ok := dashboardsItem(items); ok && ItemEditable(rel.State, it.Phase) == nil {
		itemID = it.ID
		if it.Status != ItemFailed {
			// The item carries the alert whole: its name, summary and link.
			evidence := "Alert " + a.Describe()
			if a.URL != "" {
				evidence += " " + a.URL
			}
			next := ItemChange{Status: ItemFailed, Evidence: cutText(evidence, MaxEvidenceLen)}.Apply(it, src.Actor().Name, now)
			res.Item = &next
			detail += fmt.Sprintf(": set “%s” failed (was %s)", it.Title, it.Status)
		}
	}
	res.Rollback = policy.RollbackOnCritical && a.Critical() && slices.Contains(rel.State.Allowed(), RollBack)
	if res.Rollback {
		detail += "; the product rolls a release back on a critical alert"
	} else {
		detail += "; a rollback is suggested"
	}
	res.Audit = Audit{Action: ActionAlertFiring, Detail: detail, Topics: []Topic{TopicAlertFiring},
		Causes: []Cause{alertFired(rel, a, itemID)}}
	return res
}

// AlertRollback is the rollback a product's policy makes of a critical
// alert on the snapshot's release: the transition people take, taken by
// the source's integration and audited as the alert.
func AlertRollback(src AlertSource, s Snapshot, a Alert, now time.Time) (TransitionResult, error) {
	res, err := Move(src.Actor(), s, RollBack, now)
	if err != nil {
		return res, err
	}
	res.Audit = transitionAudit(s, res, fmt.Sprintf("critical alert %s fired; the product rolls back on a critical alert", a.Describe()))
	return res, nil
}

// alertFired tells the release manager and ops that an alert fired on a
// release they deploy.
func alertFired(rel Release, a Alert, itemID int64) Cause {
	c := Cause{Kind: NotifyAlert, Roles: RoleSet{Ops}, ItemID: itemID,
		Text: fmt.Sprintf("Alert %s fired on %s", Excerpt(a.Describe()), rel.Name())}
	if rel.ManagerID != 0 {
		c.People = []int64{rel.ManagerID}
	}
	return c
}

// cutText cuts s to at most n bytes on a rune boundary, marking the cut.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// flatText puts text on one line, trimmed.
func flatText(s string) string { return strings.Join(strings.Fields(s), " ") }
