package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// mustDefect adds a defect to a release directly through the store.
func (s *testServer) mustDefect(t *testing.T, releaseID int64, in gonogo.DefectInput) gonogo.Defect {
	t.Helper()
	ids, err := s.store.CreateDefects(t.Context(), gonogo.SystemActor, releaseID, []gonogo.DefectInput{in})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.store.FindDefect(t.Context(), releaseID, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAddDefect(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	qa := s.signIn(t, "qa")
	page := "/releases/" + itoa(rel.ID)
	qa.get(page)

	res := qa.post(page+"/defects", url.Values{"title": {"Checkout fails on Safari"}, "severity": {"blocker"},
		"tracker_url": {"https://acme.atlassian.net/browse/PAY-142"}, "notes": {"Safari 17 only"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc := qa.get(page)
	row := doc.Find(`[data-testid=defect][data-title="Checkout fails on Safari"]`)
	if row.Length() != 1 {
		t.Fatal("the defect is not listed")
	}
	if got := strings.TrimSpace(row.Find(`[data-testid=tracker-key]`).Text()); got != "PAY-142" {
		t.Errorf("tracker key shown as %q", got)
	}
	if row.Find(`[data-testid=defect-blocking]`).Length() != 1 {
		t.Error("an open blocker is not marked blocking")
	}
	if got := text(doc, `[data-testid=blocking-count]`); got != "1 blocking" {
		t.Errorf("blocking count %q", got)
	}
	if !doc.Find(`[data-testid=blocking-count]`).HasClass("has-blocking") {
		t.Error("a blocking count above zero is not shown in red")
	}
	if !strings.Contains(doc.Find(`[data-testid=gate-reasons]`).Text(), "PAY-142") {
		t.Error("the gate does not name the blocking defect")
	}
	if doc.Find(`[data-testid=event][data-action="defect.add"]`).Length() != 1 {
		t.Error("adding a defect is not in the history")
	}
}

func TestAddDefectBadInput(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)
	tests := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"unknown severity", url.Values{"title": {"x"}, "severity": {"urgent"}}, "severity"},
		{"empty title", url.Values{"title": {" "}, "severity": {"minor"}}, "title"},
		{"over-long title", url.Values{"title": {strings.Repeat("t", 201)}, "severity": {"minor"}}, "title"},
		{"bad url", url.Values{"title": {"x"}, "severity": {"minor"}, "tracker_url": {"javascript:alert(1)"}}, "tracker_url"},
		{"over-long notes", url.Values{"title": {"x"}, "severity": {"minor"}, "notes": {strings.Repeat("n", 4001)}}, "notes"},
		{"grave defect born deferred", url.Values{"title": {"x"}, "severity": {"critical"}, "status": {"deferred"}}, "status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rm.get(page)
			res := rm.post(page+"/defects", tc.form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			doc := parse(t, res)
			if text(doc, "[data-testid=add-defect] [data-testid=error-"+tc.field+"]") == "" {
				t.Fatalf("no message beside %s", tc.field)
			}
			if v, _ := doc.Find(`[data-testid=add-defect] input[name=title]`).Attr("value"); v != tc.form.Get("title") {
				t.Errorf("the form lost the title: %q", v)
			}
		})
	}
	if ds, _ := s.store.FindDefects(t.Context(), rel.ID); len(ds) != 0 {
		t.Fatalf("bad input stored %d defects", len(ds))
	}
}

func TestVerifyBlockerWithHTMX(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	d := s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Checkout fails", Severity: gonogo.Blocker})
	qa := s.signIn(t, "qa")
	page := "/releases/" + itoa(rel.ID)
	qa.get(page)

	res := qa.postHX(page+"/defects/"+itoa(d.ID)+"/status", url.Values{"status": {"verified"}})
	wantStatus(t, res, http.StatusOK)
	doc := parse(t, res)
	if st, _ := doc.Find("#defect-" + itoa(d.ID)).Attr("data-status"); st != "verified" {
		t.Fatalf("row status %q", st)
	}
	if oob, _ := doc.Find("#defect-counts").Attr("data-hx-swap-oob"); oob != "true" {
		t.Error("the counts are not swapped out of band")
	}
	if got := text(doc, "[data-testid=blocking-count]"); got != "0 blocking" {
		t.Errorf("blocking count after %q", got)
	}
	if strings.Contains(doc.Find("#gate").Text(), "Checkout fails") {
		t.Error("the gate still names the verified defect")
	}
	got, _ := s.store.FindDefect(t.Context(), rel.ID, d.ID)
	if got.Status != gonogo.DefectVerified || got.UpdatedBy != "Qa Tester" {
		t.Fatalf("stored %+v", got)
	}
	events, _ := s.store.FindReleaseEvents(t.Context(), rel.ID, 1)
	if events[0].Action != "defect.status" || !strings.Contains(events[0].Detail, "open → verified") {
		t.Fatalf("audit %+v", events[0])
	}
}

func TestDeferringGraveDefectNeedsReason(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	d := s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Crash", Severity: gonogo.Critical})
	rm := s.signIn(t, "rm")
	path := "/releases/" + itoa(rel.ID) + "/defects/" + itoa(d.ID) + "/status"

	res := rm.postHX(path, url.Values{"status": {"deferred"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := text(parse(t, res), "[data-testid=error-reason]"); !strings.Contains(msg, "needs a reason") {
		t.Fatalf("message %q", msg)
	}
	res = rm.post(path, url.Values{"status": {"wont-fix"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if text(parse(t, res), "#defect-"+itoa(d.ID)+" [data-testid=error-reason]") == "" {
		t.Fatal("no message beside the defect without JavaScript")
	}
	if got, _ := s.store.FindDefect(t.Context(), rel.ID, d.ID); got.Status != gonogo.DefectOpen {
		t.Fatalf("a refused change was stored: %s", got.Status)
	}

	res = rm.post(path, url.Values{"status": {"deferred"}, "reason": {"only affects the legacy app"}})
	wantStatus(t, res, http.StatusSeeOther)
	got, _ := s.store.FindDefect(t.Context(), rel.ID, d.ID)
	if got.Status != gonogo.DefectDeferred || got.Reason != "only affects the legacy app" {
		t.Fatalf("stored %+v", got)
	}
	_, doc := rm.get("/releases/" + itoa(rel.ID))
	if !strings.Contains(doc.Find("#defect-"+itoa(d.ID)).Text(), "only affects the legacy app") {
		t.Error("the reason is not shown with the defect")
	}
}

func TestWhoMaySetWhichDefectStatus(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	tests := []struct {
		actor  string
		status string
		want   int
	}{
		{"eng", "fixed", http.StatusSeeOther},
		{"eng", "verified", http.StatusForbidden},
		{"eng", "in-progress", http.StatusForbidden},
		{"rm", "verified", http.StatusForbidden},
		{"rm", "wont-fix", http.StatusSeeOther},
		{"qa", "verified", http.StatusSeeOther},
		{"po", "fixed", http.StatusForbidden},
		{"qa", "closed", http.StatusUnprocessableEntity},
	}
	for _, tc := range tests {
		t.Run(tc.actor+"/"+tc.status, func(t *testing.T) {
			d := s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "A " + tc.status, Severity: gonogo.Minor})
			c := s.signIn(t, tc.actor)
			res := c.post("/releases/"+itoa(rel.ID)+"/defects/"+itoa(d.ID)+"/status", url.Values{"status": {tc.status}})
			wantStatus(t, res, tc.want)
			got, _ := s.store.FindDefect(t.Context(), rel.ID, d.ID)
			if changed := got.Status != gonogo.DefectOpen; changed != (tc.want == http.StatusSeeOther) {
				t.Fatalf("status now %s", got.Status)
			}
		})
	}
	// The engineering lead's page offers only what they may choose.
	eng := s.signIn(t, "eng")
	_, doc := eng.get("/releases/" + itoa(rel.ID))
	var opts []string
	doc.Find(`[data-testid=defect]`).First().Find(`select[name=status] option`).Each(func(_ int, o *goquery.Selection) {
		opts = append(opts, o.AttrOr("value", ""))
	})
	if strings.Join(opts, ",") != "fixed" && strings.Join(opts, ",") != "open,fixed" {
		t.Errorf("engineering lead's choices %v", opts)
	}
}

func TestEditDefect(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	d := s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Old title", Severity: gonogo.Minor})
	qa := s.signIn(t, "qa")
	page := "/releases/" + itoa(rel.ID)
	qa.get(page)
	res := qa.post(page+"/defects/"+itoa(d.ID), url.Values{"title": {"New title"}, "severity": {"critical"},
		"tracker_url": {"https://github.com/acme/web/issues/318"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc := qa.get(page)
	row := doc.Find("#defect-" + itoa(d.ID))
	if got := strings.TrimSpace(row.Find("[data-testid=tracker-key]").Text()); got != "#318" {
		t.Errorf("key %q", got)
	}
	if sev, _ := row.Attr("data-severity"); sev != "critical" {
		t.Errorf("severity %q", sev)
	}
	res = qa.post(page+"/defects/"+itoa(d.ID), url.Values{"title": {""}, "severity": {"critical"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if text(parse(t, res), "#defect-"+itoa(d.ID)+" [data-testid=error-title]") == "" {
		t.Fatal("no message beside the title in the edit form")
	}
	res = qa.post(page+"/defects/999999", url.Values{"title": {"x"}, "severity": {"minor"}})
	wantStatus(t, res, http.StatusNotFound)
}

func TestPasteDefects(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	qa := s.signIn(t, "qa")
	page := "/releases/" + itoa(rel.ID)
	qa.get(page)
	good := "blocker | PAY-142 | Checkout fails on Safari | https://acme.atlassian.net/browse/PAY-142\n" +
		"minor | Typo in footer\n" +
		"critical | #318 | Refund email missing"

	// A malformed line is pointed out by number, and nothing is added.
	bad := good + "\nurgent | Something\n| |"
	res := qa.postHX(page+"/defects/paste", url.Values{"text": {bad}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc := parse(t, res)
	var lines []string
	doc.Find("[data-testid=paste-error]").Each(func(_ int, e *goquery.Selection) { lines = append(lines, e.AttrOr("data-line", "")) })
	if strings.Join(lines, ",") != "4,5" {
		t.Fatalf("errors on lines %v, want 4,5", lines)
	}
	if doc.Find("[data-testid=paste-confirm]").Length() != 0 {
		t.Fatal("a paste with errors offers to add")
	}
	res = qa.post(page+"/defects/import", url.Values{"text": {bad}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if ds, _ := s.store.FindDefects(t.Context(), rel.ID); len(ds) != 0 {
		t.Fatalf("a bad paste added %d defects", len(ds))
	}

	// A good paste is previewed, then added whole.
	res = qa.post(page+"/defects/paste", url.Values{"text": {good}})
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	if got := doc.Find("[data-testid=paste-row]").Length(); got != 3 {
		t.Fatalf("preview shows %d rows", got)
	}
	if ds, _ := s.store.FindDefects(t.Context(), rel.ID); len(ds) != 0 {
		t.Fatal("previewing added defects")
	}
	confirm, _ := doc.Find(`[data-testid=paste-confirm]`).Closest("form").Find(`input[name=text]`).Attr("value")
	res = qa.post(page+"/defects/import", url.Values{"text": {confirm}})
	wantStatus(t, res, http.StatusSeeOther)
	ds, _ := s.store.FindDefects(t.Context(), rel.ID)
	if len(ds) != 3 || ds[0].TrackerKey() != "PAY-142" || ds[1].TrackerKey() != "#318" {
		t.Fatalf("stored %+v", ds)
	}
}

func TestDefectListAcrossReleases(t *testing.T) {
	s := newServer(t)
	pay := s.mustCreateRelease(t, "payments", "2.4.0")
	web := s.mustCreateRelease(t, "web", "1.0.0")
	old := s.mustCreateRelease(t, "web", "0.9.0")
	s.mustDefect(t, pay.ID, gonogo.DefectInput{Title: "Pay blocker", Severity: gonogo.Blocker})
	s.mustDefect(t, pay.ID, gonogo.DefectInput{Title: "Pay verified", Severity: gonogo.Major, Status: gonogo.DefectVerified})
	s.mustDefect(t, web.ID, gonogo.DefectInput{Title: "Web minor", Severity: gonogo.Minor, Status: gonogo.DefectInProgress})
	s.mustDefect(t, old.ID, gonogo.DefectInput{Title: "Old shipped", Severity: gonogo.Major})
	s.setState(t, old.ID, gonogo.Released)
	qa := s.signIn(t, "qa")

	titles := func(path string) []string {
		t.Helper()
		res, doc := qa.get(path)
		wantStatus(t, res, http.StatusOK)
		var out []string
		doc.Find("[data-testid=defect]").Each(func(_ int, d *goquery.Selection) { out = append(out, d.AttrOr("data-title", "")) })
		return out
	}
	if got := strings.Join(titles("/defects"), ","); got != "Pay blocker,Web minor" {
		t.Errorf("unresolved defects of active releases: %s", got)
	}
	if got := strings.Join(titles("/defects?product=web"), ","); got != "Web minor" {
		t.Errorf("by product: %s", got)
	}
	if got := strings.Join(titles("/defects?severity=blocker"), ","); got != "Pay blocker" {
		t.Errorf("by severity: %s", got)
	}
	if got := strings.Join(titles("/defects?status=verified"), ","); got != "Pay verified" {
		t.Errorf("by status: %s", got)
	}
	res, _ := qa.get("/defects?severity=urgent")
	wantStatus(t, res, http.StatusUnprocessableEntity)

	// Working through the list: a change answers with the row for the list.
	_, doc := qa.get("/defects")
	id := doc.Find(`[data-testid=defect][data-title="Web minor"]`).AttrOr("id", "")
	path, _ := doc.Find("#" + id + " form.defect-status").Attr("action")
	res = qa.postHX(path, url.Values{"status": {"fixed"}, "view": {"list"}})
	wantStatus(t, res, http.StatusOK)
	doc = parse(t, res)
	if doc.Find("[data-testid=defect] .defect-release").Length() != 1 {
		t.Error("the row swapped into the list lost its release")
	}
}

func TestBoardDefectBadgeAndFilter(t *testing.T) {
	s := newServer(t)
	pay := s.mustCreateRelease(t, "payments", "2.4.0")
	web := s.mustCreateRelease(t, "web", "1.0.0")
	s.mustDefect(t, pay.ID, gonogo.DefectInput{Title: "Blocker", Severity: gonogo.Blocker})
	s.mustDefect(t, pay.ID, gonogo.DefectInput{Title: "Minor", Severity: gonogo.Minor})
	s.mustDefect(t, pay.ID, gonogo.DefectInput{Title: "Done", Severity: gonogo.Critical, Status: gonogo.DefectVerified})
	s.mustDefect(t, web.ID, gonogo.DefectInput{Title: "Minor", Severity: gonogo.Minor})
	po := s.signIn(t, "po")

	_, doc := po.get("/")
	badge := doc.Find(`[data-release="payments 2.4.0"] [data-testid=defect-badge]`)
	if got := strings.Join(strings.Fields(badge.Text()), " "); got != "1 blocking · 2 open · 3 total" {
		t.Errorf("badge %q", got)
	}
	_, doc = po.get("/?blocking=1")
	var names []string
	doc.Find("[data-testid=release-card]").Each(func(_ int, c *goquery.Selection) { names = append(names, c.AttrOr("data-release", "")) })
	if strings.Join(names, ",") != "payments 2.4.0" {
		t.Errorf("blocking filter shows %v", names)
	}
	if _, ok := doc.Find(`[data-testid=filter-blocking]`).Attr("checked"); !ok {
		t.Error("the blocking filter is not checked")
	}
}

func TestDefectsFrozenOnceReleased(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	d := s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Minor", Severity: gonogo.Minor})
	s.setState(t, rel.ID, gonogo.Released)
	qa := s.signIn(t, "qa")
	res := qa.post("/releases/"+itoa(rel.ID)+"/defects/"+itoa(d.ID)+"/status", url.Values{"status": {"fixed"}})
	wantStatus(t, res, http.StatusConflict)
	res = qa.post("/releases/"+itoa(rel.ID)+"/defects", url.Values{"title": {"Late"}, "severity": {"minor"}})
	wantStatus(t, res, http.StatusConflict)
}
