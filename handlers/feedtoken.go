package handlers

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo/views"
)

// maxProductFeeds bounds how many product feed addresses the profile
// lists; the page spells out the pattern for the others.
const maxProductFeeds = 20

// newFeedToken makes the person's feed token, or replaces it: the old one
// stops working at once. Only its hash is kept, so the addresses that
// carry it are shown now and never again.
func (h *Handler) newFeedToken(c echo.Context) error {
	ctx := c.Request().Context()
	products, err := h.store.FindProductKeys(ctx)
	if err != nil {
		return err
	}
	tok := newSessionID()
	if err := h.store.SetFeedToken(ctx, h.actor(c), hashID(tok)); err != nil {
		return err
	}
	f := views.FeedView{Has: true, Addresses: feedAddresses(h.baseURL(c), tok, products)}
	f.MoreProducts = len(products) > maxProductFeeds
	return h.renderProfile(c, http.StatusOK, views.PasswordForm{Feed: f})
}

// feedAddresses are the ready-made addresses of every feed with tok.
func feedAddresses(base, tok string, products []string) []views.FeedAddress {
	q := "?token=" + url.QueryEscape(tok)
	out := []views.FeedAddress{
		{Kind: "notes", Label: "Release notes of every product", URL: base + "/notes.atom" + q},
		{Kind: "calendar", Label: "Calendar of release windows and freezes", URL: base + "/calendar.ics" + q},
	}
	for i, p := range products {
		if i == maxProductFeeds {
			break
		}
		out = append(out, views.FeedAddress{Kind: "product", Product: p, Label: "Release notes of " + p,
			URL: base + "/notes/" + url.PathEscape(p) + ".atom" + q})
	}
	return out
}

// revokeFeedToken ends the person's feed token, once they confirm it:
// every feed reader and calendar using it is refused from then on.
func (h *Handler) revokeFeedToken(c echo.Context) error {
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok {
		return h.askToConfirm(c, views.RevokeFeedConfirm())
	}
	if err := h.store.DeleteFeedToken(c.Request().Context(), h.actor(c)); err != nil {
		return err
	}
	return redirect(c, "/profile?notice=feed-revoked#feed-token")
}
