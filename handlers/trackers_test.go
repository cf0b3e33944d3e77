package handlers_test

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// pageForm reads a form as a browser sends it: its text, hidden and
// checked fields and the options selected, by name, in order.
func pageForm(t *testing.T, doc *goquery.Document, sel string) (string, url.Values) {
	t.Helper()
	form := doc.Find(sel).First()
	if form.Length() == 0 {
		t.Fatalf("no form %s on the page", sel)
	}
	action, _ := form.Attr("action")
	values := url.Values{}
	form.Find("input, select, textarea").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		typ, _ := in.Attr("type")
		_, checked := in.Attr("checked")
		switch {
		case name == "":
		case goquery.NodeName(in) == "select":
			opt := in.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = in.Find("option").First()
			}
			v, _ := opt.Attr("value")
			values.Add(name, v)
		case goquery.NodeName(in) == "textarea":
			values.Add(name, in.Text())
		case (typ == "checkbox" || typ == "radio") && !checked:
		default:
			v, _ := in.Attr("value")
			values.Add(name, v)
		}
	})
	return action, values
}

// trackerPanel is the section of kind on a trackers page.
func trackerPanel(doc *goquery.Document, k gonogo.TrackerKind) *goquery.Selection {
	return doc.Find(`[data-testid=tracker][data-kind=` + string(k) + `]`)
}

// lastAudit is the newest event of the trail.
func lastAudit(t *testing.T, s *testServer) gonogo.Event {
	t.Helper()
	evs, err := s.store.FindEvents(t.Context(), 1)
	if err != nil || len(evs) == 0 {
		t.Fatalf("audit: %v %v", evs, err)
	}
	return evs[0]
}

// A QA lead connects GitHub to a product from its page, as the form comes,
// and is shown what to paste where in GitHub.
func TestConnectingATracker(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	qa := s.signIn(t, "qa")

	_, doc := qa.get("/products/payments")
	if href, _ := doc.Find("[data-testid=product-trackers-link]").Attr("href"); href != "/products/payments/trackers" {
		t.Fatalf("the product page links to %q", href)
	}
	res, doc := qa.get("/products/payments/trackers")
	wantStatus(t, res, http.StatusOK)
	if n := doc.Find("[data-testid=tracker][data-connected=false]").Length(); n != 3 {
		t.Fatalf("%d trackers not connected, want GitHub, GitLab and Jira", n)
	}
	if doc.Find("[data-testid=tracker-secret]").Length() != 0 {
		t.Fatal("a secret is shown before any tracker is connected")
	}
	action, form := pageForm(t, doc, "[data-kind=github] form[data-testid=tracker-form]")
	if action != "/products/payments/trackers/github" {
		t.Fatalf("the form posts to %q", action)
	}
	form.Set("project", "acme/payments")
	form.Set("required_label", "release-blocker")
	res = qa.post(action, form)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/products/payments/trackers?notice=tracker-connected#tracker-github" {
		t.Fatalf("redirected to %q", loc)
	}

	tr, err := s.store.FindTracker(t.Context(), "payments", gonogo.GitHub)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Project != "acme/payments" || tr.ReleaseBy != gonogo.ByMilestone || tr.RequiredLabel != "release-blocker" ||
		tr.Verified != "verified" || len(tr.Secret) < gonogo.MinTrackerSecretLen {
		t.Fatalf("stored %+v", tr)
	}
	if !sameRules(tr.Severities, gonogo.DefaultSeverities(gonogo.GitHub)) {
		t.Fatalf("severities %v, want the defaults the form started with", tr.Severities)
	}
	if e := lastAudit(t, s); e.Action != string(gonogo.ActionTrackerSave) || e.Actor != "Qa Tester" || strings.Contains(e.Detail, tr.Secret) {
		t.Fatalf("audited %+v", e)
	}

	_, doc = qa.get("/products/payments/trackers")
	gh := trackerPanel(doc, gonogo.GitHub)
	if v, _ := gh.Attr("data-connected"); v != "true" {
		t.Fatal("GitHub is not shown connected")
	}
	for sel, want := range map[string]string{
		"[data-testid=tracker-payload-url]":  s.URL + "/hooks/github/payments",
		"[data-testid=tracker-content-type]": "application/json",
		"[data-testid=tracker-secret]":       tr.Secret,
	} {
		if got := strings.TrimSpace(gh.Find(sel).Text()); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	if ev := gh.Find("[data-testid=tracker-events]").Text(); !strings.Contains(ev, "Issues") || !strings.Contains(ev, "Pull requests") {
		t.Errorf("events to tick: %q", ev)
	}
	if _, doc := qa.get(res.Header.Get("Location")); !strings.Contains(text(doc, "[data-testid=notice]"), "Tracker connected") {
		t.Errorf("notice %q", text(doc, "[data-testid=notice]"))
	}
}

