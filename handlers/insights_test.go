package handlers_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// insightsNow is the moment the insights tests read the board at.
var insightsNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// insightsHistory builds, through the store's own rules, a history of
// payments with known answers, and leaves the clock at insightsNow:
//   - 1.0.0 reviewed 20 days ago, Go, deployed and released 3 days after
//     its review opened;
//   - 1.1.0 reviewed 10 days ago, Go, deployed and rolled back;
//   - 1.2.0 reviewed 6 days ago, the QA lead votes No-Go, No-Go recorded.
//
// In every review the QA lead votes last, 30 hours after it opened; the
// others after an hour.
func insightsHistory(t *testing.T, s *testServer) map[string]gonogo.Release {
	t.Helper()
	day := func(n int) time.Time { return insightsNow.AddDate(0, 0, -n) }
	out := map[string]gonogo.Release{}
	review := func(version string, opened time.Time, qa gonogo.VoteValue) gonogo.Release {
		t.Helper()
		s.at(opened.Add(-time.Hour))
		rel := s.mustCreateRelease(t, "payments", version)
		s.settleReadiness(t, rel.ID)
		s.at(opened)
		s.move(t, rel.ID, gonogo.OpenReview)
		s.at(opened.Add(time.Hour))
		for name, role := range map[string]gonogo.Role{"po": gonogo.ProductOwner, "eng": gonogo.EngineeringLead,
			"ops": gonogo.Ops, "support": gonogo.SupportLead, "rm": gonogo.ReleaseManager} {
			s.vote(t, rel.ID, name, role, gonogo.VoteGo, "")
		}
		s.at(opened.Add(30 * time.Hour))
		comment := ""
		if qa == gonogo.VoteNoGo {
			comment = "Refunds fail on the staging run."
		}
		s.vote(t, rel.ID, "qa", gonogo.QALead, qa, comment)
		out[version] = rel
		return rel
	}
	shipped := review("1.0.0", day(20), gonogo.VoteGo)
	s.at(day(20).Add(40 * time.Hour))
	s.decide(t, shipped.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Rationale: "ready"})
	s.at(day(20).Add(60 * time.Hour))
	s.move(t, shipped.ID, gonogo.StartDeploy)
	s.move(t, shipped.ID, gonogo.FinishDeploy)
	s.settleOpen(t, shipped.ID, gonogo.Verification)
	s.at(day(20).Add(72 * time.Hour))
	s.move(t, shipped.ID, gonogo.MarkReleased)

	back := review("1.1.0", day(10), gonogo.VoteGo)
	s.at(day(10).Add(40 * time.Hour))
	s.decide(t, back.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Rationale: "ready"})
	s.move(t, back.ID, gonogo.StartDeploy)
	s.at(day(10).Add(41 * time.Hour))
	s.move(t, back.ID, gonogo.RollBack)

	noGo := review("1.2.0", day(6), gonogo.VoteNoGo)
	s.at(day(6).Add(31 * time.Hour))
	s.decide(t, noGo.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeNoGo, Rationale: "refunds fail"})
	s.at(insightsNow)
	return out
}

// sectionReading is the one-line reading under a section's heading.
func sectionReading(doc *goquery.Document, id string) string {
	return strings.TrimSpace(doc.Find(`[data-section=` + id + `] > [data-testid=insight-reading]`).Text())
}

