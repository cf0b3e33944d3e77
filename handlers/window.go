package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// setWindow schedules, moves or clears a release's window.
func (h *Handler) setWindow(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	loc := h.zone(c.Request().Context())
	startText, endText := strings.TrimSpace(c.FormValue("window_start")), strings.TrimSpace(c.FormValue("window_end"))
	var w gonogo.Window
	if c.FormValue("clear") != "1" {
		start, err1 := parseLocalTime(startText, loc)
		end, err2 := parseLocalTime(endText, loc)
		if err1 != nil || err2 != nil || start.IsZero() || end.IsZero() {
			return h.rejectWindow(c, rid, startText, endText, gonogo.FieldErrorf("window", "enter the start and the end as a date and time, e.g. 2026-12-01T20:00"))
		}
		w = gonogo.Window{Start: start, End: end}
	}
	err = h.store.SetWindow(c.Request().Context(), h.actor(c), rid, w)
	if formErrors(err) != nil {
		return h.rejectWindow(c, rid, startText, endText, err)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=saved#window", rid))
}

func (h *Handler) rejectWindow(c echo.Context, rid int64, start, end string, err error) error {
	return h.renderReleaseWith(c, http.StatusUnprocessableEntity, rid, func(v *views.ReleaseView) {
		v.Window.Start, v.Window.End, v.Window.Errors, v.Window.Open = start, end, formErrors(err), true
	})
}
