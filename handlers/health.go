package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// healthTimeout bounds a probe: a database that takes longer is as good
// as down to whoever is routing traffic.
const healthTimeout = 2 * time.Second

// health is the answer of /healthz.
type health struct {
	Status     string `json:"status"`   // "ok" or "unavailable"
	Database   string `json:"database"` // "ok" or "unreachable"
	Migrations struct {
		Version int64 `json:"version"`
		Pending bool  `json:"pending"`
	} `json:"migrations"`
}

// showHealth answers 200 when the database answers and has every
// migration this binary embeds, 503 otherwise. It says nothing more than
// that: it is public, for load balancers and orchestrators.
func (h *Handler) showHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
	defer cancel()
	st, err := h.store.Health(ctx)
	var out health
	out.Status, out.Database = "ok", "ok"
	out.Migrations.Version, out.Migrations.Pending = st.Version, st.Pending
	status := http.StatusOK
	if err != nil {
		h.log.Error("health: database", "err", err)
		out.Database = "unreachable"
	}
	if err != nil || st.Pending {
		out.Status, status = "unavailable", http.StatusServiceUnavailable
	}
	return c.JSON(status, out)
}
