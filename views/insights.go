package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gonogo/gonogo"
)

// InsightsView is the insights page: the filter as asked, and what the
// history of the period says, section by section. The same tables are
// the page's and its CSV exports', so the two cannot drift.
type InsightsView struct {
	Products []gonogo.Product // the product select
	Product  string           // "" for every product
	Last     string           // the filter as asked: last days, or a range
	From, To string
	Choices  []int
	// Error says what was wrong with the filter; the page then shows the
	// form with it, and no figures.
	Error    string
	Period   string // "1 Sep 2026 – 30 Nov 2026"
	Prev     string
	Query    string // the filter as a query, for the CSV links
	Sections []InsightSection
}

// InsightSection is one part of the page: a heading, its one-line
// reading, the figures and what else it says in words.
type InsightSection struct {
	ID, Title, Reading string
	Notes              []string
	Figures            []Figure
}

// Figure is one measure: its table, and its chart when a picture helps.
type Figure struct {
	Reading string
	Table   InsightTable
	Chart   *Chart
}

// InsightTable is a table of the page, exported as CSV by its Name.
type InsightTable struct {
	Name, Caption string
	Cols          []Col
	Rows          [][]Cell
	// More says what the table leaves out, "" when it holds everything.
	More string
	// Empty is what the table says when it has no rows.
	Empty string
}

// Col is a column: its heading on the page and in the CSV; Num aligns
// numbers to the right.
type Col struct {
	Head, CSV string
	Num       bool
}

// Cell is a cell as shown (Text) and as exported (Raw, Text when empty);
// Href links it.
type Cell struct {
	Text, Raw, Href string
}

// CSVHeads are the table's column headings in its CSV.
func (t InsightTable) CSVHeads() []string {
	out := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		out[i] = c.CSV
		if out[i] == "" {
			out[i] = c.Head
		}
	}
	return out
}

// CSVRows are the table's rows in its CSV.
func (t InsightTable) CSVRows() [][]string {
	out := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			switch {
			case c.Raw != "":
				out[i][j] = c.Raw
			case c.Text != noValue:
				out[i][j] = c.Text
			}
		}
	}
	return out
}

// Chart is what static/js/insights.js draws: bars, lines or stacked bars
// over categories (weeks, periods, roles...), one value per label for
// each series; a missing value is null.
type Chart struct {
	Kind       string        `json:"kind"` // "bars", "lines" or "stacked"
	Horizontal bool          `json:"horizontal,omitempty"`
	Labels     []string      `json:"labels"`
	Series     []ChartSeries `json:"series"`
	Unit       string        `json:"unit,omitempty"`
}

// ChartSeries is one series of a chart.
type ChartSeries struct {
	Name   string     `json:"name"`
	Values []*float64 `json:"values"`
	// Tone colours a series by meaning ("ok", "warn", "bad", "calm")
	// rather than by its place.
	Tone string `json:"tone,omitempty"`
}

// Table finds a table of the view by name.
func (v InsightsView) Table(name string) (InsightTable, bool) {
	for _, s := range v.Sections {
		for _, f := range s.Figures {
			if f.Table.Name == name {
				return f.Table, true
			}
		}
	}
	return InsightTable{}, false
}

// TableNames are the names of every table of the page, in its order.
func (v InsightsView) TableNames() []string {
	var out []string
	for _, s := range v.Sections {
		for _, f := range s.Figures {
			out = append(out, f.Table.Name)
		}
	}
	return out
}

// InsightSections say what in shows, section by section, as the page and
// its exports show it.
func InsightSections(in gonogo.Insights) []InsightSection {
	return []InsightSection{flowSection(in), stabilitySection(in), decisionSection(in), waitingSection(in),
		checklistSection(in), defectsSection(in), qualitySection(in)}
}

const (
	thisPeriod = "This period"
	prevPeriod = "Previous period"
)

