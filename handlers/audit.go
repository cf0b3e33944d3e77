package handlers

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// auditLimit is how many events the audit page shows.
const auditLimit = 200

// checkpointsShown is how many past checkpoints the audit page lists.
const checkpointsShown = 10

// showAudit lists the latest events and verifies the whole chain.
func (h *Handler) showAudit(c echo.Context) error {
	return h.renderAudit(c, http.StatusOK, views.CheckpointPanel{}, nil)
}

// renderAudit shows the audit page. With a checkpoint, it verifies the
// trail against it too, in the same walk of the trail.
func (h *Handler) renderAudit(c echo.Context, status int, panel views.CheckpointPanel, cp *gonogo.Checkpoint) error {
	ctx := c.Request().Context()
	events, err := h.store.FindEvents(ctx, auditLimit)
	if err != nil {
		return err
	}
	var seq int64
	if cp != nil {
		seq = cp.Seq
	}
	trail, err := h.store.Trail(ctx, seq)
	if err != nil {
		return err
	}
	chain := views.ChainStatus{Checked: trail.Checked, Break: trail.Break}
	if len(events) > 0 && trail.Break == nil {
		chain.Head = events[0].Hash
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
		return h.renderAudit(c, http.StatusUnprocessableEntity, panel, nil)
	} else if err != nil {
		return err
	}
	if h.checkpointPublicKey() == nil {
		return gonogo.Errorf(gonogo.ECONFLICT, "checkpoints are off: gonogo was started without an audit key")
	}
	return h.renderAudit(c, http.StatusOK, panel, &cp)
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
