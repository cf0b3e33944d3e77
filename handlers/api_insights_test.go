package handlers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
)

// The insights tests ask at noon (UTC) of Monday 30 November 2026, in
// Berlin: their last 30 days are November (CET), and the 30 before them
// start on 2 October, in summer time.
var (
	berlin     = mustZone("Europe/Berlin")
	insightsAt = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// bt is a moment in Berlin in 2026.
func bt(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, berlin)
}

// insightsServer is a board in Berlin with a known history, built through
// the store at the moments it happened (the store's clock set to each):
//
//	payments 1.9.0  review 19 Oct 09:00, Go 15:00, deployed and released 20 Oct (the period before)
//	payments 2.0.0  created 2 Nov 09:00, smoke test in staging failed once, review 3 Nov 09:00,
//	                Go with conditions 15:00, deploying 5 Nov 09:00, verifying 10:00, released 12:00;
//	                a major defect found
//	payments 2.1.0  review 10 Nov 09:00, Go 15:00, deploying 11 Nov 09:00, rolled back 10:00
//	payments 2.1.1  created 11 Nov 11:00, privacy review not applicable, review 12 Nov 09:00,
//	                Go 15:00, deploying 13 Nov 08:00, verifying 09:00, released 10:00
//	payments 2.2.0  review 16 Nov 09:00, QA's No-Go 14:00, No-Go 15:00
//	payments 2.3.0  created 18 Nov, cancelled 20 Nov
//	web 1.0.0       review 24 Nov 09:00, Go 15:00, deploying 25 Nov 09:00, verifying 10:00, released 12:00
//
// In every review the other roles vote an hour after it opens and QA five
// hours after, and support's hand-off is the item done last.
func insightsServer(t *testing.T) *testServer {
	t.Helper()
	s := newServer(t, func(c *handlers.Config) { c.Location = berlin })
	ship := func(product, version string, created, review time.Time, released time.Time, conditions string) gonogo.Release {
		rel := s.createAt(t, product, version, created)
		s.reviewAt(t, rel.ID, review, gonogo.VoteGo)
		s.at(review.Add(6 * time.Hour))
		s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Conditions: conditions})
		s.at(released.Add(-3 * time.Hour))
		s.move(t, rel.ID, gonogo.StartDeploy)
		s.at(released.Add(-2 * time.Hour))
		s.move(t, rel.ID, gonogo.FinishDeploy)
		s.settleVerification(t, rel.ID)
		s.at(released)
		s.move(t, rel.ID, gonogo.MarkReleased)
		return rel
	}
	ship("payments", "1.9.0", bt(10, 12, 9), bt(10, 19, 9), bt(10, 20, 12), "")

	r1 := s.createAt(t, "payments", "2.0.0", bt(11, 2, 9))
	s.at(bt(11, 2, 10))
	s.setItem(t, r1.ID, "Smoke test passes in staging", gonogo.ItemChange{Status: gonogo.ItemFailed, Evidence: "https://ci.example.com/runs/1"})
	s.mustDefect(t, r1.ID, gonogo.DefectInput{Title: "Receipt totals round down", Severity: gonogo.Major, Status: gonogo.DefectFixed})
	s.reviewAt(t, r1.ID, bt(11, 3, 9), gonogo.VoteGo)
	s.at(bt(11, 3, 15))
	s.decide(t, r1.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Conditions: "ops: deploy off-peak"})
	s.at(bt(11, 5, 9))
	s.move(t, r1.ID, gonogo.StartDeploy)
	s.at(bt(11, 5, 10))
	s.move(t, r1.ID, gonogo.FinishDeploy)
	s.settleVerification(t, r1.ID)
	s.at(bt(11, 5, 12))
	s.move(t, r1.ID, gonogo.MarkReleased)

	r2 := s.createAt(t, "payments", "2.1.0", bt(11, 9, 9))
	s.reviewAt(t, r2.ID, bt(11, 10, 9), gonogo.VoteGo)
	s.at(bt(11, 10, 15))
	s.decide(t, r2.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	s.at(bt(11, 11, 9))
	s.move(t, r2.ID, gonogo.StartDeploy)
	s.at(bt(11, 11, 10))
	s.move(t, r2.ID, gonogo.RollBack)

	r3 := s.createAt(t, "payments", "2.1.1", bt(11, 11, 11))
	s.reviewAt(t, r3.ID, bt(11, 12, 9), gonogo.VoteGo, func() {
		s.setItem(t, r3.ID, "Privacy review done", gonogo.ItemChange{Status: gonogo.ItemNA, Reason: "No personal data changed in this release."})
	})
	s.at(bt(11, 12, 15))
	s.decide(t, r3.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	s.at(bt(11, 13, 8))
	s.move(t, r3.ID, gonogo.StartDeploy)
	s.at(bt(11, 13, 9))
	s.move(t, r3.ID, gonogo.FinishDeploy)
	s.settleVerification(t, r3.ID)
	s.at(bt(11, 13, 10))
	s.move(t, r3.ID, gonogo.MarkReleased)

	r4 := s.createAt(t, "payments", "2.2.0", bt(11, 14, 9))
	s.reviewAt(t, r4.ID, bt(11, 16, 9), gonogo.VoteNoGo)
	s.at(bt(11, 16, 15))
	s.decide(t, r4.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "QA's No-Go stands."})

	r5 := s.createAt(t, "payments", "2.3.0", bt(11, 18, 9))
	s.at(bt(11, 20, 9))
	s.move(t, r5.ID, gonogo.Cancel)

	ship("web", "1.0.0", bt(11, 23, 9), bt(11, 24, 9), bt(11, 25, 12), "")
	s.at(insightsAt)
	return s
}