func flowSection(in gonogo.Insights) InsightSection {
	shipped := InsightTable{Name: "shipped", Caption: "Releases shipped per week",
		Cols: []Col{{Head: "Week of", CSV: "week"}, {Head: "Shipped", CSV: "shipped", Num: true}}}
	var labels []string
	var counts []float64
	for _, w := range in.Weeks {
		shipped.Rows = append(shipped.Rows, []Cell{{Text: w.Start.Format("2 Jan 2006"), Raw: w.Start.Format(time.DateOnly)}, num(w.Shipped)})
		labels = append(labels, w.Start.Format("2 Jan"))
		counts = append(counts, float64(w.Shipped))
	}
	lead := InsightTable{Name: "lead-times", Caption: "Lead times of the releases shipped",
		Cols: append([]Col{{Head: "From", CSV: "from"}, {Head: "Period", CSV: "period"}}, spreadCols("Releases")...)}
	leads := []struct {
		what      string
		cur, prev gonogo.Spread
	}{{"Review opened", in.LeadReview, in.PrevLeadReview}, {"Go", in.LeadGo, in.PrevLeadGo}}
	for _, l := range leads {
		lead.Rows = append(lead.Rows, append([]Cell{{Text: l.what + " → released"}, {Text: thisPeriod}}, spreadCells(l.cur)...),
			append([]Cell{{Text: l.what + " → released"}, {Text: prevPeriod}}, spreadCells(l.prev)...))
	}
	weekly, weeklyChart := weeklyLeads(in)
	states := InsightTable{Name: "time-in-state", Caption: "Time the releases shipped spent in each state",
		Cols: append([]Col{{Head: "State", CSV: "state"}}, spreadCols("Releases")...), Empty: "No release shipped in this period."}
	var stateLabels []string
	var spreads []gonogo.Spread
	for _, s := range in.InState {
		states.Rows = append(states.Rows, append([]Cell{{Text: s.State.Label(), Raw: string(s.State)}}, spreadCells(s.Spread)...))
		stateLabels = append(stateLabels, s.State.Label())
		spreads = append(spreads, s.Spread)
	}
	return InsightSection{ID: "flow", Title: "Flow",
		Reading: gonogo.Reading("lead time from review to release", in.LeadReview, in.PrevLeadReview, "No release shipped in this period."),
		Notes:   []string{gonogo.CountReading(in.Cancelled, in.PrevCancels, "release cancelled", "releases cancelled") + " Cancelled releases count nowhere else."},
		Figures: []Figure{
			{Reading: gonogo.CountReading(in.Shipped, in.PrevShipped, "release shipped", "releases shipped"), Table: shipped,
				Chart: &Chart{Kind: "bars", Labels: labels, Series: []ChartSeries{{Name: "Shipped", Values: floats(counts)}}}},
			{Reading: gonogo.Reading("lead time from Go to release", in.LeadGo, in.PrevLeadGo, "No release shipped after a Go in this period."),
				Table: weekly, Chart: weeklyChart},
			{Table: lead},
			{Table: states, Chart: spreadChart(stateLabels, spreads)},
		}}
}

// weeklyLeads are the median lead times of the releases shipped each
// week, as a table and as lines; a week that shipped nothing is a gap.
func weeklyLeads(in gonogo.Insights) (InsightTable, *Chart) {
	t := InsightTable{Name: "lead-times-weekly", Caption: "Median lead times of the releases shipped, week by week",
		Cols: []Col{{Head: "Week of", CSV: "week"}, {Head: "Shipped", CSV: "shipped", Num: true},
			{Head: "Review opened → released", CSV: "review_median_hours", Num: true},
			{Head: "Go → released", CSV: "go_median_hours", Num: true}},
		Empty: "No release shipped in this period."}
	var spreads []gonogo.Spread
	for _, w := range in.Weeks {
		spreads = append(spreads, w.LeadReview, w.LeadGo)
	}
	unit := spanUnit(spreads...)
	c := &Chart{Kind: "lines", Unit: unit, Series: []ChartSeries{{Name: "Review opened → released, median"}, {Name: "Go → released, median"}}}
	for _, w := range in.Weeks {
		c.Labels = append(c.Labels, w.Start.Format("2 Jan"))
		c.Series[0].Values = append(c.Series[0].Values, spanValue(w.LeadReview, false, unit))
		c.Series[1].Values = append(c.Series[1].Values, spanValue(w.LeadGo, false, unit))
		if w.Shipped > 0 {
			t.Rows = append(t.Rows, []Cell{{Text: w.Start.Format("2 Jan 2006"), Raw: w.Start.Format(time.DateOnly)}, num(w.Shipped),
				spanCell(w.LeadReview, false), spanCell(w.LeadGo, false)})
		}
	}
	return t, c
}

