package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// productReminders is the form of a product's own reminder hours, with
// the team's beside them.
func (h *Handler) productReminders(c echo.Context, key string) (views.ReminderForm, error) {
	ctx := c.Request().Context()
	team, err := h.store.FindTeamSettings(ctx)
	if err != nil {
		return views.ReminderForm{}, err
	}
	own, err := h.store.FindProductReminders(ctx, key)
	return views.ReminderFormOf(own, team.RemindersOrDefault()), err
}

// saveProductReminders stores a product's own reminder hours; an empty
// field takes the team's, a bad one is refused beside it.
func (h *Handler) saveProductReminders(c echo.Context) error {
	ctx := c.Request().Context()
	key := c.Param("key")
	form := map[string]string{}
	for _, name := range gonogo.ReminderFields {
		form[name] = c.FormValue(name)
	}
	o, err := gonogo.ParseReminderHours(form, true)
	if err == nil {
		err = h.store.SaveProductReminders(ctx, h.actor(c), key, o)
	}
	if errs := formErrors(err); errs != nil && gonogo.ErrorCode(err) == gonogo.EINVALID {
		p, ferr := h.store.FindProduct(ctx, key)
		if ferr != nil {
			return ferr
		}
		f := views.ProductForm{Input: gonogo.ProductInput{Key: p.Key, Name: p.Name, Description: p.Description, OwnerTeam: p.OwnerTeam}}
		if f.Reminders, ferr = h.productReminders(c, key); ferr != nil {
			return ferr
		}
		for i, name := range gonogo.ReminderFields {
			f.Reminders.Values[i] = form[name]
		}
		f.Reminders.Errors = errs
		return render(c, http.StatusUnprocessableEntity, views.ProductAdminPage(h.page(c, p.Name, "admin"), p, f, ""))
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/products/"+key+"?notice=reminders#reminders")
}
