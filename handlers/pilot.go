package handlers

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// The pilot (gonogo.PilotInvite). The release manager invites testers on
// the release page; each gets a mail with a personal link, /pilot/{secret},
// that opens only that release's feedback form.
//
// The link's page is public: the secret is the tester's authority, and
// the store keeps only its hash. Its form is a POST protected against
// forgery as every form of the board is (csrf.go): a browser without a
// session gets a random pre-session cookie (HttpOnly, SameSite=Lax), and
// the form's token is an HMAC keyed by it, so another site can neither
// read nor forge it; Sec-Fetch-Site and Origin turn away what another
// site sends. A person of the board who is signed in answers with their
// session's token instead. On top, each link may answer only so often
// (pilotLimit), since the write limit knows only people and API tokens.

// Answers through one link: a burst of pilotBurst, then one every
// pilotEvery. A tester who changes their mind a few times never meets
// it; a script posting through a leaked link is held to a trickle.
const (
	pilotBurst = 10
	pilotEvery = 10 * time.Second
)

func newPilotLimiter() *writeLimiter {
	return newWriteLimiter(rate.Every(pilotEvery), pilotBurst)
}

// loggedPath is a request's path as the log writes it: a pilot link's
// secret is left out, so the log is no way into a release's feedback.
func loggedPath(p string) string {
	if strings.HasPrefix(p, "/pilot/") {
		return "/pilot/…"
	}
	return p
}

// pilotPanel builds the release page's pilot for a reader who may do ab.
func pilotPanel(ab gonogo.Abilities, rel gonogo.Release, invites []gonogo.PilotInvite, now time.Time) views.PilotPanelView {
	v := views.PilotPanelView{
		Release:   rel,
		Running:   gonogo.PilotOpen(rel.State) == nil,
		Tally:     gonogo.TallyPilot(invites, now),
		CanInvite: ab.InvitePilot,
	}
	v.Show = v.Running || len(invites) > 0
	for i := len(invites) - 1; i >= 0; i-- { // newest first
		p := invites[i]
		r := views.PilotRow{Invite: p, Status: p.Status(now)}
		r.CanRevoke = ab.Granted(gonogo.ActInvitePilot) && !p.Revoked() && !p.Expired(now)
		r.CanDefect = ab.PilotDefect && p.Answer == gonogo.PilotProblem && p.DefectID == 0
		if r.CanRevoke {
			r.Revoke = views.PilotRevokeConfirm(rel, p)
		}
		v.Rows = append(v.Rows, r)
	}
	return v
}

// withPilot adds the pilot to a release page's view: its panel, the tally
// beside the item the pilot closes, and the questions before revoking.
func (h *Handler) withPilot(c echo.Context, v *views.ReleaseView) error {
	invites, err := h.store.FindPilot(c.Request().Context(), v.Release.ID)
	if err != nil {
		return err
	}
	snap := gonogo.Snapshot{Release: v.Release}
	v.Pilot = pilotPanel(h.abilities(c, snap), v.Release, invites, h.store.Now())
	if v.Pilot.CanInvite {
		users, err := h.store.FindUserPage(c.Request().Context(), 0, views.MaxPilotPeople)
		if err != nil {
			return err
		}
		for _, u := range users {
			if !u.Disabled && gonogo.Mailable(u.Email, false) {
				v.Pilot.People = append(v.Pilot.People, views.PilotPerson{Name: u.DisplayName(), Email: u.Email})
			}
		}
	}
	for _, r := range v.Pilot.Rows {
		if r.CanRevoke {
			v.Confirms = append(v.Confirms, r.Revoke)
		}
	}
	pilotTally(v, v.Pilot)
	return nil
}

// pilotTally puts the tally beside the verification item the pilot
// closes, once anyone was invited.
func pilotTally(v *views.ReleaseView, pv views.PilotPanelView) {
	if pv.Tally.Invited() == 0 {
		return
	}
	for i := range v.Verification.Items {
		if v.Verification.Items[i].Item.CheckKey == gonogo.PilotCheckKey {
			v.Verification.Items[i].Tally = pv.Tally.String()
		}
	}
}