func stabilitySection(in gonogo.Insights) InsightSection {
	prev := gonogo.Insights{Period: in.Prev, Deploys: in.PrevDeploys, Ended: in.PrevEnded, Failures: in.PrevFailures}
	perWeek := func(x gonogo.Insights) Cell {
		f := x.DeploysPerWeek()
		return Cell{Text: fmt.Sprintf("%.1f a week", f), Raw: strconv.FormatFloat(f, 'f', 2, 64)}
	}
	share := func(x gonogo.Insights) Cell {
		return Cell{Text: x.FailureRate(), Raw: fmt.Sprintf("%d/%d", x.Failures, x.Ended)}
	}
	dora := InsightTable{Name: "dora", Caption: "The DORA four",
		Cols: []Col{{Head: "Measure", CSV: "measure"}, {Head: thisPeriod, CSV: "this_period"}, {Head: prevPeriod, CSV: "previous_period"}},
		Rows: [][]Cell{
			{{Text: "Deployment frequency"}, perWeek(in), perWeek(prev)},
			{{Text: "Change lead time (median, review opened → released, hours in CSV)"}, spanCell(in.LeadReview, false), spanCell(in.PrevLeadReview, false)},
			{{Text: "Change failure rate (failed of ended)"}, share(in), share(prev)},
			{{Text: "Time to restore (median, hours in CSV)"}, spanCell(in.Restore, false), spanCell(in.PrevRestore, false)},
		}}
	deploys := InsightTable{Name: "deploys", Caption: "Deployments started per week",
		Cols: []Col{{Head: "Week of", CSV: "week"}, {Head: "Deployments", CSV: "deployments", Num: true}}}
	var labels []string
	var counts []float64
	for _, w := range in.Weeks {
		deploys.Rows = append(deploys.Rows, []Cell{{Text: w.Start.Format("2 Jan 2006"), Raw: w.Start.Format(time.DateOnly)}, num(w.Deploys)})
		labels = append(labels, w.Start.Format("2 Jan"))
		counts = append(counts, float64(w.Deploys))
	}
	return InsightSection{ID: "stability", Title: "Stability",
		Reading: fmt.Sprintf("%.1f deployments a week; change failure rate %s.", in.DeploysPerWeek(), in.FailureRate()),
		Figures: []Figure{
			{Table: dora, Chart: &Chart{Kind: "stacked", Labels: []string{prevPeriod, thisPeriod}, Series: []ChartSeries{
				{Name: "Ended well", Tone: "ok", Values: floats([]float64{float64(in.PrevEnded - in.PrevFailures), float64(in.Ended - in.Failures)})},
				{Name: "Failed", Tone: "bad", Values: floats([]float64{float64(in.PrevFailures), float64(in.Failures)})},
			}}},
			{Reading: gonogo.CountReading(in.Deploys, in.PrevDeploys, "deployment", "deployments"), Table: deploys,
				Chart: &Chart{Kind: "bars", Labels: labels, Series: []ChartSeries{{Name: "Deployments", Values: floats(counts)}}}},
		}}
}

func decisionSection(in gonogo.Insights) InsightSection {
	decisions := InsightTable{Name: "decisions", Caption: "Go and No-Go decisions recorded",
		Cols: []Col{{Head: "Period", CSV: "period"}, {Head: "Go", CSV: "go", Num: true}, {Head: "No-Go", CSV: "no_go", Num: true}, {Head: "Go rate", CSV: "go_rate"}},
		Rows: [][]Cell{
			{{Text: thisPeriod}, num(in.Go), num(in.NoGo), {Text: gonogo.Share(in.Go, in.Go+in.NoGo)}},
			{{Text: prevPeriod}, num(in.PrevGo), num(in.PrevNoGo), {Text: gonogo.Share(in.PrevGo, in.PrevGo+in.PrevNoGo)}},
		}}
	why := countTable("no-go-reasons", "Why No-Gos were recorded (a No-Go may give several reasons)", "Reason", "No-Gos", in.Why, "No No-Go was recorded in this period.")
	whyReading := "No No-Go was recorded in this period."
	if len(in.Why) > 0 {
		whyReading = fmt.Sprintf("Most often: %s (%s).", in.Why[0].Label, gonogo.Plural(in.Why[0].N, "No-Go", "No-Gos"))
	}
	return InsightSection{ID: "decision", Title: "The decision",
		Reading: gonogo.CountReading(in.Go, in.PrevGo, "Go", "Gos") + " " + gonogo.CountReading(in.NoGo, in.PrevNoGo, "No-Go", "No-Gos"),
		Notes:   []string{"Releases shipped that needed more than one review cycle: " + gonogo.Share(in.MultiCycle, in.Shipped) + "."},
		Figures: []Figure{
			{Table: decisions, Chart: &Chart{Kind: "stacked", Labels: []string{prevPeriod, thisPeriod}, Series: []ChartSeries{
				{Name: "Go", Tone: "ok", Values: floats([]float64{float64(in.PrevGo), float64(in.Go)})},
				{Name: "No-Go", Tone: "bad", Values: floats([]float64{float64(in.PrevNoGo), float64(in.NoGo)})},
			}}},
			{Reading: whyReading, Table: why, Chart: countChart("No-Gos", in.Why)},
		}}
}

