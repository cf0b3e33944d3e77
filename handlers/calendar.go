package handlers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// listDays is how far ahead the calendar's list view looks.
const listDays = 90

// The calendar feed holds windows from feedMonthsBack months ago, and writes
// out the weeks of weekly freezes that a clock change falls inside up to
// feedYearsAhead years ahead (calendar apps refresh it hourly).
const (
	feedMonthsBack = 3
	feedYearsAhead = 2
)

// team returns the board-wide settings, read once and kept until an admin
// saves new ones.
func (h *Handler) team(ctx context.Context) gonogo.TeamSettings {
	if t := h.teamCache.Load(); t != nil {
		return *t
	}
	t, err := h.store.FindTeamSettings(ctx)
	if err != nil {
		h.log.Error("read team settings", "err", err)
		return gonogo.TeamSettings{}
	}
	h.teamCache.Store(&t)
	return t
}

// zone is the team's time zone.
func (h *Handler) zone(ctx context.Context) *time.Location {
	return h.team(ctx).Location(h.cfg.Location)
}

func (h *Handler) showCalendar(c echo.Context) error {
	ctx := c.Request().Context()
	loc := h.zone(ctx)
	now := h.store.Now().In(loc).Truncate(time.Minute)
	v := views.CalendarView{Product: c.QueryParam("product"), List: c.QueryParam("view") == "list"}
	v.Month = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	if m := c.QueryParam("month"); m != "" {
		t, err := time.ParseInLocation("2006-01", m, loc)
		if err != nil || t.Year() < 2000 || t.Year() > 2200 {
			return gonogo.Errorf(gonogo.EINVALID, "month %q is not a month like 2026-12", m)
		}
		v.Month = t
	}
	p := h.page(c, "Calendar", "calendar")
	h.live(c, &p, "calendar", 0)
	// The calendar shows every signed-in person the same windows: it
	// depends on the view, the month, the product, the zone, whether the
	// page is live, and the minute (today, and the list's next 90 days).
	key := fmt.Sprintf("%t %s %q %s %t %d", v.List, v.Month.Format("2006-01"), v.Product, loc, p.Live != "", now.Unix())
	r, err := h.cached(ctx, "calendar", key, func(ctx context.Context) (rendered, error) {
		return h.renderCalendar(ctx, p, v, now)
	})
	if err != nil {
		return err
	}
	if isPartial(c) {
		return sendKept(c, http.StatusOK, nil, r.packed, r.body, nil)
	}
	if v.Products, err = h.store.FindProductKeys(ctx); err != nil {
		return err
	}
	return renderKept(c, http.StatusOK, r.packed, r.body, func(html string) templ.Component {
		v.HTML = html
		return views.CalendarPage(p, v)
	})
}

// renderCalendar reads the windows and freezes of the dates v shows, and
// renders the calendar's swappable body.
func (h *Handler) renderCalendar(ctx context.Context, p views.Page, v views.CalendarView, now time.Time) (rendered, error) {
	loc := p.Loc
	from, to := v.Month.AddDate(0, 0, -7), v.Month.AddDate(0, 1, 7)
	if v.List {
		from, to = now, now.AddDate(0, 0, listDays)
	}
	scheduled, err := h.store.FindScheduled(ctx, from, to, v.Product)
	if err != nil {
		return rendered{}, err
	}
	freezes, err := h.store.FindFreezes(ctx)
	if err != nil {
		return rendered{}, err
	}
	if v.Product != "" {
		freezes = slices.DeleteFunc(freezes, func(f gonogo.Freeze) bool { return !f.Applies(v.Product) })
	}
	items := calendarItems(scheduled, freezes, from, to, loc)
	if v.List {
		v.Items = items
	} else {
		v.Weeks = monthGrid(v.Month, now, items, loc)
	}
	v.Prev = calendarURL(v.Month.AddDate(0, -1, 0), v.Product)
	v.Next = calendarURL(v.Month.AddDate(0, 1, 0), v.Product)
	v.Today = calendarURL(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc), v.Product)
	var buf bytes.Buffer
	if err := views.Calendar(p, v).Render(ctx, &buf); err != nil {
		return rendered{}, err
	}
	return newRendered(buf.Bytes(), time.Time{}), nil
}

func calendarURL(month time.Time, product string) string {
	u := "/calendar?month=" + month.Format("2006-01")
	if product != "" {
		u += "&product=" + product
	}
	return u
}

