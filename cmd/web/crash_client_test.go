package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// browser posts forms like a browser without JavaScript: it keeps its
// cookies and sends the CSRF token scraped from the last page.
type browser struct {
	base string
	http *http.Client
	csrf string
}

func signInBrowser(t *testing.T, base, email string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{base: base, http: &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	if _, err := b.do(http.MethodGet, "/login", nil); err != nil {
		t.Fatal(err)
	}
	code, err := b.do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {crashPassword}})
	if err != nil || code != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d %v", email, code, err)
	}
	if code, err := b.do(http.MethodGet, "/", nil); err != nil || code != http.StatusOK {
		t.Fatalf("the board after signing in: %d %v", code, err)
	}
	return b
}

// do sends a request, with the CSRF token if it posts a form, and keeps
// the token of the page it gets back.
func (b *browser) do(method, path string, form url.Values) (int, error) {
	var body io.Reader
	if form != nil {
		form.Set("_csrf", b.csrf)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		return 0, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if doc, err := goquery.NewDocumentFromReader(res.Body); err == nil {
		if tok, ok := doc.Find(`input[name=_csrf]`).First().Attr("value"); ok && tok != "" {
			b.csrf = tok
		}
	}
	return res.StatusCode, nil
}

// op is one change a worker sent, and whether the server acknowledged it.
// One that got no answer, because the server died, may or may not have
// been committed: both are correct, as long as it is all or nothing.
type op struct {
	kind   string // "vote", "item" or "defect"
	token  string // unique: a vote's comment, an item's evidence, a defect's reason
	status string
	round  int
	acked  bool
}

// ledger is what every worker sent, in the order each sent it.
type ledger struct {
	mu  sync.Mutex
	ops [crashWorkers][]op
}

func (l *ledger) add(w int, o op) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops[w] = append(l.ops[w], o)
	return len(l.ops[w]) - 1
}

func (l *ledger) ack(w, i int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops[w][i].acked = true
}

func (l *ledger) acked(round int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, ops := range l.ops {
		for _, o := range ops {
			if o.round == round && o.acked {
				n++
			}
		}
	}
	return n
}

// of returns a worker's changes of one kind, in the order it sent them.
func (l *ledger) of(w int, kind string) []op {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []op
	for _, o := range l.ops[w] {
		if o.kind == kind {
			out = append(out, o)
		}
	}
	return out
}

// maxOpsPerRound bounds a worker's loop should the server never die.
const maxOpsPerRound = 5000

// work sends random changes, one at a time, until the server stops
// answering. Any answer but success is a failure of the test.
func work(t *testing.T, c *browser, board crashBoard, led *ledger, round, w int, rng *rand.Rand) {
	me := board.workers[w]
	for n := range maxOpsPerRound {
		o := op{token: fmt.Sprintf("r%d-w%d-%d", round, w, n), round: round}
		var path string
		form := url.Values{}
		switch rng.IntN(3) {
		case 0:
			o.kind, o.status = "vote", pick(rng, "go", "no-go")
			path = fmt.Sprintf("/releases/%d/votes", me.release)
			form.Set("role", "qa-lead")
			form.Set("value", o.status)
			form.Set("comment", o.token)
		case 1:
			o.kind, o.status = "item", pick(rng, "done", "failed")
			path = fmt.Sprintf("/releases/%d/items/%d", me.release, me.item)
			form.Set("status", o.status)
			form.Set("evidence", o.token)
		default:
			o.kind, o.status = "defect", pick(rng, "deferred", "wont-fix")
			path = fmt.Sprintf("/releases/%d/defects/%d/status", me.release, me.defect)
			form.Set("status", o.status)
			form.Set("reason", o.token)
		}
		i := led.add(w, o)
		code, err := c.do(http.MethodPost, path, form)
		if err != nil {
			return // the server is gone; this change's fate is for the checks
		}
		if code != http.StatusSeeOther {
			t.Errorf("worker %d: %s %s answered %d", w, o.kind, o.token, code)
			return
		}
		led.ack(w, i)
	}
}

func pick(rng *rand.Rand, a, b string) string {
	if rng.IntN(2) == 0 {
		return a
	}
	return b
}