// tableRows reads a table of the page: each row's cells' text.
func tableRows(doc *goquery.Document, name string) [][]string {
	var rows [][]string
	doc.Find(`table[data-table=` + name + `] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		var row []string
		tr.Children().Each(func(_ int, c *goquery.Selection) { row = append(row, strings.TrimSpace(c.Text())) })
		rows = append(rows, row)
	})
	return rows
}

func findRow(rows [][]string, first string) []string {
	for _, r := range rows {
		if len(r) > 0 && r[0] == first {
			return r
		}
	}
	return nil
}

// TestInsightsPageSaysWhatTheHistorySays: a product owner opening the
// insights of payments reads each section's reading, and the tables and
// charts' data hold the history's numbers.
func TestInsightsPageSaysWhatTheHistorySays(t *testing.T) {
	s := newServer(t)
	insightsHistory(t, s)
	po := s.signIn(t, "po")
	res, doc := po.get("/insights?product=payments&last=90")
	wantStatus(t, res, http.StatusOK)

	var sections []string
	doc.Find(`[data-testid=insight-section] > h2`).Each(func(_ int, h *goquery.Selection) { sections = append(sections, h.Text()) })
	if got := strings.Join(sections, ", "); got != "Flow, Stability, The decision, Waiting, Checklist, Defects, Decision quality" {
		t.Fatalf("sections %q", got)
	}
	for id, want := range map[string]string{
		"flow":      "Median lead time from review to release 3.0 days over 1 case (too few to call a trend).",
		"stability": "0.2 deployments a week; change failure rate 1 of 2.",
		"decision":  "2 Gos, up from 0. 1 No-Go, up from 0.",
		"waiting":   "Reviews wait longest on the QA lead: median 1.2 days to the first vote, over 3 reviews.",
	} {
		if got := sectionReading(doc, id); got != want {
			t.Errorf("%s reads %q, want %q", id, got, want)
		}
	}
	// Small counts are counts: never a percentage.
	if got := doc.Find(`main`).Text(); strings.Contains(got, "%") {
		t.Errorf("a percentage is shown for counts below ten:\n%s", got)
	}
	if row := findRow(tableRows(doc, "waits"), "QA lead"); len(row) != 4 || row[1] != "1.2 days" || row[3] != "3" {
		t.Errorf("QA lead's waits %q", row)
	}
	if row := findRow(tableRows(doc, "decisions"), "This period"); strings.Join(row, "|") != "This period|2|1|2 of 3" {
		t.Errorf("this period's decisions %q", row)
	}
	if row := findRow(tableRows(doc, "no-go-reasons"), "No-Go vote: QA lead"); len(row) != 2 || row[1] != "1" {
		t.Errorf("No-Go reasons %q", tableRows(doc, "no-go-reasons"))
	}
	if row := findRow(tableRows(doc, "dora"), "Change failure rate (failed of ended)"); len(row) != 3 || row[1] != "1 of 2" {
		t.Errorf("change failure rate %q", row)
	}
	// One product: no table per product.
	if doc.Find(`table[data-table=product-waits]`).Length() != 0 {
		t.Error("the waits per product are shown for one product")
	}

	// Every table has its caption, headers with scope and a CSV link; each
	// chart's data block is JSON with a value per label.
	doc.Find(`[data-testid=insight-table]`).Each(func(_ int, tb *goquery.Selection) {
		name, _ := tb.Attr("data-table")
		if strings.TrimSpace(tb.Find("caption").Text()) == "" || tb.Find(`th[scope=col]`).Length() == 0 || tb.Find(`tbody th[scope=row]`).Length() == 0 {
			t.Errorf("table %s lacks a caption or its headers' scope", name)
		}
	})
	doc.Find(`[data-testid=insight-figure]`).Each(func(_ int, f *goquery.Selection) {
		name, _ := f.Attr("data-table")
		href, _ := f.Find(`[data-testid=csv-link]`).Attr("href")
		if !strings.Contains(href, "format=csv") || !strings.Contains(href, "table="+name) || !strings.Contains(href, "product=payments") {
			t.Errorf("figure %s links its CSV at %q", name, href)
		}
	})
	charts := doc.Find(`[data-testid=chart]`)
	if charts.Length() < 10 {
		t.Errorf("only %d charts", charts.Length())
	}
	charts.Each(func(_ int, c *goquery.Selection) {
		id, _ := c.Attr("data-chart")
		block := doc.Find(`script[type="application/json"]#` + id)
		var data struct {
			Kind   string   `json:"kind"`
			Labels []string `json:"labels"`
			Series []struct {
				Name   string     `json:"name"`
				Values []*float64 `json:"values"`
			} `json:"series"`
		}
		if err := json.Unmarshal([]byte(block.Text()), &data); err != nil {
			t.Fatalf("%s: %v\n%s", id, err, block.Text())
		}
		if data.Kind == "" || len(data.Series) == 0 {
			t.Errorf("%s: %+v", id, data)
		}
		for _, s := range data.Series {
			if len(s.Values) != len(data.Labels) {
				t.Errorf("%s: series %s has %d values for %d labels", id, s.Name, len(s.Values), len(data.Labels))
			}
		}
	})
	// The weekly chart counts the release shipped.
	var weekly struct {
		Series []struct{ Values []float64 } `json:"series"`
	}
	json.Unmarshal([]byte(doc.Find(`#chart-data-shipped`).Text()), &weekly)
	sum := 0.0
	for _, v := range weekly.Series[0].Values {
		sum += v
	}
	if sum != 1 {
		t.Errorf("the weekly chart counts %v shipped, want 1", sum)
	}
}

