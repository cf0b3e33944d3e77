package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestPagesPassNuChecker runs the Nu HTML Checker, the engine of the W3C's
// validator, on every main page and fails on any error it reports. It needs
// Java 17 and vnu.jar, which `make vnu` fetches from npm (vnu-jar) into
// .cache/; without them the test is skipped, unless GONOGO_REQUIRE_VNU is
// set, as CI sets it.
func TestPagesPassNuChecker(t *testing.T) {
	if testing.Short() {
		t.Skip("the Nu checker is skipped in -short mode")
	}
	java, jar := nuChecker(t)
	pages := mainPages(t)
	dir := t.TempDir()
	files := make([]string, len(pages))
	for i, p := range pages {
		files[i] = filepath.Join(dir, fmt.Sprintf("page-%02d.html", i))
		if err := os.WriteFile(files[i], p.body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// --stdout: the report is the only output on stdout; Java's own warnings
	// stay on stderr. The exit status only says whether there were errors,
	// which the report says too.
	cmd := exec.Command(java, append([]string{"-jar", jar, "--errors-only", "--format", "json", "--stdout"}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var report struct {
		Messages []struct {
			Type, SubType, URL, Message, Extract string
			LastLine                             int
		}
	}
	if jerr := json.Unmarshal(out, &report); jerr != nil {
		t.Fatalf("vnu did not report in JSON (%v, %v): %s\n%s", err, jerr, out, stderr.String())
	}
	for _, m := range report.Messages {
		name := m.URL
		if u, perr := url.Parse(m.URL); perr == nil {
			if i := slices.Index(files, u.Path); i >= 0 {
				name = pages[i].name + " (GET " + pages[i].path + ")"
			}
		}
		t.Errorf("%s line %d: %s %s\n\t%q", name, m.LastLine, m.Type, m.Message, m.Extract)
	}
	if len(report.Messages) == 0 && err != nil {
		t.Fatalf("vnu failed without reporting: %v\n%s", err, stderr.String())
	}
	if len(report.Messages) == 0 {
		t.Logf("the Nu checker found no errors in %d pages", len(pages))
	}
}

// nuChecker finds java and vnu.jar: the jar named by GONOGO_VNU_JAR, or
// the one `make vnu` left in .cache/.
func nuChecker(t *testing.T) (java, jar string) {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		if os.Getenv("GONOGO_REQUIRE_VNU") != "" {
			t.Fatalf("GONOGO_REQUIRE_VNU is set but %s", what)
		}
		t.Skipf("skipping the Nu HTML checker: %s", what)
	}
	jar = os.Getenv("GONOGO_VNU_JAR")
	if jar == "" {
		found, _ := filepath.Glob(filepath.Join("..", ".cache", "vnu-*.jar"))
		if len(found) == 0 {
			missing("no vnu.jar: run make vnu (it needs npm), or set GONOGO_VNU_JAR")
		}
		jar = found[len(found)-1]
	}
	if _, err := os.Stat(jar); err != nil {
		missing(fmt.Sprintf("vnu.jar is not at %s: run make vnu (it needs npm), or set GONOGO_VNU_JAR", jar))
	}
	java, err := exec.LookPath("java")
	if err != nil {
		missing("no java on the PATH: apt-get install default-jre-headless (Java 17 or newer)")
	}
	return java, jar
}
