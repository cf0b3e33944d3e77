package handlers

import (
	"context"
	"fmt"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// showPostReview shows a release's post-release review: the record once
// recorded, else the form for the release manager; with ".md" it answers
// the record's minutes as Markdown.
func (h *Handler) showPostReview(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := h.postReviewView(c, rid, gonogo.PostReviewInput{})
	if err != nil {
		return err
	}
	return h.renderPostReview(c, http.StatusOK, v)
}

// showPostReviewMinutes answers the review's minutes as Markdown.
func (h *Handler) showPostReviewMinutes(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	rel, err := h.store.FindRelease(ctx, rid)
	if err != nil {
		return err
	}
	rev, ok, err := h.store.FindPostReview(ctx, rid)
	if err != nil {
		return err
	}
	if !ok {
		return gonogo.Errorf(gonogo.ENOTFOUND, "%s has no post-release review yet", rel.Name())
	}
	evidence, err := h.store.FindEvidence(ctx, rid)
	if err != nil {
		return err
	}
	p := h.page(c, "", "board")
	// As for a decision's minutes: FormatMediaType writes a version of any
	// script as RFC 2231's filename*.
	c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{
		"filename": fmt.Sprintf("%s-%s-post-release-review.md", rel.Product, rel.Version)}))
	return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", []byte(views.PostReviewMinutes(p, rel, rev, evidence)))
}

// recordPostReview records the review, once the release manager confirms
// it: a review is never edited. What the rule refuses is refused before
// anyone is asked, on the form, with the form kept.
func (h *Handler) recordPostReview(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := gonogo.PostReviewInput{
		Outcome:   gonogo.ReviewOutcome(c.FormValue("outcome")),
		Summary:   c.FormValue("summary"),
		Links:     c.FormValue("links"),
		FollowUps: c.FormValue("follow_ups"),
	}
	a := h.actor(c)
	ctx := c.Request().Context()
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok {
		snap, err := h.store.FindSnapshot(ctx, rid)
		if err != nil {
			return err
		}
		if _, err := gonogo.RecordPostReview(a, snap, in, h.store.Now()); err != nil {
			return h.refusePostReview(c, rid, in, err)
		}
		if _, found, err := h.store.FindPostReview(ctx, rid); err != nil {
			return err
		} else if found {
			return h.refusePostReview(c, rid, in, gonogo.Errorf(gonogo.ECONFLICT, "%s already has its post-release review; a review is never edited", snap.Release.Name()))
		}
		return h.askToConfirm(c, views.PostReviewConfirm(snap.Release, in))
	}
	if _, err := h.store.RecordPostReview(ctx, a, rid, in); err != nil {
		return h.refusePostReview(c, rid, in, err)
	}
	return redirect(c, gonogo.PostReviewPath(rid))
}

// refusePostReview shows the page again with what is wrong: the fields'
// messages, or why the review cannot be recorded now. Other errors go to
// the error page.
func (h *Handler) refusePostReview(c echo.Context, rid int64, in gonogo.PostReviewInput, err error) error {
	code := gonogo.ErrorCode(err)
	if code != gonogo.EINVALID && code != gonogo.ECONFLICT {
		return err
	}
	v, verr := h.postReviewView(c, rid, in)
	if verr != nil {
		return verr
	}
	errs := formErrors(err)
	if code == gonogo.ECONFLICT {
		errs = map[string]string{"": gonogo.ErrorMessage(err)}
	}
	v.Form.Errors, v.Form.Details = errs, gonogo.ErrorDetails(err)
	return h.renderPostReview(c, statusOf[code], v)
}

func (h *Handler) renderPostReview(c echo.Context, status int, v views.PostReviewView) error {
	p := h.page(c, fmt.Sprintf("%s: post-release review", v.Release.Name()), "board")
	return render(c, status, views.PostReviewPage(p, v))
}

// postReviewView builds the review page for the viewer, its form holding in.
func (h *Handler) postReviewView(c echo.Context, rid int64, in gonogo.PostReviewInput) (views.PostReviewView, error) {
	ctx := c.Request().Context()
	snap, err := h.store.FindSnapshot(ctx, rid)
	if err != nil {
		return views.PostReviewView{}, err
	}
	rel := snap.Release
	v := views.PostReviewView{Release: rel, Due: gonogo.PostReviewOpen(rel.State), Form: views.PostReviewForm{Input: in}}
	if v.Review, v.Recorded, err = h.store.FindPostReview(ctx, rid); err != nil {
		return v, err
	}
	if v.Evidence, err = h.store.FindEvidence(ctx, rid); err != nil {
		return v, err
	}
	if v.Recorded {
		d, ok, err := h.store.FindCycleDecision(ctx, rid, rel.Cycle)
		if err != nil {
			return v, err
		}
		if ok && d.Outcome == gonogo.OutcomeGo {
			v.Decide = d
		}
		return v, nil
	}
	v.CanRecord = h.abilities(c, snap).PostReview
	if !v.CanRecord {
		return v, nil
	}
	for _, it := range snap.Items {
		if it.CheckKey == gonogo.PostReleaseReviewKey && it.Status != gonogo.ItemDone {
			v.Closes = append(v.Closes, it)
		}
	}
	if v.Next, err = h.nextRelease(ctx, rel); err != nil {
		return v, err
	}
	return v, nil
}

// nextRelease is the release the follow-ups of rel's review would go to.
func (h *Handler) nextRelease(ctx context.Context, rel gonogo.Release) (gonogo.Release, error) {
	rels, err := h.store.FindReleases(ctx, gonogo.ReleaseFilter{Product: rel.Product, States: []gonogo.State{gonogo.Draft, gonogo.Review, gonogo.NoGo}})
	if err != nil {
		return gonogo.Release{}, err
	}
	next, _ := gonogo.NextRelease(rel, rels)
	return next, nil
}

// postReviewPanel is what the release page says of the review.
func (h *Handler) postReviewPanel(ctx context.Context, ab gonogo.Abilities, rel gonogo.Release) (views.PostReviewPanelView, error) {
	v := views.PostReviewPanelView{Release: rel, Due: gonogo.PostReviewOpen(rel.State), CanRecord: ab.PostReview}
	// Read whatever the state: a rolled-back release reopened for a new
	// cycle keeps the review of its rollback.
	rev, ok, err := h.store.FindPostReview(ctx, rel.ID)
	v.Recorded, v.Outcome = ok, rev.Outcome
	return v, err
}
