package handlers_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// readmeSnippet returns the pipeline script of README.md, between its
// marker comments, without the code fence: the very text people copy.
func readmeSnippet(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "<!-- pipeline:begin -->")
	block, _, ok2 := strings.Cut(rest, "<!-- pipeline:end -->")
	if !ok || !ok2 {
		t.Fatal("README.md has no pipeline snippet between <!-- pipeline:begin --> and <!-- pipeline:end -->")
	}
	block = strings.TrimSpace(block)
	block = strings.TrimPrefix(block, "```sh")
	block = strings.TrimSuffix(block, "```")
	return block
}

// needCurl skips without curl, unless CI says it must be there.
func needCurl(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("GONOGO_REQUIRE_CURL") != "" {
			t.Fatal("GONOGO_REQUIRE_CURL is set but curl is not installed")
		}
		t.Skip("skipping: curl is not installed (apt-get install curl)")
	}
}

// TestREADMEPipeline runs the README's pipeline with sh against a real
// server: it creates the release and reports its checks, waits at the gate
// until the team records a Go, and only then deploys and reports the events.
func TestREADMEPipeline(t *testing.T) {
	needCurl(t)
	s := newServer(t)
	token := s.mustToken(t, "payments-deploy", "payments")
	dir := t.TempDir()
	script := filepath.Join(dir, "gonogo-pipeline.sh")
	if err := os.WriteFile(script, []byte(readmeSnippet(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GONOGO_URL="+s.URL, "GONOGO_TOKEN="+token, "PRODUCT=payments", "VERSION=2.4.0", "TITLE=Apple Pay \"express\"",
		"RUN_URL=https://ci.example.com/runs/77", "TEST_COMMAND=true", "SCAN_COMMAND=true",
		"DEPLOY_COMMAND=touch deployed", "SMOKE_COMMAND=test -f deployed", "ROLLBACK_COMMAND=touch rolled-back",
		"WAIT_SECONDS=0.05", "WAIT_TRIES=1000000",
	)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	var mu sync.Mutex
	var log []string
	waiting := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		seen := false
		for sc.Scan() {
			mu.Lock()
			log = append(log, sc.Text())
			mu.Unlock()
			if !seen && strings.Contains(sc.Text(), "is not a GO yet") {
				seen = true
				close(waiting)
			}
		}
		done <- cmd.Wait()
	}()
	output := func() string { mu.Lock(); defer mu.Unlock(); return strings.Join(log, "\n") }

	select {
	case <-waiting:
	case err := <-done:
		t.Fatalf("the pipeline ended before waiting for GO: %v\n%s", err, output())
	case <-time.After(60 * time.Second):
		t.Fatalf("the pipeline never reached the gate\n%s", output())
	}
	// At the gate: the release exists, its checks are reported, nothing is deployed.
	rel, err := s.store.FindReleaseByName(t.Context(), "payments", "2.4.0")
	if err != nil {
		t.Fatalf("the pipeline did not create the release: %v\n%s", err, output())
	}
	if rel.Title != `Apple Pay "express"` || rel.State != gonogo.Draft {
		t.Fatalf("release %+v", rel)
	}
	for _, title := range []string{"Integration tests pass", "Security scan clean"} {
		if it := s.mustItem(t, rel.ID, title); it.Status != gonogo.ItemDone || it.Evidence != "https://ci.example.com/runs/77" {
			t.Fatalf("%s: %+v", title, it)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "deployed")); err == nil {
		t.Fatal("the pipeline deployed before the Go")
	}

	// The team reviews and records the Go; the waiting pipeline goes on.
	s.move(t, rel.ID, gonogo.OpenReview)
	s.settleReadiness(t, rel.ID)
	s.signAll(t, rel.ID)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the pipeline failed: %v\n%s", err, output())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the pipeline did not go on after the Go\n%s", output())
	}
	if _, err := os.Stat(filepath.Join(dir, "deployed")); err != nil {
		t.Fatalf("the pipeline did not deploy\n%s", output())
	}
	if _, err := os.Stat(filepath.Join(dir, "rolled-back")); err == nil {
		t.Fatalf("the pipeline rolled back\n%s", output())
	}
	if got := s.mustState(t, rel.ID); got != gonogo.Verifying {
		t.Fatalf("state %s after the pipeline, want verifying\n%s", got, output())
	}
	// The history has it in order: the Go, then the deployment, in the token's name.
	events, _ := s.store.FindReleaseEvents(t.Context(), rel.ID, 100)
	var goID, deployID, smokeID int64
	for _, e := range events {
		switch {
		case e.Action == "decision" && strings.Contains(e.Detail, "recorded Go"):
			goID = e.ID
		case e.Action == "release.state" && strings.Contains(e.Detail, "to Deploying") && e.Actor == "payments-deploy (API token)":
			deployID = e.ID
		case e.Action == "pipeline.event" && strings.Contains(e.Detail, "smoke test passed"):
			smokeID = e.ID
		}
	}
	if goID == 0 || deployID <= goID || smokeID <= deployID {
		t.Fatalf("history out of order: go %d, deploy %d, smoke %d\n%+v", goID, deployID, smokeID, events)
	}
	t.Logf("the pipeline said:\n%s", output())
}
