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
		Notice:    noticeText(c.QueryParam("notice")),
	}
}

// actor is who makes the request's changes, for the audit trail.
func (h *Handler) actor(c echo.Context) gonogo.Actor {
	a := gonogo.Actor{RemoteAddr: c.RealIP()}
	if u := currentUser(c); u != nil {
		a.UserID, a.Name, a.Roles, a.Admin = u.ID, u.DisplayName(), u.Roles, u.Admin
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

// noticeText is the message a redirect asks the page to show with code: one of
// notices, or what a transition did, named by the transition.
func noticeText(code string) string {
	if msg, ok := notices[code]; ok {
		return msg
	}
	return gonogo.Transition(code).Outcome()
}

// notices are the messages a redirect may ask a page to show. Only these
// codes are accepted, so a link cannot put words in gonogo's mouth.
var notices = map[string]string{
	"created":  "Release created with the checklist template's items.",
	"saved":    "Changes saved.",
	"added":    "Item added.",
	"removed":  "Item removed.",
	"welcome":  "Welcome! Your admin account is ready. Add your team under Admin.",
	"password": "Password changed.",
	"defect":   "Defect added.",
	"pasted":   "Defects added.",
	"nudged":   "Nudged: the webhooks carry the reminder to the team.",
	"revoked":  "Token revoked. Pipelines using it are refused from now on.",
	"webhook":  "Webhook registered. Changes of the chosen kinds are sent to it from now on.",
	"unhooked": "Webhook removed.",
	// Feed addresses
	"feed-revoked": "Your feed address was revoked: feed readers and calendars using it are refused from now on.",
	// Release notes
	"notes-saved": "Draft saved. Readers see nothing until it is published.",
	"published":   "Release notes published.",
	"amended":     "Amendment published: the page now shows it as updated.",
	"unchanged":   "Nothing changed, so nothing was saved.",
}
