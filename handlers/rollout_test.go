package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// stagedServer is a server whose product shop rolls out in four stages,
// with a release deploying at the canary since clock, the store's time,
// which the test moves on.
type stagedServer struct {
	*testServer
	rel   gonogo.Release
	clock time.Time
}

func (s *stagedServer) at(d time.Duration) { s.clock = s.clock.Add(d) }

func newStagedServer(t *testing.T) *stagedServer {
	t.Helper()
	s := &stagedServer{testServer: newServer(t), clock: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	s.store.Now = func() time.Time { return s.clock }
	ctx := context.Background()
	if _, err := s.store.CreateProduct(ctx, s.actorOf("admin"), gonogo.ProductInput{Key: "shop", Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	err := s.store.SetRolloutTemplate(ctx, s.actorOf("admin"), "shop", []gonogo.StageSpec{
		{Name: "1%", SoakMinutes: 30, Items: []string{"Error rate under 1% for the canary"}},
		{Name: "10%", SoakMinutes: 60, Items: []string{"Latency steady at 10%"}},
		{Name: "50%", SoakMinutes: 60},
		{Name: "all"},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.rel = s.mustGoRelease(t, "shop", "2.0")
	s.move(t, s.rel.ID, gonogo.StartDeploy)
	return s
}

// settle marks the stage item with title done, as ops.
func (s *stagedServer) settle(t *testing.T, title string) {
	t.Helper()
	it := s.mustItem(t, s.rel.ID, title)
	if it.StageID == 0 || it.Phase != gonogo.Verification || !it.Required {
		t.Fatalf("stage item %q = %+v", title, it)
	}
	if _, err := s.store.UpdateItem(context.Background(), s.actorOf("ops"), s.rel.ID, it.ID, gonogo.ItemChange{Status: gonogo.ItemDone}); err != nil {
		t.Fatal(err)
	}
}

func (s *stagedServer) stageGate(t *testing.T, token string) apiResult {
	t.Helper()
	return s.call(t, http.MethodGet, "/api/v1/releases/shop/2.0/stages/next/gate", token, "")
}

func reasonsOf(doc *goquery.Selection) string {
	return strings.Join(doc.Map(func(_ int, s *goquery.Selection) string { return s.Text() }), "\n")
}

func TestRolloutPromoteEarlyIsRefusedForEachReason(t *testing.T) {
	s := newStagedServer(t)
	token := s.mustToken(t, "ci", "")
	ops := s.signIn(t, "ops")
	page := "/releases/" + itoa(s.rel.ID)
	cases := []struct {
		name  string
		setup func()
		want  string
	}{
		{"soak not over", func() { s.settle(t, "Error rate under 1% for the canary"); s.at(18 * time.Minute) }, "The soak of “1%” ends at 10:30 UTC (in 12 min)"},
		{"item open", func() {}, "“Error rate under 1% for the canary” is still open (Ops)"},
	}
	// The item case runs first: the soak is over, the item open.
	cases[0], cases[1] = cases[1], cases[0]
	cases[0].setup = func() { s.at(45 * time.Minute) }
	cases[1].setup = func() {
		s.settle(t, "Error rate under 1% for the canary")
		// stage-finished restarts the soak from now.
		s.call(t, http.MethodPost, "/api/v1/releases/shop/2.0/events", token, `{"event":"stage-finished"}`).want(t, http.StatusOK)
		s.at(18 * time.Minute)
	}
	cases[1].want = "The soak of “1%” ends at 11:15 UTC (in 12 min)"
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup()
			// The page: the button is disabled, the reason beside it.
			_, doc := ops.get(page)
			btn := doc.Find(`[data-testid="promote"]`)
			if btn.Length() != 1 || !btn.Is("[disabled]") || !strings.Contains(btn.Text(), "Promote to 10%") {
				t.Fatalf("promote button = %q, disabled %v", btn.Text(), btn.Is("[disabled]"))
			}
			if got := reasonsOf(doc.Find(`[data-testid="why-promote"] li`)); !strings.Contains(got, tc.want) {
				t.Fatalf("reasons beside the button = %q, want %q", got, tc.want)
			}
			// Posting anyway, confirmed or not: 409, every reason where
			// the person is.
			wantStatus(t, ops.post(page+"/stages/next", nil), http.StatusConflict)
			res := ops.post(page+"/stages/next", url.Values{"confirm": {"1"}})
			wantStatus(t, res, http.StatusConflict)
			doc = parse(t, res)
			if got := reasonsOf(doc.Find(`[data-testid="promote-refused"] li`)); !strings.Contains(got, tc.want) {
				t.Fatalf("refusal = %q, want %q", got, tc.want)
			}
			// The pipeline: the gate answers 409, stage-started too.
			g := s.stageGate(t, token).want(t, http.StatusConflict)
			if !strings.Contains(strings.Join(g.list("reasons"), "\n"), tc.want) {
				t.Fatalf("gate reasons = %q", g.list("reasons"))
			}
			ev := s.call(t, http.MethodPost, "/api/v1/releases/shop/2.0/events", token, `{"event":"stage-started"}`).want(t, http.StatusConflict)
			if !strings.Contains(strings.Join(ev.list("reasons"), "\n"), tc.want) {
				t.Fatalf("stage-started reasons = %q", ev.list("reasons"))
			}
			if l := s.rolloutLabel(t); l != "1% (1 of 4)" {
				t.Fatalf("rollout moved on to %q", l)
			}
		})
	}
}

func (s *stagedServer) rolloutLabel(t *testing.T) string {
	t.Helper()
	snap, err := s.store.FindSnapshot(context.Background(), s.rel.ID)
	if err != nil {
		t.Fatal(err)
	}
	return gonogo.RolloutLabel(snap.Release, snap.Stages)
}

func TestRolloutPromoteAfterSoak(t *testing.T) {
	s := newStagedServer(t)
	token := s.mustToken(t, "ci", "")
	s.settle(t, "Error rate under 1% for the canary")
	s.at(31 * time.Minute)
	g := s.stageGate(t, token).want(t, http.StatusOK)
	if g.str("stage.name") != "1%" || g.str("stage.position") != "1" || g.str("stage.of") != "4" || g.str("stage.can_promote") != "true" || g.str("stage.next") != "10%" {
		t.Fatalf("stage gate = %v", g.body)
	}
	// The deploy gate carries the stage too.
	dg := s.call(t, http.MethodGet, "/api/v1/releases/"+itoa(s.rel.ID)+"/gate", token, "")
	if dg.str("stage.name") != "1%" || dg.str("stage.soak_ends_at") != "2026-03-02T10:30:00Z" {
		t.Fatalf("gate's stage = %v", dg.body["stage"])
	}
	ops := s.signIn(t, "ops")
	page := "/releases/" + itoa(s.rel.ID)
	_, doc := ops.get(page)
	if btn := doc.Find(`[data-testid="promote"]`); btn.Is("[disabled]") || doc.Find(`[data-testid="why-promote"]`).Length() != 0 {
		t.Fatal("the promote button is disabled after the soak")
	}
	if got := doc.Find(`dialog#confirm-promote`).Text(); !strings.Contains(got, "Promote shop 2.0 to 10%?") {
		t.Fatalf("the page's question before promoting = %q", got)
	}
	// Asked first: the board takes no stage back.
	res := ops.post(page+"/stages/next", nil)
	wantStatus(t, res, http.StatusOK)
	if got := text(parse(t, res), `[data-testid="confirm-page"]`); !strings.Contains(got, "Promote shop 2.0 to 10%?") || !strings.Contains(got, "cannot take a stage back") {
		t.Fatalf("the question says %q", got)
	}
	if l := s.rolloutLabel(t); l != "1% (1 of 4)" {
		t.Fatalf("asking promoted: %q", l)
	}
	res = ops.post(page+"/stages/next", url.Values{"confirm": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if l := s.rolloutLabel(t); l != "10% (2 of 4)" {
		t.Fatalf("rollout = %q", l)
	}
	_, doc = ops.get(page)
	if got := text(doc, `[data-testid="rollout-stage"]`); got != "10% (2 of 4)" {
		t.Fatalf("rollout panel says %q", got)
	}
	if got := doc.Find(`[data-testid="event"][data-action="release.stage-start"]`).Text(); !strings.Contains(got, "Ops Tester") || !strings.Contains(got, "promoted the rollout from “1%” to “10%” (2 of 4)") {
		t.Fatalf("history = %q", got)
	}
	// The new stage waits for its own item and soak.
	g = s.stageGate(t, token).want(t, http.StatusConflict)
	if r := strings.Join(g.list("reasons"), "\n"); !strings.Contains(r, "“Latency steady at 10%” is still open") || !strings.Contains(r, "The soak of “10%” ends at 11:31 UTC (in 1 h)") {
		t.Fatalf("reasons at 10%% = %q", r)
	}
	// The other gate form answers the same.
	s.call(t, http.MethodGet, "/api/v1/releases/"+itoa(s.rel.ID)+"/stages/next/gate", token, "").want(t, http.StatusConflict)
}

func TestRolloutPromoteNeedsOpsOrReleaseManager(t *testing.T) {
	s := newStagedServer(t)
	s.settle(t, "Error rate under 1% for the canary")
	s.at(time.Hour)
	qa := s.signIn(t, "qa")
	_, doc := qa.get("/releases/" + itoa(s.rel.ID))
	if doc.Find(`[data-testid="rollout"]`).Length() != 1 || doc.Find(`[data-testid="promote"]`).Length() != 0 {
		t.Fatal("the QA lead sees no rollout, or a promote button")
	}
	wantStatus(t, qa.post("/releases/"+itoa(s.rel.ID)+"/stages/next", url.Values{"confirm": {"1"}}), http.StatusForbidden)
	rm := s.signIn(t, "rm")
	wantStatus(t, rm.post("/releases/"+itoa(s.rel.ID)+"/stages/next", url.Values{"confirm": {"1"}}), http.StatusSeeOther)
}

// TestRolloutThroughThePipeline drives a rollout by events alone: the
// one-line curl --fail check before each widening, then stage-started,
// and deploy-finished only once the last stage passes.
func TestRolloutThroughThePipeline(t *testing.T) {
	s := newStagedServer(t)
	token := s.mustToken(t, "ci", "shop")
	events := "/api/v1/releases/shop/2.0/events"
	post := func(event string) apiResult {
		return s.call(t, http.MethodPost, events, token, `{"event":"`+event+`"}`)
	}
	curlFail := func() bool { return s.stageGate(t, token).status < 400 }
	if curlFail() {
		t.Fatal("the gate lets the canary widen at once")
	}
	refused := post("deploy-finished").want(t, http.StatusConflict)
	if r := strings.Join(refused.list("reasons"), "\n"); !strings.Contains(r, "The rollout has not reached its last stage “all”: it is at “1%” (1 of 4)") {
		t.Fatalf("deploy-finished at the canary: %q", r)
	}
	s.settle(t, "Error rate under 1% for the canary")
	post("stage-finished").want(t, http.StatusOK)
	post("stage-finished").want(t, http.StatusConflict) // once
	s.at(30 * time.Minute)
	if !curlFail() {
		t.Fatal("the gate holds after the soak")
	}
	post("stage-started").want(t, http.StatusOK)
	s.settle(t, "Latency steady at 10%")
	s.at(time.Hour)
	post("stage-started").want(t, http.StatusOK) // 50%
	s.at(time.Hour)
	post("stage-started").want(t, http.StatusOK) // all
	if l := s.rolloutLabel(t); l != "all (4 of 4)" {
		t.Fatalf("rollout = %q", l)
	}
	last := s.stageGate(t, token).want(t, http.StatusConflict)
	if r := strings.Join(last.list("reasons"), "\n"); !strings.Contains(r, "“all” is the last stage") {
		t.Fatalf("gate at the last stage: %q", r)
	}
	post("deploy-finished").want(t, http.StatusOK)
	if st := s.mustState(t, s.rel.ID); st != gonogo.Verifying {
		t.Fatalf("state = %s", st)
	}
	// Every step is in the history, in the token's name.
	evs, err := s.store.FindReleaseEvents(context.Background(), s.rel.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var starts, finishes int
	for _, e := range evs {
		switch gonogo.Action(e.Action) {
		case gonogo.ActionStageStart:
			starts++
		case gonogo.ActionStageFinish:
			finishes++
		default:
			continue
		}
		if !strings.Contains(e.Actor, "ci") {
			t.Errorf("event by %q", e.Actor)
		}
	}
	if starts != 3 || finishes != 1 {
		t.Fatalf("history: %d stage starts, %d finishes", starts, finishes)
	}
}

func TestRolloutOnTheBoardAndCalendar(t *testing.T) {
	s := newStagedServer(t)
	w := gonogo.Window{Start: s.clock.Add(-time.Hour), End: s.clock.Add(5 * time.Hour)}
	s.scheduleWindow(t, s.rel.ID, w)
	s.settle(t, "Error rate under 1% for the canary")
	s.at(time.Hour)
	if _, err := s.store.Promote(context.Background(), s.actorOf("ops"), s.rel.ID); err != nil {
		t.Fatal(err)
	}
	po := s.signIn(t, "po")
	_, doc := po.get("/")
	card := doc.Find(`[data-testid="release-card"][data-release="shop 2.0"]`)
	if got := strings.TrimSpace(card.Find(`[data-testid="card-rollout"]`).Text()); got != "Rollout: 10% (2 of 4)" {
		t.Fatalf("card says %q", got)
	}
	_, doc = po.get("/calendar?month=2026-03")
	if got := strings.TrimSpace(doc.Find(`[data-testid="cal-rollout"]`).First().Text()); got != "· 10% (2 of 4)" {
		t.Fatalf("calendar says %q", got)
	}
	_, doc = po.get("/calendar?view=list")
	if got := strings.TrimSpace(doc.Find(`[data-testid="cal-rollout"]`).First().Text()); got != "Rollout: 10% (2 of 4)" {
		t.Fatalf("calendar list says %q", got)
	}
	res, ics := po.getText("/calendar.ics")
	wantStatus(t, res, http.StatusOK)
	if unfolded := strings.ReplaceAll(ics, "\r\n ", ""); !strings.Contains(unfolded, "SUMMARY:shop 2.0: Release 2.0 · Rollout: 10% (2 of 4)") {
		t.Fatalf("feed lacks the stage:\n%s", ics)
	}
	// A release without stages shows none.
	plain := s.mustCreateRelease(t, "web", "1.0")
	_, doc = po.get("/")
	if doc.Find(`[data-testid="release-card"][data-release="web 1.0"] [data-testid="card-rollout"]`).Length() != 0 {
		t.Fatalf("release %d without stages shows a rollout", plain.ID)
	}
}

func TestRolloutTemplateOnTheProductPage(t *testing.T) {
	s := newServer(t)
	if _, err := s.store.CreateProduct(context.Background(), s.actorOf("admin"), gonogo.ProductInput{Key: "shop", Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	admin := s.signIn(t, "admin")
	_, doc := admin.get("/products/shop")
	if doc.Find(`[data-testid="rollout-template-empty"]`).Length() != 1 || doc.Find(`[data-testid="rollout-template-form"]`).Length() != 1 {
		t.Fatal("the product page shows no empty template and form to the admin")
	}
	// Bad input: 422, the message next to its field, the rows kept.
	res := admin.post("/products/shop/rollout", url.Values{"stage-0-name": {"canary"}, "stage-0-soak": {"thirty"}, "stage-0-items": {"Error rate\nLatency"}, "stage-1-name": {""}, "stage-1-soak": {""}, "stage-1-items": {""}, "stage-2-name": {"all"}, "stage-2-soak": {"0"}, "stage-2-items": {"1\n2\n3\n4\n5\n6"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	if got := text(doc, `[data-testid="error-stage-0-soak"]`); !strings.Contains(got, "whole number of minutes") {
		t.Fatalf("soak error = %q", got)
	}
	if got := doc.Find(`[data-testid="rollout-row"] input[name="stage-0-name"]`).First().AttrOr("value", ""); got != "canary" {
		t.Fatalf("first row's name after the refusal = %q", got)
	}
	res = admin.post("/products/shop/rollout", url.Values{"stage-0-name": {"canary"}, "stage-0-soak": {"30"}, "stage-0-items": {"Error rate\nLatency"}, "stage-1-name": {""}, "stage-1-soak": {""}, "stage-1-items": {""}, "stage-2-name": {"all"}, "stage-2-soak": {"0"}, "stage-2-items": {"1\n2\n3\n4\n5\n6"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := text(parse(t, res), `[data-testid="error-stage-2-items"]`); !strings.Contains(got, "at most 5 items") {
		t.Fatalf("items error on the row as typed = %q", got)
	}
	if got, _ := s.store.FindRolloutTemplate(context.Background(), "shop"); len(got) != 0 {
		t.Fatalf("a refused form saved %+v", got)
	}
	res = admin.post("/products/shop/rollout", url.Values{"stage-0-name": {"canary"}, "stage-0-soak": {"30"}, "stage-0-items": {"Error rate\r\nLatency"}, "stage-1-name": {""}, "stage-1-soak": {""}, "stage-1-items": {""}, "stage-2-name": {"all"}, "stage-2-soak": {""}, "stage-2-items": {""}})
	wantStatus(t, res, http.StatusSeeOther)
	got, err := s.store.FindRolloutTemplate(context.Background(), "shop")
	if err != nil || len(got) != 2 || got[0].Name != "canary" || got[0].SoakMinutes != 30 || len(got[0].Items) != 2 || got[1].Name != "all" {
		t.Fatalf("template = %+v, %v", got, err)
	}
	evs, _ := s.store.FindEvents(context.Background(), 100)
	found := false
	for _, e := range evs {
		if e.Action == string(gonogo.ActionRolloutTemplate) && strings.Contains(e.Detail, "canary (soak 30 min, 2 items) → all") {
			found = true
		}
	}
	if !found {
		t.Fatal("the change is not audited")
	}
	// A new release gets the stages and their items; a QA lead sees the
	// template but no form.
	rel := s.mustCreateRelease(t, "shop", "1.0")
	it := s.mustItem(t, rel.ID, "Latency")
	if it.StageID == 0 || it.Phase != gonogo.Verification || !it.Required {
		t.Fatalf("stage item = %+v", it)
	}
	qa := s.signIn(t, "qa")
	_, doc = qa.get("/products/shop")
	if doc.Find(`[data-testid="rollout-template-stages"] > li`).Length() != 2 || doc.Find(`[data-testid="rollout-template-form"]`).Length() != 0 {
		t.Fatal("the QA lead does not see the stages alone")
	}
	wantStatus(t, qa.post("/products/shop/rollout", url.Values{"stage-0-name": {"x"}}), http.StatusForbidden)
}

func TestRolloutNoStagesNoChange(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "ci", "")
	rel := s.mustGoRelease(t, "web", "1.0")
	g := s.call(t, http.MethodGet, "/api/v1/releases/web/1.0/gate", token, "").want(t, http.StatusOK)
	if v, ok := g.body["stage"]; !ok || v != nil {
		t.Fatalf("gate's stage = %v (present %v), want null", v, ok)
	}
	sg := s.call(t, http.MethodGet, "/api/v1/releases/web/1.0/stages/next/gate", token, "").want(t, http.StatusConflict)
	if sg.str("error") != "web 1.0 has no rollout stages" {
		t.Fatalf("stage gate = %v", sg.body)
	}
	s.move(t, rel.ID, gonogo.StartDeploy)
	s.call(t, http.MethodPost, "/api/v1/releases/web/1.0/events", token, `{"event":"stage-started"}`).want(t, http.StatusConflict)
	s.call(t, http.MethodPost, "/api/v1/releases/web/1.0/events", token, `{"event":"deploy-finished"}`).want(t, http.StatusOK)
	_, doc := s.signIn(t, "ops").get("/releases/" + itoa(rel.ID))
	if doc.Find(`[data-testid="rollout"]`).Length() != 0 {
		t.Fatal("a release without stages shows a rollout panel")
	}
}

// TestREADMEStageGateOneLiner runs the manual's one-line check before
// widening: it fails while the canary soaks, and passes after.
func TestREADMEStageGateOneLiner(t *testing.T) {
	needCurl(t)
	s := newStagedServer(t)
	if _, err := s.store.CreateProduct(context.Background(), s.actorOf("admin"), gonogo.ProductInput{Key: "payments", Name: "Payments"}); err != nil {
		t.Fatal(err)
	}
	if err := s.store.SetRolloutTemplate(context.Background(), s.actorOf("admin"), "payments", []gonogo.StageSpec{{Name: "1%", SoakMinutes: 30}, {Name: "all"}}); err != nil {
		t.Fatal(err)
	}
	rel := s.mustGoRelease(t, "payments", "2.3.2")
	s.move(t, rel.ID, gonogo.StartDeploy)
	token := s.mustToken(t, "payments-deploy", "payments")
	gate := func() error {
		cmd := exec.Command("sh", "-c", docBlock(t, "pipelines.md", "stagegate"))
		cmd.Env = append(os.Environ(), "GONOGO_URL="+s.URL, "GONOGO_TOKEN="+token)
		out, err := cmd.CombinedOutput()
		t.Logf("the stage gate said: %s", out)
		return err
	}
	if err := gate(); err == nil {
		t.Fatal("the check passed while the canary soaks")
	}
	s.at(30 * time.Minute)
	if err := gate(); err != nil {
		t.Fatalf("the check failed after the soak: %v", err)
	}
}
