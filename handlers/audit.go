package handlers

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// auditPageSize is how many events a page of the audit trail shows: the
// page costs the same however long the trail grows, and older events are a
// link away.
const auditPageSize = 200

// checkpointsShown is how many past checkpoints the audit page lists.
const checkpointsShown = 10

// showAudit shows a page of the latest events (?before= for older ones)
// and whether the chain holds. htmx asking for another page gets the list
// alone, without verifying anything. One view is built at a time: admins
// on the audit page wait for each other rather than taking both cores
// from the board's readers (docs/performance.md).
func (h *Handler) showAudit(c echo.Context) error {
	before, err := cursorParam(c.QueryParams(), "before", "event")
	if err != nil {
		return err
	}
	select {
	case h.auditViews <- struct{}{}:
		defer func() { <-h.auditViews }()
	case <-c.Request().Context().Done():
		return c.Request().Context().Err() // the admin went away while waiting
	}
	if isPartial(c) {
		c.Response().Header().Add("Vary", "HX-Target")
		if c.Request().Header.Get("HX-Target") == "audit-events" {
			events, err := h.auditEvents(c, before)
			if err != nil {
				return err
			}
			return render(c, http.StatusOK, views.AuditEvents(events))
		}
	}
	return h.renderAudit(c, http.StatusOK, before, views.CheckpointPanel{}, nil)
}

// renderAudit shows the audit page. With a checkpoint, it first verifies
// the whole trail against it, which the page then shows as the last
// verification of the whole trail.
func (h *Handler) renderAudit(c echo.Context, status int, before int64, panel views.CheckpointPanel, cp *gonogo.Checkpoint) error {
	ctx := c.Request().Context()
	var trail gonogo.Trail
	var err error
	if cp != nil {
		if trail, err = h.store.Trail(ctx, cp.Seq); err != nil {
			return err
		}
	}
	events, err := h.auditEvents(c, before)
	if err != nil {
		return err
	}
	chain, err := h.chainStatus(c, events.Events, before, status < 400)
	if err != nil {
		return err
	}
	if panel.Recent, err = h.store.FindCheckpoints(ctx, checkpointsShown); err != nil {
		return err
	}
	if pub := h.checkpointPublicKey(); pub != nil {
		panel.Key = gonogo.KeyID(pub)
		if cp != nil {
			panel.Result = &views.CheckpointResult{Checkpoint: *cp, Checked: trail.Checked, Last: trail.Last}
			if err := cp.Verify(pub, trail); err != nil {
				panel.Result.Problem = gonogo.ErrorMessage(err)
			}
		}
	}
	return render(c, status, views.AuditPage(h.page(c, "Audit trail", "admin"), events, chain, panel))
}

// auditEvents reads the page of events that ends before before (0: the
// newest), and links it to the older page and back to the newest.
func (h *Handler) auditEvents(c echo.Context, before int64) (views.AuditEventsView, error) {
	rows, err := h.store.FindEventsBefore(c.Request().Context(), before, auditPageSize+1)
	if err != nil {
		return views.AuditEventsView{}, err
	}
	var v views.AuditEventsView
	var older int64
	v.Events, older = onePage(rows, auditPageSize, func(e gonogo.Event) int64 { return e.ID })
	if older > 0 {
		v.Nav.Older = "/admin/audit?before=" + strconv.FormatInt(older, 10)
	}
	if before > 0 {
		v.Nav.Newest = "/admin/audit"
	}
	return v, nil
}

