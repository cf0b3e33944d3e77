package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// Freeze exceptions: asked for, approved and revoked in the window panel
// of the release page; listed on the freeze's own page. The rules are the
// domain's (exception.go); a refusal is shown at the form it answers, the
// rest of the page as it is.

// exceptionsView builds the exceptions part of the window panel for actor
// at now: the release's exceptions, live ones first, then the latest
// revoked (at most maxRevokedShown: the rest are on the freeze's page and
// in the history), and the form where actor may ask for one.
func exceptionsView(actor gonogo.Actor, snap gonogo.Snapshot, p views.Page, now time.Time) views.ExceptionsView {
	rel := snap.Release
	v := views.ExceptionsView{Release: rel}
	asked := map[int64]bool{}
	var revoked []views.ExceptionRow
	for _, e := range snap.Exceptions {
		row := views.ExceptionRow{Exception: e,
			CanApprove: gonogo.MayApproveException(actor, rel, e),
			CanRevoke:  gonogo.MayRevokeException(actor, rel, e, now),
			Confirm:    views.RevokeExceptionConfirm(e, "")}
		if e.Revoked() {
			revoked = append(revoked, row)
			continue
		}
		asked[e.FreezeID] = true
		v.Rows = append(v.Rows, row)
	}
	if n := len(revoked); n > maxRevokedShown {
		revoked = revoked[n-maxRevokedShown:]
	}
	v.Rows = append(v.Rows, revoked...)
	if gonogo.MayRequestException(actor, snap) {
		var open []gonogo.FreezeHit
		for _, h := range gonogo.FreezesOver(rel.Window, rel.Product, snap.Freezes, snap.Zone) {
			if !asked[h.Freeze.ID] {
				open = append(open, h)
			}
		}
		if len(open) > 0 {
			v.Request = &views.ExceptionForm{Freezes: open, Until: p.InputTime(minTime(open[0].When.End, rel.Window.End))}
		}
	}
	return v
}

// maxRevokedShown is how many revoked exceptions the release page lists.
const maxRevokedShown = 5

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// exceptionConfirms are the questions the page asks before Revoke.
func exceptionConfirms(v views.ExceptionsView) []views.Confirmation {
	var out []views.Confirmation
	for _, r := range v.Rows {
		if r.CanRevoke {
			out = append(out, r.Confirm)
		}
	}
	return out
}

// exceptionRefusal is the page's answer to a refused exception form: the status
// the domain's code maps to, or nil for an error of ours.
func exceptionRefusal(err error) (int, bool) {
	code := gonogo.ErrorCode(err)
	st, ok := statusOf[code]
	if !ok || code == gonogo.EINTERNAL || code == gonogo.ENOTFOUND {
		return 0, false
	}
	return st, true
}

// refusalErrors are a refusal's messages by field, "" for the form.
func refusalErrors(err error) map[string]string {
	if fe := formErrors(err); fe != nil {
		return fe
	}
	return map[string]string{"": gonogo.ErrorMessage(err)}
}

func (h *Handler) requestException(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f := views.ExceptionForm{FreezeID: c.FormValue("freeze"), Reason: c.FormValue("reason"), Until: strings.TrimSpace(c.FormValue("until"))}
	in := gonogo.ExceptionInput{Reason: f.Reason}
	p := gonogo.Problems{}
	if in.FreezeID, err = strconv.ParseInt(f.FreezeID, 10, 64); err != nil {
		p.Add("freeze", "choose one of the freezes the window overlaps")
	}
	if in.Until, err = parseLocalTime(f.Until, h.zone(ctx)); err != nil {
		p.Add("until", "enter the end as a date and time, e.g. 2026-11-28T06:00")
	}
	if len(p) == 0 {
		_, err = h.store.RequestException(ctx, h.actor(c), rid, in)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=saved#exceptions", rid))
		}
	} else {
		err = p.Err()
	}
	status, ok := exceptionRefusal(err)
	if !ok {
		return err
	}
	return h.renderReleaseWith(c, status, rid, func(v *views.ReleaseView) {
		if v.Window.Exceptions.Request == nil {
			// Refused outright (not theirs to ask, or nothing to lift): say so
			// where they are.
			v.Window.Exceptions.Request = &views.ExceptionForm{}
		}
		fr := v.Window.Exceptions.Request
		fr.FreezeID, fr.Reason, fr.Until, fr.Errors = f.FreezeID, f.Reason, f.Until, refusalErrors(err)
	})
}

