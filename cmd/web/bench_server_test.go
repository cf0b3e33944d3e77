//go:build bench

package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ceilingName is the file the benchmark adds to the embedded static files,
// the size of the board page, to measure what serving it costs without
// any query or template: the ceiling the board page is held against.
const ceilingName = "img/bench-ceiling.html"

// buildServer builds the server binary into dir. With ceilingSize > 0 it
// adds, through go build's -overlay (the source tree is not touched), one
// static file of that many bytes and returns its URL path; nothing else of
// the binary differs.
func buildBenchServer(t *testing.T, dir string, ceilingSize int) (bin, ceilingPath string) {
	t.Helper()
	bin = filepath.Join(dir, fmt.Sprintf("gonogo-%d", ceilingSize))
	args := []string{"build", "-o", bin}
	if ceilingSize > 0 {
		body := make([]byte, ceilingSize)
		rand.Read(body)
		text := []byte(base64.StdEncoding.EncodeToString(body))[:ceilingSize]
		file := filepath.Join(dir, "ceiling.html")
		mustWrite(t, file, text)
		src, err := filepath.Abs(filepath.Join("..", "..", "static", ceilingName))
		if err != nil {
			t.Fatal(err)
		}
		overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{src: file}})
		mustWrite(t, filepath.Join(dir, "overlay.json"), overlay)
		args = append(args, "-overlay", filepath.Join(dir, "overlay.json"))
		sum := sha256.Sum256(text)
		ceilingPath = "/static/" + hex.EncodeToString(sum[:])[:12] + "/" + ceilingName
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin, ceilingPath
}

func mustWrite(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// server is the running server process.
type benchServer struct {
	cmd  *exec.Cmd
	base string
}

// startServer runs bin on a free loopback port against dbPath, its log
// written to a file as a service manager would keep it.
func startBenchServer(t *testing.T, bin, dbPath, logPath string) *benchServer {
	t.Helper()
	addr := freeAddr(t)
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// A load test writes faster than any person: the write limit is off.
	cmd := exec.Command(bin, "-addr", addr, "-db", dbPath, "-log-format", "json", "-write-rate", "inf")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logFile.Close()
	s := &benchServer{cmd: cmd, base: "http://" + addr}
	t.Cleanup(s.stop)
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.base + "/login")
		if err == nil {
			res.Body.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the server gracefully, as a service manager would.
func (s *benchServer) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// peakRSS is the server's peak resident memory (VmHWM), in bytes.
func (s *benchServer) peakRSS(t *testing.T) int64 { return s.procStatus(t, "VmHWM") }

// createToken makes an API token with the binary's own subcommand, as an
// operator would, while the server runs.
func createToken(t *testing.T, bin, dbPath string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "token", "create", "-name", "bench-pipeline", "-db", dbPath).Output()
	if err != nil {
		t.Fatalf("gonogo token create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}
