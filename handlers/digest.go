package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// digestView is the signed-in person's daily digest, as the profile shows it.
func (h *Handler) digestView(c echo.Context) (views.DigestView, error) {
	ctx := c.Request().Context()
	d, err := h.store.FindDigest(ctx, currentUser(c).ID)
	return views.DigestViewOf(d, h.zone(ctx).String()), err
}

// saveDigest stores the hour and zone of the person's daily digest, or
// turns it off; a bad hour or zone is refused beside its field.
func (h *Handler) saveDigest(c echo.Context) error {
	hour, zone := c.FormValue("digest_hour"), c.FormValue("digest_zone")
	choice, err := gonogo.ParseDigestChoice(hour, zone)
	if err == nil {
		err = h.store.SetDigest(c.Request().Context(), h.actor(c), choice)
	}
	if errs := formErrors(err); errs != nil {
		v := views.DigestView{Hour: hour, Zone: zone, TeamZone: h.zone(c.Request().Context()).String(), Errors: errs, Loaded: true}
		return h.renderProfile(c, http.StatusUnprocessableEntity, views.PasswordForm{Digest: v})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/profile?notice=digest#digest")
}
