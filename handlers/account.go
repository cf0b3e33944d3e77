package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

func (h *Handler) showSetup(c echo.Context) error {
	if h.hasUsers.Load() {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	return render(c, http.StatusOK, views.SetupPage(h.page(c, "Set up gonogo", ""), views.SetupForm{}))
}

// repeated is the password typed again in the form's repeat field, or nil
// when the form has no such field: a script that posts a password once
// has not typed it into a hidden field, and has no typo to catch.
func repeated(c echo.Context) *string {
	v := c.FormValue("repeat")
	if _, sent := c.Request().Form["repeat"]; !sent {
		return nil
	}
	return &v
}

func (h *Handler) setup(c echo.Context) error {
	in := gonogo.NewUser{Name: c.FormValue("name"), Email: c.FormValue("email"), Password: c.FormValue("password"), Repeat: repeated(c)}
	f := views.SetupForm{Name: in.Name, Email: in.Email}
	var u gonogo.User
	var err error
	if r := h.hashPassword(c, func() { u, err = h.store.CreateFirstAdmin(c.Request().Context(), in) }); r != nil {
		f.Errors = map[string]string{"password": r.msg}
		return render(c, r.status, views.SetupPage(h.page(c, "Set up gonogo", ""), f))
	}
	if f.Errors = formErrors(err); f.Errors != nil {
		return render(c, http.StatusUnprocessableEntity, views.SetupPage(h.page(c, "Set up gonogo", ""), f))
	} else if err != nil {
		return err
	}
	h.hasUsers.Store(true)
	h.log.Info("setup: first admin created", "email", u.Email)
	if err := h.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?notice=welcome")
}

func (h *Handler) showLogin(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	f := h.loginForm(c, views.LoginForm{Next: safeNext(c.QueryParam("next"))})
	return render(c, http.StatusOK, views.LoginPage(h.page(c, "Sign in", ""), f))
}

// login checks the password as a guess the throttle counts and the
// hashing gate bounds, and logs every attempt.
func (h *Handler) login(c echo.Context) error {
	email := gonogo.NormalizeEmail(c.FormValue("email"))
	f := h.loginForm(c, views.LoginForm{Email: email, Next: safeNext(c.FormValue("next"))})
	ip := c.RealIP()
	var u gonogo.User
	var err error
	r, cerr := h.checkPassword(c, email, func() guess {
		u, err = h.store.Authenticate(c.Request().Context(), email, c.FormValue("password"))
		switch gonogo.ErrorCode(err) {
		case "":
			return right
		case gonogo.EUNAUTHORIZED:
			return wrong
		}
		return unchecked
	})
	if cerr != nil {
		return cerr
	}
	if r != nil {
		h.log.Warn("sign-in refused", "email", email, "ip", ip, "status", r.status)
		f.Error = r.msg
		return render(c, r.status, views.LoginPage(h.page(c, "Sign in", ""), f))
	}
	if gonogo.ErrorCode(err) == gonogo.EUNAUTHORIZED {
		h.log.Warn("sign-in failed", "email", email, "ip", ip)
		f.Error = "Wrong email or password."
		return render(c, http.StatusUnauthorized, views.LoginPage(h.page(c, "Sign in", ""), f))
	} else if err != nil {
		return err
	}
	if err := h.passwordAllowed(u); err != nil {
		h.log.Warn("sign-in refused: passwords are off", "email", email, "ip", ip)
		f.Error = gonogo.ErrorMessage(err)
		return render(c, http.StatusForbidden, views.LoginPage(h.page(c, "Sign in", ""), f))
	}
	h.log.Info("sign-in", "email", email, "ip", ip, "user", u.ID)
	if err := h.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, f.Next)
}

