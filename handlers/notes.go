package handlers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// maxQueryLen bounds a search, which is typed, not pasted.
const maxQueryLen = 200

// notesPanel is the release page's view of its notes for a reader who may do ab.
func notesPanel(ab gonogo.Abilities, rel gonogo.Release, n gonogo.Notes) views.NotesPanel {
	return views.NotesPanel{Release: rel, Notes: n, CanWrite: ab.WriteNotes}
}

func notesInput(c echo.Context) gonogo.NotesInput {
	return gonogo.NotesInput{
		Title:       c.FormValue("title"),
		Highlights:  c.FormValue("highlights"),
		Changes:     c.FormValue("changes"),
		Fixes:       c.FormValue("fixes"),
		KnownIssues: c.FormValue("known_issues"),
		Internal:    c.FormValue("internal"),
		Links:       c.FormValue("links"),
		Note:        c.FormValue("note"),
	}
}

// notesForm loads a release's notes into the editor, the stored text shown
// and previewed. New notes start with the release's title.
func (h *Handler) notesForm(c echo.Context, rid int64) (views.NotesForm, error) {
	ctx := c.Request().Context()
	rel, err := h.store.FindRelease(ctx, rid)
	if err != nil {
		return views.NotesForm{}, err
	}
	n, err := h.store.FindNotes(ctx, rid)
	if err != nil {
		return views.NotesForm{}, err
	}
	f := views.NotesForm{Release: rel, Notes: n, Input: gonogo.ContentInput(n.NotesContent), Preview: n.NotesContent,
		Editable: gonogo.NotesEditable(rel.State) == nil}
	if n.Status == gonogo.NotesNone {
		f.Input.Title, f.Preview.Title = rel.Title, rel.Title
	}
	if n.ID != 0 {
		if f.Revisions, err = h.store.FindNotesRevisions(ctx, n.ID); err != nil {
			return f, err
		}
	}
	canEdit := h.abilities(c, gonogo.Snapshot{Release: rel}).EditWorkaround
	f.Known, err = h.knownIssuesView(ctx, rel, canEdit, fmt.Sprintf("/releases/%d/notes", rid))
	return f, err
}

// withInput shows what was typed in the form and its preview, and returns
// what is wrong with it: the preview shows what it can, problems and all.
func withInput(f views.NotesForm, in gonogo.NotesInput) (views.NotesForm, error) {
	in.Normalize()
	content, err := in.Content()
	f.Input, f.Preview = in, content
	return f, err
}

func (h *Handler) renderNotesEditor(c echo.Context, status int, f views.NotesForm) error {
	return render(c, status, views.NotesEditorPage(h.page(c, "Notes: "+f.Release.Name(), "notes"), f))
}

func (h *Handler) editNotes(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	f, err := h.notesForm(c, rid)
	if err != nil {
		return err
	}
	return h.renderNotesEditor(c, http.StatusOK, f)
}

func (h *Handler) saveNotes(c echo.Context) error    { return h.writeNotes(c, false) }
func (h *Handler) publishNotes(c echo.Context) error { return h.writeNotes(c, true) }

// writeNotes saves the form: a draft, a publication, or an amendment of
// published notes. Problems are shown beside their fields, nothing saved.
func (h *Handler) writeNotes(c echo.Context, publish bool) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := notesInput(c)
	ch, err := h.store.SaveNotes(c.Request().Context(), h.actor(c), rid, in, publish)
	if errs := formErrors(err); errs != nil {
		f, ferr := h.notesForm(c, rid)
		if ferr != nil {
			return ferr
		}
		f, _ = withInput(f, in)
		f.Errors = errs
		return h.renderNotesEditor(c, http.StatusUnprocessableEntity, f)
	} else if err != nil {
		return err
	}
	rel, err := h.store.FindRelease(c.Request().Context(), rid)
	if err != nil {
		return err
	}
	switch ch.Kind {
	case gonogo.NotesFirstPub:
		return redirect(c, gonogo.NotesPath(rel)+"?notice=published")
	case gonogo.NotesAmended:
		return redirect(c, gonogo.NotesPath(rel)+"?notice=amended")
	case gonogo.NotesSaved:
		return redirect(c, fmt.Sprintf("/releases/%d/notes?notice=notes-saved", rid))
	}
	return redirect(c, fmt.Sprintf("/releases/%d/notes?notice=unchanged", rid))
}