// createAt creates a release in draft at the moment at.
func (s *testServer) createAt(t *testing.T, product, version string, at time.Time) gonogo.Release {
	t.Helper()
	s.at(at)
	return s.mustCreateRelease(t, product, version)
}

// setItem changes the item with title as the release manager.
func (s *testServer) setItem(t *testing.T, releaseID int64, title string, c gonogo.ItemChange) {
	t.Helper()
	it := s.mustItem(t, releaseID, title)
	if _, err := s.store.UpdateItem(t.Context(), s.rmActor(), releaseID, it.ID, c); err != nil {
		t.Fatalf("%s: %v", title, err)
	}
}

// reviewAt readies the release before opened (then does what prepare
// says), with support's hand-off done last, opens its review at opened,
// has every role but QA vote Go an hour later, and QA vote qa five hours
// after it opened.
func (s *testServer) reviewAt(t *testing.T, id int64, opened time.Time, qa gonogo.VoteValue, prepare ...func()) {
	t.Helper()
	s.at(opened.Add(-2 * time.Hour))
	s.settleReadiness(t, id)
	for _, p := range prepare {
		p()
	}
	s.setItem(t, id, "Support hand-off done", gonogo.ItemChange{Status: gonogo.ItemOpen})
	s.at(opened.Add(-time.Hour))
	s.setItem(t, id, "Support hand-off done", gonogo.ItemChange{Status: gonogo.ItemDone})
	s.at(opened)
	s.move(t, id, gonogo.OpenReview)
	s.at(opened.Add(time.Hour))
	for _, name := range []string{"po", "eng", "ops", "support", "rm"} {
		s.vote(t, id, name, s.users[name].Roles[0], gonogo.VoteGo, "")
	}
	s.at(opened.Add(5 * time.Hour))
	comment := ""
	if qa == gonogo.VoteNoGo {
		comment = "The load test misses its budget."
	}
	s.vote(t, id, "qa", gonogo.QALead, qa, comment)
}

