package handlers_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// trackerSecret is the webhook secret of the test trackers.
const trackerSecret = "whsec-the-trackers-share-with-gonogo"

// mustTracker connects product to a tracker of kind following project,
// signed with trackerSecret, as an admin would on the product's Trackers page.
func (s *testServer) mustTracker(t *testing.T, product string, kind gonogo.TrackerKind, project string, edit ...func(*gonogo.Tracker)) gonogo.Tracker {
	t.Helper()
	tr := gonogo.NewTracker(product, kind)
	tr.Project, tr.Secret = project, trackerSecret
	for _, e := range edit {
		e(&tr)
	}
	if _, err := s.store.SaveTracker(t.Context(), s.actorOf("admin"), tr); err != nil {
		t.Fatalf("connect %s: %v", kind, err)
	}
	got, err := s.store.FindTracker(t.Context(), product, kind)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// payload reads a fixture of testdata/trackers and sets the fields sets
// names by dotted path ("issue.milestone.title"), as the tracker would
// send the same event about another moment of the issue.
func payload(t *testing.T, name string, sets map[string]any) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "trackers", name))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for path, v := range sets {
		keys := strings.Split(path, ".")
		m := doc
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				t.Fatalf("%s has no object at %s", name, k)
			}
			m = next
		}
		m[keys[len(keys)-1]] = v
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ghLabels are GitHub's labels of an issue, as its payload lists them.
func ghLabels(names ...string) []any {
	out := []any{}
	for _, n := range names {
		out = append(out, map[string]any{"name": n, "color": "ededed", "default": false})
	}
	return out
}

// delivery is one webhook request as a tracker sends it.
type delivery struct {
	kind    gonogo.TrackerKind
	product string
	event   string // X-GitHub-Event, X-Gitlab-Event; Jira names it in the body
	id      string // the delivery id; "" sends none
	body    []byte
	secret  string // signs the body as the tracker signs; "" sends no signature
	headers map[string]string
}

// hookReply is the JSON a delivery is answered with.
type hookReply struct {
	Outcome string `json:"outcome"`
	Message string `json:"message"`
	Release string `json:"release"`
	Defects []struct {
		ID       int64  `json:"id"`
		Key      string `json:"key"`
		Severity string `json:"severity"`
		Status   string `json:"status"`
	} `json:"defects"`
}

// signed is the signature header a tracker sends with body.
func signed(kind gonogo.TrackerKind, secret string, body []byte) (string, string) {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	sum := "sha256=" + hex.EncodeToString(m.Sum(nil))
	switch kind {
	case gonogo.GitHub:
		return "X-Hub-Signature-256", sum
	case gonogo.GitLab:
		return "X-Gitlab-Token", secret
	}
	return "X-Hub-Signature", sum
}

var deliveryHeader = map[gonogo.TrackerKind]string{gonogo.GitHub: "X-GitHub-Delivery", gonogo.GitLab: "Idempotency-Key",
	gonogo.Jira: "X-Atlassian-Webhook-Identifier"}

// deliver posts d to the server and reads the answer.
func (s *testServer) deliver(t *testing.T, d delivery) (*http.Response, hookReply) {
	t.Helper()
	product := d.product
	if product == "" {
		product = "payments"
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/hooks/"+string(d.kind)+"/"+product, bytes.NewReader(d.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/044aadd")
	switch d.kind {
	case gonogo.GitHub:
		req.Header.Set("X-GitHub-Event", d.event)
	case gonogo.GitLab:
		req.Header.Set("X-Gitlab-Event", d.event)
	}
	if h := deliveryHeader[d.kind]; d.id != "" && h != "" {
		req.Header.Set(h, d.id)
	}
	if d.secret != "" {
		req.Header.Set(signed(d.kind, d.secret, d.body))
	}
	for k, v := range d.headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var reply hookReply
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &reply); err != nil {
			t.Fatalf("the answer is not JSON: %v\n%s", err, raw)
		}
	}
	res.Body = io.NopCloser(bytes.NewReader(raw))
	return res, reply
}

// mustDeliver posts d and fails unless it is answered with status and
// outcome.
func (s *testServer) mustDeliver(t *testing.T, d delivery, status int, outcome string) hookReply {
	t.Helper()
	res, reply := s.deliver(t, d)
	if res.StatusCode != status || reply.Outcome != outcome {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("delivery %s (%s): status %d, outcome %q; want %d, %q\n%.400s", d.id, d.event, res.StatusCode, reply.Outcome, status, outcome, body)
	}
	return reply
}

// deliveries is the count of gonogo_tracker_deliveries_total of kind and
// outcome, as /metrics says.
func deliveries(t *testing.T, s *testServer, kind gonogo.TrackerKind, outcome string) float64 {
	t.Helper()
	_, fams := scrape(t, s, nil)
	n, ok := series(fams, "gonogo_tracker_deliveries_total", map[string]string{"tracker": string(kind), "outcome": outcome})
	if !ok {
		t.Fatalf("/metrics has no gonogo_tracker_deliveries_total{tracker=%q,outcome=%q}", kind, outcome)
	}
	return n
}

// trackerItem is what gonogo keeps of a tracker's item: its state and the
// version of the release it names ("" for none); ok is false when it
// keeps nothing.
func (s *testServer) trackerItem(t *testing.T, key string) (state, version string, ok bool) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+s.store.Path()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var v sql.NullString
	err = raw.QueryRowContext(t.Context(), `SELECT i.state, r.version FROM tracker_items i LEFT JOIN releases r ON r.id = i.release_id
		WHERE i.key = ?`, key).Scan(&state, &v)
	if err == sql.ErrNoRows {
		return "", "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return state, v.String, true
}

// onlyDefect is the one defect of a release.
func (s *testServer) onlyDefect(t *testing.T, releaseID int64) gonogo.Defect {
	t.Helper()
	ds, err := s.store.FindDefects(t.Context(), releaseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 {
		t.Fatalf("release %d has %d defects, want 1: %+v", releaseID, len(ds), ds)
	}
	return ds[0]
}

// gateReasons is the text of the release page's gate reasons.
func gateReasons(t *testing.T, c *client, releaseID int64) string {
	t.Helper()
	_, doc := c.get(fmt.Sprintf("/releases/%d", releaseID))
	return text(doc, `[data-testid=gate-reasons]`)
}

// lastEvent is the newest audit event of a release.
func lastEvent(t *testing.T, s *testServer, releaseID int64) gonogo.Event {
	t.Helper()
	es, err := s.store.FindReleaseEvents(t.Context(), releaseID, 1)
	if err != nil || len(es) == 0 {
		t.Fatalf("release %d has no audit event (%v)", releaseID, err)
	}
	return es[0]
}