// previewNotes renders what the form holds, storing nothing: htmx gets the
// preview pane, a plain form post the whole editor with it and its problems.
func (h *Handler) previewNotes(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := notesInput(c)
	f, err := h.notesForm(c, rid)
	if err != nil {
		return err
	}
	f, verr := withInput(f, in)
	// Input that could not be saved is answered 422, as a refused save is;
	// htmx swaps the preview in all the same (see the layout's htmx config).
	status := http.StatusOK
	if verr != nil {
		status = http.StatusUnprocessableEntity
	}
	if isPartial(c) {
		return render(c, status, views.NotesPreview(f.Release, f.Preview))
	}
	f.Errors = formErrors(verr)
	return h.renderNotesEditor(c, status, f)
}

// showNotes is the page of one release's published notes. Anonymous
// readers (public notes on) see it only once the release shipped, and never
// its internal notes.
func (h *Handler) showNotes(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	e, err := h.store.FindNotesEntry(ctx, c.Param("product"), c.Param("version"))
	if err != nil {
		return err
	}
	if u == nil && !e.Standing().Public() {
		return gonogo.Errorf(gonogo.ENOTFOUND, "%s %s has no published release notes", e.Release.Product, e.Release.Version)
	}
	v := views.NotesPageView{Entry: e, Internal: u != nil}
	if v.Known, err = h.knownIssuesView(ctx, e.Release, false, ""); err != nil {
		return err
	}
	if u != nil {
		v.CanEdit = h.abilities(c, gonogo.Snapshot{Release: e.Release}).WriteNotes
		if v.Decisions, err = h.store.FindDecisions(ctx, e.Release.ID); err != nil {
			return err
		}
		if v.Revisions, err = h.store.FindNotesRevisions(ctx, e.Notes.ID); err != nil {
			return err
		}
	}
	p := h.page(c, e.Release.Name()+" release notes", "notes")
	p.Feed = "/notes/" + e.Release.Product + ".atom"
	return render(c, http.StatusOK, views.NotesPage(p, v))
}

// showNotesList is /notes: published notes, newest first, filtered by
// product, or ranked by a search. The list is kept, rendered, until the
// next commit (feedcache.go): it depends on the filter, on whether the
// reader is signed in (anonymous readers see only what shipped) and on the
// zone its dates are shown in, never on who the reader is.
func (h *Handler) showNotesList(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	f := gonogo.NotesFilter{Product: c.QueryParam("product"), Query: strings.TrimSpace(c.QueryParam("q")), ShippedOnly: u == nil}
	v := views.NotesListView{Filter: f, Internal: u != nil}
	var r rendered // the results, kept until the next commit
	p := h.page(c, "Release notes", "notes")
	p.Feed = "/notes.atom"
	status := http.StatusOK
	var err error
	if utf8.RuneCountInString(f.Query) > maxQueryLen {
		err = gonogo.FieldErrorf("q", "a search may be at most %d characters", maxQueryLen)
	} else {
		r, err = h.cachedNotes(ctx, fmt.Sprintf("%#v %s", f, p.Loc), func(ctx context.Context) (rendered, error) {
			list := v
			entries, err := h.store.FindPublishedNotes(ctx, f)
			if err != nil {
				return rendered{}, err
			}
			list.Entries = entries
			var buf bytes.Buffer
			err = views.NotesResults(p, list).Render(ctx, &buf)
			return newRendered(buf.Bytes(), time.Time{}), err
		})
		v.HTML = r.body
	}
	if v.Errors = formErrors(err); v.Errors != nil {
		status = http.StatusUnprocessableEntity
	} else if err != nil {
		return err
	}
	if isPartial(c) {
		if v.HTML != "" {
			return sendKept(c, status, nil, r.packed, r.body, nil)
		}
		return render(c, status, views.NotesResults(p, v))
	}
	if v.Products, err = h.store.FindNotesProducts(ctx, u == nil); err != nil {
		return err
	}
	if v.HTML == "" {
		return render(c, status, views.NotesListPage(p, v))
	}
	return renderKept(c, status, r.packed, r.body, func(html string) templ.Component {
		v.HTML = html
		return views.NotesListPage(p, v)
	})
}

