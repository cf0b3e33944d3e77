package handlers

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPI describes the pipeline API. It is written by hand; a test holds
// it against the router, so a route cannot be added or removed without it.
//
//go:embed openapi.json
var openAPI []byte

func (h *Handler) showOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPI)
}
