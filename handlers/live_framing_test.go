package handlers_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// forged is a comment that, split on LF alone, would end its data line at
// each CR and go on as fields of the event: another id, a day's reconnect
// delay and another event name.
const forged = "fine\rid: 999999999\rretry: 86400000\revent: celebrate"

func TestLiveStreamFramingCannotBeForged(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	po := s.signIn(t, "po")
	events, stop := openStream(t, po, "scope=release&release="+itoa(rel.ID), "")
	defer stop()

	// Straight to the store, as text stored before the edge mended CRs.
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteGo, forged)
	s.vote(t, rel.ID, "ops", gonogo.Ops, gonogo.VoteGo, "the one after")
	last, err := s.store.LastEventID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for {
		e := nextAny(t, events)
		if strings.Contains(e.name, "celebrate") || e.id == "999999999" {
			t.Fatalf("a comment forged an event: %q id %q", e.name, e.id)
		}
		if e.name == "notice" && strings.Contains(e.data, "fine") {
			// Every forged line arrived as a line of the notice's data, so
			// none of them was read as a field (retry included).
			for _, line := range strings.Split(forged, "\r")[1:] {
				if !strings.Contains(e.data, "\n"+line) {
					t.Errorf("the notice's data does not carry %q as a line of data: %q", line, e.data)
				}
			}
		}
		if e.id == itoa(last) {
			return // the next change came through with its own id
		}
	}
}

// nextAny waits for the next event, failing after a while.
func nextAny(t *testing.T, events <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case e, ok := <-events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
	}
	return sseEvent{}
}

// postMultipart submits form as multipart/form-data, as a page with a
// file field would, with c's CSRF token.
func (c *client) postMultipart(path string, form url.Values) *http.Response {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	form.Set("_csrf", c.csrf)
	for name, values := range form {
		for _, v := range values {
			w.WriteField(name, v)
		}
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

func TestPostedTextIsStoredWithLF(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name, version string
		post          func(c *client, path string, form url.Values) *http.Response
	}{
		{"url-encoded", "2.4.0", (*client).post},
		{"multipart", "2.5.0", (*client).postMultipart},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rel := s.mustCreateRelease(t, "payments", tc.version)
			s.move(t, rel.ID, gonogo.OpenReview)
			qa := s.signIn(t, "qa")
			qa.get("/releases/" + itoa(rel.ID))
			res := tc.post(qa, "/releases/"+itoa(rel.ID)+"/votes", url.Values{
				"role": {"qa-lead"}, "value": {"no-go"}, "comment": {"first\r\nsecond\rthird\r\n\r\nlast"}})
			wantStatus(t, res, http.StatusSeeOther)
			votes, err := s.store.FindVotes(t.Context(), rel.ID)
			if err != nil || len(votes) != 1 {
				t.Fatalf("votes %v, %v", votes, err)
			}
			if got := votes[0].Comment; got != "first\nsecond\nthird\n\nlast" {
				t.Fatalf("a form's comment was stored as %q", got)
			}
		})
	}

	token := s.mustToken(t, "ci", "")
	out := s.call(t, http.MethodPost, "/api/v1/releases", token,
		`{"product": "web", "version": "1.0.0", "title": "Web 1.0", "summary": "one\r\ntwo\rthree"}`)
	if out.status != http.StatusCreated {
		t.Fatalf("create: %d %v", out.status, out.body)
	}
	made, err := s.store.FindReleaseByName(t.Context(), "web", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if made.Summary != "one\ntwo\nthree" {
		t.Fatalf("an API summary was stored as %q", made.Summary)
	}
}
