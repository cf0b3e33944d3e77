package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

func (h *Handler) showSettings(c echo.Context) error {
	t, err := h.store.FindTeamSettings(c.Request().Context())
	if err != nil {
		return err
	}
	f := views.SettingsForm{Zone: t.Zone, Saved: c.QueryParam("saved") == "1", Reminders: views.TeamReminderForm(t.RemindersOrDefault())}
	for d, span := range t.LowTraffic {
		if span != nil {
			f.Days[d] = views.DayHours{Start: clockText(span.StartMin), End: clockText(span.EndMin)}
		}
	}
	return render(c, http.StatusOK, views.SettingsPage(h.page(c, "Settings", "admin"), f))
}

func clockText(min int) string {
	return fmt.Sprintf("%02d:%02d", min/60, min%60)
}

// saveSettings stores the team's zone and low-traffic hours.
func (h *Handler) saveSettings(c echo.Context) error {
	f := views.SettingsForm{Zone: strings.TrimSpace(c.FormValue("zone"))}
	t := gonogo.TeamSettings{Zone: f.Zone}
	p := gonogo.Problems{}
	for d := range 7 {
		f.Days[d] = views.DayHours{Start: c.FormValue("start_" + strconv.Itoa(d)), End: c.FormValue("end_" + strconv.Itoa(d))}
		if f.Days[d].Start == "" && f.Days[d].End == "" {
			continue
		}
		s, err1 := parseClock(f.Days[d].Start)
		e, err2 := parseClock(f.Days[d].End)
		if err1 != nil || err2 != nil {
			p.Add("hours", "give both a start and an end (HH:MM) for each day with low-traffic hours")
			continue
		}
		t.LowTraffic[d] = &gonogo.DailySpan{StartMin: s, EndMin: e}
	}
	if err := h.readTeamReminders(c, &f, &t, p); err != nil {
		return err
	}
	err := p.Err()
	if err == nil {
		err = h.store.SaveTeamSettings(c.Request().Context(), h.actor(c), t)
	}
	if f.Errors = formErrors(err); f.Errors != nil {
		return render(c, http.StatusUnprocessableEntity, views.SettingsPage(h.page(c, "Settings", "admin"), f))
	} else if err != nil {
		return err
	}
	h.teamCache.Store(nil) // read afresh on the next request
	return c.Redirect(http.StatusSeeOther, "/admin/settings?saved=1")
}

// readTeamReminders reads the team's reminder hours into t, their
// problems into p; a field left empty keeps the hours saved before.
func (h *Handler) readTeamReminders(c echo.Context, f *views.SettingsForm, t *gonogo.TeamSettings, p gonogo.Problems) error {
	was, err := h.store.FindTeamSettings(c.Request().Context())
	if err != nil {
		return err
	}
	form := map[string]string{}
	for i, name := range gonogo.ReminderFields {
		form[name] = c.FormValue(name)
		f.Reminders.Values[i] = form[name]
	}
	o, err := gonogo.ParseReminderHours(form, true)
	for field, msg := range gonogo.ErrorFields(err) {
		p[field] = msg
	}
	r := o.Over(was.RemindersOrDefault())
	t.Reminders = &r
	return nil
}
