package handlers

import (
	"cmp"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/views"
)

// Products: admins make, rename and archive them (Admin → Products);
// everyone signed in reads a product's page, with its team by role.

func (h *Handler) showProducts(c echo.Context) error {
	return h.renderProducts(c, http.StatusOK, views.ProductForm{})
}

// renderProducts lists the products, those in use first, with the create
// form showing f.
func (h *Handler) renderProducts(c echo.Context, status int, f views.ProductForm) error {
	ctx := c.Request().Context()
	products, err := h.store.FindProducts(ctx)
	if err != nil {
		return err
	}
	counts, err := h.store.CountReleases(ctx)
	if err != nil {
		return err
	}
	rows := make([]views.ProductRow, 0, len(products))
	for _, p := range products {
		rows = append(rows, views.ProductRow{Product: p, Releases: counts[p.Key]})
	}
	return render(c, status, views.ProductsPage(h.page(c, "Products", "admin"), rows, f))
}

// productForm reads a product form's fields.
func productForm(c echo.Context) gonogo.ProductInput {
	return gonogo.ProductInput{Key: c.FormValue("key"), Name: c.FormValue("name"),
		Description: c.FormValue("description"), OwnerTeam: c.FormValue("owner_team")}
}

func (h *Handler) createProduct(c echo.Context) error {
	in := productForm(c)
	p, err := h.store.CreateProduct(c.Request().Context(), h.actor(c), in)
	if errs := formErrors(err); errs != nil {
		return h.renderProducts(c, http.StatusUnprocessableEntity, views.ProductForm{Input: in, Errors: errs})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/products/"+p.Key+"?notice=product")
}

func (h *Handler) showProductAdmin(c echo.Context) error {
	p, err := h.store.FindProduct(c.Request().Context(), c.Param("key"))
	if err != nil {
		return err
	}
	in := gonogo.ProductInput{Key: p.Key, Name: p.Name, Description: p.Description, OwnerTeam: p.OwnerTeam}
	f := views.ProductForm{Input: in}
	if f.Reminders, err = h.productReminders(c, p.Key); err != nil {
		return err
	}
	f.Reminders.Saved = c.QueryParam("notice") == "reminders"
	return render(c, http.StatusOK, views.ProductAdminPage(h.page(c, p.Name, "admin"), p, f, ""))
}

func (h *Handler) updateProduct(c echo.Context) error {
	ctx := c.Request().Context()
	key := c.Param("key")
	in := productForm(c)
	err := h.store.UpdateProduct(ctx, h.actor(c), key, in)
	if errs := formErrors(err); errs != nil && gonogo.ErrorCode(err) == gonogo.EINVALID {
		p, ferr := h.store.FindProduct(ctx, key)
		if ferr != nil {
			return ferr
		}
		in.Key = key
		f := views.ProductForm{Input: in, Errors: errs}
		if f.Reminders, err = h.productReminders(c, key); err != nil {
			return err
		}
		return render(c, http.StatusUnprocessableEntity, views.ProductAdminPage(h.page(c, p.Name, "admin"), p, f, ""))
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/products/"+key+"?notice=saved")
}

// archiveProduct archives a product or puts it back in use. Both are
// undone as easily, so neither asks first.
func (h *Handler) archiveProduct(c echo.Context) error {
	ctx := c.Request().Context()
	key := c.Param("key")
	archive, err := strconv.ParseBool(c.FormValue("archived"))
	if err != nil {
		return gonogo.FieldErrorf("archived", "say whether to archive the product (1) or put it back in use (0)")
	}
	err = h.store.ArchiveProduct(ctx, h.actor(c), key, archive)
	if gonogo.ErrorCode(err) == gonogo.ECONFLICT {
		p, ferr := h.store.FindProduct(ctx, key)
		if ferr != nil {
			return ferr
		}
		in := gonogo.ProductInput{Key: p.Key, Name: p.Name, Description: p.Description, OwnerTeam: p.OwnerTeam}
		f := views.ProductForm{Input: in}
		if f.Reminders, ferr = h.productReminders(c, key); ferr != nil {
			return ferr
		}
		return render(c, http.StatusConflict, views.ProductAdminPage(h.page(c, p.Name, "admin"), p, f, gonogo.ErrorMessage(err)))
	} else if err != nil {
		return err
	}
	notice := "archived"
	if !archive {
		notice = "unarchived"
	}
	return c.Redirect(http.StatusSeeOther, "/admin/products/"+key+"?notice="+notice)
}

// showProduct is a product's page: what it is, its last 90 days at a
// glance, who holds each role for it and its latest releases.
func (h *Handler) showProduct(c echo.Context) error {
	return h.renderProduct(c, http.StatusOK, nil)
}

// renderProduct shows the product page, adjusted (e.g. a refused form
// shown again) when adjust is not nil.
func (h *Handler) renderProduct(c echo.Context, status int, adjust func(*views.ProductView)) error {
	ctx := c.Request().Context()
	p, err := h.store.FindProduct(ctx, c.Param("key"))
	if err != nil {
		return err
	}
	team, err := h.store.FindTeam(ctx, p.Key)
	if err != nil {
		return err
	}
	counts, err := h.store.CountReleases(ctx)
	if err != nil {
		return err
	}
	v := views.ProductView{Product: p, Team: teamView(team), Releases: counts[p.Key]}
	if v.Glance, err = h.productGlance(c, p.Key); err != nil {
		return err
	}
	if v.Recent, err = h.store.FindReleasePage(ctx, gonogo.ReleaseFilter{Product: p.Key}, 0, recentReleases); err != nil {
		return err
	}
	page := h.page(c, p.Name, "board")
	if u := currentUser(c); u != nil && u.Admin {
		v.FixURL = "/admin/users"
	}
	if v.Policies, err = h.policyForms(c, p.Key, page.App.Administer); err != nil {
		return err
	}
	if v.Rollout, err = h.stageTemplateView(c, p); err != nil {
		return err
	}
	if adjust != nil {
		adjust(&v)
	}
	return render(c, status, views.ProductPage(page, v))
}

// teamView is a product's team as its page lists it: every role, in the
// board's order, with whom the store found.
func teamView(t db.Team) []views.RoleTeam {
	out := make([]views.RoleTeam, 0, len(gonogo.Roles))
	for _, r := range gonogo.Roles {
		rt := views.RoleTeam{Role: r}
		for _, h := range t.Holders[r] {
			name := cmp.Or(h.Name, h.Email)
			rt.Holders = append(rt.Holders, views.TeamHolder{UserID: h.UserID, Name: name, Everywhere: h.Everywhere})
		}
		rt.More = t.Count[r] - len(rt.Holders)
		out = append(out, rt)
	}
	return out
}
