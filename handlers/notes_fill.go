package handlers

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
)

// fillNotes fills the notes editor from what the release's trackers say
// shipped in it (gonogo.ShippedDraft), below what the form holds, and shows
// it with its preview: nothing is saved, let alone published, until the
// person saves. The route lets in whoever may write the notes.
func (h *Handler) fillNotes(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	f, err := h.notesForm(c, rid)
	if err != nil {
		return err
	}
	if err := gonogo.NotesEditable(f.Release.State); err != nil {
		return err
	}
	items, more, err := h.store.FindShipped(c.Request().Context(), rid)
	if err != nil {
		return err
	}
	d := gonogo.DraftShipped(items, more)
	in := notesInput(c)
	if d.Total() > 0 {
		in = d.Fill(in)
		f.Filled = fmt.Sprintf("Filled from what shipped: %s (%d features, %d fixes, %d other), below what was there. Nothing is saved until you save.",
			gonogo.Plural(d.Total()+d.More, "item", "items"), len(d.Features), len(d.Fixes), len(d.Other))
	} else {
		f.Filled = fmt.Sprintf("Nothing has shipped in %s yet, as its trackers tell: no merged pull or merge request, no issue closed as done.",
			f.Release.Version)
	}
	f, verr := withInput(f, in)
	f.Errors = formErrors(verr)
	return h.renderNotesEditor(c, http.StatusOK, f)
}