// insightsAnswer is GET /api/v1/insights as a client reads it.
type insightsAnswer struct {
	PostRelease struct {
		Current, Previous struct {
			Clean, Degraded, Incident, Missing int
			RolledBack                         int `json:"rolled_back"`
		}
	} `json:"post_release"`
	Product        *string        `json:"product"`
	TimeZone       string         `json:"time_zone"`
	SmallCount     int            `json:"small_count"`
	Period         answerPeriod   `json:"period"`
	PreviousPeriod answerPeriod   `json:"previous_period"`
	Current        answerFigures  `json:"current"`
	Previous       answerFigures  `json:"previous"`
	Weeks          []answerWeek   `json:"weeks"`
	TimeInState    []answerSpread `json:"time_in_state"`
	MultiCycle     int            `json:"multi_cycle_releases"`
	NoGoReasons    []answerReason `json:"no_go_reasons"`
	Waits          []answerSpread `json:"waits"`
	ProductWaits   []answerSpread `json:"product_waits"`
	Checklist      struct {
		Failed        []answerCount `json:"failed"`
		NotApplicable []answerCount `json:"not_applicable"`
		LastDone      []answerCount `json:"last_done"`
	} `json:"checklist"`
	Defects struct {
		Found    map[string]int `json:"found"`
		Releases []struct {
			ReleaseID int64          `json:"release_id"`
			Product   string         `json:"product"`
			Version   string         `json:"version"`
			URL       string         `json:"url"`
			Found     map[string]int `json:"found"`
		} `json:"releases"`
		MoreReleases        int         `json:"more_releases"`
		DeferringReleases   int         `json:"deferring_releases"`
		DeferringRolledBack answerShare `json:"deferring_rolled_back"`
	} `json:"defects"`
	DecisionQuality []struct {
		Key           string
		With, Without struct {
			Clean       int         `json:"clean"`
			SmokeFailed int         `json:"smoke_failed"`
			RolledBack  int         `json:"rolled_back"`
			Failed      answerShare `json:"failed"`
		}
	} `json:"decision_quality"`
}

type answerReason struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

type answerPeriod struct {
	From     string `json:"from"`
	To       string `json:"to"`
	FirstDay string `json:"first_day"`
	LastDay  string `json:"last_day"`
	Days     int    `json:"days"`
}

type answerFigures struct {
	Shipped            int          `json:"shipped"`
	Cancelled          int          `json:"cancelled"`
	LeadTimeFromReview answerSpread `json:"lead_time_from_review"`
	LeadTimeFromGo     answerSpread `json:"lead_time_from_go"`
	Deployments        int          `json:"deployments"`
	DeploymentsPerWeek float64      `json:"deployments_per_week"`
	DeploymentsEnded   int          `json:"deployments_ended"`
	DeploymentsFailed  int          `json:"deployments_failed"`
	ChangeFailureRate  answerShare  `json:"change_failure_rate"`
	TimeToRestore      answerSpread `json:"time_to_restore"`
	Go                 int          `json:"go"`
	NoGo               int          `json:"no_go"`
	GoRate             answerShare  `json:"go_rate"`
}

// answerSpread is a spread, and the state, role or product it is of.
type answerSpread struct {
	State   string   `json:"state"`
	Role    string   `json:"role"`
	Product string   `json:"product"`
	Count   int      `json:"count"`
	Median  *float64 `json:"median_seconds"`
	P90     *float64 `json:"p90_seconds"`
}

type answerShare struct {
	Part  int      `json:"part"`
	Whole int      `json:"whole"`
	Ratio *float64 `json:"ratio"`
}

type answerWeek struct {
	Start       string `json:"start"`
	Shipped     int    `json:"shipped"`
	Deployments int    `json:"deployments"`
}

type answerCount struct {
	Title string   `json:"title"`
	Count int      `json:"count"`
	Words []string `json:"common_words"`
}

// getInsights asks the API for insights with query, and reads the answer.
func (s *testServer) getInsights(t *testing.T, token, query string) (insightsAnswer, []byte) {
	t.Helper()
	res := do(t, http.MethodGet, s.URL+"/api/v1/insights?"+query, token)
	if res.status != http.StatusOK {
		t.Fatalf("insights?%s: status %d: %s", query, res.status, res.body)
	}
	var out insightsAnswer
	if err := json.Unmarshal(res.body, &out); err != nil {
		t.Fatalf("insights?%s: %v\n%s", query, err, res.body)
	}
	return out, res.body
}

const hour = 3600.0

