package handlers

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// votePage is a page of one role's earlier votes in the current cycle.
type votePage struct {
	Votes []gonogo.Vote // newest first
	Count int           // how many earlier votes the role has
	Nav   views.ListNav
	Open  bool // the reader is paging them
}

// earlierVotes are the pages of earlier votes, by role.
type earlierVotes map[gonogo.Role]votePage

// earlierVotes reads, for each role, a page of its earlier votes in the
// current cycle: the one pages asks for, or the newest.
func (h *Handler) earlierVotes(ctx context.Context, snap gonogo.Snapshot, pages listPages) (earlierVotes, error) {
	rel := snap.Release
	counts, err := h.store.CountVotes(ctx, rel.ID, rel.Cycle)
	if err != nil {
		return nil, err
	}
	current := gonogo.CurrentVotes(rel, snap.Votes)
	var roles []gonogo.Role
	for _, r := range gonogo.Roles {
		if earlier := counts[r] - count(current[r].ID != 0); earlier > 0 {
			roles = append(roles, r)
		}
	}
	// Two more than a page: the current vote may be among them, and one
	// more says whether an older page exists. One statement for them all.
	pagesOf, err := h.store.FindVotePages(ctx, rel.ID, rel.Cycle, roles, map[gonogo.Role]int64{pages.Role: pages.Votes}, votePageSize+2)
	if err != nil {
		return nil, err
	}
	out := earlierVotes{}
	for _, r := range roles {
		cur, has := current[r]
		var before int64
		if pages.Role == r {
			before = pages.Votes
		}
		var votes []gonogo.Vote
		for _, v := range pagesOf[r] {
			if !has || v.ID != cur.ID {
				votes = append(votes, v)
			}
		}
		votes, older := onePage(votes, votePageSize, func(v gonogo.Vote) int64 { return v.ID })
		out[r] = votePage{Votes: votes, Count: counts[r] - count(has), Open: before > 0,
			Nav: pages.nav(rel.ID, before, older, func(p *listPages, at int64) { p.Role, p.Votes = r, at })}
	}
	return out, nil
}

// count is 1 for true, 0 for false.
func count(b bool) int {
	if b {
		return 1
	}
	return 0
}

// releaseConfirms are the questions the release page may ask the viewer:
// before each final transition they may take and, for the release manager,
// before recording a decision. They stay in the page while live updates
// change its state, so they cover every step still ahead of the release.
func releaseConfirms(ab gonogo.Abilities, rel gonogo.Release) []views.Confirmation {
	if rel.State == gonogo.Released || rel.State == gonogo.Cancelled {
		return nil
	}
	var out []views.Confirmation
	if ab.Granted(gonogo.ActDecide) {
		for _, o := range []gonogo.Outcome{gonogo.OutcomeGo, gonogo.OutcomeNoGo} {
			out = append(out, views.DecideConfirm(rel, gonogo.DecisionInput{Outcome: o}))
		}
	}
	for _, t := range gonogo.Transitions {
		if t.Final() && ab.Transition(t) {
			out = append(out, views.TransitionConfirm(rel, t))
		}
	}
	return out
}

// confirmed reports whether the person confirmed a step that cannot be
// undone: the dialog or the confirmation page sends confirm=1. Any other
// value but none is bad input, refused as such.
func confirmed(c echo.Context) (bool, error) { return formFlag(c, "confirm") }

// askToConfirm answers a final step sent without confirm=1 with the
// question, never with the step. A plain form gets the confirmation page;
// htmx, whose script asks in a dialog and found none, gets it in place of
// the whole page.
func (h *Handler) askToConfirm(c echo.Context, conf views.Confirmation) error {
	if isPartial(c) {
		c.Response().Header().Set("HX-Retarget", "body")
		c.Response().Header().Set("HX-Reswap", "innerHTML")
	}
	return render(c, http.StatusOK, views.ConfirmPage(h.page(c, conf.Title, ""), conf))
}