// chainStatus verifies the events written since the last look (a bounded
// amount, whatever the length of the trail) and adds what the last
// verification of the whole trail found behind the mark: the first break
// of the two is the one shown. A look moves the mark in the store's memory
// only, writing nothing to the database, so it leaves every cached read
// warm. Without look it verifies nothing: a refused request changes
// nothing.
func (h *Handler) chainStatus(c echo.Context, events []gonogo.Event, before int64, look bool) (views.ChainStatus, error) {
	ctx := c.Request().Context()
	verify := h.store.VerifyNewEvents
	if !look {
		verify = h.store.AuditProgress
	}
	check, err := verify(ctx)
	if err != nil {
		return views.ChainStatus{}, err
	}
	whole, err := h.store.LastVerification(ctx)
	if err != nil {
		return views.ChainStatus{}, err
	}
	chain := views.ChainStatus{Checked: check.Mark.Seq, Break: check.Break, Pending: check.Pending(),
		Whole: views.WholeVerification{At: whole.At, Checked: whole.Checked, Break: whole.Break}}
	if whole.Break != nil && (chain.Break == nil || whole.Break.EventID < chain.Break.EventID) {
		chain.Break, chain.Checked = whole.Break, int64(whole.Checked)
	}
	if m := check.Moved; m != nil {
		chain.Moved, chain.MovedAt = m.Seq, m.At
		h.log.Warn("audit: the trail no longer holds the event it was verified through as it was; verified again from the first event",
			"event", m.Seq, "verified", m.At)
	}
	if before == 0 && len(events) > 0 && chain.Break == nil && chain.Pending == 0 {
		chain.Head = events[0].Hash
	}
	return chain, nil
}

// checkpointPublicKey is the public half of the board's checkpoint key, or
// nil when checkpoints are not set up.
func (h *Handler) checkpointPublicKey() ed25519.PublicKey {
	if len(h.cfg.CheckpointKey) != ed25519.PrivateKeySize {
		return nil
	}
	return h.cfg.CheckpointKey.Public().(ed25519.PublicKey)
}

// downloadCheckpoint signs the head of the trail and sends the checkpoint
// as a small text file, to keep somewhere the board's machine cannot
// reach. It is a POST behind the CSRF token because it is audited.
func (h *Handler) downloadCheckpoint(c echo.Context) error {
	if h.checkpointPublicKey() == nil {
		return gonogo.Errorf(gonogo.ECONFLICT, "checkpoints are off: gonogo was started without an audit key")
	}
	cp, err := h.store.Checkpoint(c.Request().Context(), h.actor(c), h.cfg.CheckpointKey, false)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("gonogo-checkpoint-%d-%s.txt", cp.Seq, cp.At.Format("20060102-150405"))
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", name))
	return c.Blob(http.StatusOK, echo.MIMETextPlainCharsetUTF8, []byte(cp.String()))
}

// verifyCheckpoint verifies the trail against a checkpoint uploaded as a
// file or pasted, and shows the outcome on the audit page. A trail that
// does not verify is an answer, not a mistake in the request: 200 either
// way; only a checkpoint that cannot be read is refused.
func (h *Handler) verifyCheckpoint(c echo.Context) error {
	var cp gonogo.Checkpoint
	text, err := checkpointText(c)
	if err == nil {
		cp, err = gonogo.ParseCheckpoint(text)
	}
	panel := views.CheckpointPanel{Text: text}
	if len(text) > gonogo.MaxCheckpointLen {
		panel.Text = "" // not worth showing again
	}
	if panel.Errors = formErrors(err); panel.Errors != nil {
		return h.renderAudit(c, http.StatusUnprocessableEntity, 0, panel, nil)
	} else if err != nil {
		return err
	}
	if h.checkpointPublicKey() == nil {
		return gonogo.Errorf(gonogo.ECONFLICT, "checkpoints are off: gonogo was started without an audit key")
	}
	return h.renderAudit(c, http.StatusOK, 0, panel, &cp)
}

// checkpointText is the checkpoint the form gives: the uploaded file if
// there is one, otherwise the pasted text. Only a little more than a
// checkpoint's worth is read from a file.
func checkpointText(c echo.Context) (string, error) {
	fh, err := c.FormFile("file")
	if err != nil || fh.Filename == "" {
		return c.FormValue("checkpoint"), nil
	}
	f, err := fh.Open()
	if err != nil {
		return "", gonogo.FieldErrorf("checkpoint", "the file could not be read")
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, gonogo.MaxCheckpointLen+1))
	if err != nil {
		return "", gonogo.FieldErrorf("checkpoint", "the file could not be read")
	}
	return string(raw), nil
}
