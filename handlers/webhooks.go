package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
	"github.com/gonogo/gonogo/webhook"
)

// deliveryLogLimit is how many deliveries a webhook's log shows.
const deliveryLogLimit = 200

func (h *Handler) showWebhooks(c echo.Context) error {
	f := views.WebhookForm{Input: gonogo.WebhookInput{Topics: []gonogo.Topic{gonogo.TopicDecision, gonogo.TopicState}, Format: gonogo.FormatJSON}}
	return h.renderWebhooks(c, http.StatusOK, f)
}

func (h *Handler) renderWebhooks(c echo.Context, status int, f views.WebhookForm) error {
	ctx := c.Request().Context()
	hooks, err := h.store.FindWebhooks(ctx)
	if err != nil {
		return err
	}
	counts, err := h.store.CountDeliveries(ctx)
	if err != nil {
		return err
	}
	products, err := h.store.FindProducts(ctx)
	if err != nil {
		return err
	}
	rows := make([]views.WebhookRow, 0, len(hooks))
	for _, w := range hooks {
		n := counts[w.ID]
		rows = append(rows, views.WebhookRow{Webhook: w, Pending: n.Pending, Delivered: n.Delivered, Failed: n.Failed})
	}
	f.Input.Secret = "" // never sent back to the browser
	return render(c, status, views.WebhooksPage(h.page(c, "Webhooks", "admin"), rows, f, products, h.cfg.WebhookAllowPrivate))
}

// createWebhook registers a webhook once its URL is well formed and points
// somewhere webhooks may go.
func (h *Handler) createWebhook(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return gonogo.Errorf(gonogo.EINVALID, "the form could not be read")
	}
	in := gonogo.WebhookInput{URL: form.Get("url"), Secret: form.Get("secret"), Format: gonogo.WebhookFormat(form.Get("format"))}
	for _, t := range form["topics"] {
		in.Topics = append(in.Topics, gonogo.Topic(t))
	}
	// The boxes ticked, or a comma list from a script, as a freeze takes
	// its products.
	in.Products = form["product_keys"]
	if list := form.Get("products"); list != "" {
		in.Products = append(in.Products, strings.Split(list, ",")...)
	}
	in.Normalize()
	err = in.Validate()
	if err == nil {
		err = webhook.CheckTarget(c.Request().Context(), in.URL, h.cfg.WebhookAllowPrivate)
	}
	if err == nil {
		_, err = h.store.CreateWebhook(c.Request().Context(), h.actor(c), in)
	}
	if errs := formErrors(err); errs != nil {
		return h.renderWebhooks(c, http.StatusUnprocessableEntity, views.WebhookForm{Input: in, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/webhooks?notice=webhook")
}

// showWebhook is a webhook's delivery log.
func (h *Handler) showWebhook(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	w, err := h.store.FindWebhook(ctx, id)
	if err != nil {
		return err
	}
	ds, err := h.store.FindDeliveries(ctx, id, deliveryLogLimit)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.WebhookPage(h.page(c, "Webhook deliveries", "admin"), w, ds))
}

// deleteWebhook removes a webhook with its queue and log, once the admin
// confirms it.
func (h *Handler) deleteWebhook(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok {
		w, err := h.store.FindWebhook(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return h.askToConfirm(c, views.RemoveWebhookConfirm(w))
	}
	if err := h.store.DeleteWebhook(c.Request().Context(), h.actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/webhooks?notice=unhooked")
}
