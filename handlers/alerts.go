package handlers

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// The Alerts page (Administration → Alerts): where Alertmanager and
// Grafana post, their secrets (made here, shown once, kept as a hash) and
// the labels that name a product and a version; and what each product
// lets a critical alert do. The deliveries themselves are hooks_alerts.go's.

var alertNotices = map[string]string{
	"labels": "The labels are saved.",
	"policy": "The product's rule for critical alerts is saved.",
}

func (h *Handler) showAlertSources(c echo.Context) error {
	return h.renderAlertSources(c, http.StatusOK, "", nil, nil)
}

// renderAlertSources shows the page; the panel of src shows the labels as
// a refused save sent them, with errs; secret is a secret just made.
func (h *Handler) renderAlertSources(c echo.Context, status int, src gonogo.AlertSource, refused *gonogo.AlertLabelsInput,
	errs map[string]string, secret ...*views.NewAlertSecret) error {
	ctx := c.Request().Context()
	v := views.AlertSourcesView{Saved: alertNotices[c.QueryParam("notice")]}
	for _, s := range gonogo.AlertSources {
		set, err := h.store.FindAlertSettings(ctx, s)
		if err != nil {
			return err
		}
		panel := views.AlertSourcePanel{Settings: set, URL: h.baseURL(c) + "/hooks/" + string(s),
			Input: gonogo.AlertLabelsInput{ProductLabel: set.ProductLabel, VersionLabel: set.VersionLabel}}
		if s == src && refused != nil {
			panel.Input, panel.Errors = *refused, errs
		}
		v.Sources = append(v.Sources, panel)
	}
	products, err := h.store.FindProducts(ctx)
	if err != nil {
		return err
	}
	for _, p := range products {
		if p.Archived() {
			continue
		}
		pol, err := h.store.FindAlertPolicy(ctx, p.Key)
		if err != nil {
			return err
		}
		v.Products = append(v.Products, views.AlertProductRow{Product: p, Policy: pol})
	}
	if len(secret) > 0 {
		v.NewSecret = secret[0]
	}
	return render(c, status, views.AlertSourcesPage(h.page(c, "Alerts", "admin"), v))
}

// alertSource reads the source a route names.
func alertSource(c echo.Context) (gonogo.AlertSource, error) {
	s := gonogo.AlertSource(c.Param("source"))
	if !s.Valid() {
		return "", gonogo.Errorf(gonogo.ENOTFOUND, "gonogo knows no alert source %q: it knows alertmanager and grafana", s)
	}
	return s, nil
}

// saveAlertLabels sets the labels a source's alerts name the product and
// the version by. A refused save comes back with its messages by field.
func (h *Handler) saveAlertLabels(c echo.Context) error {
	src, err := alertSource(c)
	if err != nil {
		return err
	}
	in := gonogo.AlertLabelsInput{ProductLabel: strings.TrimSpace(c.FormValue("product_label")),
		VersionLabel: strings.TrimSpace(c.FormValue("version_label"))}
	if err := h.store.SaveAlertLabels(c.Request().Context(), h.actor(c), src, in); err != nil {
		if errs := formErrors(err); errs != nil {
			return h.renderAlertSources(c, http.StatusUnprocessableEntity, src, &in, errs)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/alerts?notice=labels#alerts-"+string(src))
}

// renewAlertSecret makes a source's secret and shows it on the page it
// answers, once. Replacing a secret in use asks first: the source's
// alerts are refused until its receiver has the new one.
func (h *Handler) renewAlertSecret(c echo.Context) error {
	src, err := alertSource(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	set, err := h.store.FindAlertSettings(ctx, src)
	if err != nil {
		return err
	}
	ok, err := confirmed(c)
	if err != nil {
		return err
	}
	if set.Configured() && !ok {
		return h.askToConfirm(c, views.NewAlertSecretConfirm(set))
	}
	secret, err := h.store.RenewAlertSecret(ctx, h.actor(c), src)
	if err != nil {
		return err
	}
	return h.renderAlertSources(c, http.StatusCreated, "", nil, nil, &views.NewAlertSecret{Source: src, Secret: secret})
}

// saveProductAlerts sets whether a critical alert rolls the product's
// release back by itself.
func (h *Handler) saveProductAlerts(c echo.Context) error {
	on, err := formFlag(c, "rollback_on_critical")
	if err != nil {
		return err
	}
	key := c.Param("key")
	if err := h.store.SaveAlertPolicy(c.Request().Context(), h.actor(c), gonogo.AlertPolicy{Product: key, RollbackOnCritical: on}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/alerts?notice=policy#alert-products")
}

// alertsView is the release page's alerts panel: the newest alerts, firing
// first, and the gate's action while one fires.
func (h *Handler) alertsView(ctx context.Context, rel gonogo.Release) (views.ReleaseAlertsView, error) {
	alerts, err := h.store.FindReleaseAlerts(ctx, rel.ID, gonogo.MaxReleaseAlerts)
	if err != nil {
		return views.ReleaseAlertsView{}, err
	}
	action, _ := gonogo.AlertHalt(rel, alerts)
	return views.ReleaseAlertsView{Release: rel, Alerts: alerts, Action: action}, nil
}
