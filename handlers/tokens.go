package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

func (h *Handler) showTokens(c echo.Context) error {
	return h.renderTokens(c, http.StatusOK, views.TokenForm{}, nil)
}

func (h *Handler) renderTokens(c echo.Context, status int, f views.TokenForm, created *views.NewToken) error {
	from, err := offsetParam(c)
	if err != nil {
		return err
	}
	tokens, err := h.store.FindTokenPage(c.Request().Context(), from, tokenPageSize+1)
	if err != nil {
		return err
	}
	tokens, nav := offsetPage(tokens, "/admin/tokens", from, tokenPageSize)
	return render(c, status, views.TokensPage(h.page(c, "API tokens", "admin"), tokens, nav, f, created))
}

// createToken makes a token and shows its secret on the page it answers,
// rather than after a redirect: the secret is kept nowhere it could be
// shown from again.
func (h *Handler) createToken(c echo.Context) error {
	in := gonogo.TokenInput{Name: c.FormValue("name"), Product: c.FormValue("product")}
	tok, secret, err := h.store.CreateToken(c.Request().Context(), h.actor(c), in)
	if errs := formErrors(err); errs != nil {
		return h.renderTokens(c, http.StatusUnprocessableEntity, views.TokenForm{Input: in, Errors: errs}, nil)
	} else if err != nil {
		return err
	}
	return h.renderTokens(c, http.StatusCreated, views.TokenForm{}, &views.NewToken{Token: tok, Secret: secret})
}

// revokeToken revokes a token for good, once the admin confirms it.
func (h *Handler) revokeToken(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok {
		t, err := h.store.FindToken(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return h.askToConfirm(c, views.RevokeTokenConfirm(t))
	}
	if err := h.store.RevokeToken(c.Request().Context(), h.actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/tokens?notice=revoked")
}
