package handlers

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo/views"
)

// backupsShown is how many past backups the page lists.
const backupsShown = 10

func (h *Handler) showBackup(c echo.Context) error {
	backups, err := h.store.FindBackups(c.Request().Context(), backupsShown)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.BackupPage(h.page(c, "Backups", "admin"), backups))
}

// downloadBackup sends a consistent copy of the database as a file. It is
// a POST behind the CSRF token, like every change, because it writes to
// the audit trail. The copy is made in a temporary folder beside the
// database, where there is room for one, and removed once sent.
func (h *Handler) downloadBackup(c echo.Context) error {
	dir, err := os.MkdirTemp(filepath.Dir(h.store.Path()), ".backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	name := "gonogo-" + h.store.Now().Format("20060102-150405") + ".db"
	b, err := h.store.Backup(c.Request().Context(), h.actor(c), filepath.Join(dir, name))
	if err != nil {
		return err
	}
	f, err := os.Open(b.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	hdr := c.Response().Header()
	hdr.Set(echo.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", name))
	hdr.Set(echo.HeaderContentLength, strconv.FormatInt(b.Size, 10))
	return c.Stream(http.StatusOK, echo.MIMEOctetStream, f)
}
