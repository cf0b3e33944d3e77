package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// Staged rollouts: the release page's rollout panel and its promote
// button, the product's stage template, and the pipeline's one-line
// check before widening (GET .../stages/next/gate).

// rolloutView is the release's rollout as the viewer sees it at now.
func rolloutView(ab gonogo.Abilities, snap gonogo.Snapshot, now time.Time) views.RolloutView {
	v := views.RolloutView{Release: snap.Release, Rollout: gonogo.PromotionCheck(snap, now), CanPromote: ab.Promote}
	for _, it := range snap.Items {
		if it.StageID != 0 {
			v.Items = append(v.Items, it)
		}
	}
	return v
}

// promote starts the next stage of the release's rollout, or shows the
// release page again at the rollout panel with every reason it may not.
func (h *Handler) promote(c echo.Context) error {
	rid, err := idParam(c, "id")
	if err != nil {
		return err
	}
	refuse := func(err error) error {
		code := gonogo.ErrorCode(err)
		if code != gonogo.ECONFLICT {
			return err
		}
		return h.renderReleaseWith(c, statusOf[code], rid, func(v *views.ReleaseView) {
			v.Rollout.Refusal, v.Rollout.Details = gonogo.ErrorMessage(err), gonogo.ErrorDetails(err)
		})
	}
	ctx := c.Request().Context()
	if ok, err := confirmed(c); err != nil {
		return err
	} else if !ok {
		// A promotion is not taken back: asked first, once the rollout
		// is ready for it, as a final transition is.
		snap, err := h.store.FindSnapshot(ctx, rid)
		if err != nil {
			return err
		}
		if _, err := gonogo.Promote(h.actor(c), snap, "", h.store.Now()); err != nil {
			return refuse(err)
		}
		next, _ := gonogo.PromotionCheck(snap, h.store.Now()).Next()
		return h.askToConfirm(c, views.PromoteConfirm(snap.Release, next.Name))
	}
	if _, err := h.store.Promote(ctx, h.actor(c), rid); err != nil {
		return refuse(err)
	}
	return redirect(c, fmt.Sprintf("/releases/%d#rollout", rid))
}

// stageTemplateView is the product's rollout stages for the reader.
func (h *Handler) stageTemplateView(c echo.Context, p gonogo.Product) (views.StageTemplateView, error) {
	stages, err := h.store.FindRolloutTemplate(c.Request().Context(), p.Key)
	return views.StageTemplateView{Product: p, Stages: stages, CanEdit: gonogo.ProductAbilitiesOf(h.actor(c), p.Key).EditRollout,
		Saved: c.QueryParam("saved") == "rollout"}, err
}

// saveRollout replaces the product's rollout stages with the form's rows.
// A refusal shows the product page again with the rows as typed.
func (h *Handler) saveRollout(c echo.Context) error {
	key := c.Param("key")
	// The form has one row a stage (stage-0-name, stage-0-soak,
	// stage-0-items, ...), at most gonogo.MaxStages; rows past the limit
	// are never shown, so they are not read.
	var specs []gonogo.StageSpec
	problems := gonogo.Problems{}
	for i := range gonogo.MaxStages {
		name, soak, items := c.FormValue(gonogo.StageField(i, "name")), c.FormValue(gonogo.StageField(i, "soak")), c.FormValue(gonogo.StageField(i, "items"))
		sp := gonogo.StageSpec{Name: name}
		if s := strings.TrimSpace(soak); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				problems.Add(gonogo.StageField(i, "soak"), "the soak time is a whole number of minutes")
			}
			sp.SoakMinutes = n
		}
		if items != "" {
			sp.Items = strings.Split(items, "\n")
		}
		specs = append(specs, sp)
	}
	for len(specs) > 0 && len(gonogo.NormalizeStages(specs[len(specs)-1:])) == 0 {
		specs = specs[:len(specs)-1] // the blank rows at the end
	}
	err := problems.Err()
	if err == nil {
		err = h.store.SetRolloutTemplate(c.Request().Context(), h.actor(c), key, specs)
	}
	if err == nil {
		return redirect(c, "/products/"+key+"?saved=rollout#rollout-template")
	}
	if code := gonogo.ErrorCode(err); code != gonogo.EINVALID {
		return err
	}
	return h.renderProduct(c, http.StatusUnprocessableEntity, func(v *views.ProductView) {
		v.Rollout.Typed, v.Rollout.Errors, v.Rollout.Saved = specs, rowErrors(err, specs), false
	})
}

