package handlers_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gonogo/gonogo"
)

// TestREADMEPipeline drives a release from draft to released with the
// script of docs/pipelines.md and the team: the script creates the release
// and reports its checks, the staging smoke test among them, and waits at
// the gate; people review, sign off and record the Go; the script deploys,
// and its smoke test in production settles that verification item; people
// settle the rest and mark it released. Nobody closes what the pipeline proved.
func TestREADMEPipeline(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "payments-deploy", "payments")
	const ci = "payments-deploy (API token)"
	summary := "Apple Pay in the web checkout.\n\t- an \"express\" button\n\t- refunds to C:\\wallets\n"
	p := startPipeline(t, s.URL, token, pipelineOpts{}, "VERSION=2.4.0", `TITLE=Apple Pay "express" \ checkout`, "SUMMARY="+summary,
		"TEST_COMMAND=true\n\ttrue  # the suite, on two lines")
	errorLine := "gonogo: deploying payments 2.4.0 is not authorized now"
	p.waitForLine(errorLine)

	// At the gate: the release exists, its checks are reported, nothing is deployed.
	rel, err := s.store.FindReleaseByName(t.Context(), "payments", "2.4.0")
	if err != nil {
		t.Fatalf("the pipeline did not create the release: %v\n%s", err, p.output())
	}
	if rel.Title != `Apple Pay "express" \ checkout` || rel.Summary != strings.TrimSpace(summary) || rel.State != gonogo.Draft {
		t.Fatalf("release %+v", rel)
	}
	for _, title := range []string{"Integration tests pass", "Security scan clean", "Smoke test passes in staging"} {
		if it := s.mustItem(t, rel.ID, title); it.Status != gonogo.ItemDone || it.Evidence != "https://ci.example.com/runs/77" || it.UpdatedBy != ci {
			t.Fatalf("%s: %+v", title, it)
		}
	}
	if p.exists("deployed") {
		t.Fatal("the pipeline deployed before the Go")
	}
	// It printed why, one reason a line.
	if blocks := p.reasonBlocks(errorLine); len(blocks) == 0 || !slices.Equal(blocks[0], s.gateSays(t, token, "payments", "2.4.0")) {
		t.Fatalf("the pipeline printed %q, want the gate's reasons %q", blocks, s.gateSays(t, token, "payments", "2.4.0"))
	}

	// The team reviews and records the Go; the waiting pipeline goes on.
	s.move(t, rel.ID, gonogo.OpenReview)
	s.publishNotes(t, rel.ID)
	s.settleOpen(t, rel.ID, gonogo.Readiness)
	s.signAll(t, rel.ID)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	p.mustSucceed()
	if !p.exists("deployed") || p.exists("rolled-back") {
		t.Fatalf("deployed %v, rolled back %v\n%s", p.exists("deployed"), p.exists("rolled-back"), p.output())
	}
	if got := s.mustState(t, rel.ID); got != gonogo.Verifying {
		t.Fatalf("state %s after the pipeline, want verifying\n%s", got, p.output())
	}
	// The smoke test in production settled its verification item, in the token's name.
	if it := s.mustItem(t, rel.ID, "Smoke test passes in production"); it.Status != gonogo.ItemDone || it.UpdatedBy != ci ||
		it.Evidence != "https://ci.example.com/runs/77" {
		t.Fatalf("production smoke item %+v\n%s", it, p.output())
	}

	// People verify the rest, and the release manager marks it released.
	s.settleOpen(t, rel.ID, gonogo.Verification)
	s.move(t, rel.ID, gonogo.MarkReleased)
	for _, title := range []string{"Smoke test passes in staging", "Smoke test passes in production"} {
		if it := s.mustItem(t, rel.ID, title); it.Status != gonogo.ItemDone || it.UpdatedBy != ci {
			t.Fatalf("%s was closed by %q, not the pipeline: %+v", title, it.UpdatedBy, it)
		}
	}

	// The reasons were printed again only when they changed.
	blocks := p.reasonBlocks(errorLine)
	for i := 1; i < len(blocks); i++ {
		if slices.Equal(blocks[i], blocks[i-1]) {
			t.Fatalf("the same reasons were printed twice in a row:\n%s", p.output())
		}
	}
	for _, l := range p.outputLines() {
		if strings.HasPrefix(strings.TrimSpace(l), "{") {
			t.Fatalf("the pipeline printed raw JSON: %s", l)
		}
	}

	// The history has it in order: the Go, then the deployment, then the smoke test, in the token's name.
	events, _ := s.store.FindReleaseEvents(t.Context(), rel.ID, 100)
	var goID, deployID, smokeID int64
	for _, e := range events {
		switch {
		case e.Action == "decision" && strings.Contains(e.Detail, "recorded Go"):
			goID = e.ID
		case e.Action == "release.state" && strings.Contains(e.Detail, "to Deploying") && e.Actor == ci:
			deployID = e.ID
		case e.Action == "pipeline.event" && strings.Contains(e.Detail, "smoke test passed") && e.Actor == ci:
			smokeID = e.ID
		}
	}
	if goID == 0 || deployID <= goID || smokeID <= deployID {
		t.Fatalf("history out of order: go %d, deploy %d, smoke %d\n%+v", goID, deployID, smokeID, events)
	}
	t.Logf("the pipeline said:\n%s", p.output())
}