// exceptionParams reads the release and exception ids of the address.
func exceptionParams(c echo.Context) (int64, int64, error) {
	rid, err := idParam(c, "id")
	if err != nil {
		return 0, 0, err
	}
	eid, err := idParam(c, "exception")
	return rid, eid, err
}

func (h *Handler) approveException(c echo.Context) error {
	rid, eid, err := exceptionParams(c)
	if err != nil {
		return err
	}
	comment := c.FormValue("comment")
	err = h.store.ApproveException(c.Request().Context(), h.actor(c), rid, eid, comment)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=saved#exceptions", rid))
	}
	return h.refuseException(c, rid, eid, err, func(r *views.ExceptionRow) { r.Comment = comment })
}

func (h *Handler) revokeException(c echo.Context) error {
	rid, eid, err := exceptionParams(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	reason := c.FormValue("reason")
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok && strings.TrimSpace(reason) != "" {
		snap, err := h.store.FindSnapshot(ctx, rid)
		if err != nil {
			return err
		}
		for _, e := range snap.Exceptions {
			if e.ID == eid {
				return h.askToConfirm(c, views.RevokeExceptionConfirm(e, reason))
			}
		}
		return gonogo.Errorf(gonogo.ENOTFOUND, "no freeze exception %d on release %d", eid, rid)
	}
	// Without a reason the domain refuses before anything is asked.
	err = h.store.RevokeException(ctx, h.actor(c), rid, eid, reason)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=saved#exceptions", rid))
	}
	return h.refuseException(c, rid, eid, err, func(r *views.ExceptionRow) { r.Reason = reason })
}

// refuseException shows the release page with err at the exception eid.
func (h *Handler) refuseException(c echo.Context, rid, eid int64, err error, keep func(*views.ExceptionRow)) error {
	status, ok := exceptionRefusal(err)
	if !ok {
		return err
	}
	return h.renderReleaseWith(c, status, rid, func(v *views.ReleaseView) {
		for i := range v.Window.Exceptions.Rows {
			if r := &v.Window.Exceptions.Rows[i]; r.Exception.ID == eid {
				r.Errors = refusalErrors(err)
				keep(r)
			}
		}
	})
}

// freezeExceptionPageSize is how many exceptions a page of a freeze lists.
const freezeExceptionPageSize = 50

// showFreeze is a freeze's page: when it is, why, and its exceptions,
// newest first, a page at a time (?before=).
func (h *Handler) showFreeze(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var before int64
	if s := c.QueryParam("before"); s != "" {
		if before, err = strconv.ParseInt(s, 10, 64); err != nil || before <= 0 {
			return gonogo.Errorf(gonogo.EINVALID, "?before= takes the place a link of the freeze's page gives, not %q", s)
		}
	}
	f, err := h.store.FindFreeze(ctx, id)
	if err != nil {
		return err
	}
	found, err := h.store.FindFreezeExceptions(ctx, id, before, freezeExceptionPageSize+1)
	if err != nil {
		return err
	}
	v := views.FreezeView{Freeze: f, Zone: h.zone(ctx)}
	if len(found) > freezeExceptionPageSize {
		found = found[:freezeExceptionPageSize]
		v.Nav.Older = fmt.Sprintf("/freezes/%d?before=%d", id, found[len(found)-1].ID)
	}
	if before != 0 {
		v.Nav.Newest = fmt.Sprintf("/freezes/%d", id)
	}
	v.Exceptions = found
	return render(c, http.StatusOK, views.FreezePage(h.page(c, "Freeze “"+f.Name+"”", "calendar"), v))
}
