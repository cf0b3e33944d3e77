package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// Inbound webhooks from the trackers (docs/trackers.md). A tracker posts to
// /hooks/{kind}/{product}; what it sends is trusted only once it is signed
// with the secret of that product's tracker of that kind, the way that
// tracker signs. There is no session and no CSRF token here: the signature
// is the delivery's whole authority, and a forged request has no cookie to
// ride on, as the hooks never read one.

// hookPrefix is where the trackers' webhooks arrive.
const hookPrefix = "/hooks/"

func isHook(path string) bool { return strings.HasPrefix(path, hookPrefix) }

// maxDeliveryID bounds the delivery ids remembered: GitHub's and Jira's
// are UUIDs, GitLab's too.
const maxDeliveryID = 200

// Outcomes of a delivery, as counted in gonogo_tracker_deliveries_total.
const (
	hookApplied      = "applied"
	hookStale        = "stale"
	hookIgnored      = "ignored"
	hookPing         = "ping"
	hookUnsigned     = "unsigned"
	hookBadSignature = "bad_signature"
	hookUnknown      = "unknown"
	hookReplayed     = "replayed"
	hookInvalid      = "invalid"
	hookWrongProject = "wrong_project"
	hookTooLarge     = "too_large"
)

var hookOutcomes = []string{hookApplied, hookStale, hookIgnored, hookPing, hookUnsigned, hookBadSignature, hookUnknown,
	hookReplayed, hookInvalid, hookWrongProject, hookTooLarge}

// notSigned is what both an unknown tracker and a wrong signature are
// told, in the same words, so that nobody can learn which products have
// which trackers by trying.
const notSigned = "the delivery is not signed with the secret of this product's tracker"

// hookAnswer is the small JSON body every delivery is answered with.
type hookAnswer struct {
	Outcome string       `json:"outcome"`
	Message string       `json:"message"`
	Release string       `json:"release,omitempty"`
	Defects []hookDefect `json:"defects,omitempty"`
}

type hookDefect struct {
	ID       int64  `json:"id"`
	Key      string `json:"key"`
	Severity string `json:"severity"`
	Status   string `json:"status"`
}

// hookSigning is how one tracker signs and names its deliveries.
type hookSigning struct {
	signature string // the header that carries the signature or token
	verify    func(sig, secret string, body []byte) bool
	ids       []string // the headers naming the delivery, first found wins
	event     string   // the header naming the event; "" when the body does
}

var hookSignings = map[gonogo.TrackerKind]hookSigning{
	// GitHub: X-Hub-Signature-256 is sha256= and the HMAC-SHA256 of the
	// body; X-GitHub-Delivery is the same on a redelivery.
	gonogo.GitHub: {"X-Hub-Signature-256", verifyHMAC, []string{"X-GitHub-Delivery"}, "X-GitHub-Event"},
	// GitLab: X-Gitlab-Token is the secret token itself. Idempotency-Key
	// (GitLab 17.4 and later) stays the same across retries of one
	// delivery; older GitLab sends X-Gitlab-Event-UUID alone.
	gonogo.GitLab: {"X-Gitlab-Token", verifyToken, []string{"Idempotency-Key", "X-Gitlab-Event-UUID"}, "X-Gitlab-Event"},
	// Jira Cloud: an admin webhook with a secret sends X-Hub-Signature,
	// sha256= and the HMAC-SHA256 of the body (WebSub's method=signature).
	gonogo.Jira: {"X-Hub-Signature", verifyHMAC, []string{"X-Atlassian-Webhook-Identifier"}, ""},
}

// verifyHMAC checks a "sha256=<hex>" signature of body, in constant time.
func verifyHMAC(sig, secret string, body []byte) bool {
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(sig), "sha256=")
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// verifyToken checks a token sent as is, in constant time.
func verifyToken(token, secret string, _ []byte) bool { return sameSecret(token, secret) }

func (h *Handler) receiveGitHub(c echo.Context) error { return h.receiveHook(c, gonogo.GitHub) }
func (h *Handler) receiveGitLab(c echo.Context) error { return h.receiveHook(c, gonogo.GitLab) }
func (h *Handler) receiveJira(c echo.Context) error   { return h.receiveHook(c, gonogo.Jira) }

