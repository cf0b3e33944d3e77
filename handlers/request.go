package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// page is the frame every full page needs: who is signed in, the CSRF token
// and the team's time zone.
func (h *Handler) page(c echo.Context, title, nav string) views.Page {
	token, _ := c.Get("csrf").(string)
	return views.Page{
		Title:     title,
		Nav:       nav,
		User:      currentUser(c),
		App:       gonogo.AppAbilitiesOf(h.actor(c)),
		CSRF:      token,
		Loc:       h.zone(c.Request().Context()),
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
		Flash:     flashText(c.QueryParam("notice")),
		Unread:    h.unread(c),
	}
}

// actor is who makes the request's changes, for the audit trail, with
// the roles they hold in their own right and as a deputy at this moment.
func (h *Handler) actor(c echo.Context) gonogo.Actor {
	a := gonogo.Actor{RemoteAddr: c.RealIP()}
	if u := currentUser(c); u != nil {
		a.UserID, a.Name, a.Roles, a.Grants, a.Admin = u.ID, u.DisplayName(), u.Roles, u.Grants, u.Admin
		if a.Grants == nil {
			// A person holds the roles given them, for their products:
			// nil would mean every role held for every product (Actor).
			a.Grants = gonogo.Grants{}
		}
		a = h.withDeputies(c, a)
	}
	return a
}

// noSuchPage is what an address that leads nowhere answers: one that no
// route serves and one whose id is not an id alike.
const noSuchPage = "There is no page at this address."

// idParam parses a numeric id from the path; anything else is not found.
func idParam(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, gonogo.Errorf(gonogo.ENOTFOUND, noSuchPage)
	}
	return id, nil
}
