package handlers

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// Alerts from Prometheus Alertmanager and Grafana Alerting (docs/operations.md).
// Each source posts to its own address, /hooks/alertmanager or
// /hooks/grafana, with its secret as a bearer token in the Authorization
// header (Alertmanager's http_config.authorization, Grafana's
// authorization header of its webhook contact point). As with the
// trackers' hooks, no session and no CSRF token count here: the secret is
// the delivery's whole authority.

// Outcomes of an alert delivery, as counted in gonogo_alert_deliveries_total.
const (
	alertApplied        = "applied"         // an alert fired or resolved on a release
	alertUnchanged      = "unchanged"       // said again, or late: nothing changed
	alertIgnored        = "ignored"         // no product label, or no release watched
	alertUnknownProduct = "unknown_product" // the label names no product
	alertUnsigned       = "unsigned"
	alertBadSecret      = "bad_secret"
	alertInvalid        = "invalid"
	alertTooLarge       = "too_large"
)

var alertOutcomes = []string{alertApplied, alertUnchanged, alertIgnored, alertUnknownProduct, alertUnsigned, alertBadSecret,
	alertInvalid, alertTooLarge}

func newAlertDeliveries() *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gonogo_alert_deliveries_total",
		Help: "Alert deliveries from Alertmanager and Grafana, by source and outcome: applied, unchanged, ignored, unknown_product, or refused (unsigned, bad_secret, invalid, too_large).",
	}, []string{"source", "outcome"})
	for _, s := range gonogo.AlertSources {
		for _, o := range alertOutcomes {
			c.WithLabelValues(string(s), o)
		}
	}
	return c
}

// alertNotAuthorized is what both a source without a secret and a wrong
// secret are told, in the same words.
const alertNotAuthorized = "the delivery does not carry this source's secret as its bearer token"

// alertAnswer is the JSON body every alert delivery is answered with.
type alertAnswer struct {
	Outcome string            `json:"outcome"`
	Message string            `json:"message"`
	Alerts  []db.AlertOutcome `json:"alerts,omitempty"`
}

func (h *Handler) receiveAlertmanager(c echo.Context) error {
	return h.receiveAlerts(c, gonogo.Alertmanager)
}
func (h *Handler) receiveGrafana(c echo.Context) error { return h.receiveAlerts(c, gonogo.Grafana) }

// receiveAlerts takes one delivery of src: read at most
// gonogo.MaxAlertPayload, check the bearer secret, read the alerts and
// apply them. Nothing refused is stored.
func (h *Handler) receiveAlerts(c echo.Context, src gonogo.AlertSource) error {
	answer := func(status int, a alertAnswer) error {
		h.metrics.alertDeliveries.WithLabelValues(string(src), a.Outcome).Inc()
		return c.JSON(status, a)
	}
	refuse := func(status int, outcome, msg string) error {
		return answer(status, alertAnswer{Outcome: outcome, Message: msg})
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, gonogo.MaxAlertPayload+1))
	if err != nil {
		return err
	}
	if len(body) > gonogo.MaxAlertPayload {
		return refuse(http.StatusRequestEntityTooLarge, alertTooLarge, "the delivery is larger than 1 MB: set max_alerts in the receiver")
	}
	ctx := c.Request().Context()
	scheme, secret, _ := strings.Cut(strings.TrimSpace(c.Request().Header.Get(echo.HeaderAuthorization)), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="gonogo alerts"`)
		return refuse(http.StatusUnauthorized, alertUnsigned, "the delivery carries no bearer token: set the receiver's authorization credentials to the secret on gonogo's Alerts page")
	}
	set, err := h.store.FindAlertSettings(ctx, src)
	if err != nil {
		return err
	}
	if !set.Accepts(strings.TrimSpace(secret)) {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="gonogo alerts", error="invalid_token"`)
		return refuse(http.StatusUnauthorized, alertBadSecret, alertNotAuthorized)
	}
	alerts, err := gonogo.ParseAlerts(src, body)
	switch {
	case errors.Is(err, gonogo.ErrTooManyAlerts):
		return refuse(http.StatusRequestEntityTooLarge, alertTooLarge, gonogo.ErrorMessage(err))
	case err != nil:
		return refuse(http.StatusBadRequest, alertInvalid, gonogo.ErrorMessage(err))
	}
	outcomes, err := h.store.ReceiveAlerts(ctx, src, set, alerts)
	if err != nil {
		return err
	}
	status, a := alertSummary(outcomes)
	return answer(status, a)
}

// alertSummary answers a delivery by what its alerts did: 200 when one
// reached a release (even to change nothing), else 422 when one named a
// product gonogo does not know (a mistake in the rule's labels, worth a
// red mark in the source's log), else 202: nothing here follows them.
func alertSummary(outcomes []db.AlertOutcome) (int, alertAnswer) {
	a := alertAnswer{Alerts: outcomes}
	var reached, changed, unknown []string
	for _, o := range outcomes {
		switch o.Outcome {
		case gonogo.AlertFired, gonogo.AlertFiredAgain, gonogo.AlertCleared:
			changed = append(changed, o.Message)
			reached = append(reached, o.Message)
		case gonogo.AlertUnchanged, gonogo.AlertStale:
			reached = append(reached, o.Message)
		case db.AlertUnknownProduct:
			unknown = append(unknown, o.Message)
		}
	}
	switch {
	case len(changed) > 0:
		a.Outcome, a.Message = alertApplied, strings.Join(changed, "; ")
		return http.StatusOK, a
	case len(reached) > 0:
		a.Outcome, a.Message = alertUnchanged, "gonogo knew this already: "+strings.Join(reached, "; ")
		return http.StatusOK, a
	case len(unknown) > 0:
		a.Outcome, a.Message = alertUnknownProduct, strings.Join(unknown, "; ")
		return http.StatusUnprocessableEntity, a
	}
	a.Outcome = alertIgnored
	var msgs []string
	for _, o := range outcomes {
		msgs = append(msgs, o.Message)
	}
	a.Message = strings.Join(msgs, "; ")
	if len(msgs) == 0 {
		a.Message = "the delivery carries no alerts; nothing changed"
	}
	return http.StatusAccepted, a
}
