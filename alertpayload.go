package gonogo

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// alertPayload is the body both sources post, as each documents it:
//
//   - Alertmanager's webhook_config, version 4:
//     https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
//   - Grafana Alerting's webhook contact point:
//     https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/
//
// Grafana's body is Alertmanager's with more fields (orgId, title, state,
// message; per alert dashboardURL, panelURL, silenceURL, values); gonogo
// reads what both share and Grafana's links.
type alertPayload struct {
	Version  string         `json:"version"`
	Receiver string         `json:"receiver"`
	Status   string         `json:"status"`
	Alerts   []payloadAlert `json:"alerts"`
}

type payloadAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
	DashboardURL string            `json:"dashboardURL"` // Grafana
	PanelURL     string            `json:"panelURL"`     // Grafana
}

// alertVersions are the payload versions each source documents.
var alertVersions = map[AlertSource]string{Alertmanager: "4", Grafana: "1"}

// ErrTooManyAlerts refuses a delivery of more alerts than gonogo reads at once.
var ErrTooManyAlerts = Errorf(EINVALID, "a delivery may carry at most %d alerts: set max_alerts: %d in the receiver", MaxAlertsPerPayload, MaxAlertsPerPayload)

// ParseAlerts reads one delivery of src: its alerts, in order. A body that
// is not the source's documented payload is refused with the reason; an
// alert without a name or a start is refused with its place. Free text
// too long for the board is cut, and links that are not http(s) dropped,
// rather than refusing what a monitoring system cannot change.
func ParseAlerts(src AlertSource, body []byte) ([]IncomingAlert, error) {
	var p alertPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, Errorf(EINVALID, "the body is not %s's webhook JSON: %v", src.Label(), err)
	}
	if want := alertVersions[src]; p.Version != want {
		return nil, Errorf(EINVALID, "%s's webhook payload version %s is expected, not %q", src.Label(), want, p.Version)
	}
	if len(p.Alerts) > MaxAlertsPerPayload {
		return nil, ErrTooManyAlerts
	}
	var out []IncomingAlert
	for i, pa := range p.Alerts {
		a, err := pa.read(src)
		if err != nil {
			return nil, Errorf(EINVALID, "alert %d: %s", i+1, ErrorMessage(err))
		}
		out = append(out, a)
	}
	return out, nil
}

func (pa payloadAlert) read(src AlertSource) (IncomingAlert, error) {
	// Times are kept to the millisecond, as the store keeps them, so that
	// an occurrence said again compares equal to the one kept.
	a := IncomingAlert{Labels: pa.Labels, StartsAt: pa.StartsAt.UTC().Truncate(time.Millisecond), EndsAt: pa.EndsAt.UTC().Truncate(time.Millisecond)}
	switch AlertStatus(pa.Status) {
	case AlertFiring, AlertResolved:
		a.Status = AlertStatus(pa.Status)
	default:
		return a, Errorf(EINVALID, "status must be firing or resolved, not %q", pa.Status)
	}
	a.Name = cutText(flatText(pa.Labels["alertname"]), MaxAlertNameLen)
	if a.Name == "" {
		return a, Errorf(EINVALID, "the alertname label is missing")
	}
	if a.StartsAt.IsZero() || a.StartsAt.Year() < 2000 {
		return a, Errorf(EINVALID, "the alert has no startsAt")
	}
	if a.EndsAt.Year() < 2000 { // Grafana's "0001-01-01T00:00:00Z": no end yet
		a.EndsAt = time.Time{}
	}
	a.Severity = cutText(strings.ToLower(flatText(pa.Labels["severity"])), MaxAlertLabelLen)
	summary := pa.Annotations["summary"]
	if strings.TrimSpace(summary) == "" {
		summary = pa.Annotations["description"]
	}
	a.Summary = cutText(flatText(summary), MaxAlertSummaryLen)
	for _, u := range []string{pa.PanelURL, pa.DashboardURL, pa.GeneratorURL} {
		if u = strings.TrimSpace(u); u != "" && len(u) <= MaxURLLen && isHTTPURL(u) {
			a.URL = u
			break
		}
	}
	a.Fingerprint = strings.TrimSpace(pa.Fingerprint)
	if a.Fingerprint == "" || len(a.Fingerprint) > MaxAlertFingerprint {
		a.Fingerprint = labelsFingerprint(src, pa.Labels)
	}
	return a, nil
}

// labelsFingerprint names an alert that came without a fingerprint by its
// labels, as Alertmanager's own fingerprint does: the same labels, the
// same alert.
func labelsFingerprint(src AlertSource, labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	h.Write([]byte(src))
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(labels[k]))
	}
	return "labels:" + hex.EncodeToString(h.Sum(nil))[:32]
}

// AlertTarget is where an alert points by its labels, as a source's
// settings read them: the product's key ("" when it carries no product
// label) and the version ("" for any release being deployed or verified).
type AlertTarget struct {
	Product string
	Version string
}

// Target reads where a names its product and version.
func (s AlertSettings) Target(a IncomingAlert) AlertTarget {
	return AlertTarget{Product: strings.ToLower(strings.TrimSpace(a.Labels[s.ProductLabel])),
		Version: strings.TrimSpace(a.Labels[s.VersionLabel])}
}

// sameText compares two strings in constant time.
func sameText(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
