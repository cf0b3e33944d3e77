package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/invite"
	"github.com/gonogo/gonogo/views"
)

// scheduleMeeting schedules or moves a release's Go/No-Go meeting. A
// plain form is redirected to the page; htmx gets the panel back. A
// refusal shows the panel again with every reason and what was typed.
func (h *Handler) scheduleMeeting(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	typed := views.MeetingPanelView{Start: strings.TrimSpace(c.FormValue("start")),
		Minutes: strings.TrimSpace(c.FormValue("minutes")), Where: c.FormValue("where")}
	in, problems := h.meetingInput(c, typed)
	if len(problems) > 0 {
		// What could be read is checked too, so that every mistake shows at once.
		return h.refuseMeeting(c, rid, typed, formErrors(in.Validate(h.store.Now()), problems), http.StatusUnprocessableEntity)
	}
	_, err = h.store.ScheduleMeeting(c.Request().Context(), h.actor(c), rid, in)
	if err != nil {
		return h.meetingRefused(c, rid, typed, err)
	}
	return h.meetingDone(c, rid)
}

// cancelMeeting cancels a release's meeting: it can be scheduled again,
// so nothing asks first.
func (h *Handler) cancelMeeting(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.store.CancelMeeting(c.Request().Context(), h.actor(c), rid); err != nil {
		return h.meetingRefused(c, rid, views.MeetingPanelView{}, err)
	}
	return h.meetingDone(c, rid)
}

// meetingInput reads the meeting form: the start in the team's zone.
func (h *Handler) meetingInput(c echo.Context, typed views.MeetingPanelView) (gonogo.MeetingInput, gonogo.Problems) {
	p := gonogo.Problems{}
	in := gonogo.MeetingInput{Where: typed.Where}
	start, err := parseLocalTime(typed.Start, h.zone(c.Request().Context()))
	if err != nil {
		p.Add("start", "enter the meeting's date and time, e.g. 2026-12-01T15:00")
	}
	in.Start = start
	if typed.Minutes != "" {
		if in.Minutes, err = strconv.Atoi(typed.Minutes); err != nil {
			p.Add("length", "enter the meeting's length in minutes, from %d to %d", gonogo.MinMeetingMinutes, gonogo.MaxMeetingMinutes)
		}
	}
	return in, p
}

// meetingRefused shows a refusal the form can show (a mistake, or a
// release decided meanwhile) beside it; any other error is the error
// handler's.
func (h *Handler) meetingRefused(c echo.Context, rid int64, typed views.MeetingPanelView, err error) error {
	switch gonogo.ErrorCode(err) {
	case gonogo.EINVALID:
		return h.refuseMeeting(c, rid, typed, formErrors(err), http.StatusUnprocessableEntity)
	case gonogo.ECONFLICT:
		return h.refuseMeeting(c, rid, typed, map[string]string{"": gonogo.ErrorMessage(err)}, http.StatusConflict)
	}
	return err
}

func (h *Handler) refuseMeeting(c echo.Context, rid int64, typed views.MeetingPanelView, errs map[string]string, status int) error {
	adjust := func(m *views.MeetingPanelView) {
		if typed.Start != "" || typed.Minutes != "" || typed.Where != "" {
			m.Start, m.Minutes, m.Where = typed.Start, typed.Minutes, typed.Where
		}
		m.Errors, m.Open = errs, true
		// A release decided meanwhile has no form left to show the reason
		// in: the panel shows it still.
		m.CanEdit = true
	}
	if isPartial(c) {
		v, err := h.meetingPanel(c, rid)
		if err != nil {
			return err
		}
		adjust(&v)
		return render(c, status, views.MeetingPanel(h.page(c, "", "board"), v, false))
	}
	return h.renderReleaseWith(c, status, rid, func(v *views.ReleaseView) { adjust(&v.Meeting) })
}

// meetingDone answers a change of the meeting: the panel for htmx, the
// page for a plain form.
func (h *Handler) meetingDone(c echo.Context, rid int64) error {
	if !isPartial(c) {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=saved#meeting", rid))
	}
	v, err := h.meetingPanel(c, rid)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.MeetingPanel(h.page(c, "", "board"), v, false))
}

// meetingPanel builds the meeting panel of release id for the reader.
func (h *Handler) meetingPanel(c echo.Context, id int64) (views.MeetingPanelView, error) {
	ctx := c.Request().Context()
	snap, err := h.store.FindSnapshot(ctx, id)
	if err != nil {
		return views.MeetingPanelView{}, err
	}
	m, err := h.store.FindMeeting(ctx, id)
	if err != nil {
		return views.MeetingPanelView{}, err
	}
	return meetingPanelView(h.abilities(c, snap), snap.Release, m, h.page(c, "", "")), nil
}

// meetingPanelView is the panel of rel's meeting m for a reader who may
// do ab; the form holds the meeting as it is, or a usual length.
func meetingPanelView(ab gonogo.Abilities, rel gonogo.Release, m gonogo.Meeting, p views.Page) views.MeetingPanelView {
	v := views.MeetingPanelView{Release: rel, Meeting: m, Minutes: strconv.Itoa(gonogo.DefaultMeetingMinutes),
		CanEdit: ab.Granted(gonogo.ActDecide) && gonogo.MeetingOpen(rel.State)}
	if m.Scheduled() {
		v.Start, v.Minutes, v.Where = p.InputTime(m.Start), strconv.Itoa(m.Minutes()), m.Where
	}
	return v
}

// meetingICS offers the meeting for a person to add to their calendar by
// hand: the invitation's event (same UID and SEQUENCE, so a calendar that
// holds it updates it), published rather than requested, as a copy asks
// nobody to reply. A cancelled meeting's copy says so (STATUS:CANCELLED).
func (h *Handler) meetingICS(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	rel, err := h.store.FindRelease(ctx, id)
	if err != nil {
		return err
	}
	m, err := h.store.FindMeeting(ctx, id)
	if err != nil {
		return err
	}
	if m.ReleaseID == 0 {
		return gonogo.Errorf(gonogo.ENOTFOUND, "%s has no meeting scheduled", rel.Name())
	}
	organizer := gonogo.Attendee{Name: m.By, Email: m.ByEmail}
	if organizer.Email == "" && rel.ManagerID != 0 {
		if u, err := h.store.FindUser(ctx, rel.ManagerID); err == nil {
			organizer = gonogo.Attendee{Name: u.Name, Email: u.Email}
		}
	}
	body := invite.ICS(gonogo.InviteTo(rel, m, gonogo.MethodPublish, h.cfg.BaseURL, organizer, nil))
	c.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="go-no-go-%d.ics"`, rel.ID))
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8; method=PUBLISH", []byte(body))
}