func waitingSection(in gonogo.Insights) InsightSection {
	waits := InsightTable{Name: "waits", Caption: "Time from review opened to each role's first vote",
		Cols: append([]Col{{Head: "Role", CSV: "role"}}, spreadCols("Reviews")...), Empty: "No review opened in this period has a vote."}
	var labels []string
	var spreads []gonogo.Spread
	for _, w := range in.Waits {
		waits.Rows = append(waits.Rows, append([]Cell{{Text: w.Role.Label(), Raw: string(w.Role)}}, spreadCells(w.Spread)...))
		labels = append(labels, w.Role.Label())
		spreads = append(spreads, w.Spread)
	}
	reading := "No review opened in this period has a vote yet."
	if w, ok := in.WaitsOn(); ok {
		reading = fmt.Sprintf("Reviews wait longest on %s: median %s to the first vote, over %s.",
			w.Role.InText(), gonogo.FormatSpan(w.Spread.Median), gonogo.Plural(w.Spread.N, "review", "reviews"))
	}
	s := InsightSection{ID: "waiting", Title: "Waiting", Reading: reading,
		Figures: []Figure{{Table: waits, Chart: spreadChart(labels, spreads)}}}
	if in.Product != "" {
		return s
	}
	per := InsightTable{Name: "product-waits", Caption: "Time to each role's first vote, per product",
		Cols: append([]Col{{Head: "Product", CSV: "product"}, {Head: "Role", CSV: "role"}}, spreadCols("Reviews")...), Empty: "No review opened in this period has a vote."}
	labels, spreads = nil, nil
	for _, w := range in.ProductWaits {
		per.Rows = append(per.Rows, append([]Cell{{Text: w.Product, Href: "/products/" + w.Product}, {Text: w.Role.Label(), Raw: string(w.Role)}}, spreadCells(w.Spread)...))
		labels = append(labels, w.Product+" · "+w.Role.Label())
		spreads = append(spreads, w.Spread)
	}
	s.Figures = append(s.Figures, Figure{Table: per, Chart: spreadChart(labels, spreads)})
	return s
}

func checklistSection(in gonogo.Insights) InsightSection {
	const none = "None on the releases shipped in this period."
	failed := countTable("failed-items", "Items most often failed, on the releases shipped", "Item", "Releases", in.Failed, none)
	na := countTable("na-items", "Items most often set not applicable, with their reasons' common words", "Item", "Releases", in.NA, none)
	na.Cols = append(na.Cols, Col{Head: "Common words in the reasons", CSV: "common_words"})
	for i, c := range in.NA {
		na.Rows[i] = append(na.Rows[i], Cell{Text: gonogo.List(c.Words)})
	}
	last := countTable("last-done", "Readiness items done last before the Go", "Item", "Releases", in.LastDone, none)
	reading := "No item failed on the releases shipped in this period."
	if len(in.Failed) > 0 {
		reading = fmt.Sprintf("Failed most often: %s (on %s).", in.Failed[0].Label, gonogo.Plural(in.Failed[0].N, "release", "releases"))
	}
	return InsightSection{ID: "checklist", Title: "Checklist", Reading: reading, Figures: []Figure{
		{Table: failed, Chart: countChart("Releases", in.Failed)},
		{Table: na, Chart: countChart("Releases", in.NA)},
		{Table: last, Chart: countChart("Releases", in.LastDone)},
	}}
}

