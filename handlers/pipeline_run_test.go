package handlers_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// pipelineScript returns the pipeline script of docs/pipelines.md.
func pipelineScript(t *testing.T) string { return docBlock(t, "pipelines.md", "pipeline") }

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

// pipelineWait bounds every wait for the script: generous, because the
// machine may be busy, and never reached when all is well.
const pipelineWait = 90 * time.Second

// pipelineRun is one run of the manual's script with sh, in a directory of
// its own, with curl wrapped so that every argument it is given is logged.
type pipelineRun struct {
	t    *testing.T
	dir  string
	argv string // the log of curl's arguments, one a line
	cmd  *exec.Cmd
	done chan struct{}
	err  error // how the script ended, once done is closed

	mu    sync.Mutex
	lines []string
}

// pipelineOpts changes how the script is run.
type pipelineOpts struct {
	// oldCurl makes curl refuse the options added after 7.55.0 (August
	// 2017), the oldest curl the manual promises, as that curl would.
	oldCurl bool
}

// newerCurlOptions are options curl 7.55.0 does not know, with the
// release that added each.
var newerCurlOptions = map[string]string{
	"--fail-with-body": "7.76.0", "--retry-all-errors": "7.71.0", "--no-progress-meter": "7.67.0",
	"--json": "7.82.0", "--parallel": "7.66.0", "--etag-save": "7.68.0", "--etag-compare": "7.68.0", "--variable": "8.3.0",
}

// curlShim writes a curl into a new directory for PATH: it logs each of
// its arguments to argvLog, then runs the real curl with them, so a test
// sees exactly what ps would show of curl's command line.
func curlShim(t *testing.T, argvLog string, opts pipelineOpts) string {
	t.Helper()
	real, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	var refuse string
	if opts.oldCurl {
		var names []string
		for name := range newerCurlOptions {
			names = append(names, name)
		}
		slices.Sort(names)
		refuse = "for a do case $a in " + strings.Join(names, "|") +
			") echo \"curl: option $a: is unknown\" >&2; exit 2 ;; esac; done\n"
	}
	shim := "#!/bin/sh\nfor a do printf '%s\\n' \"$a\" >>" + shellQuote(argvLog) + "; done\n" +
		refuse + "exec " + shellQuote(real) + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "curl"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// startPipeline runs the manual's script against url with token, as
// PRODUCT payments, commands that succeed, and a quick look at the gate;
// env adds to or overrides those. The test fails at its end if the token
// ever appeared among curl's arguments.
func startPipeline(t *testing.T, url, token string, opts pipelineOpts, env ...string) *pipelineRun {
	t.Helper()
	needCurl(t)
	dir := t.TempDir()
	p := &pipelineRun{t: t, dir: dir, argv: filepath.Join(t.TempDir(), "curl-argv"), done: make(chan struct{})}
	script := filepath.Join(dir, "gonogo-pipeline.sh")
	if err := os.WriteFile(script, []byte(pipelineScript(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := curlShim(t, p.argv, opts)
	p.cmd = exec.Command("sh", script)
	p.cmd.Dir = dir
	p.cmd.Env = append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GONOGO_URL="+url, "GONOGO_TOKEN="+token, "PRODUCT=payments", "VERSION=2.4.0",
		"RUN_URL=https://ci.example.com/runs/77", "TEST_COMMAND=true", "SCAN_COMMAND=true", "STAGING_SMOKE_COMMAND=true",
		"DEPLOY_COMMAND=touch deployed", "SMOKE_COMMAND=test -f deployed", "ROLLBACK_COMMAND=touch rolled-back",
		"WAIT_SECONDS=0.05", "WAIT_TRIES=1000000",
	)
	p.cmd.Env = append(p.cmd.Env, env...) // the last of a name wins
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.cmd.Stdout
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 4096)
		var part string
		for {
			n, rerr := out.Read(buf)
			p.mu.Lock()
			part += string(buf[:n])
			for {
				line, rest, ok := strings.Cut(part, "\n")
				if !ok {
					break
				}
				p.lines, part = append(p.lines, line), rest
			}
			if rerr != nil && part != "" {
				p.lines, part = append(p.lines, part), ""
			}
			p.mu.Unlock()
			if rerr != nil {
				break
			}
		}
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if strings.Contains(p.curlArgs(), token) {
			t.Errorf("the token was on curl's command line, where ps shows it to everyone on the machine:\n%s", p.curlArgs())
		}
		if strings.Contains(p.output(), token) {
			t.Errorf("the token was printed in the job's log:\n%s", p.output())
		}
	})
	return p
}

