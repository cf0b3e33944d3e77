package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

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

func (h *Handler) setup(c echo.Context) error {
	in := gonogo.NewUser{Name: c.FormValue("name"), Email: c.FormValue("email"), Password: c.FormValue("password")}
	u, err := h.store.CreateFirstAdmin(c.Request().Context(), in)
	if gonogo.ErrorCode(err) == gonogo.EINVALID {
		f := views.SetupForm{Name: in.Name, Email: in.Email, Errors: gonogo.ErrorFields(err)}
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
	f := views.LoginForm{Next: safeNext(c.QueryParam("next"))}
	return render(c, http.StatusOK, views.LoginPage(h.page(c, "Sign in", ""), f))
}

// login checks the password, slowing and then refusing repeated failures
// for the same address or account, and logs every attempt.
func (h *Handler) login(c echo.Context) error {
	email := gonogo.NormalizeEmail(c.FormValue("email"))
	f := views.LoginForm{Email: email, Next: safeNext(c.FormValue("next"))}
	ip := c.RealIP()
	keys := []string{"ip:" + ip, "email:" + email}
	wait, refused, retry := h.throttle.check(time.Now(), keys...)
	if refused {
		h.log.Warn("sign-in refused: too many failures", "email", email, "ip", ip)
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
		f.Error = "Too many failed sign-ins. Wait a few minutes, then try again."
		return render(c, http.StatusTooManyRequests, views.LoginPage(h.page(c, "Sign in", ""), f))
	}
	if wait > 0 {
		select {
		case <-time.After(wait):
		case <-c.Request().Context().Done():
			return c.Request().Context().Err()
		}
	}
	u, err := h.store.Authenticate(c.Request().Context(), email, c.FormValue("password"))
	if gonogo.ErrorCode(err) == gonogo.EUNAUTHORIZED {
		h.throttle.fail(time.Now(), keys...)
		h.log.Warn("sign-in failed", "email", email, "ip", ip)
		f.Error = "Wrong email or password."
		return render(c, http.StatusUnauthorized, views.LoginPage(h.page(c, "Sign in", ""), f))
	} else if err != nil {
		return err
	}
	h.throttle.succeed("email:" + email)
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
	return redirect(c, "/login")
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
	has, err := h.store.HasCalendarToken(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	f.Feed.Has = f.Feed.Has || has
	return render(c, status, views.ProfilePage(h.page(c, "Your profile", "profile"), f))
}

func (h *Handler) changePassword(c echo.Context) error {
	keep, _ := c.Get("session").(string)
	err := h.store.ChangePassword(c.Request().Context(), h.actor(c), c.FormValue("current"), c.FormValue("new"), hashID(keep))
	if gonogo.ErrorCode(err) == gonogo.EINVALID {
		return h.renderProfile(c, http.StatusUnprocessableEntity, views.PasswordForm{Errors: gonogo.ErrorFields(err)})
	} else if err != nil {
		return err
	}
	return h.renderProfile(c, http.StatusOK, views.PasswordForm{Done: true})
}