func defectsSection(in gonogo.Insights) InsightSection {
	per := InsightTable{Name: "defects-per-release", Caption: "Defects found per release shipped, by severity (newest first)",
		Cols: []Col{{Head: "Release", CSV: "release"}}, Empty: "No release shipped in this period."}
	found := InsightTable{Name: "defects-found", Caption: "Defects found on the releases shipped, by severity",
		Cols: []Col{{Head: "Severity", CSV: "severity"}, {Head: "Found", CSV: "found", Num: true}}}
	var labels []string
	series := make([]ChartSeries, len(gonogo.Severities))
	total := 0
	for i, s := range gonogo.Severities {
		per.Cols = append(per.Cols, Col{Head: s.Label(), CSV: string(s), Num: true})
		found.Rows = append(found.Rows, []Cell{{Text: s.Label(), Raw: string(s)}, num(in.DefectsFound[s])})
		series[i].Name, series[i].Tone = s.Label(), severityTones[s]
		total += in.DefectsFound[s]
	}
	// The chart reads oldest to newest, left to right.
	for i := len(in.Defects) - 1; i >= 0; i-- {
		labels = append(labels, in.Defects[i].Version)
		for j, s := range gonogo.Severities {
			series[j].Values = append(series[j].Values, ptr(float64(in.Defects[i].Found[s])))
		}
	}
	for _, d := range in.Defects {
		row := []Cell{{Text: d.Product + " " + d.Version, Href: releaseURL(d.ReleaseID)}}
		for _, s := range gonogo.Severities {
			row = append(row, num(d.Found[s]))
		}
		per.Rows = append(per.Rows, row)
	}
	if in.DefectsMore > 0 {
		per.More = "and " + gonogo.Plural(in.DefectsMore, "older release", "older releases") + " not shown"
	}
	deferred := InsightTable{Name: "deferred", Caption: "Releases shipped with a deferred blocker or critical, and how many rolled back",
		Cols: []Col{{Head: "Deferred a blocker or critical", CSV: "deferring", Num: true}, {Head: "Of them rolled back", CSV: "rolled_back", Num: true}},
		Rows: [][]Cell{{num(in.Deferring), num(in.DeferringBack)}}}
	return InsightSection{ID: "defects", Title: "Defects",
		Reading: fmt.Sprintf("%s found on %s; %s deferred a blocker or critical, of which %s rolled back.",
			gonogo.Plural(total, "defect", "defects"), gonogo.Plural(in.Shipped, "release shipped", "releases shipped"),
			gonogo.Plural(in.Deferring, "release", "releases"), gonogo.Share(in.DeferringBack, in.Deferring)),
		Figures: []Figure{
			{Table: found, Chart: countChart("Found", countsOf(found))},
			{Table: per, Chart: &Chart{Kind: "stacked", Labels: labels, Series: series}},
			{Table: deferred, Chart: &Chart{Kind: "stacked", Horizontal: true, Labels: []string{"Deferred a blocker or critical"}, Series: []ChartSeries{
				{Name: "Did not roll back", Tone: "calm", Values: floats([]float64{float64(in.Deferring - in.DeferringBack)})},
				{Name: "Rolled back", Tone: "bad", Values: floats([]float64{float64(in.DeferringBack)})},
			}}},
		}}
}