func sameRules(a, b []gonogo.SeverityRule) bool {
	key := func(r gonogo.SeverityRule) string { return strings.ToLower(r.Match) + "=" + string(r.Severity) }
	var x, y []string
	for _, r := range a {
		x = append(x, key(r))
	}
	for _, r := range b {
		y = append(y, key(r))
	}
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// connectTracker connects a tracker of kind to product as the admin, with
// the defaults.
func (s *testServer) connectTracker(t *testing.T, product string, k gonogo.TrackerKind) gonogo.Tracker {
	t.Helper()
	tr := gonogo.NewTracker(product, k)
	tr.Project, tr.Secret = "acme/"+product, "a-secret-of-sixteen-or-more"
	if k == gonogo.Jira {
		tr.Project = "PAY"
	}
	if _, err := s.store.SaveTracker(t.Context(), s.actorOf("admin"), tr); err != nil {
		t.Fatal(err)
	}
	got, err := s.store.FindTracker(t.Context(), product, k)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A refused mapping: a 422, each message at its field, everything else
// as typed, and nothing stored.
func TestTrackerMappingRefusedAtTheField(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	admin := s.signIn(t, "admin")
	_, doc := admin.get("/products/payments/trackers")
	action, form := pageForm(t, doc, "[data-kind=jira] form[data-testid=tracker-form]")
	form.Set("project", "pay")
	form.Set("verified", "Done and tested")
	form.Set("defect_types", "Bug, Incident")
	res := admin.post(action, form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc = parse(t, res)
	jira := trackerPanel(doc, gonogo.Jira)
	if msg := strings.TrimSpace(jira.Find("#tracker-jira-project-error").Text()); !strings.Contains(strings.ToLower(msg), "a jira project is its key, such as pay") {
		t.Fatalf("message at the project: %q", msg)
	}
	if inv, _ := jira.Find("#tracker-jira-project").Attr("aria-invalid"); inv != "true" {
		t.Fatal("the project is not marked invalid")
	}
	for name, want := range map[string]string{"project": "pay", "verified": "Done and tested", "defect_types": "Bug, Incident"} {
		if got, _ := jira.Find(`[name=` + name + `]`).Attr("value"); got != want {
			t.Errorf("%s shows %q, want %q as typed", name, got, want)
		}
	}
	if _, err := s.store.FindTracker(t.Context(), "payments", gonogo.Jira); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
		t.Fatalf("a refused tracker was stored: %v", err)
	}

	// Too many severity rules, and one mapped twice.
	_, doc = admin.get("/products/payments/trackers")
	action, form = pageForm(t, doc, "[data-kind=github] form[data-testid=tracker-form]")
	form.Set("project", "acme/payments")
	for i := range gonogo.MaxSeverityRules + 1 {
		form.Set("sev-"+itoa(int64(i))+"-match", "label-"+itoa(int64(i)))
		form.Set("sev-"+itoa(int64(i))+"-severity", "minor")
	}
	res = admin.post(action, form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	gh := trackerPanel(parse(t, res), gonogo.GitHub)
	if msg := gh.Find("#tracker-github-severities-error").Text(); !strings.Contains(strings.ToLower(msg), "at most 50 severity rules") {
		t.Fatalf("message at the severity table: %q", msg)
	}
	if n := gh.Find("[data-testid=severity-rule]").Length(); n < gonogo.MaxSeverityRules+1 {
		t.Fatalf("%d rows shown, want the %d sent", n, gonogo.MaxSeverityRules+1)
	}
	if _, err := s.store.FindTracker(t.Context(), "payments", gonogo.GitHub); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
		t.Fatalf("a refused tracker was stored: %v", err)
	}
	form = url.Values{"project": {"acme/payments"}, "release_by": {"label"}, "label_prefix": {""},
		"sev-0-match": {"bug"}, "sev-0-severity": {"major"}, "sev-1-match": {"BUG"}, "sev-1-severity": {"minor"}}
	res = admin.post(action, form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	gh = trackerPanel(parse(t, res), gonogo.GitHub)
	if msg := gh.Find("#tracker-github-severities-error").Text(); !strings.Contains(msg, "mapped twice") {
		t.Fatalf("message at the severity table: %q", msg)
	}
	if msg := gh.Find("#tracker-github-label_prefix-error").Text(); !strings.Contains(msg, "release:") {
		t.Fatalf("message at the label prefix: %q", msg)
	}
}

// The severity table: rows changed, removed (ticked, or emptied) and added
// in one save.
func TestTrackerSeverityTableRows(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.connectTracker(t, "payments", gonogo.GitHub)
	qa := s.signIn(t, "qa")
	_, doc := qa.get("/products/payments/trackers")
	action, form := pageForm(t, doc, "[data-kind=github] form[data-testid=tracker-form]")
	rows := trackerPanel(doc, gonogo.GitHub).Find("[data-testid=severity-rule]")
	if n := rows.Length(); n != len(gonogo.DefaultSeverities(gonogo.GitHub))+3 {
		t.Fatalf("%d rows, want the defaults and three empty ones", n)
	}
	idx := map[string]string{}
	rows.Each(func(i int, r *goquery.Selection) {
		m, _ := r.Attr("data-match")
		idx[m] = "sev-" + itoa(int64(i))
	})
	form.Set(idx["bug"]+"-severity", "critical") // changed
	form.Set(idx["minor"]+"-remove", "1")        // removed by its box
	form.Set(idx["severity:minor"]+"-match", "") // removed by emptying it
	form.Set(idx[""]+"-match", "P0")             // added, in the first empty row
	form.Set(idx[""]+"-severity", "blocker")
	res := qa.post(action, form)
	wantStatus(t, res, http.StatusSeeOther)
	tr, _ := s.store.FindTracker(t.Context(), "payments", gonogo.GitHub)
	want := []gonogo.SeverityRule{{Match: "blocker", Severity: gonogo.Blocker}, {Match: "severity:blocker", Severity: gonogo.Blocker}, {Match: "critical", Severity: gonogo.Critical},
		{Match: "severity:critical", Severity: gonogo.Critical}, {Match: "bug", Severity: gonogo.Critical}, {Match: "severity:major", Severity: gonogo.Major}, {Match: "P0", Severity: gonogo.Blocker}}
	if !sameRules(tr.Severities, want) {
		t.Fatalf("rules %v, want %v", tr.Severities, want)
	}
	if tr.Secret != "a-secret-of-sixteen-or-more" {
		t.Fatal("saving the mapping changed the secret")
	}
	if e := lastAudit(t, s); !strings.Contains(e.Detail, "severities") {
		t.Fatalf("audited %q", e.Detail)
	}
}

// Everyone signed in reads the mapping, never the secret, and finds no
// form to change it.
func TestTrackersReadWithoutTheSecret(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	tr := s.connectTracker(t, "payments", gonogo.GitHub)
	for _, who := range []string{"eng", "po", "rm", "support"} {
		c := s.signIn(t, who)
		res, body := c.getText("/products/payments/trackers")
		wantStatus(t, res, http.StatusOK)
		if strings.Contains(body, tr.Secret) {
			t.Fatalf("%s reads the secret", who)
		}
		_, doc := c.get("/products/payments/trackers")
		gh := trackerPanel(doc, gonogo.GitHub)
		if text(doc, "[data-testid=tracker-project]") != "acme/payments" || gh.Find("[data-testid=severity-rule]").Length() != len(tr.Severities) {
			t.Fatalf("%s does not read the mapping", who)
		}
		if doc.Find("[data-testid=tracker-form], [data-testid=tracker-webhook], [data-testid=tracker-disconnect]").Length() != 0 {
			t.Fatalf("%s is offered to change a tracker", who)
		}
	}
}

// Who may not change a product's trackers is refused, and so is a post
// without its CSRF token or for a tracker gonogo does not know; nothing is
// stored.
func TestTrackerRefusals(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustCreateRelease(t, "web", "1.0.0")
	s.mustScopedUser(t, "qaweb", gonogo.Grant{Role: gonogo.QALead, Product: "web"})
	form := url.Values{"project": {"acme/payments"}, "release_by": {"milestone"}, "sev-0-match": {"bug"}, "sev-0-severity": {"major"}}
	for _, tc := range []struct {
		who, path string
		status    int
	}{
		{"eng", "/products/payments/trackers/github", http.StatusForbidden},
		{"rm", "/products/payments/trackers/github", http.StatusForbidden},
		{"qaweb", "/products/payments/trackers/github", http.StatusForbidden},
		{"qaweb", "/products/payments/trackers/github/secret", http.StatusForbidden},
		{"qaweb", "/products/payments/trackers/github/delete", http.StatusForbidden},
		{"qa", "/products/payments/trackers/bugzilla", http.StatusNotFound},
		{"qa", "/products/nosuch/trackers/github", http.StatusNotFound},
	} {
		c := s.signIn(t, tc.who)
		c.get("/products/payments/trackers")
		wantStatus(t, c.post(tc.path, maps.Clone(form)), tc.status)
	}
	qa := s.signIn(t, "qa")
	qa.get("/products/payments/trackers")
	f := url.Values{"_csrf": {"forged"}}
	for k, v := range form {
		f[k] = v
	}
	wantStatus(t, qa.postRaw("/products/payments/trackers/github", f, nil), http.StatusForbidden)
	if ts, _ := s.store.FindTrackers(t.Context(), "payments"); len(ts) != 0 {
		t.Fatalf("stored %v", ts)
	}
	// The QA lead of web does change web's.
	qaweb := s.signIn(t, "qaweb")
	qaweb.get("/products/web/trackers")
	form.Set("project", "acme/web")
	wantStatus(t, qaweb.post("/products/web/trackers/github", maps.Clone(form)), http.StatusSeeOther)
	// With nothing connected there is no secret to renew, nor tracker to
	// disconnect.
	wantStatus(t, qa.post("/products/payments/trackers/gitlab/secret", url.Values{"confirm": {"1"}}), http.StatusNotFound)
	wantStatus(t, qa.post("/products/payments/trackers/gitlab/delete", url.Values{"confirm": {"1"}}), http.StatusNotFound)
}

// A new secret asks first, and says the webhook stops verifying until it
// is pasted there; confirmed, it replaces the old one.
func TestTrackerNewSecretAsksFirst(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	old := s.connectTracker(t, "payments", gonogo.GitHub)
	qa := s.signIn(t, "qa")
	_, doc := qa.get("/products/payments/trackers")
	action, form := pageForm(t, doc, "[data-testid=tracker-new-secret]")
	res := qa.post(action, form)
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	if msg := text(doc, "[data-testid=confirm-page]"); !strings.Contains(msg, "refused until you paste the new secret there") {
		t.Fatalf("the question: %q", msg)
	}
	if tr, _ := s.store.FindTracker(t.Context(), "payments", gonogo.GitHub); tr.Secret != old.Secret {
		t.Fatal("the secret changed unasked")
	}
	action, form = pageForm(t, doc, "[data-testid=confirm-form]")
	res = qa.post(action, form)
	wantStatus(t, res, http.StatusSeeOther)
	tr, _ := s.store.FindTracker(t.Context(), "payments", gonogo.GitHub)
	if tr.Secret == old.Secret || len(tr.Secret) < gonogo.MinTrackerSecretLen || tr.Project != old.Project {
		t.Fatalf("after a new secret: %+v", tr)
	}
	if e := lastAudit(t, s); !strings.Contains(e.Detail, "a new secret") || strings.Contains(e.Detail, tr.Secret) {
		t.Fatalf("audited %q", e.Detail)
	}
	_, doc = qa.get(res.Header.Get("Location"))
	if got := text(doc, "[data-kind=github] [data-testid=tracker-secret]"); got != tr.Secret {
		t.Fatalf("shows %q, want the new secret", got)
	}
}

// Disconnecting asks first and says what cannot be undone; confirmed, the
// tracker goes and the defects it kept stay, kept by hand.
func TestTrackerDisconnectAsksFirst(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	tr := s.connectTracker(t, "payments", gonogo.GitHub)
	s.deliverIssue(t, tr, "d1", "#318", "v2.4.0", time.Now())
	admin := s.signIn(t, "admin")
	_, doc := admin.get("/products/payments/trackers")
	action, form := pageForm(t, doc, "[data-testid=tracker-disconnect]")
	res := admin.post(action, form)
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	if msg := text(doc, "[data-testid=confirm-page]"); !strings.Contains(msg, "secret and mapping are deleted") || !strings.Contains(msg, "defects it kept stay, kept by hand") {
		t.Fatalf("the question: %q", msg)
	}
	if _, err := s.store.FindTracker(t.Context(), "payments", gonogo.GitHub); err != nil {
		t.Fatal("disconnected unasked")
	}
	action, form = pageForm(t, doc, "[data-testid=confirm-form]")
	wantStatus(t, admin.post(action, form), http.StatusSeeOther)
	if _, err := s.store.FindTracker(t.Context(), "payments", gonogo.GitHub); gonogo.ErrorCode(err) != gonogo.ENOTFOUND {
		t.Fatalf("still connected: %v", err)
	}
	ds, _ := s.store.FindDefects(t.Context(), rel.ID)
	if len(ds) != 1 || ds[0].Synced() || ds[0].Key != "#318" {
		t.Fatalf("defects after disconnecting: %+v", ds)
	}
	if e := lastAudit(t, s); e.Action != string(gonogo.ActionTrackerRemove) {
		t.Fatalf("audited %+v", e)
	}
}

// deliverIssue has tracker tr tell gonogo of a blocker issue key in
// milestone, as changed at at.
func (s *testServer) deliverIssue(t *testing.T, tr gonogo.Tracker, delivery, key, milestone string, at time.Time) {
	t.Helper()
	it := gonogo.TrackerItem{Type: gonogo.TrackedIssue, Key: key, Title: "Refund fails " + key,
		URL: "https://github.com/acme/payments/issues/" + strings.TrimPrefix(key, "#"), State: gonogo.TrackedOpen,
		Labels: []string{"blocker"}, Milestone: milestone, UpdatedAt: at}
	if _, err := s.store.ApplyDelivery(t.Context(), tr, db.TrackerDelivery{ID: delivery, Item: it}); err != nil {
		t.Fatal(err)
	}
}

// apply delivers it from tracker tr.
func (s *testServer) apply(t *testing.T, tr gonogo.Tracker, delivery string, it gonogo.TrackerItem) {
	t.Helper()
	if _, err := s.store.ApplyDelivery(t.Context(), tr, db.TrackerDelivery{ID: delivery, Item: it}); err != nil {
		t.Fatal(err)
	}
}