// TestInsightsForAllProductsWaitPerProduct: all products shows who each
// product's reviews wait on, and the product select offers each product.
func TestInsightsForAllProductsWaitPerProduct(t *testing.T) {
	s := newServer(t)
	insightsHistory(t, s)
	s.mustCreateRelease(t, "web", "1.0.0")
	res, doc := s.signIn(t, "eng").get("/insights")
	wantStatus(t, res, http.StatusOK)
	rows := tableRows(doc, "product-waits")
	if len(rows) != 6 || findRow(rows, "payments") == nil {
		t.Fatalf("waits per product %q", rows)
	}
	var options []string
	doc.Find(`[data-testid=insights-product] option`).Each(func(_ int, o *goquery.Selection) { options = append(options, o.AttrOr("value", "")) })
	if strings.Join(options, ",") != ",payments,web" {
		t.Errorf("product options %q", options)
	}
	if got := doc.Find(`[data-testid=insights-last] option[selected]`).AttrOr("value", ""); got != "90" {
		t.Errorf("the period select shows %q, want the last 90 days", got)
	}
}

// TestInsightsRefuseABadFilter: a bad period or an unknown product is a
// 400 with a message on the page, the form kept; never a 500.
func TestInsightsRefuseABadFilter(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "1.0.0")
	c := s.signIn(t, "support")
	for _, tc := range []struct{ name, query, says string }{
		{"days not a number", "last=ninety", "the period is a number of days"},
		{"too many days", "last=99999", "the period is a number of days"},
		{"a range upside down", "from=2026-10-01&to=2026-09-01", "ends (2026-09-01) before it starts"},
		{"half a range", "from=2026-10-01", "both its first and last day"},
		{"not a date", "from=yesterday&to=today", "both its first and last day"},
		{"unknown product", "product=nope", `no product "nope"`},
		{"hostile product", "product=%3Cscript%3E", `no product "<script>"`},
		{"unknown format", "format=xml", `not "xml"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, doc := c.get("/insights?" + tc.query)
			wantStatus(t, res, http.StatusBadRequest)
			if got := text(doc, `[data-testid=insights-error]`); !strings.Contains(strings.ToLower(got), strings.ToLower(tc.says)) {
				t.Errorf("the page says %q, want %q", got, tc.says)
			}
			if doc.Find(`[data-testid=insights-filter]`).Length() != 1 || doc.Find(`[data-testid=insight-section]`).Length() != 0 {
				t.Error("the page should keep its form and show no figures")
			}
		})
	}
}

// TestInsightsCSV: every table of the page comes as CSV with the page's
// numbers, read back with encoding/csv; an unknown table is a 400.
func TestInsightsCSV(t *testing.T) {
	s := newServer(t)
	insightsHistory(t, s)
	c := s.signIn(t, "qa")
	_, doc := c.get("/insights?product=payments&last=90")
	links := doc.Find(`[data-testid=csv-link]`)
	if links.Length() < 15 {
		t.Fatalf("only %d CSV links", links.Length())
	}
	links.Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		res, body := c.getText(href)
		wantStatus(t, res, http.StatusOK)
		if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("%s: content type %q", href, ct)
		}
		table := strings.TrimPrefix(strings.Split(strings.SplitN(href, "table=", 2)[1], "&")[0], "")
		want := `attachment; filename="insights-` + table + `-payments-2026-09-02-to-2026-11-30.csv"`
		if cd := res.Header.Get("Content-Disposition"); cd != want {
			t.Errorf("%s: disposition %q, want %q", href, cd, want)
		}
		records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v\n%s", href, err, body)
		}
		rows := doc.Find(`table[data-table=` + table + `] tbody tr`).Length()
		if len(records) != rows+1 {
			t.Errorf("%s: %d records for %d rows", href, len(records), rows)
		}
	})
	res, body := c.getText("/insights?format=csv&table=waits&product=payments&last=90")
	wantStatus(t, res, http.StatusOK)
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(records[0], ",") != "role,median_hours,p90_hours,n" {
		t.Errorf("waits' header %q", records[0])
	}
	if qa := findRow(records, "qa-lead"); strings.Join(qa, ",") != "qa-lead,30.0,30.0,3" {
		t.Errorf("QA lead's waits in CSV %q", qa)
	}
	for _, q := range []string{"format=csv&table=nope", "format=csv", "format=csv&table=waits&last=abc", "format=csv&table=waits&product=nope"} {
		res, _ := c.getText("/insights?" + q)
		wantStatus(t, res, http.StatusBadRequest)
	}
}

// TestProductPageGlancesAtItsInsights: a product's page says its last 90
// days at a glance, links to its insights, and lists its latest ten
// releases, each to its page.
func TestProductPageGlancesAtItsInsights(t *testing.T) {
	s := newServer(t)
	rels := insightsHistory(t, s)
	for _, v := range []string{"2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.0", "2.6.0", "2.7.0"} {
		s.mustCreateRelease(t, "payments", v)
	}
	res, doc := s.signIn(t, "support").get("/products/payments")
	wantStatus(t, res, http.StatusOK)
	for sel, want := range map[string]string{
		"[data-testid=glance-shipped]": "1 release shipped, up from 0.",
		"[data-testid=glance-lead]":    "Median lead time from review to release 3.0 days over 1 case (too few to call a trend).",
		"[data-testid=glance-failure]": "1 of 2 deployments failed.",
		"[data-testid=glance-waits]":   "QA lead: median 1.2 days to the first vote.",
		"[data-testid=glance-reviews]": "None reviewed; 2 releases await their review.",
	} {
		if got := text(doc, sel); got != want {
			t.Errorf("%s says %q, want %q", sel, got, want)
		}
	}
	if href := doc.Find(`[data-testid=glance-insights-link]`).AttrOr("href", ""); href != "/insights?product=payments" {
		t.Errorf("insights link %q", href)
	}
	recent := doc.Find(`[data-testid=recent-release]`)
	if recent.Length() != 10 {
		t.Fatalf("%d recent releases, want the latest 10", recent.Length())
	}
	if first := recent.First().Find("a"); first.Text() != "2.7.0" {
		t.Errorf("the newest release listed first is %q", first.Text())
	}
	if last := recent.Last().Find("a"); last.Text() != "1.1.0" || last.AttrOr("href", "") != "/releases/"+itoa(rels["1.1.0"].ID) {
		t.Errorf("the last release listed is %q at %q", last.Text(), last.AttrOr("href", ""))
	}
	if doc.Find(`[data-testid=product-team]`).Length() != 1 {
		t.Error("the product's team is missing")
	}
}