func qualitySection(in gonogo.Insights) InsightSection {
	t := InsightTable{Name: "quality", Caption: "How the deployments of Go decisions ended, by what the Go carried",
		Cols: []Col{{Head: "The Go", CSV: "split"}, {Head: "Carried it", CSV: "carried"}, {Head: "Released cleanly", CSV: "clean", Num: true},
			{Head: "Smoke test failed", CSV: "smoke_failed", Num: true}, {Head: "Rolled back", CSV: "rolled_back", Num: true}, {Head: "Failed", CSV: "failed"}}}
	var labels []string
	series := []ChartSeries{{Name: "Released cleanly", Tone: "ok"}, {Name: "Smoke test failed", Tone: "warn"}, {Name: "Rolled back", Tone: "bad"}}
	best, bestN := -1, -1
	for i, q := range in.Quality {
		for _, side := range []struct {
			yes string
			o   gonogo.Outcomes
		}{{"Yes", q.With}, {"No", q.Without}} {
			t.Rows = append(t.Rows, []Cell{{Text: q.Label, Raw: q.Key}, {Text: side.yes}, num(side.o.Clean), num(side.o.SmokeFailed), num(side.o.RolledBack), {Text: side.o.Text()}})
			// The answer first: a label cut short on a phone keeps it.
			labels = append(labels, side.yes+": "+q.Label)
			series[0].Values = append(series[0].Values, ptr(float64(side.o.Clean)))
			series[1].Values = append(series[1].Values, ptr(float64(side.o.SmokeFailed)))
			series[2].Values = append(series[2].Values, ptr(float64(side.o.RolledBack)))
		}
		if n := q.With.RolledBack + q.With.SmokeFailed; q.With.Total() > 0 && n > bestN {
			best, bestN = i, n
		}
	}
	reading := "No Go's deployment ended in this period."
	switch {
	case best >= 0:
		q := in.Quality[best]
		reading = fmt.Sprintf("%s: %s; otherwise %s.", q.Label, q.With.Text(), q.Without.Text())
	case len(in.Quality) > 0 && in.Quality[0].Without.Total() > 0:
		// Each split divides the same deployments: none carried anything.
		reading = fmt.Sprintf("Of the deployments that ended, %s; no Go carried conditions, a waived role, a deferred blocker or critical, or a window outside the low-traffic hours.",
			in.Quality[0].Without.Text())
	}
	return InsightSection{ID: "quality", Title: "Decision quality", Reading: reading,
		Notes:   []string{fmt.Sprintf("Below %d deployments a share is given as counts, never as a percentage, and is no trend.", gonogo.SmallCount)},
		Figures: []Figure{{Table: t, Chart: &Chart{Kind: "stacked", Horizontal: true, Labels: labels, Series: series}}, postReviewFigure(in)}}
}

// reviewTones colour the post-release outcomes by how they went.
var reviewTones = map[gonogo.ReviewOutcome]string{gonogo.ReviewClean: "ok", gonogo.ReviewDegraded: "warn", gonogo.ReviewIncident: "bad"} // a rollback takes a colour of its own

// postReviewFigure is how the releases whose deployment ended turned out,
// as their post-release reviews say, and how many await theirs.
func postReviewFigure(in gonogo.Insights) Figure {
	t := InsightTable{Name: "post-release", Caption: "How the releases whose deployment ended turned out, by their post-release review",
		Cols: []Col{{Head: "Outcome", CSV: "outcome"}, {Head: thisPeriod, CSV: "releases", Num: true}, {Head: prevPeriod, CSV: "previous", Num: true}}}
	labels := []string{thisPeriod, prevPeriod}
	var series []ChartSeries
	for _, o := range gonogo.ReviewOutcomes {
		n, prev := in.Reviews.Outcomes[o], in.PrevReviews.Outcomes[o]
		t.Rows = append(t.Rows, []Cell{{Text: o.Label(), Raw: string(o)}, num(n), num(prev)})
		series = append(series, ChartSeries{Name: o.Label(), Tone: reviewTones[o], Values: floats([]float64{float64(n), float64(prev)})})
	}
	t.Rows = append(t.Rows, []Cell{{Text: "No review yet", Raw: "missing"}, num(in.Reviews.Missing), num(in.PrevReviews.Missing)})
	series = append(series, ChartSeries{Name: "No review yet", Tone: "calm", Values: floats([]float64{float64(in.Reviews.Missing), float64(in.PrevReviews.Missing)})})
	reading := "No release's deployment ended in this period."
	if total := in.Reviews.Total(); total > 0 {
		reading = fmt.Sprintf("Of %s whose deployment ended: %s", gonogo.Plural(total, "release", "releases"), ReviewMixText(in.Reviews))
	}
	return Figure{Reading: reading, Table: t, Chart: &Chart{Kind: "stacked", Horizontal: true, Labels: labels, Series: series}}
}

