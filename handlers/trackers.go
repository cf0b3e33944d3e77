package handlers

import (
	"crypto/rand"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// Trackers (Products → a product → Trackers): everyone signed in reads how
// a product's trackers are mapped; admins and the product's QA lead
// connect them, change the mapping, make a new secret and disconnect them,
// as gonogo.ProductAbilitiesOf says.

// severityBlanks is how many empty rows the severity table offers to add
// rules, while the table has room.
const severityBlanks = 3

// maxSeverityRows is how many rows of the severity table a form is read
// for: more than any page shows, so that too many rules are refused with
// gonogo.MaxSeverityRules' message rather than cut.
const maxSeverityRows = 2 * (gonogo.MaxSeverityRules + severityBlanks)

func (h *Handler) showTrackers(c echo.Context) error {
	return h.renderTrackers(c, http.StatusOK, c.Param("key"), "", views.TrackerForm{})
}

// renderTrackers shows product's trackers page; the panel of kind shows
// f, the form as a refused save sent it.
func (h *Handler) renderTrackers(c echo.Context, status int, product string, kind gonogo.TrackerKind, f views.TrackerForm) error {
	ctx := c.Request().Context()
	p, err := h.store.FindProduct(ctx, product)
	if err != nil {
		return err
	}
	stored, err := h.store.FindTrackers(ctx, p.Key)
	if err != nil {
		return err
	}
	u := currentUser(c)
	v := views.TrackersView{Product: p, CanManage: gonogo.ProductAbilitiesOf(h.actor(c), p.Key).ManageTrackers}
	if u != nil && u.Admin {
		v.ProductsURL = "/admin/products"
	}
	for _, k := range gonogo.TrackerKinds {
		tp := views.TrackerPanel{Kind: k, Tracker: gonogo.NewTracker(p.Key, k),
			PayloadURL: h.baseURL(c) + "/hooks/" + string(k) + "/" + p.Key}
		for _, t := range stored {
			if t.Kind == k {
				tp.Tracker, tp.Connected = t, true
			}
		}
		if !v.CanManage {
			tp.Tracker.Secret = "" // never sent to those who may not change it
		}
		tp.Form = views.TrackerForm{Input: tp.Tracker}
		if k == kind {
			tp.Form = f
		}
		tp.Form.Blanks = min(severityBlanks, gonogo.MaxSeverityRules-len(tp.Form.Input.Severities))
		v.Panels = append(v.Panels, tp)
	}
	return render(c, status, views.TrackersPage(h.page(c, "Trackers of "+p.Name, "board"), v))
}

// trackerParams reads the product and kind of a tracker's route, once the
// actor may change the product's trackers.
func (h *Handler) trackerParams(c echo.Context) (string, gonogo.TrackerKind, error) {
	product, k := c.Param("key"), gonogo.TrackerKind(c.Param("kind"))
	if err := gonogo.CheckManageTrackers(h.actor(c), product); err != nil {
		return "", "", err
	}
	if !k.Valid() {
		return "", "", gonogo.Errorf(gonogo.ENOTFOUND, "gonogo knows no tracker %q: it knows github, gitlab and jira", k)
	}
	return product, k, nil
}

// saveTracker connects a tracker with its first secret, or changes the
// mapping of the one connected; the secret stays. A refused mapping comes
// back with its messages by field and everything as typed.
func (h *Handler) saveTracker(c echo.Context) error {
	product, k, err := h.trackerParams(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := h.store.FindProduct(ctx, product); err != nil {
		return err
	}
	t, err := h.store.FindTracker(ctx, product, k)
	connected := err == nil
	switch {
	case gonogo.ErrorCode(err) == gonogo.ENOTFOUND:
		t = gonogo.NewTracker(product, k)
		t.Secret = newTrackerSecret()
	case err != nil:
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return gonogo.Errorf(gonogo.EINVALID, "the form could not be read")
	}
	t = trackerFromForm(t, form)
	if _, err := h.store.SaveTracker(ctx, h.actor(c), t); err != nil {
		errs := formErrors(err)
		if errs == nil {
			return err
		}
		t.Secret = ""
		return h.renderTrackers(c, http.StatusUnprocessableEntity, product, k, views.TrackerForm{Input: t, Errors: errs})
	}
	notice := "tracker-saved"
	if !connected {
		notice = "tracker-connected"
	}
	return c.Redirect(http.StatusSeeOther, trackersURL(product)+"?notice="+notice+"#tracker-"+string(k))
}

// trackerFromForm is t with the mapping the form sends. The severity table
// comes as rows sev-0-match, sev-0-severity, sev-0-remove, ...: a row with
// no match, or with remove ticked, is dropped.
func trackerFromForm(t gonogo.Tracker, form map[string][]string) gonogo.Tracker {
	get := func(name string) string {
		if v := form[name]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	t.Project = get("project")
	t.ReleaseBy = gonogo.ReleaseBy(get("release_by"))
	if t.Kind != gonogo.Jira {
		t.LabelPrefix, t.RequiredLabel = get("label_prefix"), get("required_label")
	}
	t.Verified = get("verified")
	t.DefectTypes = nil
	if t.Kind == gonogo.Jira {
		for _, ty := range strings.Split(get("defect_types"), ",") {
			if ty = strings.TrimSpace(ty); ty != "" {
				t.DefectTypes = append(t.DefectTypes, ty)
			}
		}
	}
	t.Severities = nil
	for i := range maxSeverityRows {
		n := "sev-" + strconv.Itoa(i)
		match := get(n + "-match")
		if match == "" || get(n+"-remove") != "" {
			continue
		}
		t.Severities = append(t.Severities, gonogo.SeverityRule{Match: match, Severity: gonogo.Severity(get(n + "-severity"))})
	}
	return t
}

// newTrackerSecret is a secret for a tracker's webhook: 26 characters
// from crypto/rand (130 bits), which every tracker's secret field takes.
func newTrackerSecret() string { return rand.Text() }

// newTrackerSecretFor replaces a tracker's secret, once asked: the
// tracker's webhook is refused until the new one is pasted there.
func (h *Handler) newTrackerSecretFor(c echo.Context) error {
	product, k, err := h.trackerParams(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := h.store.FindTracker(ctx, product, k)
	if err != nil {
		return err
	}
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok {
		p, err := h.store.FindProduct(ctx, product)
		if err != nil {
			return err
		}
		return h.askToConfirm(c, views.NewSecretConfirm(p, t))
	}
	t.Secret = newTrackerSecret()
	if _, err := h.store.SaveTracker(ctx, h.actor(c), t); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, trackersURL(product)+"?notice=tracker-secret#tracker-"+string(k))
}

// removeTracker disconnects a tracker, once asked. Its defects stay, kept
// by hand from then on.
func (h *Handler) removeTracker(c echo.Context) error {
	product, k, err := h.trackerParams(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok {
		p, err := h.store.FindProduct(ctx, product)
		if err != nil {
			return err
		}
		t, err := h.store.FindTracker(ctx, product, k)
		if err != nil {
			return err
		}
		return h.askToConfirm(c, views.DisconnectTrackerConfirm(p, t))
	}
	if err := h.store.RemoveTracker(ctx, h.actor(c), product, k); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, trackersURL(product)+"?notice=tracker-removed#tracker-"+string(k))
}

func trackersURL(product string) string { return "/products/" + product + "/trackers" }
