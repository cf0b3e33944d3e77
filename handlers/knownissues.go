package handlers

import (
	"context"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// knownIssuesView loads rel's known issues and the ones it fixes; canEdit
// puts a workaround form under each, which comes back to ret once saved.
func (h *Handler) knownIssuesView(ctx context.Context, rel gonogo.Release, canEdit bool, ret string) (views.KnownIssuesView, error) {
	v := views.KnownIssuesView{Release: rel, CanEdit: canEdit, Return: ret}
	var err error
	if v.Issues, err = h.store.FindReleaseKnownIssues(ctx, rel.ID); err != nil {
		return v, err
	}
	v.Fixed, err = h.store.FindFixedKnownIssues(ctx, rel.ID)
	return v, err
}

func knownIssuesPath(id int64) string { return fmt.Sprintf("/releases/%d/known-issues", id) }

// showKnownIssues is a release's known issues with their workaround forms.
func (h *Handler) showKnownIssues(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return h.renderKnownIssues(c, http.StatusOK, rid, nil)
}

func (h *Handler) renderKnownIssues(c echo.Context, status int, rid int64, fix func(*views.KnownIssuesView)) error {
	ctx := c.Request().Context()
	rel, err := h.store.FindRelease(ctx, rid)
	if err != nil {
		return err
	}
	ab := h.abilities(c, gonogo.Snapshot{Release: rel})
	v, err := h.knownIssuesView(ctx, rel, ab.EditWorkaround, knownIssuesPath(rid))
	if err != nil {
		return err
	}
	if fix != nil {
		fix(&v)
	}
	return render(c, status, views.KnownIssuesPage(h.page(c, "Known issues: "+rel.Name(), "board"), v))
}

// setWorkaround saves a known issue's workaround and goes back to the page
// it was written on; a refusal is shown on the known issues page, next to
// the field, with what was typed.
func (h *Handler) setWorkaround(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	kid, err := idParam(c, "kid")
	if err != nil {
		return err
	}
	text := c.FormValue("workaround")
	_, err = h.store.SetWorkaround(c.Request().Context(), h.actor(c), rid, kid, text)
	if errs := formErrors(err); errs != nil {
		return h.renderKnownIssues(c, http.StatusUnprocessableEntity, rid, func(v *views.KnownIssuesView) {
			v.Errors = map[int64]string{kid: errs["workaround"]}
			v.Typed = map[int64]string{kid: text}
		})
	} else if err != nil {
		return err
	}
	ret := safeNext(c.FormValue("return"))
	if ret == "/" {
		ret = knownIssuesPath(rid)
	}
	return redirect(c, ret+fmt.Sprintf("#known-issue-%d", kid))
}

// briefSupport puts what support confirms above the sign-off form of each
// role that confirms something (gonogo.BriefsSupport) and that the reader
// signs for now: nobody else sees the form, so nobody else needs the reads.
func (h *Handler) briefSupport(ctx context.Context, ab gonogo.Abilities, snap gonogo.Snapshot, v *views.SignoffView) error {
	for i := range v.Rows {
		r := &v.Rows[i]
		if !r.CanSign || !v.Open || !gonogo.BriefsSupport(r.Role) {
			continue
		}
		rel := snap.Release
		n, err := h.store.FindNotes(ctx, rel.ID)
		if err != nil {
			return err
		}
		known, err := h.knownIssuesView(ctx, rel, ab.EditWorkaround, fmt.Sprintf("/releases/%d#role-%s", rel.ID, r.Role))
		if err != nil {
			return err
		}
		b := &views.SupportBrief{Release: rel, Notes: n, Known: known, Conditions: gonogo.SupportConditions(snap.Items)}
		switch {
		case ab.WriteNotes:
			b.NotesLink = fmt.Sprintf("/releases/%d/notes", rel.ID)
		case n.Published():
			b.NotesLink = gonogo.NotesPath(rel)
		}
		r.Support = b
	}
	return nil
}