// spreadIs fails unless sp has n cases with that median and 90th
// percentile, in seconds.
func spreadIs(t *testing.T, what string, sp answerSpread, n int, median, p90 float64) {
	t.Helper()
	if sp.Count != n || sp.Median == nil || *sp.Median != median || sp.P90 == nil || *sp.P90 != p90 {
		t.Errorf("%s: %d cases, median %v, p90 %v; want %d, %v, %v", what, sp.Count, deref(sp.Median), deref(sp.P90), n, median, p90)
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// shareIs fails unless sh is part of whole, with no ratio: every whole
// here is below the small count.
func shareIs(t *testing.T, what string, sh answerShare, part, whole int) {
	t.Helper()
	if sh.Part != part || sh.Whole != whole || sh.Ratio != nil {
		t.Errorf("%s: %d of %d, ratio %v; want %d of %d and no ratio", what, sh.Part, sh.Whole, deref(sh.Ratio), part, whole)
	}
}

// TestAPIInsightsOfAProduct reads a product's month as a client charting
// elsewhere would, and checks every figure against the known history.
func TestAPIInsightsOfAProduct(t *testing.T) {
	s := insightsServer(t)
	token := s.mustToken(t, "charts", "")
	in, _ := s.getInsights(t, token, "product=payments&last=30")

	if in.Product == nil || *in.Product != "payments" || in.TimeZone != "Europe/Berlin" || in.SmallCount != gonogo.SmallCount {
		t.Errorf("product %v, zone %q, small count %d", deref2(in.Product), in.TimeZone, in.SmallCount)
	}
	wantPeriod := answerPeriod{"2026-11-01T00:00:00+01:00", "2026-12-01T00:00:00+01:00", "2026-11-01", "2026-11-30", 30}
	wantPrev := answerPeriod{"2026-10-02T00:00:00+02:00", "2026-11-01T00:00:00+01:00", "2026-10-02", "2026-10-31", 30}
	if in.Period != wantPeriod || in.PreviousPeriod != wantPrev {
		t.Errorf("period %+v, previous %+v; want %+v and %+v", in.Period, in.PreviousPeriod, wantPeriod, wantPrev)
	}

	c := in.Current
	if c.Shipped != 2 || c.Cancelled != 1 || c.Deployments != 3 || c.DeploymentsEnded != 3 || c.DeploymentsFailed != 1 || c.Go != 3 || c.NoGo != 1 {
		t.Errorf("current counts %+v", c)
	}
	if c.DeploymentsPerWeek != 3.0*7/30 {
		t.Errorf("deployments per week %v, want %v", c.DeploymentsPerWeek, 3.0*7/30)
	}
	// 2.0.0: review to release 51 h, Go to release 45 h; 2.1.1: 25 h and 19 h.
	spreadIs(t, "lead time from review", c.LeadTimeFromReview, 2, (51+25)*hour/2, 51*hour)
	spreadIs(t, "lead time from Go", c.LeadTimeFromGo, 2, (45+19)*hour/2, 45*hour)
	// 2.1.0 rolled back 11 Nov 10:00; 2.1.1 shipped 13 Nov 10:00.
	spreadIs(t, "time to restore", c.TimeToRestore, 1, 48*hour, 48*hour)
	shareIs(t, "change failure rate", c.ChangeFailureRate, 1, 3)
	shareIs(t, "Go rate", c.GoRate, 3, 4)

	p := in.Previous
	if p.Shipped != 1 || p.Deployments != 1 || p.DeploymentsFailed != 0 || p.Go != 1 || p.NoGo != 0 || p.Cancelled != 0 {
		t.Errorf("previous counts %+v", p)
	}
	spreadIs(t, "previous lead time from review", p.LeadTimeFromReview, 1, 27*hour, 27*hour)
	if p.TimeToRestore.Count != 0 || p.TimeToRestore.Median != nil || p.TimeToRestore.P90 != nil {
		t.Errorf("previous time to restore %+v, want no cases and null figures", p.TimeToRestore)
	}

	wantWeeks := []answerWeek{{"2026-10-26T00:00:00+01:00", 0, 0}, {"2026-11-02T00:00:00+01:00", 1, 1}, {"2026-11-09T00:00:00+01:00", 1, 2},
		{"2026-11-16T00:00:00+01:00", 0, 0}, {"2026-11-23T00:00:00+01:00", 0, 0}, {"2026-11-30T00:00:00+01:00", 0, 0}}
	if !slices.Equal(in.Weeks, wantWeeks) {
		t.Errorf("weeks %+v, want %+v", in.Weeks, wantWeeks)
	}
	states := map[string]answerSpread{}
	for _, st := range in.TimeInState {
		states[st.State] = st
	}
	// In draft: 24 h (2.0.0), 22 h (2.1.1); in review 6 h each; in go
	// 42 h and 17 h; deploying 1 h each; verifying 2 h and 1 h.
	spreadIs(t, "time in draft", states["draft"], 2, 23*hour, 24*hour)
	spreadIs(t, "time in review", states["review"], 2, 6*hour, 6*hour)
	spreadIs(t, "time in go", states["go"], 2, (42+17)*hour/2, 42*hour)
	spreadIs(t, "time verifying", states["verifying"], 2, 1.5*hour, 2*hour)
	if len(in.TimeInState) != 5 || in.MultiCycle != 0 {
		t.Errorf("time in %d states %+v, %d multi-cycle releases", len(in.TimeInState), in.TimeInState, in.MultiCycle)
	}

	if !slices.Contains(in.NoGoReasons, answerReason{"vote:qa-lead", "No-Go vote: QA lead", 1}) {
		t.Errorf("No-Go reasons %+v lack QA's vote", in.NoGoReasons)
	}

	// Four reviews opened in November: QA five hours in, every other role one.
	if len(in.Waits) != len(gonogo.Roles) {
		t.Fatalf("waits %+v, want one per role", in.Waits)
	}
	for i, w := range in.Waits {
		want := hour
		if w.Role == string(gonogo.QALead) {
			want = 5 * hour
		}
		if w.Role != string(gonogo.Roles[i]) {
			t.Errorf("wait %d is %s's, want %s's", i, w.Role, gonogo.Roles[i])
		}
		spreadIs(t, "wait on "+w.Role, w, 4, want, want)
	}
	if len(in.ProductWaits) != len(gonogo.Roles) || in.ProductWaits[2].Product != "payments" || in.ProductWaits[2].Role != "qa-lead" {
		t.Errorf("product waits %+v", in.ProductWaits)
	}

	ck := in.Checklist
	if len(ck.Failed) != 1 || ck.Failed[0].Title != "Smoke test passes in staging" || ck.Failed[0].Count != 1 {
		t.Errorf("failed items %+v", ck.Failed)
	}
	if len(ck.NotApplicable) != 1 || ck.NotApplicable[0].Title != "Privacy review done" || ck.NotApplicable[0].Count != 1 ||
		!slices.Equal(ck.NotApplicable[0].Words, []string{"changed", "data", "personal"}) {
		t.Errorf("items not applicable %+v", ck.NotApplicable)
	}
	if len(ck.LastDone) != 1 || ck.LastDone[0].Title != "Support hand-off done" || ck.LastDone[0].Count != 2 {
		t.Errorf("items done last %+v", ck.LastDone)
	}

	d := in.Defects
	if d.Found["major"] != 1 || d.Found["blocker"] != 0 || len(d.Found) != len(gonogo.Severities) {
		t.Errorf("defects found %v", d.Found)
	}
	if len(d.Releases) != 2 || d.Releases[0].Version != "2.1.1" || d.Releases[1].Version != "2.0.0" ||
		d.Releases[1].Found["major"] != 1 || d.Releases[1].URL != s.URL+"/releases/"+itoa(d.Releases[1].ReleaseID) {
		t.Errorf("defects per release %+v", d.Releases)
	}
	if d.MoreReleases != 0 || d.DeferringReleases != 0 {
		t.Errorf("defects %+v", d)
	}
	shareIs(t, "deferring releases rolled back", d.DeferringRolledBack, 0, 0)

	// 2.0.0's Go had conditions and shipped cleanly; 2.1.0's and 2.1.1's
	// had none: one rolled back, one shipped.
	if len(in.DecisionQuality) != 4 || in.DecisionQuality[0].Key != "conditions" {
		t.Fatalf("decision quality %+v", in.DecisionQuality)
	}
	q := in.DecisionQuality[0]
	if q.With.Clean != 1 || q.With.RolledBack != 0 || q.Without.Clean != 1 || q.Without.RolledBack != 1 {
		t.Errorf("outcomes by conditions %+v", q)
	}
	shareIs(t, "failed without conditions", q.Without.Failed, 1, 2)
}

func deref2(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// TestAPIInsightsOfEveryProduct: without a product, every product counts,
// and a range of dates asks for the same days as the last 30.
func TestAPIInsightsOfEveryProduct(t *testing.T) {
	s := insightsServer(t)
	token := s.mustToken(t, "charts", "")
	all, _ := s.getInsights(t, token, "last=30")
	if all.Product != nil || all.Current.Shipped != 3 || all.Current.Deployments != 4 || all.Current.Cancelled != 1 {
		t.Errorf("every product: product %v, %+v", deref2(all.Product), all.Current)
	}
	var products []string
	for _, w := range all.ProductWaits {
		if !slices.Contains(products, w.Product) {
			products = append(products, w.Product)
		}
	}
	if !slices.Equal(products, []string{"payments", "web"}) {
		t.Errorf("waits per product of %v", products)
	}
	ranged, _ := s.getInsights(t, token, "from=2026-11-01&to=2026-11-30")
	if ranged.Period != all.Period || !reflect.DeepEqual(ranged.Current, all.Current) {
		t.Errorf("1 to 30 November: %+v %+v; the last 30 days: %+v %+v", ranged.Period, ranged.Current, all.Period, all.Current)
	}
	// Nothing asked for is the last 90 days.
	def, _ := s.getInsights(t, token, "")
	if def.Period.Days != 90 || def.Period.LastDay != "2026-11-30" || def.Current.Shipped != 4 {
		t.Errorf("the default period %+v, shipped %d", def.Period, def.Current.Shipped)
	}
}

// TestAPIInsightsRefusals: no token is 401; a token limited to a product
// reads that product alone, and is refused every other and all of them
// with 403; a query the API would have to guess at is 400 and names the
// parameter; an unknown product is 404. Every one is JSON of the error
// shape.
func TestAPIInsightsRefusals(t *testing.T) {
	s := insightsServer(t)
	all := s.mustToken(t, "charts", "")
	payments := s.mustToken(t, "payments-charts", "payments")
	revoked := s.mustRevokedToken(t, "old-charts")

	s.call(t, http.MethodGet, "/api/v1/insights?product=payments", payments, "").want(t, http.StatusOK)
	for _, tc := range []struct {
		name, query, token string
		status             int
		says               string
	}{
		{"no token", "product=payments", "", http.StatusUnauthorized, "API token"},
		{"a revoked token", "product=payments", revoked, http.StatusUnauthorized, "revoked"},
		{"another product", "product=web", payments, http.StatusForbidden, "limited to product payments"},
		{"every product", "last=30", payments, http.StatusForbidden, "ask for ?product=payments"},
		{"no such product", "product=mobile", all, http.StatusNotFound, `no product "mobile"`},
		{"no such product, limited token", "product=mobile", payments, http.StatusForbidden, "limited to product payments"},
		{"a product in capitals", "product=Payments", all, http.StatusBadRequest, "product:"},
		{"an empty product", "product=", all, http.StatusBadRequest, "product: product is empty"},
		{"no days", "last=0", all, http.StatusBadRequest, "last: the period is a number of days"},
		{"words", "last=a%20week", all, http.StatusBadRequest, "last: the period is a number of days"},
		{"too many days", "last=3661", all, http.StatusBadRequest, "last: the period is a number of days from 1 to 3660"},
		{"last twice", "last=30&last=90", all, http.StatusBadRequest, "last: give last once, not 2 times"},
		{"a typo", "lats=30", all, http.StatusBadRequest, `lats: the query has a parameter "lats"`},
		{"a range without its end", "from=2026-11-01", all, http.StatusBadRequest, "from: a range needs both"},
		{"a range ending before it starts", "from=2026-11-30&to=2026-11-01", all, http.StatusBadRequest, "ends (2026-11-01) before it starts"},
		{"a day that is not", "from=2026-02-30&to=2026-03-01", all, http.StatusBadRequest, "a range needs both"},
		{"both ways", "last=30&from=2026-11-01&to=2026-11-30", all, http.StatusBadRequest, "not both"},
		{"too long a range", "from=2010-01-01&to=2026-11-30", all, http.StatusBadRequest, "a range is at most 3660 days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := s.call(t, http.MethodGet, "/api/v1/insights?"+tc.query, tc.token, "").want(t, tc.status)
			said := strings.Join(append([]string{res.str("error")}, res.list("reasons")...), "\n")
			if !strings.Contains(strings.ToLower(said), strings.ToLower(tc.says)) {
				t.Errorf("answer %q does not say %q", said, tc.says)
			}
			if tc.status == http.StatusUnauthorized && res.header.Get("WWW-Authenticate") == "" {
				t.Error("a 401 without WWW-Authenticate")
			}
		})
	}
}

// TestAPIInsightsMatchOpenAPI holds a real answer, every list of it
// filled, against the document's schema with kin-openapi's validator, and
// checks that the validator would have caught a figure missing.
func TestAPIInsightsMatchOpenAPI(t *testing.T) {
	s := insightsServer(t)
	token := s.mustToken(t, "charts", "")
	doc := loadOpenAPI(t, s)
	item := doc.Paths.Value("/api/v1/insights")
	if item == nil || item.Get == nil {
		t.Fatal("openapi.json does not describe GET /api/v1/insights")
	}
	route := &routers.Route{Spec: doc, Path: "/api/v1/insights", PathItem: item, Method: http.MethodGet, Operation: item.Get}
	validate := func(query string, body []byte) error {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/insights?"+query, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		in := &openapi3filter.RequestValidationInput{Request: req, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: bearerShape}}
		if err := openapi3filter.ValidateRequest(t.Context(), in); err != nil {
			t.Fatalf("the document forbids ?%s: %v", query, err)
		}
		return openapi3filter.ValidateResponse(t.Context(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: http.StatusOK,
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   io.NopCloser(bytes.NewReader(body)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
		})
	}
	for _, query := range []string{"product=payments&last=30", "last=365", "from=2026-10-01&to=2026-11-30", "product=web"} {
		in, raw := s.getInsights(t, token, query)
		if err := validate(query, raw); err != nil {
			t.Errorf("?%s: the answer does not match the document: %v", query, err)
		}
		if query == "product=payments&last=30" && (len(in.Weeks) == 0 || len(in.NoGoReasons) == 0 || len(in.Waits) == 0 ||
			len(in.Checklist.NotApplicable) == 0 || len(in.Defects.Releases) == 0 || len(in.TimeInState) == 0) {
			t.Fatalf("the history leaves a list of the answer empty: %s", raw)
		}
	}
	// The schema is not a blank cheque: an answer missing a figure, or
	// with one the document does not name, does not pass.
	_, raw := s.getInsights(t, token, "product=payments&last=30")
	var body map[string]any
	json.Unmarshal(raw, &body)
	cur := body["current"].(map[string]any)
	delete(cur, "shipped")
	missing, _ := json.Marshal(body)
	if validate("product=payments&last=30", missing) == nil {
		t.Error("an answer without current.shipped passes the document")
	}
	cur["shipped"], cur["shipped_per_day"] = 2, 0.1
	extra, _ := json.Marshal(body)
	if validate("product=payments&last=30", extra) == nil {
		t.Error("an answer with a figure the document does not name passes it")
	}
}

// TestAPIInsightsDocumentMatchesTheDomain: the document's limits for the
// insights are the domain's, so a client that keeps to them is never
// refused, and its severities are every severity.
func TestAPIInsightsDocumentMatchesTheDomain(t *testing.T) {
	doc := loadOpenAPI(t, newServer(t))
	last := doc.Components.Parameters["last"].Value.Schema.Value
	if last.Min == nil || *last.Min != 1 || last.Max == nil || int(*last.Max) != gonogo.MaxPeriodDays {
		t.Errorf("last: from %v to %v, want 1 to %d", deref(last.Min), deref(last.Max), gonogo.MaxPeriodDays)
	}
	var sevs []string
	for _, s := range gonogo.Severities {
		sevs = append(sevs, string(s))
	}
	if got := doc.Components.Schemas["SeverityCounts"].Value.Required; !slices.Equal(got, sevs) {
		t.Errorf("SeverityCounts: %v, want %v", got, sevs)
	}
}