// A page of a product's rollup (/notes/{product}) shows the full text of
// the 20 newest notes: notes like the benchmark board's (about 700
// characters each) make a page of 48 KB, where the 100 the rollup showed
// at once made about 210 KB. A page also ends once its notes hold 100,000
// characters of text, as much as one note may hold at most (five sections
// of 20,000): notes written near their limits would make 20 of them a
// 2 MB page, and with this a page is one such note, about 105 KB of HTML,
// or a few long ones.
const (
	notesPageSize = 20
	notesPageText = 100_000
)

// sinceChoices is how many shipped versions the rollup's "changes since"
// offers, newest first: version names alone, a few KB.
const sinceChoices = 100

// showProductNotes rolls up what shipped for a product, newest first,
// optionally only since a version, a page at a time ("Older notes" carries
// ?before=, the last version shown); "{product}.atom" is its feed.
func (h *Handler) showProductNotes(c echo.Context) error {
	product, feed := strings.CutSuffix(c.Param("product"), ".atom")
	if err := h.knownProduct(c, product); err != nil {
		return err
	}
	if feed {
		return h.writeFeed(c, product)
	}
	before, err := beforeParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := views.ProductNotesView{Product: product, Since: c.QueryParam("since"), Internal: currentUser(c) != nil}
	if v.Versions, err = h.store.FindShippedVersions(ctx, product, sinceChoices); err != nil {
		return err
	}
	if _, v.Compare, err = h.comparePicker(c, product); err != nil {
		return err
	}
	status := http.StatusOK
	found, err := h.store.FindShippedNotesPage(ctx, product, v.Since, before, notesPageSize+1)
	if errs := formErrors(err); errs["since"] != "" {
		status, v.Errors = http.StatusUnprocessableEntity, errs
	} else if err != nil {
		return err
	}
	v.Entries, v.Nav = notesPage(found, product, v.Since, before != "")
	p := h.page(c, "What shipped in "+product, "notes")
	p.Feed = "/notes/" + product + ".atom"
	return render(c, status, views.ProductNotesPage(p, v))
}

// beforeParam reads ?before=, where an "Older notes" link starts: a
// version, given once, or nothing for the newest page.
func beforeParam(c echo.Context) (string, error) {
	vs, ok := c.QueryParams()["before"]
	if !ok {
		return "", nil
	}
	if len(vs) != 1 || vs[0] == "" {
		return "", gonogo.Errorf(gonogo.EINVALID, "?before= takes one version, from an “Older notes” link")
	}
	return vs[0], nil
}

// notesPage trims notes read with one more than a page to the page, ending
// it early once its text passes notesPageText (but never before its first
// note), and links it to the older page and back to the newest.
func notesPage(found []gonogo.NotesEntry, product, since string, older bool) ([]gonogo.NotesEntry, views.ListNav) {
	var nav views.ListNav
	n, text := 0, 0
	for n < len(found) && n < notesPageSize {
		text += notesText(found[n].Notes)
		if n > 0 && text > notesPageText {
			break
		}
		n++
	}
	if n < len(found) {
		nav.Older = rollupURL(product, since, found[n-1].Release.Version)
	}
	if older {
		nav.Newest = rollupURL(product, since, "")
	}
	return found[:n], nav
}

// notesText is how many characters a note's text holds, what its share
// of a page's weight grows with.
func notesText(n gonogo.Notes) int {
	size := len(n.Title) + len(n.Highlights) + len(n.Changes) + len(n.Fixes) + len(n.KnownIssues) + len(n.Internal)
	for _, l := range n.Links {
		size += len(l.Title) + len(l.URL)
	}
	return size
}

// rollupURL is the address of a page of a product's rollup.
func rollupURL(product, since, before string) string {
	q := url.Values{}
	if since != "" {
		q.Set("since", since)
	}
	if before != "" {
		q.Set("before", before)
	}
	u := "/notes/" + url.PathEscape(product)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// knownProduct refuses a product the reader may not know of: one without
// releases or, for an anonymous reader, one without shipped notes, so that
// public notes reveal nothing of what has not shipped.
func (h *Handler) knownProduct(c echo.Context, product string) error {
	ctx := c.Request().Context()
	var products []string
	var err error
	if currentUser(c) == nil {
		products, err = h.store.FindNotesProducts(ctx, true)
	} else {
		products, err = h.store.FindProductKeys(ctx)
	}
	if err != nil {
		return err
	}
	if !slices.Contains(products, product) {
		return gonogo.Errorf(gonogo.ENOTFOUND, "no product %q", product)
	}
	return nil
}
