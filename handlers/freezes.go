package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

func (h *Handler) showFreezes(c echo.Context) error {
	return h.renderFreezes(c, http.StatusOK, views.FreezeForm{StartDay: "5", StartTime: "12:00", EndDay: "1", EndTime: "06:00"})
}

func (h *Handler) renderFreezes(c echo.Context, status int, f views.FreezeForm) error {
	freezes, err := h.store.FindFreezes(c.Request().Context())
	if err != nil {
		return err
	}
	return render(c, status, views.FreezesPage(h.page(c, "Freezes", "calendar"), freezes, gonogo.AppAbilitiesOf(h.actor(c)).ManageFreezes, f))
}

// freezeForm reads the freeze form: a one-off period in the team's zone, or
// a weekly span of days and wall-clock times.
func (h *Handler) freezeForm(c echo.Context) (views.FreezeForm, gonogo.FreezeInput, gonogo.Problems) {
	f := views.FreezeForm{
		Name: c.FormValue("name"), Reason: c.FormValue("reason"), Weekly: c.FormValue("kind") == "weekly",
		Start: c.FormValue("start"), End: c.FormValue("end"),
		StartDay: c.FormValue("start_day"), StartTime: c.FormValue("start_time"),
		EndDay: c.FormValue("end_day"), EndTime: c.FormValue("end_time"),
		Products: c.FormValue("products"),
	}
	in := gonogo.FreezeInput{Name: f.Name, Reason: f.Reason, Weekly: f.Weekly}
	p := gonogo.Problems{}
	loc := h.zone(c.Request().Context())
	if f.Weekly {
		sd, err1 := strconv.Atoi(f.StartDay)
		ed, err2 := strconv.Atoi(f.EndDay)
		sm, err3 := parseClock(f.StartTime)
		em, err4 := parseClock(f.EndTime)
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || sd < 0 || sd > 6 || ed < 0 || ed > 6 {
			p.Add("week", "give a day and a time (HH:MM) for the start and the end")
		}
		in.Week = gonogo.WeeklySpan{StartDay: time.Weekday(sd), StartMin: sm, EndDay: time.Weekday(ed), EndMin: em}
	} else {
		start, err1 := parseLocalTime(f.Start, loc)
		end, err2 := parseLocalTime(f.End, loc)
		if err1 != nil || err2 != nil {
			p.Add("once", "enter the start and end as a date and time, e.g. 2026-11-27T00:00")
		}
		in.Once = gonogo.Window{Start: start, End: end}
	}
	for _, prod := range strings.Split(f.Products, ",") {
		if prod = strings.ToLower(strings.TrimSpace(prod)); prod != "" {
			in.Products = append(in.Products, prod)
		}
	}
	return f, in, p
}

// parseClock reads "HH:MM" as minutes after midnight.
func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, gonogo.Errorf(gonogo.EINVALID, "%q is not a time like 06:00", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

func (h *Handler) createFreeze(c echo.Context) error {
	// The page offers two radio buttons; anything else is no choice of a person's.
	if k := c.FormValue("kind"); k != "" && k != "once" && k != "weekly" {
		return gonogo.Errorf(gonogo.EINVALID, "a freeze is once or weekly")
	}
	f, in, p := h.freezeForm(c)
	if len(p) == 0 {
		_, err := h.store.CreateFreeze(c.Request().Context(), h.actor(c), in)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/freezes?notice=saved")
		}
		if f.Errors = formErrors(err); f.Errors == nil {
			return err
		}
	} else {
		f.Errors = formErrors(in.Validate(), p)
	}
	return h.renderFreezes(c, http.StatusUnprocessableEntity, f)
}

func (h *Handler) deleteFreeze(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.store.DeleteFreeze(c.Request().Context(), h.actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/freezes?notice=removed")
}
