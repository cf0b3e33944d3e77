package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
)

// checkRequest is a pipeline's result for one check.
type checkRequest struct {
	Status  gonogo.CheckStatus `json:"status"`
	URL     string             `json:"url"`
	Summary string             `json:"summary"`
}

// apiItem is a checklist item as the API shows it.
type apiItem struct {
	ID       int64             `json:"id"`
	Title    string            `json:"title"`
	CheckKey string            `json:"check_key"`
	Status   gonogo.ItemStatus `json:"status"`
	Evidence string            `json:"evidence"`
}

// reportCheck sets the item carrying the check key to done or failed, with
// the evidence, in the token's name.
func (h *Handler) reportCheck(c echo.Context) error {
	rel, err := h.findAPIRelease(c)
	if err != nil {
		return err
	}
	var req checkRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r := gonogo.CheckReport{Key: c.Param("key"), Status: req.Status, URL: req.URL, Summary: req.Summary}
	n := r
	n.Normalize()
	if err := asSent(sent{"key", r.Key, n.Key}, sent{"status", string(r.Status), string(n.Status)},
		sent{"url", r.URL, n.URL}, sent{"summary", r.Summary, n.Summary}); err != nil {
		return err
	}
	it, err := h.store.ReportCheck(c.Request().Context(), tokenActor(c), rel.ID, r)
	if err != nil {
		return err
	}
	d, err := h.currentDecision(c, rel) // verification checks come after it
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"release": h.apiReleaseOf(rel, gonogo.DecisionOf(d)),
		"item":    apiItem{it.ID, it.Title, it.CheckKey, it.Status, it.Evidence},
	})
}

// eventRequest is a pipeline's report of a deployment event.
type eventRequest struct {
	Event   gonogo.PipelineEvent `json:"event"`
	URL     string               `json:"url"`
	Summary string               `json:"summary"`
}

// reportEvent moves the release through deploying, verifying or
// rolled-back, or notes a smoke test's result, as the domain decides.
func (h *Handler) reportEvent(c echo.Context) error {
	rel, err := h.findAPIRelease(c)
	if err != nil {
		return err
	}
	var req eventRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := asSent(sent{"url", req.URL, strings.TrimSpace(req.URL)}, sent{"summary", req.Summary, strings.TrimSpace(req.Summary)}); err != nil {
		return err
	}
	r := gonogo.EventReport{Event: req.Event, URL: req.URL, Summary: req.Summary}
	if _, err := h.store.ReportEvent(c.Request().Context(), tokenActor(c), rel.ID, r); err != nil {
		return err
	}
	rel, err = h.store.FindRelease(c.Request().Context(), rel.ID)
	if err != nil {
		return err
	}
	d, err := h.currentDecision(c, rel)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"event": req.Event, "release": h.apiReleaseOf(rel, gonogo.DecisionOf(d))})
}
