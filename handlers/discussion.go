package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// earlierTexts is how many of a comment's earlier texts are shown: each
// may be as long as the comment, and it may have been added to many times.
const earlierTexts = 3

// addComment posts a comment, or a reply to one.
func (h *Handler) addComment(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := gonogo.CommentInput{Body: c.FormValue("body")}
	if s := c.FormValue("parent_id"); s != "" {
		if in.ParentID, err = strconv.ParseInt(s, 10, 64); err != nil || in.ParentID <= 0 {
			return gonogo.Errorf(gonogo.ENOTFOUND, "no such comment to reply to")
		}
	}
	cm, err := h.store.AddComment(c.Request().Context(), h.actor(c), rid, in)
	if errs := formErrors(err); errs != nil {
		form := views.CommentForm{Body: in.Body, Errors: errs}
		return h.renderReleaseWith(c, http.StatusUnprocessableEntity, rid, func(v *views.ReleaseView) {
			if in.ParentID == 0 || !v.Discussion.Adjust(in.ParentID, func(cv *views.CommentView) { cv.Reply = form }) {
				v.Discussion.Form = form // the comment replied to is on another page
			}
		})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d#comment-%d", rid, cm.ID))
}

// editComment rewrites a comment within its edit window, or appends to it.
func (h *Handler) editComment(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	cid, err := idParam(c, "comment")
	if err != nil {
		return err
	}
	body := c.FormValue("body")
	ctx := c.Request().Context()
	cm, err := h.store.EditComment(ctx, h.actor(c), rid, cid, body)
	if errs := formErrors(err); errs != nil {
		return h.rejectEdit(c, rid, cid, views.CommentForm{Body: body, Errors: errs})
	} else if err != nil {
		return err
	}
	// Back to the comment: on the discussion's newest page, or on the
	// earlier page that ends with it.
	newest, err := h.store.FindCommentPage(ctx, rid, cm.Cycle, 0, commentPageSize)
	if err != nil {
		return err
	}
	at := listPages{}
	if !slices.ContainsFunc(newest, func(n gonogo.Comment) bool { return n.ID == cid }) {
		at.Comments = cid + 1
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s#comment-%d", at.url(rid), cid))
}

// rejectEdit shows a refused edit of comment cid in its form, on the page
// of the discussion that holds the comment.
func (h *Handler) rejectEdit(c echo.Context, rid, cid int64, form views.CommentForm) error {
	v, err := h.releaseView(c, rid)
	if err != nil {
		return err
	}
	if !v.Discussion.Adjust(cid, func(cv *views.CommentView) { cv.Edit = form }) {
		// An older page: show the one that ends with the comment.
		d, err := h.discussionView(c.Request().Context(), currentUser(c), v.Release, listPages{Comments: cid + 1})
		if err != nil {
			return err
		}
		d.Adjust(cid, func(cv *views.CommentView) { cv.Edit = form })
		v.Discussion = d
	}
	return render(c, http.StatusUnprocessableEntity, views.ReleasePage(h.page(c, v.Release.Name(), "board"), v))
}
