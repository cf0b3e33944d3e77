package handlers_test

import (
	"net/http"
	"net/url"
)

// The alerts' routes in the authorization tables (authz_test.go): a
// delivery without the source's bearer secret is refused with 401 whoever
// sends it, a browser's cookies and CSRF token included; the Alerts page
// and what it changes are for admins.
func init() {
	for _, src := range []string{"alertmanager", "grafana"} {
		publicTable["POST /hooks/"+src] = publicCase{"/hooks/" + src, nil, http.StatusUnauthorized, http.StatusUnauthorized}
	}
	authTable["GET /admin/alerts"] = authCase{"/admin/alerts", nil, http.StatusOK, []string{"admin"}}
	authTable["POST /admin/alerts/:source"] = authCase{"/admin/alerts/grafana",
		url.Values{"product_label": {"gonogo_product"}, "version_label": {"gonogo_version"}}, http.StatusSeeOther, []string{"admin"}}
	authTable["POST /admin/alerts/:source/secret"] = authCase{"/admin/alerts/grafana/secret", url.Values{"confirm": {"1"}},
		http.StatusCreated, []string{"admin"}}
	authTable["POST /admin/products/:key/alerts"] = authCase{"/admin/products/{product}/alerts",
		url.Values{"rollback_on_critical": {"1"}}, http.StatusSeeOther, []string{"admin"}}
}
