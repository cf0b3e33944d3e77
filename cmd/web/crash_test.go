package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// crashRounds is how many times the server is killed mid-write; each round
// picks its own moment.
const crashRounds = 3

// TestCrashSafety runs the real server binary under concurrent sign-offs,
// checklist changes and defect updates from browsers, kills it with
// SIGKILL at a random moment, restarts it on the same file and checks
// that nothing acknowledged was lost and nothing half-written remains.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server and kills it mid-write; skipped with -short")
	}
	dir := t.TempDir()
	bin := buildServer(t, dir)
	path := filepath.Join(dir, "gonogo.db")
	board := seedCrashBoard(t, path)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))

	led := &ledger{}
	srv := startServer(t, bin, path)
	for round := 1; round <= crashRounds; round++ {
		runUntilKilled(t, srv, board, led, round, rng)
		srv = startServer(t, bin, path) // recovery happens here, on open
		checkCrashBoard(t, path, board, led, round)
	}
	if err := srv.stop(); err != nil {
		t.Fatalf("graceful stop after the last round: %v\n%s", err, srv.log)
	}
	checkCrashBoard(t, path, board, led, crashRounds+1)
}

// runUntilKilled drives one round: every worker signs in and writes until
// the server dies, which happens once enough changes went through and a
// random while later.
func runUntilKilled(t *testing.T, srv *server, board crashBoard, led *ledger, round int, rng *rand.Rand) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range board.workers {
		c := signInBrowser(t, srv.url, board.workers[w].email)
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(t, c, board, led, round, w, rand.New(rand.NewPCG(rng.Uint64(), uint64(w))))
		}()
	}
	minAcks := 20 + rng.IntN(60)
	extra := time.Duration(rng.IntN(300)) * time.Millisecond
	deadline := time.Now().Add(20 * time.Second)
	for led.acked(round) < minAcks && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(extra)
	acks := led.acked(round)
	srv.kill()
	wg.Wait()
	t.Logf("round %d: killed after %d acknowledged changes (+%v)", round, acks, extra)
	if acks < minAcks {
		t.Fatalf("round %d: only %d changes acknowledged before the deadline\n%s", round, acks, srv.log)
	}
}

// server is the binary running on a port of its own.
type server struct {
	cmd    *exec.Cmd
	url    string
	log    *syncBuffer
	exited chan struct{} // closed once the process has ended
	err    error         // how it ended
}

func buildServer(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "gonogo")
	cmd := exec.Command("go", "build", "-buildvcs=false", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func startServer(t *testing.T, bin, path string) *server {
	t.Helper()
	// The workers write as fast as the server answers, like the scripts
	// the write limit is there to slow: it is off here.
	return startServerWith(t, bin, path, []string{"-write-rate", "inf"}, nil)
}

// startServerWith starts the binary on path with args and env added, and
// waits until it is healthy.
func startServerWith(t *testing.T, bin, path string, args, env []string) *server {
	t.Helper()
	addr := freeAddr(t)
	s := &server{url: "http://" + addr, log: &syncBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"-addr", addr, "-db", path}, args...)...)
	s.cmd.Env = append(withoutBoardSettings(os.Environ()), env...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(s.kill)
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(s.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("server stopped: %v\n%s", s.err, s.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become healthy\n%s", s.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the process at once, as a power cut or the OOM killer would:
// no shutdown, no flush, no deferred close.
func (s *server) kill() {
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Kill()
	<-s.exited
}

// stop asks for a graceful shutdown, as systemd or Docker would.
func (s *server) stop() error {
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
		return s.err
	case <-time.After(15 * time.Second):
		return fmt.Errorf("no shutdown within 15 s")
	}
}

// withoutBoardSettings keeps the test's environment but for GONOGO_
// settings, so a developer's own cannot change what is tested.
func withoutBoardSettings(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "GONOGO_") {
			out = append(out, kv)
		}
	}
	return out
}

// crashBoard is what the workers act on: each has an account, a release
// to sign on, and an item and a defect that only it changes, so that the
// order of its changes is known.
type crashBoard struct {
	workers []crashWorker
}

type crashWorker struct {
	email   string
	release int64
	item    int64
	defect  int64
}

const crashWorkers = 4

func seedCrashBoard(t *testing.T, path string) crashBoard {
	t.Helper()
	db.BcryptCost = bcrypt.MinCost // the hashes say their cost; the server checks them cheaply too
	ctx := context.Background()
	store, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rm, err := store.CreateUser(ctx, gonogo.SystemActor, gonogo.NewUser{Email: "rm@example.com", Name: "Rita Manager",
		Password: crashPassword, Roles: gonogo.RoleSet{gonogo.ReleaseManager}})
	if err != nil {
		t.Fatal(err)
	}
	rmActor := gonogo.Actor{UserID: rm.ID, Name: rm.Name, Roles: rm.Roles}
	var releases []int64
	for i := range 2 {
		rel, err := store.CreateRelease(ctx, rmActor, gonogo.ReleaseInput{Product: "crash", Version: fmt.Sprintf("1.%d.0", i),
			Title: "Crash safety", ManagerID: rm.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Transition(ctx, rmActor, rel.ID, gonogo.OpenReview); err != nil {
			t.Fatal(err)
		}
		releases = append(releases, rel.ID)
	}
	var b crashBoard
	for w := range crashWorkers {
		b.workers = append(b.workers, seedWorker(t, store, releases[w%len(releases)], w))
	}
	return b
}

const crashPassword = "correct horse battery"

func seedWorker(t *testing.T, store *db.Store, release int64, w int) crashWorker {
	t.Helper()
	ctx := context.Background()
	email := fmt.Sprintf("qa%d@example.com", w)
	if _, err := store.CreateUser(ctx, gonogo.SystemActor, gonogo.NewUser{Email: email, Name: fmt.Sprintf("QA Lead %d", w),
		Password: crashPassword, Roles: gonogo.RoleSet{gonogo.QALead}}); err != nil {
		t.Fatal(err)
	}
	it, err := store.AddItem(ctx, gonogo.SystemActor, release, gonogo.ItemInput{Phase: gonogo.Readiness,
		Pillar: gonogo.Technical, Title: itemTitle(w), OwnerRole: gonogo.QALead})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := store.CreateDefects(ctx, gonogo.SystemActor, release, []gonogo.DefectInput{{Title: defectTitle(w), Severity: gonogo.Minor}})
	if err != nil {
		t.Fatal(err)
	}
	return crashWorker{email: email, release: release, item: it.ID, defect: ds[0]}
}

func itemTitle(w int) string   { return fmt.Sprintf("Crash item %d", w) }
func defectTitle(w int) string { return fmt.Sprintf("Crash defect %d", w) }
