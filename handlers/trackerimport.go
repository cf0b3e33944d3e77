package handlers

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// The backfill of a product's tracker: its current issues imported once
// from an export (gonogo.ReadExport, gonogo.PlanImport), for a tracker
// connected to releases that already had issues. Whoever may edit the
// product's defects may import.

// importTracker is the tracker a backfill route names, once the person is
// known to be allowed to edit its product's defects.
func (h *Handler) importTracker(c echo.Context) (gonogo.Tracker, error) {
	product, kind := c.Param("key"), gonogo.TrackerKind(c.Param("kind"))
	if !kind.Valid() {
		return gonogo.Tracker{}, gonogo.Errorf(gonogo.ENOTFOUND, "gonogo knows no tracker %q: GitHub, GitLab or Jira", kind)
	}
	if _, err := h.store.FindProduct(c.Request().Context(), product); err != nil {
		return gonogo.Tracker{}, err
	}
	ab := h.abilities(c, gonogo.Snapshot{Release: gonogo.Release{Product: product}})
	if !ab.Granted(gonogo.ActEditDefects) {
		return gonogo.Tracker{}, gonogo.Errorf(gonogo.EFORBIDDEN, "importing issues needs the role of %s for %s",
			rolesLabel(gonogo.RolesFor(gonogo.ActEditDefects)), product)
	}
	return h.store.FindTracker(c.Request().Context(), product, kind)
}

func (h *Handler) renderTrackerImport(c echo.Context, status int, v views.TrackerImportView) error {
	return render(c, status, views.TrackerImportPage(h.page(c, "Import issues: "+v.Tracker.Name(), "products"), v))
}

// showTrackerImport is the backfill page, empty.
func (h *Handler) showTrackerImport(c echo.Context) error {
	t, err := h.importTracker(c)
	if err != nil {
		return err
	}
	return h.renderTrackerImport(c, http.StatusOK, views.TrackerImportView{Tracker: t})
}

// importTrackerExport previews what importing the export would do, or,
// confirmed, imports it: every issue the preview adds, or none when any
// line of the export cannot be read.
func (h *Handler) importTrackerExport(c echo.Context) error {
	t, err := h.importTracker(c)
	if err != nil {
		return err
	}
	text, err := exportText(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := views.TrackerImportView{Tracker: t, Text: text, Previewed: true}
	rows, errs := gonogo.ReadExport(t.Kind, text, h.zone(ctx))
	if len(errs) > 0 {
		v.Errors = errs
		return h.renderTrackerImport(c, http.StatusUnprocessableEntity, v)
	}
	if v.Plan, err = h.planImport(ctx, t, rows); err != nil {
		return err
	}
	if c.FormValue("confirm") == "" || len(v.Plan.Adds) == 0 {
		return h.renderTrackerImport(c, http.StatusOK, v)
	}
	if _, err := h.store.ImportTrackerItems(ctx, h.actor(c), t, v.Plan.Items()); err != nil {
		return err
	}
	return redirect(c, "/products/"+t.Product+"/trackers/"+string(t.Kind)+"/import?notice=imported")
}

// planImport reads what the plan needs of the store: the releases the
// export's issues name, and when the tracker last told of each.
func (h *Handler) planImport(ctx context.Context, t gonogo.Tracker, rows []gonogo.ImportRow) (gonogo.ImportPlan, error) {
	var versions, keys []string
	for _, r := range rows {
		versions = append(versions, t.Versions(r.Item)...)
		keys = append(keys, r.Item.Key)
	}
	releases, err := h.store.FindReleasesOf(ctx, t.Product, versions)
	if err != nil {
		return gonogo.ImportPlan{}, err
	}
	known, err := h.store.FindTrackerItemTimes(ctx, t.ID, keys)
	if err != nil {
		return gonogo.ImportPlan{}, err
	}
	return gonogo.PlanImport(t, rows, releases, known), nil
}

// exportText is the export the form sends: the file chosen, or else the
// text pasted. A file larger than an import may be is cut one byte past
// the bound, which ReadExport then refuses by name.
func exportText(c echo.Context) (string, error) {
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		return c.FormValue("csv"), nil
	}
	f, err := fh.Open()
	if err != nil {
		return "", gonogo.FieldErrorf("csv", "the file could not be read: choose it again")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, gonogo.MaxImportBytes+1))
	if err != nil {
		return "", gonogo.FieldErrorf("csv", "the file could not be read: choose it again")
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}
