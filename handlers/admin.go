package handlers

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/views"
)

func (h *Handler) showAdmin(c echo.Context) error {
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}

func (h *Handler) showUsers(c echo.Context) error {
	return h.renderUsers(c, http.StatusOK, views.UserForm{})
}

func (h *Handler) renderUsers(c echo.Context, status int, f views.UserForm) error {
	from, err := offsetParam(c)
	if err != nil {
		return err
	}
	users, err := h.store.FindUserPage(c.Request().Context(), from, userPageSize+1)
	if err != nil {
		return err
	}
	users, nav := offsetPage(users, "/admin/users", from, userPageSize)
	return render(c, status, views.UsersPage(h.page(c, "People", "admin"), users, nav, f))
}

// formRoles reads the role checkboxes; an unknown role is a bad form.
func formRoles(c echo.Context) (gonogo.RoleSet, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, gonogo.Errorf(gonogo.EINVALID, "the form could not be read")
	}
	var rs []gonogo.Role
	for _, s := range form["roles"] {
		r, err := gonogo.ParseRole(s)
		if err != nil {
			return nil, gonogo.FieldErrorf("roles", "%s", gonogo.ErrorMessage(err))
		}
		rs = append(rs, r)
	}
	return gonogo.NewRoleSet(rs...), nil
}

func (h *Handler) createUser(c echo.Context) error {
	roles, err := formRoles(c)
	if err != nil {
		return err
	}
	in := gonogo.NewUser{
		Name: c.FormValue("name"), Email: c.FormValue("email"), Password: c.FormValue("password"), Repeat: repeated(c),
		Roles: roles, Admin: c.FormValue("admin") == "1",
	}
	f := views.UserForm{User: gonogo.User{Name: in.Name, Email: in.Email, Roles: roles, Admin: in.Admin}}
	if r := h.hashPassword(c, func() { _, err = h.store.CreateUser(c.Request().Context(), h.actor(c), in) }); r != nil {
		f.Errors = map[string]string{"password": r.msg}
		return h.renderUsers(c, r.status, f)
	}
	if f.Errors = formErrors(err); f.Errors != nil {
		return h.renderUsers(c, http.StatusUnprocessableEntity, f)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?notice=saved")
}

func (h *Handler) showUser(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u, err := h.store.FindUser(c.Request().Context(), id)
	if err != nil {
		return err
	}
	f, err := h.personForm(c.Request().Context(), u)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.UserPage(h.page(c, u.DisplayName(), "admin"), f))
}

// personForm is the person page's form for u: the roles and admin flag
// given by hand, ticked; those the provider's groups gave, shown beside.
// The boxes for every product are the roles held for every product.
func (h *Handler) personForm(ctx context.Context, u gonogo.User) (views.UserForm, error) {
	given, hand, err := h.store.FindGroupGiven(ctx, u.ID)
	if err != nil {
		return views.UserForm{}, err
	}
	u.Grants = hand
	u.Roles, _ = hand.Split()
	products, err := h.grantProducts(ctx, u)
	if err != nil {
		return views.UserForm{}, err
	}
	f := views.UserForm{User: u, Products: products, Given: given}
	if f.Named, err = h.store.FindDeputyships(ctx, u.ID); err != nil {
		return f, err
	}
	standsIn, err := h.store.FindDeputyshipsFor(ctx, u.ID)
	now := h.store.Now()
	for _, d := range standsIn {
		if d.OpenAt(now) {
			f.StandsIn = append(f.StandsIn, d)
		}
	}
	return f, err
}

// grantProducts are the products u's roles may be held for alone: those
// in use, and any archived one u still holds a role for.
func (h *Handler) grantProducts(ctx context.Context, u gonogo.User) ([]gonogo.Product, error) {
	all, err := h.store.FindProducts(ctx)
	return slices.DeleteFunc(all, func(p gonogo.Product) bool {
		return p.Archived() && !slices.Contains(u.Grants.Products(), p.Key)
	}), err
}

// formGrants reads the roles held for some products only from the user
// form, or nil when the form did not show them (a script's post of names
// and roles alone leaves them as they are). The store refuses a product
// nobody made (gonogo.Grants.CheckProducts).
func formGrants(c echo.Context) (*gonogo.Grants, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, gonogo.Errorf(gonogo.EINVALID, "the form could not be read")
	}
	if form.Get("product-roles") != "1" {
		return nil, nil
	}
	gs := gonogo.Grants{}
	for _, s := range form["grants"] {
		role, product, _ := strings.Cut(s, "@")
		r, err := gonogo.ParseRole(role)
		if err != nil {
			return nil, gonogo.FieldErrorf("grants", "%s", gonogo.ErrorMessage(err))
		}
		gs = append(gs, gonogo.Grant{Role: r, Product: product})
	}
	return &gs, nil
}

