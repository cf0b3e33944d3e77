package handlers

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// showChanges answers support's "the customer is on 2.1; what changed up
// to 2.4?": /notes/{product}/changes?from=2.1.0&to=2.4.0 shows every
// published note of the shipped versions after from up to to, grouped by
// kind, and /notes/{product}/changes.md the same as Markdown. Like the
// product's rollup, it reads only shipped releases, so anonymous readers
// (public notes on) see it too.
func (h *Handler) showChanges(c echo.Context) error {
	product := c.Param("product")
	if err := h.knownProduct(c, product); err != nil {
		return err
	}
	markdown := strings.HasSuffix(c.Path(), ".md")
	versions, v, err := h.comparePicker(c, product)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	v.Internal, v.Asked = currentUser(c) != nil, q.Has("from") || q.Has("to")
	if v.Asked || markdown {
		v.From, v.To = q.Get("from"), q.Get("to")
	}
	status := http.StatusOK
	if v.Asked || markdown {
		r, err := gonogo.PickChanges(versions, v.From, v.To)
		if v.Errors = formErrors(err); v.Errors != nil {
			status = http.StatusUnprocessableEntity
		} else if err != nil {
			return err
		} else if v.Changes, err = h.changes(c, r); err != nil {
			return err
		}
	}
	if markdown {
		if v.Errors != nil {
			return c.String(status, strings.Join(errorTexts(v.Errors), "\n")+"\n")
		}
		return c.Blob(status, "text/markdown; charset=utf-8", []byte(views.ChangesMarkdown(h.page(c, "", "notes"), v)))
	}
	p := h.page(c, "What changed in "+product, "notes")
	p.Feed = "/notes/" + product + ".atom"
	return render(c, status, views.ChangesPage(p, v))
}

// comparePicker reads product's shipped versions in version order, oldest
// first, and the choice of two of them, newest first, to compare: by
// default the newest and the one before it.
func (h *Handler) comparePicker(c echo.Context, product string) ([]gonogo.ShippedVersion, views.ChangesView, error) {
	versions, err := h.store.FindShippedVersionList(c.Request().Context(), product)
	if err != nil {
		return nil, views.ChangesView{}, err
	}
	gonogo.SortVersions(versions)
	v := views.ChangesView{Product: product}
	for _, sv := range slices.Backward(versions) {
		v.Versions = append(v.Versions, sv.Version)
	}
	if len(v.Versions) > 1 {
		v.From, v.To = v.Versions[1], v.Versions[0]
	}
	return versions, v, nil
}

// changes reads the notes of r's versions and the product's known
// issues, and groups them.
func (h *Handler) changes(c echo.Context, r gonogo.ChangesRange) (gonogo.Changes, error) {
	ids := make([]int64, len(r.Versions))
	for i, sv := range r.Versions {
		ids[i] = sv.ReleaseID
	}
	ctx := c.Request().Context()
	entries, err := h.store.FindNotesOf(ctx, ids)
	if err != nil {
		return gonogo.Changes{}, err
	}
	issues, err := h.store.FindShippedKnownIssues(ctx, c.Param("product"))
	if err != nil {
		return gonogo.Changes{}, err
	}
	return gonogo.GroupChanges(r, entries, issues), nil
}

// errorTexts are a form's messages, in the order of their fields' names.
func errorTexts(errs map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		out = append(out, errs[k])
	}
	return out
}