// output is what the script printed so far, stdout and stderr together.
func (p *pipelineRun) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// outputLines is output, line by line.
func (p *pipelineRun) outputLines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.lines)
}

// curlArgs is every argument curl was given so far, one a line.
func (p *pipelineRun) curlArgs() string {
	b, err := os.ReadFile(p.argv)
	if err != nil && !os.IsNotExist(err) {
		p.t.Fatal(err)
	}
	return string(b)
}

// waitUntil waits until ok holds, failing the test if the script ends
// first or the deadline passes.
func (p *pipelineRun) waitUntil(what string, ok func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(pipelineWait)
	for !ok() {
		select {
		case <-p.done:
			if ok() {
				return
			}
			p.t.Fatalf("the pipeline ended (%v) before %s\n%s", p.err, what, p.output())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the pipeline never got to %s\n%s", what, p.output())
		}
	}
}

// waitForLine waits for a line of output that contains s.
func (p *pipelineRun) waitForLine(s string) {
	p.t.Helper()
	p.waitUntil("printing "+s, func() bool {
		return slices.ContainsFunc(p.outputLines(), func(l string) bool { return strings.Contains(l, s) })
	})
}

// wait waits for the script to end and returns how it ended.
func (p *pipelineRun) wait() error {
	p.t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(pipelineWait):
		p.t.Fatalf("the pipeline did not end\n%s", p.output())
		return nil
	}
}

// mustSucceed waits for the script to end and fails the test unless it
// ended well.
func (p *pipelineRun) mustSucceed() {
	p.t.Helper()
	if err := p.wait(); err != nil {
		p.t.Fatalf("the pipeline failed: %v\n%s", err, p.output())
	}
}

// exists reports whether the script's directory holds name: the test's
// deploy and rollback commands leave files behind.
func (p *pipelineRun) exists(name string) bool {
	_, err := os.Stat(filepath.Join(p.dir, name))
	return err == nil
}

// gateLooks counts how often the script asked the gate so far.
func (p *pipelineRun) gateLooks() int {
	n := 0
	for _, a := range strings.Split(p.curlArgs(), "\n") {
		if strings.HasSuffix(a, "/gate") {
			n++
		}
	}
	return n
}

// reasonBlocks splits the output into what the script printed each time
// the gate refused for new reasons: the gate's error line, then each
// reason on its own line.
func (p *pipelineRun) reasonBlocks(errorLine string) [][]string {
	var blocks [][]string
	in := false
	for _, l := range p.outputLines() {
		switch {
		case l == errorLine:
			blocks, in = append(blocks, []string{l}), true
		case in && strings.HasPrefix(l, "  - "):
			blocks[len(blocks)-1] = append(blocks[len(blocks)-1], l)
		default:
			in = false
		}
	}
	return blocks
}

// gateSays is what the script should print for the gate's answer now:
// the error line, then each reason, as the API gives them.
func (s *testServer) gateSays(t *testing.T, token, product, version string) []string {
	t.Helper()
	res := s.call(t, "GET", "/api/v1/releases/"+product+"/"+version+"/gate", token, "").want(t, 409)
	out := []string{"gonogo: " + res.str("error")}
	for _, r := range res.list("reasons") {
		out = append(out, "  - "+r)
	}
	return out
}

// settleOpen marks every item of phase that is not done yet done, each as
// a person holding its owner role: what the people on the team do.
func (s *testServer) settleOpen(t *testing.T, id int64, phase gonogo.Phase) {
	t.Helper()
	people := map[gonogo.Role]string{gonogo.ProductOwner: "po", gonogo.EngineeringLead: "eng", gonogo.QALead: "qa",
		gonogo.Ops: "ops", gonogo.SupportLead: "support", gonogo.ReleaseManager: "rm"}
	items, err := s.store.FindItems(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Phase != phase || it.Status == gonogo.ItemDone {
			continue
		}
		a := s.actorOf(people[it.OwnerRole])
		if _, err := s.store.UpdateItem(t.Context(), a, id, it.ID, gonogo.ItemChange{Status: gonogo.ItemDone}); err != nil {
			t.Fatalf("%s: %v", it.Title, err)
		}
	}
}