// TestREADMEPipelineSendsTextAsIs gives the script values with every
// character below 128, tabs and line ends among them, and reads what curl
// sent with Go's JSON decoder: each value arrives exactly as given.
func TestREADMEPipelineSendsTextAsIs(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"error":"stopped by the test","reasons":[]}`)
	}))
	t.Cleanup(capture.Close)
	var every strings.Builder
	for c := 1; c < 128; c++ {
		every.WriteByte(byte(c))
	}
	text := "é ✓ " + every.String() + " end\n"
	p := startPipeline(t, capture.URL, "test-token", pipelineOpts{}, "TITLE="+text, "SUMMARY=\t"+text+"\n")
	if err := p.wait(); err == nil {
		t.Fatalf("the pipeline went on after a 503\n%s", p.output())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 1 {
		t.Fatalf("%d requests, want the one that creates the release", len(bodies))
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(bodies[0]), &got); err != nil {
		t.Fatalf("the pipeline sent no JSON: %v\n%q", err, bodies[0])
	}
	if got["title"] != text || got["summary"] != strings.TrimSpace(text) || got["product"] != "payments" || got["version"] != "2.4.0" {
		t.Fatalf("sent %q", got)
	}
	if !strings.Contains(p.output(), "stopped by the test") {
		t.Fatalf("the refusal was not printed\n%s", p.output())
	}
}

// TestREADMEPipelineRunsAgain runs the script again with the release at
// each step after the Go, as a CI system's "re-run job" does: it takes up
// where the release is, never reports a check the release no longer takes,
// and does not deploy what is deployed.
func TestREADMEPipelineRunsAgain(t *testing.T) {
	s := newServer(t, unlimitedWrites)
	token := s.mustToken(t, "payments-deploy", "payments")
	tests := []struct {
		name     string
		steps    []gonogo.Transition // after the Go
		deploys  bool                // whether the run deploys
		final    gonogo.State
		smokes   bool // whether the run smoke-tests production
		printout string
	}{
		{"after the Go", nil, true, gonogo.Verifying, true, "checks are taken before the decision only"},
		{"while deploying", []gonogo.Transition{gonogo.StartDeploy}, true, gonogo.Verifying, true, "is already deploying"},
		{"while verifying", []gonogo.Transition{gonogo.StartDeploy, gonogo.FinishDeploy}, false, gonogo.Verifying, true, "is deployed"},
		{"once released", []gonogo.Transition{gonogo.StartDeploy, gonogo.FinishDeploy, gonogo.MarkReleased}, false, gonogo.Released, false, "is released"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			version := "3.0." + itoa(int64(i))
			rel := s.mustGoRelease(t, "payments", version)
			for _, tr := range tc.steps {
				if tr == gonogo.MarkReleased {
					s.settleOpen(t, rel.ID, gonogo.Verification)
				}
				s.move(t, rel.ID, tr)
			}
			before := s.mustItem(t, rel.ID, "Smoke test passes in production")
			p := startPipeline(t, s.URL, token, pipelineOpts{}, "VERSION="+version, "SMOKE_COMMAND=touch smoked")
			p.mustSucceed()
			if !strings.Contains(p.output(), tc.printout) {
				t.Errorf("the pipeline did not say %q\n%s", tc.printout, p.output())
			}
			if p.exists("deployed") != tc.deploys || p.exists("smoked") != tc.smokes || p.exists("rolled-back") {
				t.Fatalf("deployed %v (want %v), smoke-tested %v (want %v), rolled back %v\n%s",
					p.exists("deployed"), tc.deploys, p.exists("smoked"), tc.smokes, p.exists("rolled-back"), p.output())
			}
			if got := s.mustState(t, rel.ID); got != tc.final {
				t.Fatalf("state %s, want %s\n%s", got, tc.final, p.output())
			}
			it := s.mustItem(t, rel.ID, "Smoke test passes in production")
			if tc.smokes && (it.Status != gonogo.ItemDone || it.UpdatedBy != "payments-deploy (API token)") {
				t.Fatalf("production smoke item %+v\n%s", it, p.output())
			}
			if !tc.smokes && (it.Status != before.Status || it.UpdatedBy != before.UpdatedBy || !it.UpdatedAt.Equal(before.UpdatedAt)) {
				t.Fatalf("production smoke item changed: %+v", it)
			}
		})
	}
}

// TestREADMEPipelineRefusedEvent: while the script deploys, someone rolls
// the release back on the board. gonogo refuses the script's next event;
// the script prints gonogo's reasons and fails the job.
func TestREADMEPipelineRefusedEvent(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "payments-deploy", "payments")
	p := startPipeline(t, s.URL, token, pipelineOpts{}, "DEPLOY_COMMAND=touch deploying; until [ -f go-on ]; do sleep 0.05; done")
	var rel gonogo.Release
	p.waitUntil("reporting its checks", func() bool {
		var err error
		rel, err = s.store.FindReleaseByName(t.Context(), "payments", "2.4.0")
		return err == nil && s.mustItem(t, rel.ID, "Smoke test passes in staging").Status == gonogo.ItemDone
	})
	s.move(t, rel.ID, gonogo.OpenReview)
	s.settleReadiness(t, rel.ID)
	s.signAll(t, rel.ID)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	p.waitUntil("deploying", func() bool { return p.exists("deploying") })
	s.move(t, rel.ID, gonogo.RollBack)
	if err := os.WriteFile(filepath.Join(p.dir, "go-on"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := p.wait(); err == nil {
		t.Fatalf("the pipeline succeeded after a refused event\n%s", p.output())
	}
	_, refusal := gonogo.RolledBack.Next(gonogo.FinishDeploy)
	if !strings.Contains(p.output(), gonogo.ErrorMessage(refusal)) {
		t.Fatalf("the pipeline did not print gonogo's refusal %q\n%s", gonogo.ErrorMessage(refusal), p.output())
	}
	if got := s.mustState(t, rel.ID); got != gonogo.RolledBack {
		t.Fatalf("state %s", got)
	}
}

// TestREADMEPipelinePrintsEachReason: while the script waits at the gate it
// prints the gate's reasons, each on its own line and exactly as gonogo
// wrote them, and prints them again only when they change.
func TestREADMEPipelinePrintsEachReason(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "payments-deploy", "payments")
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	odd := `Check "A" <b> & [x], "y"\z`
	if _, err := s.store.AddItem(t.Context(), s.rmActor(), rel.ID, gonogo.ItemInput{Phase: gonogo.Readiness, Pillar: gonogo.Technical,
		Title: odd, OwnerRole: gonogo.EngineeringLead, Required: true}); err != nil {
		t.Fatal(err)
	}
	errorLine := "gonogo: deploying payments 2.4.0 is not authorized now"
	p := startPipeline(t, s.URL, token, pipelineOpts{})
	p.waitForLine(errorLine)
	first := s.gateSays(t, token, "payments", "2.4.0")
	if !slices.ContainsFunc(first, func(l string) bool { return strings.HasPrefix(l, "  - ") && strings.Contains(l, "“"+odd+"”") }) {
		t.Fatalf("the gate does not name the item: %q", first)
	}
	// Many more looks at the gate, and nothing new to say.
	looks := p.gateLooks()
	p.waitUntil("five more looks at the gate", func() bool { return p.gateLooks() >= looks+5 })
	if blocks := p.reasonBlocks(errorLine); len(blocks) != 1 || !slices.Equal(blocks[0], first) {
		t.Fatalf("printed %q, want the gate's reasons once: %q\n%s", blocks, first, p.output())
	}
	// The release opens for review: the reasons change, and are printed again.
	s.move(t, rel.ID, gonogo.OpenReview)
	second := s.gateSays(t, token, "payments", "2.4.0")
	p.waitUntil("the new reasons", func() bool { return len(p.reasonBlocks(errorLine)) == 2 })
	looks = p.gateLooks()
	p.waitUntil("five more looks at the gate", func() bool { return p.gateLooks() >= looks+5 })
	if blocks := p.reasonBlocks(errorLine); len(blocks) != 2 || !slices.Equal(blocks[1], second) {
		t.Fatalf("printed %q, want the new reasons once: %q\n%s", blocks, second, p.output())
	}
}

// TestREADMEPipelineKeepsTheTokenOffTheCommandLine: curl is never given
// the token as an argument, where ps would show it to anyone on the runner.
func TestREADMEPipelineKeepsTheTokenOffTheCommandLine(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "payments-deploy", "payments")
	p := startPipeline(t, s.URL, token, pipelineOpts{}, "WAIT_TRIES=1")
	if err := p.wait(); err == nil || !strings.Contains(p.output(), "giving up") {
		t.Fatalf("the pipeline did not give up waiting (%v)\n%s", err, p.output())
	}
	args := p.curlArgs()
	if !strings.Contains(args, s.URL+"/api/v1/releases/payments/2.4.0/gate") {
		t.Fatalf("curl never asked the gate:\n%s", args)
	}
	if strings.Contains(args, token) {
		t.Fatalf("the token is on curl's command line:\n%s", args)
	}
}

// TestREADMEPipelineOnOldCurl runs the script with a curl that knows only
// what curl 7.55.0 knew, the oldest the manual promises.
func TestREADMEPipelineOnOldCurl(t *testing.T) {
	s := newServer(t)
	token := s.mustToken(t, "payments-deploy", "payments")
	rel := s.mustGoRelease(t, "payments", "2.4.0")
	p := startPipeline(t, s.URL, token, pipelineOpts{oldCurl: true})
	p.mustSucceed()
	if got := s.mustState(t, rel.ID); got != gonogo.Verifying || !p.exists("deployed") {
		t.Fatalf("state %s, deployed %v\n%s", got, p.exists("deployed"), p.output())
	}
}

// TestREADMEGateOneLiner runs the manual's one-line gate: it fails until
// the Go is recorded, passes after, and never puts the token on curl's
// command line.
func TestREADMEGateOneLiner(t *testing.T) {
	needCurl(t)
	s := newServer(t)
	token := s.mustToken(t, "payments-deploy", "payments")
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	argv := filepath.Join(t.TempDir(), "curl-argv")
	bin := curlShim(t, argv, pipelineOpts{oldCurl: true})
	gate := func() error {
		cmd := exec.Command("sh", "-c", docBlock(t, "pipelines.md", "gate"))
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "GONOGO_URL="+s.URL, "GONOGO_TOKEN="+token)
		out, err := cmd.CombinedOutput()
		t.Logf("the gate said: %s", out)
		return err
	}
	if err := gate(); err == nil {
		t.Fatal("the gate passed a draft")
	}
	s.move(t, rel.ID, gonogo.OpenReview)
	s.settleReadiness(t, rel.ID)
	s.signAll(t, rel.ID)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	if err := gate(); err != nil {
		t.Fatalf("the gate refused a Go: %v", err)
	}
	args, err := os.ReadFile(argv)
	if err != nil || !strings.Contains(string(args), "/gate") {
		t.Fatalf("curl was not called: %v %q", err, args)
	}
	if strings.Contains(string(args), token) {
		t.Fatalf("the token is on curl's command line:\n%s", args)
	}
}
