package handlers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// Insights (insights.go): what the board's history says for a product, or
// all of them, over a period, beside the period before; every table of the
// page also as CSV (?format=csv&table=name).

// glanceDays is the period a product's page glances at.
const glanceDays = 90

// recentReleases is how many of a product's latest releases its page lists.
const recentReleases = 10

func (h *Handler) showInsights(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.QueryParams()
	products, err := h.store.FindProducts(ctx)
	if err != nil {
		return err
	}
	v := views.InsightsView{Products: products, Product: q.Get("product"), Last: q.Get("last"),
		From: q.Get("from"), To: q.Get("to"), Choices: gonogo.PeriodChoices}
	if v.Last == "" && v.From == "" && v.To == "" {
		v.Last = "90"
	}
	loc := h.zone(ctx)
	period, err := gonogo.ParsePeriod(q.Get("last"), v.From, v.To, h.store.Now(), loc)
	if err == nil && v.Product != "" && !slices.ContainsFunc(products, func(p gonogo.Product) bool { return p.Key == v.Product }) {
		err = gonogo.Errorf(gonogo.EINVALID, "there is no product %q: choose one from the list", v.Product)
	}
	csvTable := q.Get("format") == "csv"
	if f := q.Get("format"); f != "" && !csvTable && err == nil {
		err = gonogo.Errorf(gonogo.EINVALID, "the insights come as the page or as CSV (format=csv), not %q", f)
	}
	if err != nil {
		if csvTable {
			return echo.NewHTTPError(http.StatusBadRequest, gonogo.ErrorMessage(err))
		}
		v.Error = gonogo.ErrorMessage(err)
		return render(c, http.StatusBadRequest, views.InsightsPage(h.page(c, "Insights", "insights"), v))
	}
	if n, err := strconv.Atoi(v.Last); err == nil && !slices.Contains(v.Choices, n) {
		v.Choices = append(slices.Clone(v.Choices), n) // a period asked by address stays chosen
		slices.Sort(v.Choices)
	}
	in, err := h.store.FindInsights(ctx, v.Product, period)
	if err != nil {
		return err
	}
	v.Period, v.Prev, v.Query = period.String(), in.Prev.String(), insightsQuery(v)
	v.Sections = views.InsightSections(in)
	if csvTable {
		return writeInsightsCSV(c, v, period)
	}
	return render(c, http.StatusOK, views.InsightsPage(h.page(c, "Insights", "insights"), v))
}

// insightsQuery is the filter of v as the page's links carry it.
func insightsQuery(v views.InsightsView) string {
	q := url.Values{}
	if v.Product != "" {
		q.Set("product", v.Product)
	}
	if v.From != "" || v.To != "" {
		q.Set("from", v.From)
		q.Set("to", v.To)
	} else {
		q.Set("last", v.Last)
	}
	return q.Encode()
}

// writeInsightsCSV answers one table of the page as CSV, named for the
// table, the product and the period.
func writeInsightsCSV(c echo.Context, v views.InsightsView, p gonogo.Period) error {
	name := c.QueryParam("table")
	t, ok := v.Table(name)
	if !ok {
		return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("there is no table %q; the tables are %s", name, gonogo.List(v.TableNames())))
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(t.CSVHeads())
	w.WriteAll(t.CSVRows()) // flushes
	if err := w.Error(); err != nil {
		return err
	}
	product := v.Product
	if product == "" {
		product = "all"
	}
	file := fmt.Sprintf("insights-%s-%s-%s-to-%s.csv", t.Name, product, p.From.Format("2006-01-02"), p.Last().Format("2006-01-02"))
	c.Response().Header().Set(echo.HeaderContentDisposition, "attachment; filename="+strconv.Quote(file))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// productGlance is the last 90 days of a product, for its page.
func (h *Handler) productGlance(c echo.Context, key string) (views.ProductGlance, error) {
	ctx := c.Request().Context()
	p := gonogo.LastDays(glanceDays, h.store.Now(), h.zone(ctx))
	in, err := h.store.FindInsights(ctx, key, p)
	if err != nil {
		return views.ProductGlance{}, err
	}
	g := views.ProductGlance{Period: "The last " + strconv.Itoa(glanceDays) + " days: " + p.String() + ".",
		Shipped:     gonogo.CountReading(in.Shipped, in.PrevShipped, "release shipped", "releases shipped"),
		Lead:        gonogo.Reading("lead time from review to release", in.LeadReview, in.PrevLeadReview, "No release shipped."),
		WaitsOn:     "No review has a vote yet.",
		FailureRate: "No deployment ended.",
		InsightsURL: "/insights?product=" + url.QueryEscape(key)}
	if in.Ended > 0 {
		g.FailureRate = in.FailureRate() + " deployments failed."
	}
	g.Reviews = "No release ended its deployment."
	if in.Reviews.Total() > 0 {
		g.Reviews = views.ReviewMixText(in.Reviews)
	}
	if w, ok := in.WaitsOn(); ok {
		g.WaitsOn = fmt.Sprintf("%s: median %s to the first vote.", w.Role.Label(), gonogo.FormatSpan(w.Spread.Median))
	}
	return g, nil
}
