package handlers

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
)

// insightsParams are the query parameters GET /api/v1/insights takes: the
// /insights page's filters.
var insightsParams = []string{"product", "last", "from", "to"}

// showAPIInsights answers what the board's history says over a period,
// beside the period before, for teams that chart elsewhere: the figures
// of the /insights page in a JSON shape of their own (apiInsights), so
// the domain's types may change without a client noticing. A token
// limited to a product may ask for that product only.
func (h *Handler) showAPIInsights(c echo.Context) error {
	q := c.QueryParams()
	if err := checkInsightsQuery(q); err != nil {
		return err
	}
	product := q.Get("product")
	tok := apiToken(c)
	if _, given := q["product"]; !given && tok.Product != "" {
		return gonogo.Errorf(gonogo.EFORBIDDEN, "token %q is limited to product %s: ask for ?product=%s", tok.Name, tok.Product, tok.Product)
	}
	if err := tok.Permits(product); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if product != "" {
		products, err := h.store.FindProducts(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(products, func(p gonogo.Product) bool { return p.Key == product }) {
			return gonogo.Errorf(gonogo.ENOTFOUND, "no product %q", product)
		}
	}
	loc := h.zone(ctx)
	p, err := gonogo.ParsePeriod(q.Get("last"), q.Get("from"), q.Get("to"), h.store.Now(), loc)
	if err != nil {
		field := "last"
		if q.Has("from") || q.Has("to") {
			field = "from"
		}
		return badQuery(field, gonogo.ErrorMessage(err))
	}
	in, err := h.store.FindInsights(ctx, product, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, h.apiInsightsOf(in, loc))
}

// checkInsightsQuery refuses a query the API would have to guess at: a
// parameter it does not know (a typo such as "lats" would otherwise ask
// for the last 90 days), one given twice or empty, a product that is no
// product key, and a period asked for both ways.
func checkInsightsQuery(q url.Values) error {
	for _, name := range slices.Sorted(maps.Keys(q)) {
		vs := q[name]
		switch {
		case !slices.Contains(insightsParams, name):
			return badQuery(name, fmt.Sprintf("The query has a parameter %q, which is not one of its parameters: %s", name, strings.Join(insightsParams, ", ")))
		case len(vs) > 1:
			return badQuery(name, fmt.Sprintf("Give %s once, not %d times", name, len(vs)))
		case vs[0] == "":
			return badQuery(name, name+" is empty: leave it out to ask for none")
		}
	}
	if p := q.Get("product"); p != "" {
		if err := gonogo.ValidateProduct(p); err != nil {
			return badQuery("product", gonogo.ErrorMessage(err))
		}
	}
	if q.Has("last") && (q.Has("from") || q.Has("to")) {
		return badQuery("last", "Ask for the last days or for a range from and to, not both")
	}
	return nil
}

// badQuery is a malformed request (400) whose reasons name the parameter.
func badQuery(name, msg string) error {
	return &echo.HTTPError{Code: http.StatusBadRequest, Message: msg, Internal: gonogo.FieldErrorf(name, "%s", msg)}
}

// apiInsights is GET /api/v1/insights' answer, as openapi.json's Insights
// describes it. Durations are in seconds and times in RFC 3339, in the
// team's time zone. Figures of fewer than small_count cases are counts:
// a share of them has no ratio, and no median is a trend.
type apiInsights struct {
	Product        *string    `json:"product"` // null for every product
	TimeZone       string     `json:"time_zone"`
	SmallCount     int        `json:"small_count"`
	Period         apiPeriod  `json:"period"`
	PreviousPeriod apiPeriod  `json:"previous_period"`
	Current        apiFigures `json:"current"`
	Previous       apiFigures `json:"previous"`

	Weeks           []apiWeek         `json:"weeks"`
	TimeInState     []apiStateTime    `json:"time_in_state"`
	MultiCycle      int               `json:"multi_cycle_releases"`
	NoGoReasons     []apiReason       `json:"no_go_reasons"`
	Waits           []apiRoleWait     `json:"waits"`
	ProductWaits    []apiProductWait  `json:"product_waits"`
	Checklist       apiChecklist      `json:"checklist"`
	Defects         apiDefects        `json:"defects"`
	DecisionQuality []apiQualitySplit `json:"decision_quality"`
	PostRelease     apiPostRelease    `json:"post_release"`
}

// apiPostRelease is how the releases whose deployment ended turned out,
// by their post-release reviews, in each period.
type apiPostRelease struct {
	Current  apiReviewMix `json:"current"`
	Previous apiReviewMix `json:"previous"`
}

type apiReviewMix struct {
	Clean      int `json:"clean"`
	Degraded   int `json:"degraded"`
	Incident   int `json:"incident"`
	RolledBack int `json:"rolled_back"`
	Missing    int `json:"missing"`
}

func reviewMixOf(m gonogo.ReviewMix) apiReviewMix {
	return apiReviewMix{Clean: m.Outcomes[gonogo.ReviewClean], Degraded: m.Outcomes[gonogo.ReviewDegraded],
		Incident: m.Outcomes[gonogo.ReviewIncident], RolledBack: m.Outcomes[gonogo.ReviewRolledBack], Missing: m.Missing}
}

// apiPeriod is a span of whole days: from the first day's midnight up to,
// not including, the midnight after the last.
type apiPeriod struct {
	From     string `json:"from"`
	To       string `json:"to"`
	FirstDay string `json:"first_day"`
	LastDay  string `json:"last_day"`
	Days     int    `json:"days"`
}

// apiFigures are the figures the API gives for both periods.
type apiFigures struct {
	Shipped            int       `json:"shipped"`
	Cancelled          int       `json:"cancelled"`
	LeadTimeFromReview apiSpread `json:"lead_time_from_review"`
	LeadTimeFromGo     apiSpread `json:"lead_time_from_go"`
	Deployments        int       `json:"deployments"`
	DeploymentsPerWeek float64   `json:"deployments_per_week"`
	DeploymentsEnded   int       `json:"deployments_ended"`
	DeploymentsFailed  int       `json:"deployments_failed"`
	ChangeFailureRate  apiShare  `json:"change_failure_rate"`
	TimeToRestore      apiSpread `json:"time_to_restore"`
	Go                 int       `json:"go"`
	NoGo               int       `json:"no_go"`
	GoRate             apiShare  `json:"go_rate"`
}

// apiSpread is how many durations, their median and 90th percentile, in
// seconds; null when there are none.
type apiSpread struct {
	Count         int      `json:"count"`
	MedianSeconds *float64 `json:"median_seconds"`
	P90Seconds    *float64 `json:"p90_seconds"`
}

// apiShare is part of a whole; the ratio is null when the whole is below
// small_count, where the page too shows the counts alone.
type apiShare struct {
	Part  int      `json:"part"`
	Whole int      `json:"whole"`
	Ratio *float64 `json:"ratio"`
}

type apiWeek struct {
	Start       string `json:"start"`
	Shipped     int    `json:"shipped"`
	Deployments int    `json:"deployments"`
}

type apiStateTime struct {
	State gonogo.State `json:"state"`
	apiSpread
}

type apiReason struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// apiRoleWait is how long reviews waited on a role's first vote.
type apiRoleWait struct {
	Role gonogo.Role `json:"role"`
	apiSpread
}

// apiProductWait is the same for one product's reviews.
type apiProductWait struct {
	Product string `json:"product"`
	apiRoleWait
}

type apiItemCount struct {
	Title string `json:"title"`
	Count int    `json:"count"`
}

// apiNACount is an item set not applicable, and its reasons' most
// common words.
type apiNACount struct {
	apiItemCount
	Words []string `json:"common_words"`
}

type apiChecklist struct {
	Failed        []apiItemCount `json:"failed"`
	NotApplicable []apiNACount   `json:"not_applicable"`
	LastDone      []apiItemCount `json:"last_done"`
}

type apiDefects struct {
	Found               map[gonogo.Severity]int `json:"found"`
	Releases            []apiReleaseDefects     `json:"releases"`
	MoreReleases        int                     `json:"more_releases"`
	DeferringReleases   int                     `json:"deferring_releases"`
	DeferringRolledBack apiShare                `json:"deferring_rolled_back"`
}

type apiReleaseDefects struct {
	ReleaseID int64                   `json:"release_id"`
	Product   string                  `json:"product"`
	Version   string                  `json:"version"`
	URL       string                  `json:"url"`
	Found     map[gonogo.Severity]int `json:"found"`
}

type apiQualitySplit struct {
	Key     string      `json:"key"`
	Label   string      `json:"label"`
	With    apiOutcomes `json:"with"`
	Without apiOutcomes `json:"without"`
}

type apiOutcomes struct {
	Clean       int      `json:"clean"`
	SmokeFailed int      `json:"smoke_failed"`
	RolledBack  int      `json:"rolled_back"`
	Failed      apiShare `json:"failed"`
}

// apiInsightsOf writes in as the API answers it, its times in loc.
func (h *Handler) apiInsightsOf(in gonogo.Insights, loc *time.Location) apiInsights {
	out := apiInsights{
		TimeZone: loc.String(), SmallCount: gonogo.SmallCount,
		Period: apiPeriodOf(in.Period), PreviousPeriod: apiPeriodOf(in.Prev),
		Current: apiFigures{
			Shipped: in.Shipped, Cancelled: in.Cancelled,
			LeadTimeFromReview: spreadOf(in.LeadReview), LeadTimeFromGo: spreadOf(in.LeadGo),
			Deployments: in.Deploys, DeploymentsPerWeek: in.DeploysPerWeek(), DeploymentsEnded: in.Ended,
			DeploymentsFailed: in.Failures, ChangeFailureRate: shareOf(in.Failures, in.Ended),
			TimeToRestore: spreadOf(in.Restore), Go: in.Go, NoGo: in.NoGo, GoRate: shareOf(in.Go, in.Go+in.NoGo),
		},
		Previous: apiFigures{
			Shipped: in.PrevShipped, Cancelled: in.PrevCancels,
			LeadTimeFromReview: spreadOf(in.PrevLeadReview), LeadTimeFromGo: spreadOf(in.PrevLeadGo),
			Deployments: in.PrevDeploys, DeploymentsPerWeek: gonogo.Insights{Deploys: in.PrevDeploys, Period: in.Prev}.DeploysPerWeek(),
			DeploymentsEnded: in.PrevEnded, DeploymentsFailed: in.PrevFailures, ChangeFailureRate: shareOf(in.PrevFailures, in.PrevEnded),
			TimeToRestore: spreadOf(in.PrevRestore), Go: in.PrevGo, NoGo: in.PrevNoGo, GoRate: shareOf(in.PrevGo, in.PrevGo+in.PrevNoGo),
		},
		Weeks:        make([]apiWeek, 0, len(in.Weeks)),
		TimeInState:  make([]apiStateTime, 0, len(in.InState)),
		MultiCycle:   in.MultiCycle,
		NoGoReasons:  make([]apiReason, 0, len(in.Why)),
		Waits:        make([]apiRoleWait, 0, len(in.Waits)),
		ProductWaits: make([]apiProductWait, 0, len(in.ProductWaits)),
		Checklist: apiChecklist{Failed: itemCounts(in.Failed), NotApplicable: make([]apiNACount, 0, len(in.NA)),
			LastDone: itemCounts(in.LastDone)},
		DecisionQuality: make([]apiQualitySplit, 0, len(in.Quality)),
		PostRelease:     apiPostRelease{Current: reviewMixOf(in.Reviews), Previous: reviewMixOf(in.PrevReviews)},
	}
	if in.Product != "" {
		out.Product = &in.Product
	}
	for _, w := range in.Weeks {
		out.Weeks = append(out.Weeks, apiWeek{Start: w.Start.In(loc).Format(time.RFC3339), Shipped: w.Shipped, Deployments: w.Deploys})
	}
	for _, s := range in.InState {
		out.TimeInState = append(out.TimeInState, apiStateTime{State: s.State, apiSpread: spreadOf(s.Spread)})
	}
	for _, w := range in.Waits {
		out.Waits = append(out.Waits, apiRoleWait{Role: w.Role, apiSpread: spreadOf(w.Spread)})
	}
	for _, w := range in.ProductWaits {
		out.ProductWaits = append(out.ProductWaits, apiProductWait{Product: w.Product, apiRoleWait: apiRoleWait{Role: w.Role, apiSpread: spreadOf(w.Spread)}})
	}
	for _, c := range in.NA {
		out.Checklist.NotApplicable = append(out.Checklist.NotApplicable, apiNACount{apiItemCount{c.Key, c.N}, append([]string{}, c.Words...)})
	}
	for _, w := range in.Why {
		out.NoGoReasons = append(out.NoGoReasons, apiReason{Kind: w.Key, Label: w.Label, Count: w.N})
	}
	out.Defects = apiDefects{Found: severities(in.DefectsFound), Releases: make([]apiReleaseDefects, 0, len(in.Defects)),
		MoreReleases: in.DefectsMore, DeferringReleases: in.Deferring, DeferringRolledBack: shareOf(in.DeferringBack, in.Deferring)}
	for _, d := range in.Defects {
		out.Defects.Releases = append(out.Defects.Releases, apiReleaseDefects{ReleaseID: d.ReleaseID, Product: d.Product,
			Version: d.Version, URL: h.releaseURL(d.ReleaseID), Found: severities(d.Found)})
	}
	for _, q := range in.Quality {
		out.DecisionQuality = append(out.DecisionQuality, apiQualitySplit{Key: q.Key, Label: q.Label,
			With: outcomesOf(q.With), Without: outcomesOf(q.Without)})
	}
	return out
}

func apiPeriodOf(p gonogo.Period) apiPeriod {
	return apiPeriod{From: p.From.Format(time.RFC3339), To: p.To.Format(time.RFC3339),
		FirstDay: p.From.Format(time.DateOnly), LastDay: p.Last().Format(time.DateOnly), Days: p.Days}
}

func spreadOf(s gonogo.Spread) apiSpread {
	out := apiSpread{Count: s.N}
	if s.N > 0 {
		med, p90 := s.Median.Seconds(), s.P90.Seconds()
		out.MedianSeconds, out.P90Seconds = &med, &p90
	}
	return out
}

// shareOf is part of whole, with the ratio only where the page would show
// a percentage (gonogo.Share): from gonogo.SmallCount cases up.
func shareOf(part, whole int) apiShare {
	out := apiShare{Part: part, Whole: whole}
	if whole >= gonogo.SmallCount {
		r := float64(part) / float64(whole)
		out.Ratio = &r
	}
	return out
}

func itemCounts(cs []gonogo.Count) []apiItemCount {
	out := make([]apiItemCount, 0, len(cs))
	for _, c := range cs {
		out = append(out, apiItemCount{Title: c.Key, Count: c.N})
	}
	return out
}

// severities counts by severity, every severity named, none left out.
func severities(found map[gonogo.Severity]int) map[gonogo.Severity]int {
	out := make(map[gonogo.Severity]int, len(gonogo.Severities))
	for _, s := range gonogo.Severities {
		out[s] = found[s]
	}
	return out
}

func outcomesOf(o gonogo.Outcomes) apiOutcomes {
	return apiOutcomes{Clean: o.Clean, SmokeFailed: o.SmokeFailed, RolledBack: o.RolledBack,
		Failed: shareOf(o.SmokeFailed+o.RolledBack, o.Total())}
}
