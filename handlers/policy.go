package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// A product's policy per release kind: shown on its page to everyone
// signed in, set there by admins.

// policyForms are the product key's policies as its page shows them, each
// with its form filled with what is set.
func (h *Handler) policyForms(c echo.Context, key string, canEdit bool) ([]views.PolicyForm, error) {
	pols, err := h.store.FindPolicies(c.Request().Context(), key)
	if err != nil {
		return nil, err
	}
	out := make([]views.PolicyForm, len(pols))
	for i, p := range pols {
		out[i] = views.PolicyForm{Policy: p, CanEdit: canEdit, Input: policyInputOf(p),
			Saved: c.QueryParam("notice") == "policy-"+string(p.Kind)}
	}
	return out, nil
}

// policyInputOf is p as its form shows it.
func policyInputOf(p gonogo.Policy) gonogo.PolicyInput {
	in := gonogo.PolicyInput{MinGoVoters: strconv.Itoa(p.Voters()), Template: string(p.Template)}
	for _, r := range p.Roles {
		in.Roles = append(in.Roles, string(r))
	}
	if p.Kind == gonogo.KindHotfix {
		in.ReviewDays = strconv.Itoa(p.ReviewWithinDays)
	}
	return in
}

// setPolicy sets the product's policy for a kind. A refused one shows the
// product's page again, the form as sent, each problem by its field.
func (h *Handler) setPolicy(c echo.Context) error {
	key := c.Param("key")
	kind := gonogo.Kind(c.Param("kind"))
	if !kind.Valid() {
		return gonogo.Errorf(gonogo.ENOTFOUND, "no release kind %q: it is standard or hotfix", c.Param("kind"))
	}
	form, err := c.FormParams()
	if err != nil {
		return gonogo.Errorf(gonogo.EINVALID, "the form could not be read")
	}
	in := gonogo.PolicyInput{Roles: form["roles"], MinGoVoters: c.FormValue("min_voters"), Template: c.FormValue("template"), ReviewDays: c.FormValue("review_days")}
	err = h.store.SetPolicy(c.Request().Context(), h.actor(c), key, kind, in)
	if errs := formErrors(err); errs != nil && gonogo.ErrorCode(err) == gonogo.EINVALID {
		return h.renderProduct(c, http.StatusUnprocessableEntity, func(v *views.ProductView) {
			for i := range v.Policies {
				if v.Policies[i].Policy.Kind == kind {
					v.Policies[i].Input, v.Policies[i].Errors = in, errs
				}
			}
		})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/products/"+key+"?notice=policy-"+string(kind)+"#policy-"+string(kind))
}
