package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
)

// abilities is what the request's user may do to the snapshot's release,
// as the domain says: the view models take their flags from it.
func (h *Handler) abilities(c echo.Context, snap gonogo.Snapshot) gonogo.Abilities {
	return gonogo.AbilitiesOf(h.actor(c), snap)
}