// castVote signs off for one role. htmx gets the panel back with the gate
// out of band; a plain form is redirected to the panel.
func (h *Handler) castVote(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := gonogo.VoteInput{
		Role:       gonogo.Role(c.FormValue("role")),
		Value:      gonogo.VoteValue(c.FormValue("value")),
		Comment:    c.FormValue("comment"),
		Conditions: c.FormValue("conditions"),
	}
	_, err = h.store.CastVote(c.Request().Context(), h.actor(c), rid, in)
	status := http.StatusOK
	fix := func(*views.ReleaseView) {}
	if errs := formErrors(err); errs != nil {
		status = http.StatusUnprocessableEntity
		form := views.VoteForm{Comment: in.Comment, Conditions: in.Conditions, Errors: errs}
		fix = func(v *views.ReleaseView) {
			for i := range v.Signoffs.Rows {
				if v.Signoffs.Rows[i].Role == in.Role {
					v.Signoffs.Rows[i].Form = form
				}
			}
		}
	} else if err != nil {
		return err
	}
	if !isPartial(c) {
		if status != http.StatusOK {
			return h.renderReleaseWith(c, status, rid, fix)
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d#role-%s", rid, in.Role))
	}
	ctx := c.Request().Context()
	snap, err := h.store.FindSnapshot(ctx, rid)
	if err != nil {
		return err
	}
	// The answer is the sign-offs, with the newest of the earlier votes,
	// and the gate: the rest of the page's view is not built (see partsView).
	earlier, err := h.earlierVotes(ctx, snap, listPages{})
	if err != nil {
		return err
	}
	ab := h.abilities(c, snap)
	v := views.ReleaseView{Signoffs: signoffView(h.actor(c), ab, snap, earlier, h.store.Now()), Gate: gateView(ab, snap)}
	fix(&v)
	return render(c, status, views.VoteUpdate(h.page(c, "", ""), v.Signoffs, v.Gate))
}

// setWaiver marks a role required again, or not required with a reason.
func (h *Handler) setWaiver(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	role, err := gonogo.ParseRole(c.Param("role"))
	if err != nil {
		return gonogo.Errorf(gonogo.ENOTFOUND, "no role %q", c.Param("role"))
	}
	required, err := formFlag(c, "required")
	if err != nil {
		return err
	}
	change := gonogo.WaiverChange{Role: role, Required: required, Reason: c.FormValue("reason")}
	err = h.store.SetWaiver(c.Request().Context(), h.actor(c), rid, change)
	if errs := formErrors(err); errs != nil {
		return h.renderReleaseWith(c, http.StatusUnprocessableEntity, rid, func(v *views.ReleaseView) {
			for i := range v.Signoffs.Rows {
				if v.Signoffs.Rows[i].Role == role {
					v.Signoffs.Rows[i].Waive = views.WaiveForm{Reason: change.Reason, Errors: errs}
				}
			}
		})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=saved#role-%s", rid, role))
}

// decide records Go or No-Go, once the release manager confirms it: a
// decision is never edited. A Go the gate does not allow is refused with
// every reason, on the release page, with 409, before anyone is asked.
func (h *Handler) decide(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in := gonogo.DecisionInput{
		Outcome:    gonogo.Outcome(c.FormValue("outcome")),
		Rationale:  c.FormValue("rationale"),
		Conditions: c.FormValue("conditions"),
	}
	a := h.actor(c)
	ctx := c.Request().Context()
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok {
		// Asked before confirming: the rule, on the release as it is now,
		// refuses here what it would refuse once confirmed.
		snap, err := h.store.FindSnapshot(ctx, rid)
		if err != nil {
			return err
		}
		if _, err := gonogo.Decide(a, snap, in, h.store.Now()); err != nil {
			return h.refuseDecision(c, rid, in, err)
		}
		return h.askToConfirm(c, views.DecideConfirm(snap.Release, in))
	}
	d, err := h.store.Decide(ctx, a, rid, in)
	if err != nil {
		return h.refuseDecision(c, rid, in, err)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d/decisions/%d", rid, d.Number))
}

// refuseDecision shows the decision form again with what is wrong with it,
// or why the gate refuses a Go; other errors go to the error page.
func (h *Handler) refuseDecision(c echo.Context, rid int64, in gonogo.DecisionInput, err error) error {
	code := gonogo.ErrorCode(err)
	if code != gonogo.EINVALID && (code != gonogo.ECONFLICT || gonogo.ErrorDetails(err) == nil) {
		return err
	}
	// A Go the gate does not allow is refused as a whole, with its
	// reasons, in the form's summary like any other refusal.
	errs := formErrors(err)
	if code == gonogo.ECONFLICT {
		errs = map[string]string{"": gonogo.ErrorMessage(err)}
	}
	return h.renderReleaseWith(c, statusOf[code], rid, func(v *views.ReleaseView) {
		v.Gate.Decide = views.DecideForm{Rationale: in.Rationale, Conditions: in.Conditions, Errors: errs,
			Details: gonogo.ErrorDetails(err)}
	})
}

// transition moves a release along its life. A step that cannot be undone
// is taken only once confirmed; one the release is not ready for is
// refused at the state buttons, with every reason, before anyone is asked.
func (h *Handler) transition(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	t := gonogo.Transition(c.FormValue("transition"))
	a := h.actor(c)
	ctx := c.Request().Context()
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok {
		// Asked before confirming, as for a decision.
		snap, err := h.store.FindSnapshot(ctx, rid)
		if err != nil {
			return err
		}
		if _, err := gonogo.Move(a, snap, t, h.store.Now()); err != nil {
			return h.refuseTransition(c, rid, err)
		}
		if t.Final() {
			return h.askToConfirm(c, views.TransitionConfirm(snap.Release, t))
		}
	}
	if _, err := h.store.Transition(ctx, a, rid, t); err != nil {
		return h.refuseTransition(c, rid, err)
	}
	// The notice says what the transition did ("Review opened: ..."); the
	// one who shipped it is greeted as everyone else is (see live).
	return redirect(c, fmt.Sprintf("/releases/%d?notice=%s", rid, t))
}

// refuseTransition answers a transition the domain refused where it was
// asked for: at the state buttons, with the message and every reason. htmx
// swaps in the buttons alone; a plain form gets the release page, which its
// address's #lifecycle scrolls to. Other errors go to the error page.
func (h *Handler) refuseTransition(c echo.Context, rid int64, err error) error {
	code := gonogo.ErrorCode(err)
	if code != gonogo.ECONFLICT && code != gonogo.EINVALID {
		return err
	}
	refuse := func(v *views.LifecycleView) {
		v.Refusal, v.Details = gonogo.ErrorMessage(err), gonogo.ErrorDetails(err)
	}
	if isPartial(c) {
		snap, ferr := h.store.FindSnapshot(c.Request().Context(), rid)
		if ferr != nil {
			return ferr
		}
		v := lifecycleView(h.abilities(c, snap), snap, h.store.Now())
		refuse(&v)
		return render(c, statusOf[code], views.LifecycleActions(h.page(c, "", ""), v, false))
	}
	return h.renderReleaseWith(c, statusOf[code], rid, func(v *views.ReleaseView) { refuse(&v.Lifecycle) })
}

// showDecision shows a recorded decision; with ".md" it answers its minutes
// as Markdown.
func (h *Handler) showDecision(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	param, markdown := strings.CutSuffix(c.Param("n"), ".md")
	n, err := strconv.Atoi(param)
	if err != nil || n <= 0 {
		return gonogo.Errorf(gonogo.ENOTFOUND, "no such decision")
	}
	d, err := h.store.FindDecision(c.Request().Context(), rid, n)
	if err != nil {
		return err
	}
	after, err := h.store.WindowChangesAfter(c.Request().Context(), rid, d.At)
	if err != nil {
		return err
	}
	p := h.page(c, fmt.Sprintf("%s %s: decision %d", d.Record.Release.Product, d.Record.Release.Version, d.Number), "board")
	if markdown {
		// A version may hold letters of any script: FormatMediaType writes
		// them as RFC 2231's filename*, which browsers read as UTF-8.
		c.Response().Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{
			"filename": fmt.Sprintf("%s-%s-decision-%d.md", d.Record.Release.Product, d.Record.Release.Version, d.Number)}))
		return c.Blob(http.StatusOK, "text/markdown; charset=utf-8", []byte(views.Minutes(p, d, after)))
	}
	return render(c, http.StatusOK, views.DecisionPage(p, d, after))
}

// nudge reminds a role that has not signed, through the webhooks that take
// nudges, and says which: the release page shows the audit event's words
// (nudgeFlash). When none takes them, nobody could be told, and the page
// says so beside the nudge buttons instead.
func (h *Handler) nudge(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	role := gonogo.Role(c.FormValue("role"))
	e, err := h.store.Nudge(c.Request().Context(), h.actor(c), rid, role)
	if gonogo.ErrorCode(err) == gonogo.ECONFLICT {
		return h.renderReleaseWith(c, http.StatusConflict, rid, func(v *views.ReleaseView) {
			v.Signoffs.NudgeRefusal = gonogo.ErrorMessage(err)
		})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?nudged=%d#signoffs", rid, e.ID))
}

// nudgeFlash is what the release page says after a nudge: the words of
// its audit event, who was told and through which webhooks. Only a nudge
// of this release is read, so a link cannot make the page say anything
// that was not recorded.
func (h *Handler) nudgeFlash(c echo.Context, rid int64) (string, error) {
	id, err := strconv.ParseInt(c.QueryParam("nudged"), 10, 64)
	if err != nil || id <= 0 {
		return "", nil
	}
	events, err := h.store.FindEventPage(c.Request().Context(), rid, id+1, 1)
	if err != nil || len(events) == 0 || events[0].ID != id || events[0].Action != string(gonogo.ActionRoleNudge) {
		return "", err
	}
	return "Nudged " + strings.TrimPrefix(events[0].Detail, "nudged ") + ".", nil
}

// showMeeting is meeting mode: the gate, the pillars, the blocking defects,
// each role's vote as it arrives, the open conditions and the decision.
// With part=live it answers the live update of all of them.
func (h *Handler) showMeeting(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := h.releaseView(c, id)
	if err != nil {
		return err
	}
	mv := views.MeetingView{
		Confirms:   v.Confirms,
		Release:    v.Release,
		Gate:       v.Gate,
		Pillars:    v.Summary,
		Signoffs:   v.Signoffs.Rows,
		Conditions: v.OpenConditions,
		Waiting:    v.Signoffs.Waiting,
	}
	for _, d := range v.Defects.Defects {
		if gonogo.Blocking(d.Defect) {
			mv.Blocking = append(mv.Blocking, d.Defect)
		}
	}
	if mv.Meeting, err = h.store.FindMeeting(c.Request().Context(), id); err != nil {
		return err
	}
	p := h.page(c, "Meeting: "+v.Release.Name(), "board")
	if c.QueryParam("part") == "live" {
		p.Live, p.Sync = "on", true
		return render(c, http.StatusOK, views.MeetingLive(p, mv))
	}
	h.live(c, &p, "release", id)
	return render(c, http.StatusOK, views.MeetingPage(p, mv))
}
