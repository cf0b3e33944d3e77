package handlers

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
)

// The API's list of releases comes a page at a time: 100 releases unless
// the client asks for another number, 500 at most. A page of 100 is about
// 17 KB of JSON and of 500 about 84 KB; every release ever made was 500 KB
// on a board of 3,000 (1.5 MB at 9,000, ten years), read, sorted and
// encoded on every call of a pipeline that wanted the few in go.
const (
	apiReleasePageSize = 100
	apiReleasePageMax  = 500
)

// listAPIReleases lists releases, filtered by product and state, newest
// first (by id), a page at a time: when more follow, the answer's next and
// its Link header (rel="next") give the address of the next page, the
// filters and the limit kept. A token limited to one product lists only
// that product's.
func (h *Handler) listAPIReleases(c echo.Context) error {
	tok := apiToken(c)
	q := c.QueryParams()
	f := gonogo.ReleaseFilter{Product: tok.Product}
	if ps, ok := q["product"]; ok {
		// Given, even empty, it is checked: ?product=$PRODUCT with the
		// variable unset is a mistake, not a request for every product.
		f.Product = ps[0]
		if err := gonogo.ValidateProduct(f.Product); err != nil {
			return err
		}
	}
	if err := tok.Permits(f.Product); err != nil {
		return err
	}
	for _, param := range q["state"] {
		for _, s := range strings.Split(param, ",") {
			st, err := gonogo.ParseState(s)
			if err != nil {
				return gonogo.FieldErrorf("state", "state must be one of %s, not %q", stateNames(), s)
			}
			f.States = append(f.States, st)
		}
	}
	limit, err := pagingParam(q, "limit", apiReleasePageSize, apiReleasePageMax,
		fmt.Sprintf("limit must be a whole number from 1 to %d", apiReleasePageMax))
	if err != nil {
		return err
	}
	before, err := pagingParam(q, "cursor", 0, math.MaxInt64, "cursor must be the one a next link gives")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	rels, err := h.store.FindReleasePage(ctx, f, before, int(limit)+1)
	if err != nil {
		return err
	}
	body := map[string]any{}
	if len(rels) > int(limit) {
		rels = rels[:limit]
		next := h.nextReleasesURL(f, limit, rels[limit-1].ID)
		body["next"] = next
		c.Response().Header().Set("Link", "<"+next+`>; rel="next"`)
	}
	ids := make([]int64, len(rels))
	for i, r := range rels {
		ids[i] = r.ID
	}
	outcomes, err := h.store.FindOutcomesOf(ctx, ids)
	if err != nil {
		return err
	}
	out := make([]apiRelease, 0, len(rels))
	for _, r := range rels {
		d := gonogo.DecisionPending
		if o, ok := outcomes[r.ID]; ok {
			d = gonogo.DecisionOf(&gonogo.Decision{Outcome: o})
		}
		out = append(out, h.apiReleaseOf(r, d))
	}
	body["releases"] = out
	return c.JSON(http.StatusOK, body)
}

// pagingParam reads a paging parameter of the query: a whole number from
// 1 to max, def when it is not given. Anything else, given empty or twice
// included, is a malformed request (400) that says what to send.
func pagingParam(q url.Values, name string, def, max int64, want string) (int64, error) {
	vs, ok := q[name]
	if !ok {
		return def, nil
	}
	bad := func(format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		return &echo.HTTPError{Code: http.StatusBadRequest, Message: msg, Internal: gonogo.FieldErrorf(name, "%s", msg)}
	}
	if len(vs) > 1 {
		return 0, bad("give %s once, not %d times", name, len(vs))
	}
	n, err := strconv.ParseInt(vs[0], 10, 64)
	if err != nil || n < 1 || n > max {
		return 0, bad("%s, not %q", want, vs[0])
	}
	return n, nil
}

// nextReleasesURL is the address of the page of releases after the one
// that ends with release last: the same filters and limit, and the cursor.
func (h *Handler) nextReleasesURL(f gonogo.ReleaseFilter, limit, last int64) string {
	q := url.Values{}
	if f.Product != "" {
		q.Set("product", f.Product)
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		q.Set("state", strings.Join(states, ","))
	}
	q.Set("limit", strconv.FormatInt(limit, 10))
	q.Set("cursor", strconv.FormatInt(last, 10))
	return strings.TrimSuffix(h.cfg.BaseURL, "/") + "/api/v1/releases?" + q.Encode()
}

// stateNames lists the states a filter may name.
func stateNames() string {
	var names []string
	for _, st := range gonogo.States {
		names = append(names, string(st))
	}
	return strings.Join(names, ", ")
}

// releaseRequest is the body that creates a release.
type releaseRequest struct {
	Product string `json:"product"`
	Version string `json:"version"`
	Title   string `json:"title"`
	Summary string `json:"summary"`
	Kind    string `json:"kind"`
}

