package handlers

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// updateItem sets an item's status and evidence. With htmx it answers the
// row and, out of band, the counts and the gate; without, it redirects back.
func (h *Handler) updateItem(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	iid, err := idParam(c, "item")
	if err != nil {
		return err
	}
	change := gonogo.ItemChange{
		Status:   gonogo.ItemStatus(c.FormValue("status")),
		Evidence: c.FormValue("evidence"),
		Reason:   c.FormValue("reason"),
	}
	if change.Status == gonogo.ItemNA && change.Reason == "" {
		// The page has one text field: for n/a, what is typed is the reason.
		change.Reason, change.Evidence = change.Evidence, ""
	}
	_, err = h.store.UpdateItem(c.Request().Context(), h.actor(c), rid, iid, change)
	if errs := formErrors(err); errs != nil {
		return h.rejectItem(c, rid, iid, change, errs)
	} else if err != nil {
		return err
	}
	if !isPartial(c) {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d#item-%d", rid, iid))
	}
	return h.renderChecklistUpdate(c, http.StatusOK, rid, iid, nil)
}

// rejectItem shows the item again with what was typed and what is wrong.
// The row has one text field for the evidence and the reason it does not
// apply, so a message about either stands beside it.
func (h *Handler) rejectItem(c echo.Context, rid, iid int64, change gonogo.ItemChange, errs map[string]string) error {
	if msg, ok := errs["reason"]; ok {
		delete(errs, "reason")
		if errs["evidence"] != "" {
			msg = errs["evidence"] + "; " + msg
		}
		errs["evidence"] = msg
	}
	fix := func(iv *views.ItemView) {
		iv.Errors = errs
		iv.Evidence, iv.Reason = change.Evidence, change.Reason
		if change.Status.Valid() {
			iv.Status = change.Status
		}
	}
	if isPartial(c) {
		return h.renderChecklistUpdate(c, http.StatusUnprocessableEntity, rid, iid, fix)
	}
	v, verr := h.releaseView(c, rid)
	if verr != nil {
		return verr
	}
	if row := findItemView(&v, iid); row != nil {
		fix(row)
	}
	return render(c, http.StatusUnprocessableEntity, views.ReleasePage(h.page(c, v.Release.Name(), "board"), v))
}

// findItemView returns the view of item iid within v, or nil.
func findItemView(v *views.ReleaseView, iid int64) *views.ItemView {
	groups := []*views.ItemGroup{&v.Verification, &v.Rollback}
	for i := range v.Pillars {
		groups = append(groups, &v.Pillars[i])
	}
	for _, g := range groups {
		for i := range g.Items {
			if g.Items[i].Item.ID == iid {
				return &g.Items[i]
			}
		}
	}
	return nil
}

// renderChecklistUpdate answers htmx with the item's row (adjusted by fix, if
// given) and the counts and gate out of band.
func (h *Handler) renderChecklistUpdate(c echo.Context, status int, rid, iid int64, fix func(*views.ItemView)) error {
	v, err := h.partsView(c, rid)
	if err != nil {
		return err
	}
	row := findItemView(&v, iid)
	if row != nil && fix != nil {
		fix(row)
	}
	return render(c, status, views.ChecklistUpdate(h.page(c, "", ""), v, row))
}

func itemForm(c echo.Context) (gonogo.ItemInput, error) {
	required, err := formFlag(c, "required")
	return gonogo.ItemInput{
		Phase:     gonogo.Phase(c.FormValue("phase")),
		Pillar:    gonogo.Pillar(c.FormValue("pillar")),
		Title:     c.FormValue("title"),
		Guidance:  c.FormValue("guidance"),
		OwnerRole: gonogo.Role(c.FormValue("owner_role")),
		Required:  required,
		CheckKey:  c.FormValue("check_key"),
	}, err
}

func (h *Handler) addItem(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in, err := itemForm(c)
	if err != nil {
		return err
	}
	it, err := h.store.AddItem(c.Request().Context(), h.actor(c), rid, in)
	if errs := formErrors(err); errs != nil {
		v, verr := h.releaseView(c, rid)
		if verr != nil {
			return verr
		}
		v.AddItem = views.ItemForm{Input: in, Errors: errs, Open: true}
		return render(c, http.StatusUnprocessableEntity, views.ReleasePage(h.page(c, v.Release.Name(), "board"), v))
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=added#item-%d", rid, it.ID))
}

func (h *Handler) removeItem(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	iid, err := idParam(c, "item")
	if err != nil {
		return err
	}
	if err := h.store.RemoveItem(c.Request().Context(), h.actor(c), rid, iid); err != nil {
		return err
	}
	if !isPartial(c) {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=removed", rid))
	}
	// The row is gone: answer with nothing in its place, and fresh counts.
	return h.renderChecklistUpdate(c, http.StatusOK, rid, iid, nil)
}
