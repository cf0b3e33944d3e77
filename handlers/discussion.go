package handlers

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// discussionView arranges the cycle's comments in threads, marking those
// that call on a role the viewer holds.
func (h *Handler) discussionView(ctx context.Context, u *gonogo.User, rel gonogo.Release, comments []gonogo.Comment) (views.DiscussionView, error) {
	v := views.DiscussionView{Release: rel, Viewer: u, Now: h.store.Now()}
	index := map[int64]int{}
	for _, c := range comments {
		cv := views.CommentView{Comment: c, Editable: c.Editable(v.Now)}
		if u != nil {
			cv.Mentioned = c.MentionsAny(u.Roles)
			cv.Mine = c.AuthorID == u.ID
		}
		if c.Edits > 0 {
			edits, err := h.store.FindCommentEdits(ctx, c.ID)
			if err != nil {
				return v, err
			}
			for _, e := range edits {
				cv.Earlier = append(cv.Earlier, e.Body)
			}
		}
		if i, ok := index[c.ParentID]; ok && c.ParentID != 0 {
			v.Threads[i].Replies = append(v.Threads[i].Replies, cv)
			continue
		}
		index[c.ID] = len(v.Threads)
		v.Threads = append(v.Threads, views.Thread{Comment: cv})
	}
	return v, nil
}

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
	a := h.actor(c)
	cm, err := h.store.AddComment(c.Request().Context(), a, rid, in.ParentID, func(rel gonogo.Release, parent *gonogo.Comment) (gonogo.Comment, error) {
		return gonogo.NewComment(a, rel, parent, in, h.store.Now())
	})
	if gonogo.ErrorCode(err) == gonogo.EINVALID {
		return h.renderReleaseWith(c, http.StatusUnprocessableEntity, rid, func(v *views.ReleaseView) {
			v.Discussion.Form = views.CommentForm{Body: in.Body, Errors: gonogo.ErrorFields(err)}
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
	a := h.actor(c)
	body := c.FormValue("body")
	_, err = h.store.EditComment(c.Request().Context(), a, rid, cid, func(cm gonogo.Comment) (gonogo.Comment, error) {
		return gonogo.EditComment(a, cm, body, h.store.Now())
	})
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d#comment-%d", rid, cid))
}