// calendarItems turns windows and freeze occurrences into calendar entries,
// earliest first, each window noting the other products' windows it overlaps.
func calendarItems(scheduled []gonogo.Scheduled, freezes []gonogo.Freeze, from, to time.Time, loc *time.Location) []views.CalendarItem {
	var out []views.CalendarItem
	for _, s := range scheduled {
		it := views.CalendarItem{Title: s.Product + " " + s.Version, Window: s.Window, State: s.State, URL: fmt.Sprintf("/releases/%d", s.ReleaseID), Rollout: s.Rollout}
		for _, o := range scheduled {
			if o.Product != s.Product && o.Window.Overlaps(s.Window) {
				it.Overlaps = append(it.Overlaps, o.Product+" "+o.Version)
			}
		}
		out = append(out, it)
	}
	for _, f := range freezes {
		for _, occ := range f.Occurrences(from, to, loc) {
			out = append(out, views.CalendarItem{Freeze: true, Title: f.Name, Window: occ})
		}
	}
	slices.SortStableFunc(out, func(a, b views.CalendarItem) int { return a.Window.Start.Compare(b.Window.Start) })
	return out
}

// monthGrid lays the month out in weeks from Monday, each day with the
// windows that start on it and the freezes that cover any of it.
func monthGrid(month, now time.Time, items []views.CalendarItem, loc *time.Location) [][]views.CalendarDay {
	first := month
	offset := (int(first.Weekday()) + 6) % 7 // days since Monday
	day := first.AddDate(0, 0, -offset)
	var weeks [][]views.CalendarDay
	for len(weeks) == 0 || day.Month() == month.Month() {
		var week []views.CalendarDay
		for i := 0; i < 7; i++ {
			d := views.CalendarDay{Date: day, InMonth: day.Month() == month.Month(),
				Today: day.Year() == now.Year() && day.YearDay() == now.YearDay()}
			span := gonogo.Window{Start: day, End: day.AddDate(0, 0, 1)}
			for _, it := range items {
				switch {
				case it.Freeze && it.Window.Overlaps(span):
					d.Freezes = append(d.Freezes, it)
				case !it.Freeze && !it.Window.Start.Before(span.Start) && it.Window.Start.Before(span.End):
					d.Entries = append(d.Entries, it)
				}
			}
			week = append(week, d)
			day = day.AddDate(0, 0, 1)
		}
		weeks = append(weeks, week)
	}
	return weeks
}

// calendarFeed answers the iCalendar feed. Calendar apps cannot sign in, so
// a person's feed token in the address stands for them (requireFeed); a
// signed-in browser may use it without one.
func (h *Handler) calendarFeed(c echo.Context) error {
	ctx := c.Request().Context()
	loc := h.zone(ctx)
	now := h.store.Now().Truncate(time.Minute)
	product := c.QueryParam("product")
	// Like the notes feeds, the calendar feed is the same for every
	// reader: kept per product, zone and minute.
	key := fmt.Sprintf("%q %s %d", product, loc, now.Unix())
	r, err := h.cached(ctx, "ics", key, func(ctx context.Context) (rendered, error) {
		return h.renderCalendarFeed(ctx, loc, now, product)
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="gonogo.ics"`)
	return serveFeed(c, "text/calendar; charset=utf-8", r)
}

// renderCalendarFeed reads and renders the iCalendar feed: the windows
// from feedMonthsBack months ago to a year ahead, and the freezes.
func (h *Handler) renderCalendarFeed(ctx context.Context, loc *time.Location, now time.Time, product string) (rendered, error) {
	from, to := now.AddDate(0, -feedMonthsBack, 0), now.AddDate(1, 0, 0)
	scheduled, err := h.store.FindScheduled(ctx, from, to, product)
	if err != nil {
		return rendered{}, err
	}
	seqs, err := h.store.WindowSeqs(ctx, from, to, product)
	if err != nil {
		return rendered{}, err
	}
	freezes, err := h.store.FindFreezes(ctx)
	if err != nil {
		return rendered{}, err
	}
	if product != "" {
		freezes = slices.DeleteFunc(freezes, func(f gonogo.Freeze) bool { return !f.Applies(product) })
	}
	feed := views.Feed{BaseURL: strings.TrimSuffix(h.cfg.BaseURL, "/"), Zone: loc, Freezes: freezes,
		From: from, Until: now.AddDate(feedYearsAhead, 0, 0)}
	for _, s := range scheduled {
		feed.Windows = append(feed.Windows, views.FeedWindow{Scheduled: s, Seq: seqs[s.ReleaseID]})
	}
	return newFeed([]byte(views.ICS(feed)), time.Time{}), nil
}