// createAPIRelease creates a release with the template's checklist, 201, or
// answers the existing release of that product and version unchanged, 200,
// so a pipeline can call it on every run.
func (h *Handler) createAPIRelease(c echo.Context) error {
	var req releaseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	// The API takes the kind as the schema spells it, nothing around it.
	kind := gonogo.Kind(req.Kind)
	if kind == "" {
		kind = gonogo.KindStandard
	} else if !kind.Valid() {
		return gonogo.FieldErrorf("kind", "kind is standard or hotfix, not %q", req.Kind)
	}
	in := gonogo.ReleaseInput{Product: req.Product, Version: req.Version, Title: req.Title, Summary: req.Summary, Kind: kind}
	in.Normalize()
	if err := asSent(sent{"product", req.Product, in.Product}, sent{"version", req.Version, in.Version},
		sent{"title", req.Title, in.Title}, sent{"summary", req.Summary, in.Summary}); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	if err := apiToken(c).Permits(in.Product); err != nil {
		return err
	}
	rel, created, err := h.store.EnsureRelease(c.Request().Context(), tokenActor(c), in)
	if err != nil {
		return err
	}
	d, err := h.currentDecision(c, rel)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		c.Response().Header().Set(echo.HeaderLocation, h.releaseURL(rel.ID))
	}
	return c.JSON(status, h.apiReleaseOf(rel, gonogo.DecisionOf(d)))
}

// gateAnswer is the gate as a pipeline sees it. It is also an error body
// (error and reasons) when deploying is not authorized.
type gateAnswer struct {
	Release    apiRelease           `json:"release"`
	State      gonogo.State         `json:"state"`
	Cycle      int                  `json:"cycle"`
	Decision   gonogo.DecisionState `json:"decision"`
	Authorized bool                 `json:"authorized"`
	Blocking   []string             `json:"blocking"`   // what the gate says still stands in the way
	Warnings   []string             `json:"warnings"`   // what the gate warns of; never blocks
	Conditions []apiCondition       `json:"conditions"` // of the cycle's decision
	Window     *apiWindow           `json:"window"`     // null when none is set
	WindowOpen bool                 `json:"window_open"`
	Error      string               `json:"error,omitempty"`
	Reasons    []string             `json:"reasons"` // why deploying is not authorized now; empty when it is
	// Action is what the gate asks of the pipeline beyond not deploying:
	// "rollback-suggested" while an alert fires on the release.
	Action string     `json:"action,omitempty"`
	Stage  *stageGate `json:"stage"` // the staged rollout; null without stages
}

type apiCondition struct {
	Text  string      `json:"text"`
	Owner gonogo.Role `json:"owner"`
}

type apiWindow struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// showGate answers whether deploying the release is authorized right now:
// 200 if it is, 409 with the reasons if not, so that curl --fail is a gate.
func (h *Handler) showGate(c echo.Context) error {
	rel, err := h.findAPIRelease(c)
	if err != nil {
		return err
	}
	return h.answerGate(c, rel.ID)
}

// showGateByID is showGate for a release named by its id.
func (h *Handler) showGateByID(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	rel, err := h.store.FindRelease(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if err := apiToken(c).Permits(rel.Product); err != nil {
		return err
	}
	return h.answerGate(c, rel.ID)
}

func (h *Handler) answerGate(c echo.Context, id int64) error {
	snap, err := h.store.FindSnapshot(c.Request().Context(), id)
	if err != nil {
		return err
	}
	rel := snap.Release
	d, err := h.currentDecision(c, rel)
	if err != nil {
		return err
	}
	cl := gonogo.Clear(snap, d, h.store.Now())
	firing, err := h.store.FindFiringAlerts(c.Request().Context(), rel.ID)
	if err != nil {
		return err
	}
	cl, action := cl.WithAlerts(rel, firing)
	a := gateAnswer{Action: action,
		Release: h.apiReleaseOf(rel, cl.Decision), State: rel.State, Cycle: rel.Cycle, Decision: cl.Decision,
		Authorized: cl.Authorized, Blocking: []string{}, Warnings: []string{}, Conditions: []apiCondition{}, WindowOpen: cl.WindowOpen, Reasons: []string{},
		Stage: stageGateOf(snap, h.store.Now()),
	}
	for _, r := range cl.Gate.Reasons {
		a.Blocking = append(a.Blocking, r.Text)
	}
	for _, w := range cl.Gate.Warnings {
		a.Warnings = append(a.Warnings, w.Text)
	}
	for _, cond := range cl.Conditions {
		a.Conditions = append(a.Conditions, apiCondition{cond.Text, cond.Owner})
	}
	if !rel.Window.IsZero() {
		a.Window = &apiWindow{rel.Window.Start.UTC(), rel.Window.End.UTC()}
	}
	if cl.Authorized {
		return c.JSON(http.StatusOK, a)
	}
	a.Error = fmt.Sprintf("deploying %s is not authorized now", rel.Name())
	a.Reasons = cl.Reasons
	return c.JSON(http.StatusConflict, a)
}
