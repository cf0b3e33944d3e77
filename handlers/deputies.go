package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// maxDeputyChoices bounds the people the profile offers as deputies.
const maxDeputyChoices = 500

// loadDeputyships reads the deputyships naming the signed-in person, for
// actor to judge which are in force at the request's moment. The read is
// remembered until the next commit; the judgement is not, since time
// moves on without one.
func (h *Handler) loadDeputyships(c echo.Context, u gonogo.User) error {
	ds, err := h.store.FindDeputyshipsFor(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	c.Set("deputyships", ds)
	return nil
}

// withDeputies adds to a the roles the deputyships naming them give now.
func (h *Handler) withDeputies(c echo.Context, a gonogo.Actor) gonogo.Actor {
	ds, _ := c.Get("deputyships").([]gonogo.Deputyship)
	if len(ds) == 0 {
		return a
	}
	a.Deputies, a.Lapsed = gonogo.SplitDeputyships(ds, h.store.Now())
	a.Roles = gonogo.NewRoleSet(append(slices.Clone(a.Roles), gonogo.DeputyGrants(a.Deputies).Roles()...)...)
	return a
}

// nameDeputy names a deputy for one of the person's roles and a period
// in the team's time zone.
func (h *Handler) nameDeputy(c echo.Context) error {
	f := views.DeputyForm{Role: c.FormValue("role"), Deputy: c.FormValue("deputy"), From: c.FormValue("from"), Until: c.FormValue("until")}
	p := gonogo.Problems{}
	loc := h.zone(c.Request().Context())
	in := gonogo.DeputyInput{Role: gonogo.Role(f.Role)}
	in.DeputyID, _ = strconv.ParseInt(f.Deputy, 10, 64)
	var err error
	if in.From, err = parseLocalTime(f.From, loc); err != nil {
		p.Add("from", "enter the beginning as a date and time, e.g. 2026-12-01T09:00")
	}
	if in.Until, err = parseLocalTime(f.Until, loc); err != nil {
		p.Add("until", "enter the end as a date and time, e.g. 2026-12-15T09:00")
	}
	_, err = h.store.NameDeputy(c.Request().Context(), h.actor(c), in)
	if f.Errors = formErrors(err, p); f.Errors != nil {
		return h.renderProfile(c, http.StatusUnprocessableEntity, views.PasswordForm{Deputies: views.DeputiesView{Form: f}})
	} else if err != nil {
		return err
	}
	return redirect(c, "/profile#deputies")
}

// endDeputyship ends a deputyship early; naming the deputy again undoes it.
func (h *Handler) endDeputyship(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.store.EndDeputyship(c.Request().Context(), h.actor(c), id); err != nil {
		return err
	}
	return redirect(c, "/profile#deputies")
}

// endPersonDeputyship is an admin ending a deputyship early from the
// person's page: the holder's or the deputy's, as the address says.
func (h *Handler) endPersonDeputyship(c echo.Context) error {
	uid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	id, err := idParam(c, "deputyship")
	if err != nil {
		return err
	}
	if err := h.store.EndDeputyship(c.Request().Context(), h.actor(c), id); err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/admin/users/%d#deputies", uid))
}

// deputiesView fills in the profile's deputies section around the form f:
// the person's own roles, whom they may name, and what they have named.
func (h *Handler) deputiesView(c echo.Context, v views.DeputiesView) (views.DeputiesView, error) {
	ctx := c.Request().Context()
	u := currentUser(c)
	v.Roles = u.Grants.Roles()
	ds, err := h.store.FindDeputyships(ctx, u.ID)
	if err != nil {
		return v, err
	}
	now := h.store.Now()
	for _, d := range ds {
		v.Named = append(v.Named, views.DeputyRow{Deputyship: d, Active: d.ActiveAt(now)})
	}
	if len(v.Roles) == 0 {
		return v, nil
	}
	people, err := h.store.FindUserPage(ctx, 0, maxDeputyChoices)
	if err != nil {
		return v, err
	}
	for _, p := range people {
		if !p.Disabled && p.ID != u.ID {
			v.People = append(v.People, views.DeputyChoice{ID: p.ID, Name: p.DisplayName(), Email: p.Email})
		}
	}
	return v, nil
}