// updateUser saves name, roles and the admin flag.
func (h *Handler) updateUser(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	roles, err := formRoles(c)
	if err != nil {
		return err
	}
	grants, err := formGrants(c)
	if err != nil {
		return err
	}
	name := c.FormValue("name")
	adm := c.FormValue("admin") == "1"
	return h.saveUser(c, id, "", db.UserUpdate{Name: &name, Roles: &roles, Products: grants, Admin: &adm})
}

func (h *Handler) setUserStatus(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := strconv.ParseBool(c.FormValue("disabled"))
	if err != nil {
		return gonogo.Errorf(gonogo.EINVALID, "say whether to disable or enable the account")
	}
	// Disabling ends the person's sessions, which no one can give back:
	// it is asked first. Enabling again is not.
	ok, err := confirmed(c)
	if err != nil {
		return err
	}
	if v && !ok {
		u, err := h.store.FindUser(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return h.askToConfirm(c, views.DisableUserConfirm(u))
	}
	return h.saveUser(c, id, "status", db.UserUpdate{Disabled: &v})
}

func (h *Handler) resetPassword(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	pw := c.FormValue("password")
	if err := gonogo.CheckRepeat(pw, repeated(c)); err != nil {
		u, ferr := h.store.FindUser(c.Request().Context(), id)
		if ferr != nil {
			return ferr
		}
		f, ferr := h.personForm(c.Request().Context(), u)
		if ferr != nil {
			return ferr
		}
		f.Errors, f.Form = formErrors(err), "password"
		return render(c, http.StatusUnprocessableEntity, views.UserPage(h.page(c, u.DisplayName(), "admin"), f))
	}
	// The slot is held while the page renders too: a few milliseconds,
	// against a hash's sixty, for one path through saveUser.
	var saved error
	if r := h.hashPassword(c, func() { saved = h.saveUser(c, id, "password", db.UserUpdate{Password: &pw}) }); r != nil {
		u, err := h.store.FindUser(c.Request().Context(), id)
		if err != nil {
			return err
		}
		f, err := h.personForm(c.Request().Context(), u)
		if err != nil {
			return err
		}
		f.Errors, f.Form = map[string]string{"password": r.msg}, "password"
		return render(c, r.status, views.UserPage(h.page(c, u.DisplayName(), "admin"), f))
	}
	return saved
}

// saveUser applies an admin's change from one of the user page's forms
// (views.UserForm.Form) and shows the user again, with the problems in
// that form if it was refused. A conflict, such as disabling the last
// admin, is the whole form's.
func (h *Handler) saveUser(c echo.Context, id int64, form string, up db.UserUpdate) error {
	ctx := c.Request().Context()
	_, err := h.store.UpdateUser(ctx, h.actor(c), id, up)
	code := gonogo.ErrorCode(err)
	if code == gonogo.EINVALID || code == gonogo.ECONFLICT {
		u, ferr := h.store.FindUser(ctx, id)
		if ferr != nil {
			return ferr
		}
		errs := formErrors(err)
		if code == gonogo.ECONFLICT {
			errs = map[string]string{"": gonogo.ErrorMessage(err)}
		}
		if up.Name != nil {
			u.Name = *up.Name // as typed
		}
		f, ferr := h.personForm(ctx, u)
		if ferr != nil {
			return ferr
		}
		if up.Roles != nil && up.Admin != nil {
			f.User.Roles, f.User.Admin = *up.Roles, *up.Admin
		}
		f.Errors, f.Form = errs, form
		return render(c, statusOf[code], views.UserPage(h.page(c, u.DisplayName(), "admin"), f))
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users/"+strconv.FormatInt(id, 10)+"?notice=saved")
}

// The template handlers edit the template named by ?product= (in the
// address, so it can be kept and shared): a product's own, or the global
// one when none is named.

// newTemplateItem is the add form as it first shows.
var newTemplateItem = views.ItemForm{Input: gonogo.ItemInput{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Required: true}}

func (h *Handler) showTemplate(c echo.Context) error {
	return h.renderTemplate(c, http.StatusOK, 0, views.ItemForm{}, newTemplateItem)
}

// templateProduct is the product whose template a request is about, ""
// for the global one.
func templateProduct(c echo.Context) string { return c.FormValue("product") }

// templateURL is the template page of product, with the rest appended.
func templateURL(product, rest string) string {
	u := "/admin/template"
	if product != "" {
		u += "?product=" + url.QueryEscape(product)
	}
	if rest == "" {
		return u
	}
	if product != "" && rest[0] == '?' {
		rest = "&" + rest[1:]
	}
	return u + rest
}

// renderTemplate shows the template; failedID's form, if any, shows failed.
func (h *Handler) renderTemplate(c echo.Context, status int, failedID int64, failed, add views.ItemForm) error {
	ctx := c.Request().Context()
	tpl, err := h.store.FindProductTemplate(ctx, templateProduct(c))
	if err != nil {
		return err
	}
	products, err := h.store.FindProducts(ctx)
	if err != nil {
		return err
	}
	v := views.TemplateView{Own: tpl.Own, Products: products, Add: add}
	for _, p := range products {
		if p.Key == tpl.Product {
			v.Product = p
		}
	}
	for _, t := range tpl.Items {
		f := views.ItemForm{Input: t.ItemInput}
		if t.ID == failedID {
			f = failed
		}
		v.Rows = append(v.Rows, views.TemplateRow{ID: t.ID, Form: f})
	}
	title := "Checklist template"
	if v.Product.Key != "" {
		title += " of " + v.Product.Name
	}
	return render(c, status, views.TemplatePage(h.page(c, title, "admin"), v))
}

func (h *Handler) addTemplateItem(c echo.Context) error {
	in, err := itemForm(c)
	if err != nil {
		return err
	}
	product := templateProduct(c)
	err = h.store.AddTemplateItem(c.Request().Context(), h.actor(c), product, in)
	if errs := formErrors(err); errs != nil {
		return h.renderTemplate(c, http.StatusUnprocessableEntity, 0, views.ItemForm{},
			views.ItemForm{Input: in, Errors: errs, Open: true})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, templateURL(product, "?notice=added"))
}

// customizeTemplate gives a product a template of its own, a copy of the
// global one.
func (h *Handler) customizeTemplate(c echo.Context) error {
	product := templateProduct(c)
	if product == "" {
		return gonogo.Errorf(gonogo.EINVALID, "say which product's checklist to customize")
	}
	if err := h.store.CustomizeTemplate(c.Request().Context(), h.actor(c), product); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, templateURL(product, "?notice=customized"))
}

// revertTemplate puts a product back on the global template, removing its
// own for good, once the admin confirms it.
func (h *Handler) revertTemplate(c echo.Context) error {
	product := templateProduct(c)
	if product == "" {
		return gonogo.Errorf(gonogo.EINVALID, "say which product's checklist to put back on the global template")
	}
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok {
		p, err := h.store.FindProduct(c.Request().Context(), product)
		if err != nil {
			return err
		}
		return h.askToConfirm(c, views.RevertTemplateConfirm(p))
	}
	if err := h.store.RevertTemplate(c.Request().Context(), h.actor(c), product); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, templateURL(product, "?notice=reverted"))
}

func (h *Handler) updateTemplateItem(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	in, err := itemForm(c)
	if err != nil {
		return err
	}
	err = h.store.UpdateTemplateItem(c.Request().Context(), h.actor(c), id, in)
	if errs := formErrors(err); errs != nil {
		return h.renderTemplate(c, http.StatusUnprocessableEntity, id,
			views.ItemForm{Input: in, Errors: errs, Open: true}, newTemplateItem)
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, templateURL(templateProduct(c), "?notice=saved#tpl-"+strconv.FormatInt(id, 10)))
}

func (h *Handler) moveTemplateItem(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	delta, err := strconv.Atoi(c.FormValue("delta"))
	if err != nil || (delta != -1 && delta != 1) {
		return gonogo.Errorf(gonogo.EINVALID, "move an item up (-1) or down (1)")
	}
	if err := h.store.MoveTemplateItem(c.Request().Context(), h.actor(c), id, delta); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, templateURL(templateProduct(c), "#tpl-"+strconv.FormatInt(id, 10)))
}

func (h *Handler) removeTemplateItem(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.store.RemoveTemplateItem(c.Request().Context(), h.actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, templateURL(templateProduct(c), "?notice=removed"))
}
