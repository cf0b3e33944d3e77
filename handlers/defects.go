package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/views"
)

func defectInput(c echo.Context) gonogo.DefectInput {
	return gonogo.DefectInput{
		Title:      c.FormValue("title"),
		Severity:   gonogo.Severity(c.FormValue("severity")),
		Status:     gonogo.DefectStatus(c.FormValue("status")),
		Key:        c.FormValue("key"),
		TrackerURL: c.FormValue("tracker_url"),
		Notes:      c.FormValue("notes"),
	}
}

func (h *Handler) addDefect(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := defectInput(c)
	ids, err := h.store.CreateDefects(c.Request().Context(), h.actor(c), rid, []gonogo.DefectInput{in})
	if errs := formErrors(err); errs != nil {
		return h.renderReleaseWith(c, http.StatusUnprocessableEntity, rid, func(v *views.ReleaseView) {
			v.Defects.Add = views.DefectForm{Input: in, Errors: errs, Open: true}
		})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=defect#defect-%d", rid, ids[0]))
}

// updateDefect edits a defect's description; its status has its own route.
func (h *Handler) updateDefect(c echo.Context) error {
	rid, did, err := defectIDs(c)
	if err != nil {
		return err
	}
	in := defectInput(c)
	_, err = h.store.EditDefect(c.Request().Context(), h.actor(c), rid, did, in)
	if errs := formErrors(err); errs != nil {
		return h.renderReleaseWith(c, http.StatusUnprocessableEntity, rid, func(v *views.ReleaseView) {
			for i := range v.Defects.Defects {
				if v.Defects.Defects[i].Defect.ID == did {
					v.Defects.Defects[i].Edit = views.DefectForm{Input: in, Errors: errs, Open: true}
				}
			}
		})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=saved#defect-%d", rid, did))
}

// setDefectStatus moves a defect to another status. htmx gets the row back,
// with the counts and the gate out of band on the release page. A refusal
// shows the row again with the status chosen and the reason typed, on the
// page the form was on.
func (h *Handler) setDefectStatus(c echo.Context) error {
	rid, did, err := defectIDs(c)
	if err != nil {
		return err
	}
	change := gonogo.DefectChange{Status: gonogo.DefectStatus(c.FormValue("status")), Reason: c.FormValue("reason")}
	ctx := c.Request().Context()
	_, err = h.store.SetDefectStatus(ctx, h.actor(c), rid, did, change)
	errs := formErrors(err)
	if errs == nil && err != nil {
		return err
	}
	status := http.StatusOK
	refused := func(row *views.DefectView) {}
	if errs != nil {
		status = http.StatusUnprocessableEntity
		refused = func(row *views.DefectView) {
			row.Errors, row.Reason = errs, change.Reason
			if change.Status.Valid() {
				row.Status = change.Status
			}
		}
	}
	inList := c.FormValue("view") == "list"
	if !isPartial(c) {
		switch {
		case errs != nil && inList:
			return h.renderDefectsWith(c, status, rid, did, refused)
		case errs != nil:
			return h.renderReleaseWith(c, status, rid, func(v *views.ReleaseView) {
				for i := range v.Defects.Defects {
					if v.Defects.Defects[i].Defect.ID == did {
						refused(&v.Defects.Defects[i])
					}
				}
			})
		case inList:
			return c.Redirect(http.StatusSeeOther, "/defects#defect-"+fmt.Sprint(did))
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d#defect-%d", rid, did))
	}
	snap, err := h.store.FindSnapshot(ctx, rid)
	if err != nil {
		return err
	}
	var row views.DefectView
	for _, d := range snap.Defects {
		if d.ID == did {
			row = defectView(h.abilities(c, snap), snap.Release, d, inList)
		}
	}
	refused(&row)
	p := h.page(c, "", "")
	if inList {
		return render(c, status, views.DefectRow(p, row))
	}
	return render(c, status, views.DefectUpdate(p, row, gonogo.CountDefects(snap.Defects), gateView(h.abilities(c, snap), snap)))
}

// previewPaste reads a pasted list and shows what would be added, or which
// lines are wrong. Nothing is stored.
func (h *Handler) previewPaste(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	text := c.FormValue("text")
	defects, errs := gonogo.ParsePaste(text)
	pv := views.PasteView{Text: text, Defects: defects, Errors: errs, Previewed: true, Open: true}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	if isPartial(c) {
		rel, err := h.store.FindRelease(c.Request().Context(), rid)
		if err != nil {
			return err
		}
		return render(c, status, views.PasteBox(h.page(c, "", ""), rel, pv))
	}
	return h.renderReleaseWith(c, status, rid, func(v *views.ReleaseView) { v.Defects.Paste = pv })
}

// importPaste adds every defect of a paste, or none if any line is wrong.
func (h *Handler) importPaste(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	text := c.FormValue("text")
	defects, errs := gonogo.ParsePaste(text)
	if len(errs) > 0 {
		pv := views.PasteView{Text: text, Defects: defects, Errors: errs, Previewed: true, Open: true}
		return h.renderReleaseWith(c, http.StatusUnprocessableEntity, rid, func(v *views.ReleaseView) { v.Defects.Paste = pv })
	}
	ins := make([]gonogo.DefectInput, len(defects))
	for i, d := range defects {
		ins[i] = d.DefectInput
	}
	if _, err := h.store.CreateDefects(c.Request().Context(), h.actor(c), rid, ins); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=pasted#defects", rid))
}

// defectPageSize is how many defects a page of /defects shows: at about
// 2.5 KB a row with its status form, a page stays near 130 KB however many
// defects are open (the whole list was 3 MB on a ten-year board).
const defectPageSize = 50

func (h *Handler) showDefects(c echo.Context) error {
	f := gonogo.DefectFilter{Product: c.QueryParam("product")}
	if s := c.QueryParam("severity"); s != "" {
		if f.Severity = gonogo.Severity(s); !f.Severity.Valid() {
			return gonogo.Errorf(gonogo.EINVALID, "unknown severity %q", s)
		}
	}
	if s := c.QueryParam("status"); s != "" {
		if f.Status = gonogo.DefectStatus(s); !f.Status.Valid() {
			return gonogo.Errorf(gonogo.EINVALID, "unknown status %q", s)
		}
	}
	after, err := parseDefectCursor(c.QueryParam("after"))
	if err != nil {
		return err
	}
	v, err := h.defectListView(c, f, after)
	if err != nil {
		return err
	}
	p := h.page(c, "Open defects", "defects")
	h.live(c, &p, "defects", 0)
	if isPartial(c) {
		return render(c, http.StatusOK, views.DefectList(p, v))
	}
	return render(c, http.StatusOK, views.DefectListPage(p, v))
}

// defectListView builds the page of the QA view that f selects from the
// cursor on, with links to the next page and back to the first.
func (h *Handler) defectListView(c echo.Context, f gonogo.DefectFilter, after db.DefectCursor) (views.DefectListView, error) {
	ctx := c.Request().Context()
	found, err := h.store.FindDefectPage(ctx, f, after, defectPageSize+1)
	if err != nil {
		return views.DefectListView{}, err
	}
	products, err := h.store.FindProductKeys(ctx)
	if err != nil {
		return views.DefectListView{}, err
	}
	v := views.DefectListView{Products: products, Filter: f, Here: defectsURL(f, after)}
	if len(found) > defectPageSize {
		found = found[:defectPageSize]
		v.Nav.Older = defectsURL(f, db.CursorAfter(found[len(found)-1].Defect))
	}
	if after != (db.DefectCursor{}) {
		v.Nav.Newest = defectsURL(f, db.DefectCursor{})
	}
	for _, rd := range found {
		ab := h.abilities(c, gonogo.Snapshot{Release: rd.Release})
		v.Defects = append(v.Defects, defectView(ab, rd.Release, rd.Defect, true))
	}
	return v, nil
}

// defectsURL is the address of a page of /defects: the filter, and where
// the page starts (?after=severity.status.id, the last defect of the page
// before), which a plain link carries without JavaScript.
func defectsURL(f gonogo.DefectFilter, after db.DefectCursor) string {
	q := url.Values{}
	for k, v := range map[string]string{"product": f.Product, "severity": string(f.Severity), "status": string(f.Status)} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if after.ID > 0 {
		q.Set("after", fmt.Sprintf("%s.%s.%d", after.Severity, after.Status, after.ID))
	}
	if len(q) == 0 {
		return "/defects"
	}
	return "/defects?" + q.Encode()
}

// parseDefectCursor reads ?after= as defectsURL writes it.
func parseDefectCursor(s string) (db.DefectCursor, error) {
	if s == "" {
		return db.DefectCursor{}, nil
	}
	bad := gonogo.Errorf(gonogo.EINVALID, "?after= takes the place a “next” link gives, like major.open.42; %q is not one", s)
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return db.DefectCursor{}, bad
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	cur := db.DefectCursor{Severity: gonogo.Severity(parts[0]), Status: gonogo.DefectStatus(parts[1]), ID: id}
	if err != nil || id <= 0 || !cur.Severity.Valid() || !cur.Status.Valid() {
		return db.DefectCursor{}, bad
	}
	return cur, nil
}

// renderDefectsWith shows the QA view after adjusting the row of defect
// did, e.g. to show its refused change. The row is put first when the view
// does not list it (a defect no longer unresolved), so the refusal is seen.
func (h *Handler) renderDefectsWith(c echo.Context, status int, rid, did int64, adjust func(*views.DefectView)) error {
	v, err := h.defectListView(c, gonogo.DefectFilter{}, db.DefectCursor{})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(v.Defects, func(d views.DefectView) bool { return d.Defect.ID == did })
	if i < 0 {
		snap, err := h.store.FindSnapshot(c.Request().Context(), rid)
		if err != nil {
			return err
		}
		for _, d := range snap.Defects {
			if d.ID == did {
				v.Defects = slices.Insert(v.Defects, 0, defectView(h.abilities(c, snap), snap.Release, d, true))
				i = 0
			}
		}
	}
	if i >= 0 {
		adjust(&v.Defects[i])
	}
	return render(c, status, views.DefectListPage(h.page(c, "Open defects", "defects"), v))
}

func defectIDs(c echo.Context) (int64, int64, error) {
	rid, err := idParam(c, "id")
	if err != nil {
		return 0, 0, err
	}
	did, err := idParam(c, "defect")
	return rid, did, err
}