// receiveHook takes one delivery of kind: read at most
// gonogo.MaxTrackerPayload, check the signature against the product's
// tracker, read the payload and apply it. Nothing refused is stored.
func (h *Handler) receiveHook(c echo.Context, kind gonogo.TrackerKind) error {
	answer := func(status int, outcome, msg string) error {
		h.metrics.trackerDeliveries.WithLabelValues(string(kind), outcome).Inc()
		return c.JSON(status, hookAnswer{Outcome: outcome, Message: msg})
	}
	sign := hookSignings[kind]
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, gonogo.MaxTrackerPayload+1))
	if err != nil {
		return err
	}
	if len(body) > gonogo.MaxTrackerPayload {
		return answer(http.StatusRequestEntityTooLarge, hookTooLarge, "the delivery is larger than 1 MB, more than any issue needs")
	}
	r := c.Request()
	sig := r.Header.Get(sign.signature)
	if sig == "" {
		return answer(http.StatusUnauthorized, hookUnsigned, "the delivery is not signed: set the webhook's secret, which sends "+sign.signature)
	}
	ctx := r.Context()
	t, err := h.store.FindTracker(ctx, c.Param("product"), kind)
	if gonogo.ErrorCode(err) == gonogo.ENOTFOUND {
		return answer(http.StatusUnauthorized, hookUnknown, notSigned)
	} else if err != nil {
		return err
	}
	if !sign.verify(sig, t.Secret, body) {
		return answer(http.StatusUnauthorized, hookBadSignature, notSigned)
	}
	id := deliveryID(r, sign.ids)
	if id == "" || len(id) > maxDeliveryID {
		return answer(http.StatusBadRequest, hookInvalid, "the delivery has no id: "+strings.Join(sign.ids, " or ")+" is missing")
	}
	ev, err := gonogo.ParseTrackerPayload(kind, r.Header.Get(sign.event), body, h.store.Now())
	switch {
	case err != nil:
		return answer(http.StatusBadRequest, hookInvalid, gonogo.ErrorMessage(err))
	case ev.Ping:
		return answer(http.StatusOK, hookPing, "pong: the webhook reaches gonogo and is signed with the right secret")
	case !ev.Use:
		return answer(http.StatusAccepted, hookIgnored, "gonogo does not follow "+orDash(ev.What)+"; nothing changed")
	}
	if why := t.Mismatch(ev); why != "" {
		return answer(http.StatusUnprocessableEntity, hookWrongProject, why)
	}
	if why := t.Unreadable(ev); why != "" {
		return answer(http.StatusUnprocessableEntity, hookInvalid, why)
	}
	return h.applyHook(c, t, id, ev)
}

// applyHook stores one verified delivery and says what it did.
func (h *Handler) applyHook(c echo.Context, t gonogo.Tracker, id string, ev gonogo.TrackerEvent) error {
	count := func(outcome string) { h.metrics.trackerDeliveries.WithLabelValues(string(t.Kind), outcome).Inc() }
	applied, err := h.store.ApplyDelivery(c.Request().Context(), t, db.TrackerDelivery{ID: id, Item: ev.Item})
	switch {
	case errors.Is(err, db.ErrReplayed):
		count(hookReplayed)
		return c.JSON(http.StatusConflict, hookAnswer{Outcome: hookReplayed, Message: "delivery " + id + " was received before; nothing changed"})
	case err != nil:
		return err
	case applied.Stale:
		count(hookStale)
		return c.JSON(http.StatusOK, hookAnswer{Outcome: hookStale, Message: "gonogo already heard something newer of " +
			ev.Item.Key + "; nothing changed"})
	}
	count(hookApplied)
	out := hookAnswer{Outcome: hookApplied, Release: applied.Release.Version,
		Message: ev.What + " " + ev.Item.Key + ": " + gonogo.Plural(len(applied.Defects), "defect", "defects") + " changed"}
	for _, d := range applied.Defects {
		out.Defects = append(out.Defects, hookDefect{ID: d.ID, Key: d.Key, Severity: string(d.Severity), Status: string(d.Status)})
	}
	return c.JSON(http.StatusOK, out)
}

// deliveryID is the first of the headers that names the delivery.
func deliveryID(r *http.Request, headers []string) string {
	for _, name := range headers {
		if v := strings.TrimSpace(r.Header.Get(name)); v != "" {
			return v
		}
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "this event"
	}
	return s
}
