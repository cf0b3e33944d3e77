package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// showSignInAdmin shows how people sign in, and the mappings of the
// provider's groups to roles and admin.
func (h *Handler) showSignInAdmin(c echo.Context) error {
	return h.renderSignInAdmin(c, http.StatusOK, views.MappingForm{})
}

func (h *Handler) renderSignInAdmin(c echo.Context, status int, f views.MappingForm) error {
	ctx := c.Request().Context()
	mappings, err := h.store.FindGroupMappings(ctx)
	if err != nil {
		return err
	}
	products, err := h.store.FindProducts(ctx)
	if err != nil {
		return err
	}
	seen, err := h.store.FindSeenGroups(ctx)
	if err != nil {
		return err
	}
	v := views.SignInAdmin{Settings: h.signInSettings(), Mappings: mappings, Products: products, Seen: seen}
	return render(c, status, views.SignInAdminPage(h.page(c, "Sign-in", "admin"), v, f))
}

// signInSettings is how the board was started to sign people in, as the
// admin page shows it: what to register at the provider, and what is read
// from the ID token.
func (h *Handler) signInSettings() views.SignInSettings {
	cfg := h.cfg.SignIn
	s := views.SignInSettings{
		RedirectURL: strings.TrimSuffix(h.cfg.BaseURL, "/") + callbackPath,
		GroupsClaim: cfg.GroupsClaim, Scopes: cfg.Scopes,
		Passwords: !cfg.NoPasswords, BreakGlass: cfg.BreakGlassAdmin,
	}
	if h.oidc != nil {
		s.Issuer, s.Provider, s.RedirectURL, s.GroupsClaim = h.oidc.cfg.Issuer, h.oidc.cfg.label(), h.oidc.redirectURL, h.oidc.cfg.GroupsClaim
	}
	if s.GroupsClaim == "" {
		s.GroupsClaim = "groups"
	}
	return s
}

// addGroupMapping maps a group to a role, for a product or all, or to admin.
func (h *Handler) addGroupMapping(c echo.Context) error {
	in := gonogo.GroupMappingInput{Group: c.FormValue("group"), Role: c.FormValue("role"), Product: c.FormValue("product")}
	_, err := h.store.CreateGroupMapping(c.Request().Context(), h.actor(c), in)
	if errs := formErrors(err); errs != nil {
		return h.renderSignInAdmin(c, http.StatusUnprocessableEntity, views.MappingForm{Input: in, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/sign-in?notice=saved#mappings")
}

// removeGroupMapping removes a mapping; the roles it gave go at each
// person's next sign-in.
func (h *Handler) removeGroupMapping(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.store.DeleteGroupMapping(c.Request().Context(), h.actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/sign-in?notice=saved#mappings")
}