// invitePilot invites testers from the release page.
func (h *Handler) invitePilot(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	typed := c.FormValue("emails")
	people := c.Request().Form["people"]
	// The people picked are addresses too: one list, one set of rules.
	in := gonogo.PilotInviteInput{Emails: strings.TrimSpace(typed + "\n" + strings.Join(people, "\n"))}
	days := strings.TrimSpace(c.FormValue("days"))
	var parsed gonogo.Problems
	if days != "" {
		if in.Days, err = strconv.Atoi(days); err != nil {
			parsed = gonogo.Problems{"days": "Choose how many days the links work"}
		}
	}
	if parsed == nil {
		_, err = h.store.InvitePilot(c.Request().Context(), h.actor(c), rid, in)
	}
	if errs := formErrors(err, parsed); len(errs) > 0 {
		return h.renderReleaseWith(c, http.StatusUnprocessableEntity, rid, func(v *views.ReleaseView) {
			v.Pilot.Invite = views.PilotInviteForm{Emails: typed, People: people, Days: days, Errors: errs, Open: true}
		})
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/releases/%d?notice=pilot-invited#pilot", rid))
}

// revokePilot stops one invitee's link, once the release manager confirms.
func (h *Handler) revokePilot(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	pid, err := idParam(c, "invite")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok {
		rel, err := h.store.FindRelease(ctx, rid)
		if err != nil {
			return err
		}
		invites, err := h.store.FindPilot(ctx, rid)
		if err != nil {
			return err
		}
		for _, p := range invites {
			if p.ID == pid {
				return h.askToConfirm(c, views.PilotRevokeConfirm(rel, p))
			}
		}
		return gonogo.Errorf(gonogo.ENOTFOUND, "no pilot invitation %d on this release", pid)
	}
	if err := h.store.RevokePilot(ctx, h.actor(c), rid, pid); err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/releases/%d?notice=pilot-revoked#pilot", rid))
}

// makePilotDefect makes a defect of a reported problem, in one step.
func (h *Handler) makePilotDefect(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	pid, err := idParam(c, "invite")
	if err != nil {
		return err
	}
	did, err := h.store.MakePilotDefect(c.Request().Context(), h.actor(c), rid, pid)
	if err != nil {
		return err
	}
	return redirect(c, fmt.Sprintf("/releases/%d?notice=defect#defect-%d", rid, did))
}

// pilotSecret is the link's secret, and the hash the store knows it by.
func pilotSecret(c echo.Context) (secret, hash string) {
	secret = c.Param("token")
	return secret, gonogo.HashToken(secret)
}

// pilotPage is the page a tester's pages share: no user, so no
// navigation, whoever opens it.
func (h *Handler) pilotPage(c echo.Context, title string) views.Page {
	p := h.page(c, title, "")
	p.User, p.App, p.Unread = nil, gonogo.AppAbilities{}, 0
	return p
}

// pilotGone answers a link that opens nothing: 404 for a link never made
// (or mistyped), 410 for one revoked, run out, or whose pilot is over.
func (h *Handler) pilotGone(c echo.Context, err error) error {
	status := http.StatusNotFound
	switch gonogo.ErrorCode(err) {
	case gonogo.ENOTFOUND:
	case gonogo.ECONFLICT:
		status = http.StatusGone
	default:
		return err
	}
	return render(c, status, views.PilotGonePage(h.pilotPage(c, "Pilot link"), gonogo.ErrorMessage(err)))
}

// showPilot opens a tester's feedback form.
func (h *Handler) showPilot(c echo.Context) error {
	secret, hash := pilotSecret(c)
	p, rel, err := h.store.FindPilotByHash(c.Request().Context(), hash)
	if err == nil {
		err = p.Usable(rel, h.store.Now())
	}
	if err != nil {
		return h.pilotGone(c, err)
	}
	// The form's address holds the secret: never sent on as a Referer
	// (the board's policy is same-origin) and never cached (no-store).
	v := views.PilotPageView{Release: rel, Invite: p, Saved: c.QueryParam("saved") == "1", Action: "/pilot/" + secret,
		Feedback: gonogo.PilotFeedback{Answer: p.Answer, Comment: p.Comment, Link: p.Link}}
	return render(c, http.StatusOK, views.PilotPage(h.pilotPage(c, "Pilot of "+rel.Name()), v))
}

// answerPilot takes a tester's answer.
func (h *Handler) answerPilot(c echo.Context) error {
	secret, hash := pilotSecret(c)
	ctx := c.Request().Context()
	// A link never made is refused before it is counted: the limit is
	// per link, and a stranger's guesses must not fill it with buckets.
	if _, _, err := h.store.FindPilotByHash(ctx, hash); err != nil {
		return h.pilotGone(c, err)
	}
	if ok, retry := h.pilotLimit.allow(hash, h.store.Now()); !ok {
		secs := int(math.Ceil(retry.Seconds()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return gonogo.Errorf(gonogo.ETOOMANY, "too many answers in a short time: wait %s, then try again", gonogo.Plural(secs, "second", "seconds"))
	}
	f := gonogo.PilotFeedback{Answer: gonogo.PilotAnswer(c.FormValue("answer")), Comment: c.FormValue("comment"), Link: c.FormValue("link")}
	_, err := h.store.AnswerPilot(ctx, hash, c.RealIP(), f)
	if errs := formErrors(err); errs != nil {
		p, rel, ferr := h.store.FindPilotByHash(ctx, hash)
		if ferr != nil {
			return h.pilotGone(c, ferr)
		}
		v := views.PilotPageView{Release: rel, Invite: p, Feedback: f, Errors: errs, Action: "/pilot/" + secret}
		return render(c, http.StatusUnprocessableEntity, views.PilotPage(h.pilotPage(c, "Pilot of "+rel.Name()), v))
	} else if err != nil {
		return h.pilotGone(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/pilot/"+secret+"?saved=1")
}

// withPilotTally puts the tally beside the pilot's item in a view built
// for a checklist change (partsView): one read, and only for a release
// whose checklist has the item.
func (h *Handler) withPilotTally(c echo.Context, v *views.ReleaseView) error {
	for _, it := range v.Verification.Items {
		if it.Item.CheckKey != gonogo.PilotCheckKey {
			continue
		}
		t, err := h.store.PilotTallyOf(c.Request().Context(), v.Release.ID)
		if err != nil {
			return err
		}
		pilotTally(v, views.PilotPanelView{Tally: t})
		return nil
	}
	return nil
}