// ReviewMixText says a mix of post-release outcomes in words: "7 clean
// and 1 incident; 2 await their review".
func ReviewMixText(m gonogo.ReviewMix) string {
	var parts []string
	for _, o := range gonogo.ReviewOutcomes {
		if n := m.Outcomes[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(o.Label())))
		}
	}
	switch {
	case len(parts) == 0:
		return "None reviewed; " + gonogo.Plural(m.Missing, "release awaits its review", "releases await their review") + "."
	case m.Missing == 0:
		return gonogo.List(parts) + "; every one reviewed."
	}
	return gonogo.List(parts) + "; " + gonogo.Plural(m.Missing, "awaits its review", "await their review") + "."
}

// severityTones colour the defects found by how grave they are.
var severityTones = map[gonogo.Severity]string{gonogo.Blocker: "bad", gonogo.Critical: "warn", gonogo.Minor: "calm"}

// countTable is a "most often" list as a table.
func countTable(name, caption, what, unit string, counts []gonogo.Count, empty string) InsightTable {
	t := InsightTable{Name: name, Caption: caption, Empty: empty,
		Cols: []Col{{Head: what, CSV: "key"}, {Head: unit, CSV: "count", Num: true}}}
	for _, c := range counts {
		t.Rows = append(t.Rows, []Cell{{Text: c.Label, Raw: c.Key}, num(c.N)})
	}
	return t
}

// countsOf reads a two-column table back as counts, for its chart.
func countsOf(t InsightTable) []gonogo.Count {
	var out []gonogo.Count
	for _, r := range t.Rows {
		n, _ := strconv.Atoi(r[1].Text)
		out = append(out, gonogo.Count{Label: r[0].Text, N: n})
	}
	return out
}

func countChart(unit string, counts []gonogo.Count) *Chart {
	if len(counts) == 0 {
		return nil
	}
	c := &Chart{Kind: "bars", Horizontal: true, Series: []ChartSeries{{Name: unit}}}
	for _, n := range counts {
		c.Labels = append(c.Labels, n.Label)
		c.Series[0].Values = append(c.Series[0].Values, ptr(float64(n.N)))
	}
	return c
}

// spreadChart draws medians and 90th percentiles side by side.
func spreadChart(labels []string, spreads []gonogo.Spread) *Chart {
	if len(spreads) == 0 {
		return nil
	}
	unit := spanUnit(spreads...)
	c := &Chart{Kind: "bars", Horizontal: true, Labels: labels, Unit: unit,
		Series: []ChartSeries{{Name: "Median"}, {Name: "90th percentile"}}}
	for _, s := range spreads {
		c.Series[0].Values = append(c.Series[0].Values, spanValue(s, false, unit))
		c.Series[1].Values = append(c.Series[1].Values, spanValue(s, true, unit))
	}
	return c
}

func spreadCols(count string) []Col {
	return []Col{{Head: "Median", CSV: "median_hours", Num: true}, {Head: "90th percentile", CSV: "p90_hours", Num: true},
		{Head: count, CSV: "n", Num: true}}
}

func spreadCells(s gonogo.Spread) []Cell {
	return []Cell{spanCell(s, false), spanCell(s, true), num(s.N)}
}

// spanCell is a median or p90 as people read it, and in hours for the CSV.
func spanCell(s gonogo.Spread, p90 bool) Cell {
	if s.N == 0 {
		return Cell{Text: noValue}
	}
	d := s.Median
	if p90 {
		d = s.P90
	}
	return Cell{Text: gonogo.FormatSpan(d), Raw: strconv.FormatFloat(d.Hours(), 'f', 1, 64)}
}

// spanUnit is the unit a chart of spans reads best in: hours when the
// longest is under two days.
func spanUnit(spreads ...gonogo.Spread) string {
	for _, s := range spreads {
		if s.N > 0 && s.P90 >= 48*time.Hour {
			return "days"
		}
	}
	return "hours"
}

func spanValue(s gonogo.Spread, p90 bool, unit string) *float64 {
	if s.N == 0 {
		return nil
	}
	d := s.Median
	if p90 {
		d = s.P90
	}
	v := d.Hours()
	if unit == "days" {
		v /= 24
	}
	return ptr(float64(int(v*10+0.5)) / 10)
}

// noValue is shown for a figure with no case; its CSV cell is empty.
const noValue = "–"

func num(n int) Cell { return Cell{Text: strconv.Itoa(n)} }

func ptr(f float64) *float64 { return &f }

func floats(fs []float64) []*float64 {
	out := make([]*float64, len(fs))
	for i := range fs {
		out[i] = ptr(fs[i])
	}
	return out
}
