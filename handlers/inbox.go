package handlers

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// inboxPageSize is how many notifications a page of the inbox shows; the
// "Older" link reads on by id. A person keeps at most gonogo.InboxKeep.
const inboxPageSize = 50

// showInbox is /inbox: a person's notifications, newest first, paged.
func (h *Handler) showInbox(c echo.Context) error {
	before, err := cursorParam(c.QueryParams(), "before", "notification")
	if err != nil {
		return err
	}
	p := h.page(c, "Inbox", "inbox")
	v, err := h.inboxView(c, before)
	if err != nil {
		return err
	}
	p.Unread = v.Unread
	h.live(c, &p, "inbox", 0)
	c.Response().Header().Set("Cache-Control", "no-store")
	return render(c, http.StatusOK, views.InboxPage(p, v))
}

// inboxView is the page of the inbox before the id before (0: the newest).
func (h *Handler) inboxView(c echo.Context, before int64) (views.InboxView, error) {
	ctx := c.Request().Context()
	me := currentUser(c).ID
	rows, err := h.store.FindNotifications(ctx, me, before, inboxPageSize+1)
	if err != nil {
		return views.InboxView{}, err
	}
	v := views.InboxView{Items: rows}
	if len(rows) > inboxPageSize {
		v.Items = rows[:inboxPageSize]
		v.Nav.Older = "/inbox?before=" + strconv.FormatInt(v.Items[inboxPageSize-1].ID, 10)
	}
	if before > 0 {
		v.Nav.Newest = "/inbox"
	}
	v.Unread, err = h.store.CountUnread(ctx, me)
	return v, err
}

// markRead marks one notification read. The link of a notification only
// leads to its place: a GET changes nothing (a link preview or a
// prefetch would otherwise read the inbox unseen), so reading is this
// button, a POST behind the CSRF token like any change. htmx swaps the
// row and the bell; a plain form returns to the inbox.
func (h *Handler) markRead(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	me := currentUser(c).ID
	unread, err := h.store.MarkRead(ctx, me, id)
	if err != nil {
		return err
	}
	if !isPartial(c) {
		return c.Redirect(http.StatusSeeOther, "/inbox"+backTo(c))
	}
	n, err := h.store.FindNotification(ctx, me, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ReadRow(h.page(c, "", "inbox"), n, unread))
}

// markAllRead marks every notification of the person read.
func (h *Handler) markAllRead(c echo.Context) error {
	if _, err := h.store.MarkAllRead(c.Request().Context(), currentUser(c).ID); err != nil {
		return err
	}
	if !isPartial(c) {
		return c.Redirect(http.StatusSeeOther, "/inbox"+backTo(c))
	}
	v, err := h.inboxView(c, 0)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.ReadAll(h.page(c, "", "inbox"), v))
}

// backTo keeps the inbox page a plain form was sent from.
func backTo(c echo.Context) string {
	ref, err := url.Parse(c.Request().Referer())
	if err != nil || ref.Path != "/inbox" {
		return ""
	}
	if b := ref.Query().Get("before"); b != "" {
		if _, err := strconv.ParseInt(b, 10, 64); err == nil {
			return "?before=" + b
		}
	}
	return ""
}

// saveNotificationPrefs stores the channel chosen for each kind.
func (h *Handler) saveNotificationPrefs(c echo.Context) error {
	form := map[string]string{}
	for _, k := range gonogo.NotificationKinds {
		if v := c.FormValue(string(k)); v != "" {
			form[string(k)] = v
		}
	}
	prefs, err := gonogo.ParsePrefs(form)
	if err == nil {
		err = h.store.SetNotificationPrefs(c.Request().Context(), h.actor(c), prefs)
	}
	if fields := gonogo.ErrorFields(err); len(fields) > 0 {
		return h.renderProfile(c, http.StatusUnprocessableEntity, views.PasswordForm{Prefs: views.PrefsView{Prefs: prefs, Errors: fields}})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/profile?notice=prefs#notifications")
}

// unread is the signed-in person's unread count, for the bell of a full
// page: a fragment or a live stream has no header, so it asks nothing. A
// count that fails to read shows as none: the page still works.
func (h *Handler) unread(c echo.Context) int {
	u := currentUser(c)
	if u == nil || isPartial(c) || c.Request().Header.Get(echo.HeaderAccept) == "text/event-stream" {
		return 0
	}
	n, err := h.store.CountUnread(c.Request().Context(), u.ID)
	if err != nil {
		return 0
	}
	return n
}

// writeBell sends a live page the bell with the viewer's unread count,
// which the store put on the notice of the change that moved it: no
// stream queries for it. The event carries no id, so a reconnecting page
// still resumes after the last change it was sent.
func writeBell(ctx context.Context, w io.Writer, unread int) {
	var buf bytes.Buffer
	if err := views.Bell(unread, false).Render(ctx, &buf); err != nil {
		return
	}
	var b strings.Builder
	b.WriteString("event: inbox\n")
	for line := range strings.SplitSeq(toLF(buf.String()), "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}