// startSession signs u in with a brand-new session id, ending any session
// the browser had, so an id planted before sign-in is worthless after.
func (h *Handler) startSession(c echo.Context, u gonogo.User) error {
	ctx := c.Request().Context()
	if old, ok := c.Get("session").(string); ok && old != "" {
		h.store.DeleteSession(ctx, hashID(old))
	}
	id := newSessionID()
	a := gonogo.Actor{UserID: u.ID, Name: u.DisplayName(), RemoteAddr: c.RealIP()}
	if err := h.store.CreateSession(ctx, a, hashID(id)); err != nil {
		return err
	}
	sess := sessions.NewSession(h.sessions, sessionCookie)
	opts := h.sessions.options
	sess.Options = &opts
	sess.ID = id
	return sess.Save(c.Request(), c.Response())
}

func (h *Handler) logout(c echo.Context) error {
	// Signed-in pages may be kept by the browser (etag.go): signing out
	// drops them, so that neither history nor the cache shows them again.
	c.Response().Header().Set("Clear-Site-Data", `"cache"`)
	idToken := h.sessionIDToken(c)
	if id, ok := c.Get("session").(string); ok && id != "" {
		if err := h.store.SignOut(context.WithoutCancel(c.Request().Context()), h.actor(c), hashID(id)); err != nil {
			return err
		}
	}
	sess := sessions.NewSession(h.sessions, sessionCookie)
	opts := h.sessions.options
	opts.MaxAge = -1
	sess.Options = &opts
	if err := sess.Save(c.Request(), c.Response()); err != nil {
		return err
	}
	return redirect(c, h.afterSignOut(c.Request().Context(), idToken))
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") ||
		strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (h *Handler) showProfile(c echo.Context) error {
	return h.renderProfile(c, http.StatusOK, views.PasswordForm{})
}

// renderProfile shows the profile with f, filling in the feed's state.
func (h *Handler) renderProfile(c echo.Context, status int, f views.PasswordForm) error {
	has, err := h.store.HasFeedToken(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	f.Feed.Has = f.Feed.Has || has
	if f.Deputies, err = h.deputiesView(c, f.Deputies); err != nil {
		return err
	}
	if !f.Digest.Loaded {
		if f.Digest, err = h.digestView(c); err != nil {
			return err
		}
	}
	if f.Prefs.Prefs == nil {
		if f.Prefs.Prefs, err = h.store.FindNotificationPrefs(c.Request().Context(), currentUser(c).ID); err != nil {
			return err
		}
	}
	return render(c, status, views.ProfilePage(h.page(c, "Your profile", "profile"), f))
}

// changePassword checks the current password as a guess, like a sign-in:
// a signed-in browser left open must not let anyone find it at speed.
func (h *Handler) changePassword(c echo.Context) error {
	keep, _ := c.Get("session").(string)
	// Two different new passwords are refused before the current one is
	// checked: that is no guess at it.
	if err := gonogo.CheckRepeat(c.FormValue("new"), repeated(c)); err != nil {
		return h.renderProfile(c, http.StatusUnprocessableEntity, views.PasswordForm{Errors: gonogo.ErrorFields(err)})
	}
	var err error
	r, cerr := h.checkPassword(c, currentUser(c).Email, func() guess {
		err = h.store.ChangePassword(c.Request().Context(), h.actor(c), c.FormValue("current"), c.FormValue("new"), hashID(keep))
		switch {
		case err == nil:
			return right
		case gonogo.ErrorFields(err)["current"] != "":
			return wrong
		}
		return unchecked
	})
	if cerr != nil {
		return cerr
	}
	if r != nil {
		h.log.Warn("password change refused", "user", currentUser(c).ID, "ip", c.RealIP(), "status", r.status)
		return h.renderProfile(c, r.status, views.PasswordForm{Errors: map[string]string{"current": r.msg}})
	}
	if errs := formErrors(err); errs != nil {
		return h.renderProfile(c, http.StatusUnprocessableEntity, views.PasswordForm{Errors: errs})
	} else if err != nil {
		return err
	}
	return h.renderProfile(c, http.StatusOK, views.PasswordForm{Done: true})
}