// rowErrors are the refusal's messages by field; the blank rows the
// domain dropped before judging shift the rows it names, so messages are
// put back on the rows as typed.
func rowErrors(err error, typed []gonogo.StageSpec) map[string]string {
	fields := gonogo.ErrorFields(err)
	if len(fields) == 0 {
		return map[string]string{"": gonogo.ErrorMessage(err)}
	}
	kept := []int{}
	for i, sp := range typed {
		if len(gonogo.NormalizeStages([]gonogo.StageSpec{sp})) == 1 {
			kept = append(kept, i)
		}
	}
	out := map[string]string{}
	for f, msg := range fields {
		var n int
		var part string
		if _, err := fmt.Sscanf(f, "stage-%d-%s", &n, &part); err == nil && n < len(kept) {
			out[gonogo.StageField(kept[n], part)] = msg
			continue
		}
		out[f] = msg
	}
	return out
}

// stageGate is the rollout as a pipeline sees it: the current stage,
// whether the next may start and, if not, why.
type stageGate struct {
	Name       string     `json:"name"`
	Position   int        `json:"position"`
	Of         int        `json:"of"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	SoakEndsAt *time.Time `json:"soak_ends_at"`
	Next       *string    `json:"next"` // the stage a promotion starts; null at the last
	CanPromote bool       `json:"can_promote"`
	Reasons    []string   `json:"reasons"`
}

// stageGateOf is the snapshot's rollout at now; nil without stages.
func stageGateOf(snap gonogo.Snapshot, now time.Time) *stageGate {
	r := gonogo.PromotionCheck(snap, now)
	if !r.Staged() {
		return nil
	}
	g := &stageGate{Of: len(r.Stages), CanPromote: r.CanPromote, Reasons: r.ReasonTexts()}
	if st, ok := r.Stage(); ok {
		g.Name, g.Position = st.Name, st.Position
		g.StartedAt, g.FinishedAt, g.SoakEndsAt = timeOrNil(st.StartedAt), timeOrNil(st.FinishedAt), timeOrNil(st.SoakEndsAt())
	}
	if next, ok := r.Next(); ok {
		g.Next = &next.Name
	}
	return g
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// stageGateAnswer is the answer of .../stages/next/gate.
type stageGateAnswer struct {
	Release apiRelease   `json:"release"`
	State   gonogo.State `json:"state"`
	Stage   *stageGate   `json:"stage"`
	Error   string       `json:"error,omitempty"`
	Reasons []string     `json:"reasons"`
}

// showStageGate answers whether the release's rollout may widen now: 200
// when the next stage may start, 409 with every reason when not, so that
// `curl --fail` is the pipeline's one-line check before widening.
func (h *Handler) showStageGate(c echo.Context) error {
	rel, err := h.findAPIRelease(c)
	if err != nil {
		return err
	}
	return h.answerStageGate(c, rel.ID)
}

// showStageGateByID is showStageGate for a release named by its id.
func (h *Handler) showStageGateByID(c echo.Context) error {
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
	return h.answerStageGate(c, rel.ID)
}

func (h *Handler) answerStageGate(c echo.Context, id int64) error {
	snap, err := h.store.FindSnapshot(c.Request().Context(), id)
	if err != nil {
		return err
	}
	rel := snap.Release
	d, err := h.currentDecision(c, rel)
	if err != nil {
		return err
	}
	a := stageGateAnswer{Release: h.apiReleaseOf(rel, gonogo.DecisionOf(d)), State: rel.State,
		Stage: stageGateOf(snap, h.store.Now()), Reasons: []string{}}
	switch {
	case a.Stage == nil:
		a.Error = fmt.Sprintf("%s has no rollout stages", rel.Name())
		a.Reasons = []string{a.Error}
	case a.Stage.CanPromote:
		return c.JSON(http.StatusOK, a)
	default:
		a.Error = fmt.Sprintf("the rollout of %s cannot widen now", rel.Name())
		a.Reasons = a.Stage.Reasons
	}
	return c.JSON(http.StatusConflict, a)
}
