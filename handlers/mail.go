package handlers

import (
	"net"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// MailOutbox is the mail worker as the admin page and /metrics see it (a
// mail.Worker, which cmd/web starts).
type MailOutbox interface {
	// Server is the mail server and sender; host "" when not configured.
	Server() (host string, port int, from string)
	// Counts are messages sent, attempts failed and messages given up.
	Counts() (sent, failedAttempts, gaveUp uint64)
}

// outboxPageSize is how many messages a page of Admin → Email shows.
const outboxPageSize = 100

func init() {
	flashes["mail-retried"] = "The message is queued again and goes out with the next pass."
}

// showEmail is Admin → Email: the settings (never the password) and the
// outbox, newest first, paged, by status.
func (h *Handler) showEmail(c echo.Context) error {
	from, err := offsetParam(c)
	if err != nil {
		return err
	}
	status := gonogo.MailStatus(c.QueryParam("status"))
	if status != "" && !status.Valid() {
		return gonogo.Errorf(gonogo.EINVALID, "?status= takes queued, sending, sent or failed, not %q", status)
	}
	ctx := c.Request().Context()
	v := views.EmailView{Status: status}
	if h.cfg.Mail != nil {
		host, port, sender := h.cfg.Mail.Server()
		if host != "" {
			v.Host, v.From = net.JoinHostPort(host, strconv.Itoa(port)), sender
		}
	}
	if v.Counts, err = h.store.CountOutbox(ctx); err != nil {
		return err
	}
	rows, err := h.store.FindOutbox(ctx, status, from, outboxPageSize+1)
	if err != nil {
		return err
	}
	base := "/admin/email"
	if status != "" {
		base += "?status=" + string(status) + "&"
	} else {
		base += "?"
	}
	v.Mails, v.Nav = offsetPage(rows, "/admin/email", from, outboxPageSize)
	if v.Nav.Older != "" {
		v.Nav.Older = base + "from=" + strconv.Itoa(from+outboxPageSize)
	}
	return render(c, http.StatusOK, views.EmailPage(h.page(c, "Email", "admin"), v))
}

// retryMail queues a failed message again.
func (h *Handler) retryMail(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.store.RetryMail(c.Request().Context(), h.actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/email?notice=mail-retried")
}

// unsubscribeLink reads an unsubscribe link's person and kind, and
// checks its signature: a link gonogo did not make is not found.
func (h *Handler) unsubscribeLink(c echo.Context) (int64, gonogo.NotificationKind, error) {
	notFound := gonogo.Errorf(gonogo.ENOTFOUND, "this unsubscribe link is not one gonogo made; use the link in the message")
	userID, err := strconv.ParseInt(c.Param("user"), 10, 64)
	kind := gonogo.NotificationKind(c.Param("kind"))
	if err != nil || !kind.Valid() {
		return 0, "", notFound
	}
	key, err := h.store.MailKey(c.Request().Context())
	if err != nil {
		return 0, "", err
	}
	if !gonogo.CheckUnsubscribe(key, userID, kind, c.Param("sig")) {
		return 0, "", notFound
	}
	return userID, kind, nil
}

// unsubscribePage is the page of the link, shown to whoever holds it:
// signed in or not, as someone else, it speaks of the link's person.
func (h *Handler) unsubscribePage(c echo.Context, v views.UnsubscribeView) error {
	p := h.page(c, "Email from gonogo", "")
	p.User, p.Unread = nil, 0
	return render(c, http.StatusOK, views.UnsubscribePage(p, v))
}

// showUnsubscribe asks before switching off: a GET changes nothing.
func (h *Handler) showUnsubscribe(c echo.Context) error {
	_, kind, err := h.unsubscribeLink(c)
	if err != nil {
		return err
	}
	return h.unsubscribePage(c, views.UnsubscribeView{Kind: kind.Label(), Action: c.Request().URL.Path})
}

// unsubscribe switches the kind's email off for the link's person: the
// one-click POST of RFC 8058, which a mail client sends without cookies,
// or the page's button. The signed link is the authority; the change is
// audited in the person's name.
func (h *Handler) unsubscribe(c echo.Context) error {
	userID, kind, err := h.unsubscribeLink(c)
	if err != nil {
		return err
	}
	if _, err := h.store.Unsubscribe(c.Request().Context(), userID, kind, c.Param("sig"), c.RealIP()); err != nil {
		return err
	}
	return h.unsubscribePage(c, views.UnsubscribeView{Kind: kind.Label(), Done: true})
}
