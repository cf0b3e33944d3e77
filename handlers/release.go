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

func (h *Handler) showRelease(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	// The page's own address says which pages of its lists it shows, even
	// to htmx: a link back to the newest has no cursor at all.
	pages, err := parsePages(c.QueryParams())
	if err != nil {
		return err
	}
	v, err := h.releaseViewAt(c, id, pages)
	if err != nil {
		return err
	}
	p := h.page(c, v.Release.Name(), "board")
	if c.QueryParam("nudged") != "" {
		if p.Flash, err = h.nudgeFlash(c, id); err != nil {
			return err
		}
	}
	if isPartial(c) {
		// Another page of one list, asked for by htmx, swaps that list,
		// keeping what the reader is typing in it.
		c.Response().Header().Add("Vary", "HX-Target")
		p.Sync = true
		switch c.Request().Header.Get("HX-Target") {
		case "history":
			return render(c, http.StatusOK, views.History(p, v.History, false))
		case "discussion":
			return render(c, http.StatusOK, views.Discussion(p, v.Discussion, false))
		case "signoffs":
			return render(c, http.StatusOK, views.SignoffPanel(p, v.Signoffs, false))
		}
		p.Sync = false
	}
	h.live(c, &p, "release", id)
	return render(c, http.StatusOK, views.ReleasePage(p, v))
}

func (h *Handler) newRelease(c echo.Context) error {
	f := views.ReleaseForm{Input: gonogo.ReleaseInput{Product: c.QueryParam("product")}}
	if u := currentUser(c); u != nil && u.Roles.Has(gonogo.ReleaseManager) {
		f.Input.ManagerID = u.ID
	}
	return h.renderReleaseForm(c, http.StatusOK, f)
}

func (h *Handler) renderReleaseForm(c echo.Context, status int, f views.ReleaseForm) error {
	ctx := c.Request().Context()
	var err error
	if f.Managers, err = h.store.FindUsersWithRole(ctx, gonogo.ReleaseManager); err != nil {
		return err
	}
	if f.Products, err = h.store.FindProductKeys(ctx); err != nil {
		return err
	}
	title := "New release"
	if f.ID != 0 {
		title = "Edit " + f.Input.Product + " " + f.Input.Version
	}
	nav := "new"
	if f.ID != 0 {
		nav = "board"
	}
	return render(c, status, views.ReleaseFormPage(h.page(c, title, nav), f))
}

// releaseForm reads the release form. Problems with the window's format are
// reported with the domain's own checks, all at once.
func (h *Handler) releaseForm(c echo.Context) (views.ReleaseForm, gonogo.Problems) {
	f := views.ReleaseForm{
		Input: gonogo.ReleaseInput{
			Product: c.FormValue("product"),
			Version: c.FormValue("version"),
			Title:   c.FormValue("title"),
			Summary: c.FormValue("summary"),
			Kind:    gonogo.Kind(strings.TrimSpace(c.FormValue("kind"))),
		},
		WindowStart: strings.TrimSpace(c.FormValue("window_start")),
		WindowEnd:   strings.TrimSpace(c.FormValue("window_end")),
	}
	p := gonogo.Problems{}
	if m := c.FormValue("manager_id"); m != "" {
		id, err := strconv.ParseInt(m, 10, 64)
		if err != nil || id < 0 {
			p.Add("manager", "choose a release manager from the list")
		}
		f.Input.ManagerID = id
	}
	loc := h.zone(c.Request().Context())
	start, err1 := parseLocalTime(f.WindowStart, loc)
	end, err2 := parseLocalTime(f.WindowEnd, loc)
	if err1 != nil || err2 != nil {
		p.Add("window", "enter the window as a date and time, e.g. 2026-12-01T20:00")
	}
	f.Input.Window = gonogo.Window{Start: start, End: end}
	return f, p
}

// parseLocalTime reads a datetime-local value in the team's zone.
func parseLocalTime(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, gonogo.Errorf(gonogo.EINVALID, "%q is not a date and time", s)
}

func (h *Handler) createRelease(c echo.Context) error {
	f, p := h.releaseForm(c)
	if len(p) > 0 {
		in := f.Input
		in.Normalize()
		f.Errors = formErrors(in.Validate(), p)
		return h.renderReleaseForm(c, http.StatusUnprocessableEntity, f)
	}
	var err error
	if !f.Input.Window.IsZero() {
		// A window given at creation follows the same rules as any other.
		err = gonogo.PlanWindow(h.actor(c), f.Input.Window, h.store.Now())
	}
	var rel gonogo.Release
	if err == nil {
		rel, err = h.store.CreateRelease(c.Request().Context(), h.actor(c), f.Input)
	}
	if f.Errors = formErrors(err); f.Errors != nil {
		return h.renderReleaseForm(c, http.StatusUnprocessableEntity, f)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/releases/"+strconv.FormatInt(rel.ID, 10)+"?notice=created")
}

func (h *Handler) editRelease(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rel, err := h.store.FindRelease(c.Request().Context(), id)
	if err != nil {
		return err
	}
	f := views.ReleaseForm{
		ID: rel.ID,
		Input: gonogo.ReleaseInput{Product: rel.Product, Version: rel.Version, Title: rel.Title,
			Summary: rel.Summary, ManagerID: rel.ManagerID, Window: rel.Window, Kind: rel.Kind},
	}
	p := h.page(c, "", "")
	f.WindowStart, f.WindowEnd = p.InputTime(rel.Window.Start), p.InputTime(rel.Window.End)
	return h.renderReleaseForm(c, http.StatusOK, f)
}

func (h *Handler) updateRelease(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rel, err := h.store.FindRelease(c.Request().Context(), id)
	if err != nil {
		return err
	}
	f, p := h.releaseForm(c)
	f.ID = id
	// Product and version are the release's identity; the form shows them but cannot change them.
	f.Input.Product, f.Input.Version = rel.Product, rel.Version
	// So is its kind: its checklist and policy came with it.
	f.Input.Kind = rel.Kind
	if len(p) > 0 {
		in := f.Input
		in.Normalize()
		f.Errors = formErrors(in.Validate(), p)
		return h.renderReleaseForm(c, http.StatusUnprocessableEntity, f)
	}
	_, err = h.store.UpdateRelease(c.Request().Context(), h.actor(c), id, f.Input)
	if f.Errors = formErrors(err); f.Errors != nil {
		return h.renderReleaseForm(c, http.StatusUnprocessableEntity, f)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/releases/"+strconv.FormatInt(id, 10)+"?notice=saved")
}
