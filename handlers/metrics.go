package handlers

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gonogo/gonogo"
)

// metrics are the server's Prometheus metrics. They live in a registry of
// the Handler's own, not the global one, so that each server (each test
// server too) counts only what it serves.
type metrics struct {
	reg      *prometheus.Registry
	serve    http.Handler
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// streamRefusals counts live streams turned away, by the cap they hit.
	streamRefusals *prometheus.CounterVec
	// trackerDeliveries counts the trackers' webhook deliveries (hooks.go),
	// by tracker and by what became of them.
	trackerDeliveries *prometheus.CounterVec
	// alertDeliveries counts Alertmanager's and Grafana's deliveries
	// (hooks_alerts.go), by source and by what became of them.
	alertDeliveries *prometheus.CounterVec
}

// latencyBuckets are finer than Prometheus's defaults at the low end,
// where a page of this board should answer (p99 within 20 ms).
var latencyBuckets = []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10}

func newMetrics(h *Handler) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gonogo_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gonogo_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method and route pattern.",
			Buckets: latencyBuckets,
		}, []string{"method", "route"}),
		streamRefusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gonogo_sse_streams_refused_total",
			Help: "Live streams refused with 429, by the cap reached: session, user or server.",
		}, []string{"reason"}),
		trackerDeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gonogo_tracker_deliveries_total",
			Help: "Webhook deliveries from GitHub, GitLab and Jira, by tracker and outcome: applied, stale, ignored, ping, or refused (unsigned, bad_signature, unknown, replayed, invalid, wrong_project, too_large).",
		}, []string{"tracker", "outcome"}),
	}
	m.alertDeliveries = newAlertDeliveries()
	// Every series exists from the start, at zero, so that an alert on a
	// rise of refusals has something to compare with.
	for _, k := range gonogo.TrackerKinds {
		for _, o := range hookOutcomes {
			m.trackerDeliveries.WithLabelValues(string(k), o)
		}
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.streamRefusals, m.trackerDeliveries, m.alertDeliveries,
		newPoolCollector(h.store.PoolStats),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gonogo_sse_subscribers",
			Help: "Live pages connected to the server-sent event stream.",
		}, func() float64 { return float64(h.streams.Subscribers()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gonogo_sse_subscribers_limit",
			Help: "How many live pages the server follows at once; more are refused with 429.",
		}, func() float64 { return float64(h.streams.Limits().Total) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gonogo_sse_renders_total",
			Help: "Notices, celebrations and cards rendered for the live pages: one per change and time zone, shared by every stream.",
		}, func() float64 { return float64(h.liveRenders.rendered.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "gonogo_password_hashes_total",
			Help: "Passwords checked or hashed with bcrypt (sign-in, password changes, setup, new people, resets).",
		}, func() float64 { return float64(h.hashes.hashed.Load()) }),
		passwordRefusals("throttled", &h.hashes.throttled),
		passwordRefusals("busy", &h.hashes.busy),
		newDORACollector(h),
	)
	if d := h.cfg.Webhooks; d != nil {
		m.reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "gonogo_webhook_delivery_failures_total",
				Help: "Webhook delivery attempts that failed (each retry counts).",
			}, func() float64 { n, _ := d.Failures(); return float64(n) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "gonogo_webhook_deliveries_given_up_total",
				Help: "Webhook deliveries abandoned after their last retry.",
			}, func() float64 { _, n := d.Failures(); return float64(n) }),
		)
	}
	if w := h.cfg.Mail; w != nil {
		m.reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "gonogo_mail_sent_total",
				Help: "Messages of the outbox the mail server took.",
			}, func() float64 { n, _, _ := w.Counts(); return float64(n) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "gonogo_mail_send_failures_total",
				Help: "Attempts to send a message that failed (each retry counts).",
			}, func() float64 { _, n, _ := w.Counts(); return float64(n) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "gonogo_mail_given_up_total",
				Help: "Messages failed after their last attempt, shown on Admin → Email.",
			}, func() float64 { _, _, n := w.Counts(); return float64(n) }),
		)
	}
	m.serve = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

// passwordRefusals counts the password checks refused for reason.
func passwordRefusals(reason string, n *atomic.Int64) prometheus.CounterFunc {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name:        "gonogo_password_refusals_total",
		Help:        "Password checks and hashes refused, by reason: throttled (too many wrong passwords) or busy (every hashing slot was taken).",
		ConstLabels: prometheus.Labels{"reason": reason},
	}, func() float64 { return float64(n.Load()) })
}

// measure counts and times every request by its route pattern, never its
// raw path, so that ids in URLs cannot multiply the series. It wraps the
// request log, which has already turned any error into the final status:
// a request whose client hung up counts under 499, never as a 5xx.
func (h *Handler) measure(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.Path()
		if route == "" { // no route matched: one series for every stray path
			route = "unmatched"
		}
		method := knownMethod(c.Request().Method)
		h.metrics.requests.WithLabelValues(method, route, strconv.Itoa(c.Response().Status)).Inc()
		h.metrics.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
		return err
	}
}

// knownMethod bounds the method label too: a client may send any word.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// showMetrics serves the metrics to whoever metricsAccess lets in.
func (h *Handler) showMetrics(c echo.Context) error {
	r := c.Request()
	local := isLoopback(c.RealIP()) && !forwarded(r)
	switch metricsAccess(local, r.Header.Get(echo.HeaderAuthorization), h.cfg.MetricsToken) {
	case http.StatusUnauthorized:
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="gonogo metrics"`)
		return c.String(http.StatusUnauthorized, "metrics need the metrics token\n")
	case http.StatusForbidden:
		return c.String(http.StatusForbidden, "metrics are served only on this machine (or with a metrics token)\n")
	}
	h.metrics.serve.ServeHTTP(c.Response(), r)
	return nil
}

// metricsAccess decides who reads /metrics: 200 for a client on this
// machine or one presenting the token, 401 for a wrong token or a missing
// one when a token is set, 403 otherwise. A wrong token is refused even
// from this machine: whoever sends one is not who it claims to be.
func metricsAccess(local bool, authorization, token string) int {
	bearer, hasBearer := strings.CutPrefix(authorization, "Bearer ")
	switch {
	case authorization != "" && token != "":
		if hasBearer && sameSecret(bearer, token) {
			return http.StatusOK
		}
		return http.StatusUnauthorized
	case local:
		return http.StatusOK
	case token != "":
		return http.StatusUnauthorized
	}
	return http.StatusForbidden
}

// sameSecret compares in constant time; hashing first hides the length too.
func sameSecret(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

func isLoopback(ip string) bool {
	parsed := net.ParseIP(ip)
	return parsed != nil && parsed.IsLoopback()
}

// forwarded reports whether a proxy says it passed the request on. A
// reverse proxy on the same host connects from loopback, so without this
// everyone it serves would look local; with trusted proxies configured,
// RealIP is already the client's own address, and this only adds caution.
func forwarded(r *http.Request) bool {
	return r.Header.Get(echo.HeaderXForwardedFor) != "" || r.Header.Get("Forwarded") != "" ||
		r.Header.Get(echo.HeaderXRealIP) != ""
}

// poolCollector exports the statistics of the writer and the readers
// under the names of Prometheus's own database/sql collector, so the
// usual dashboards read them.
type poolCollector struct {
	stats                    func() (write, read sql.DBStats)
	maxOpen, open, inUse     *prometheus.Desc
	idle, waitCount, waitDur *prometheus.Desc
}

func newPoolCollector(stats func() (write, read sql.DBStats)) *poolCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("go_sql_"+name, help, []string{"db_name"}, nil)
	}
	return &poolCollector{
		stats:     stats,
		maxOpen:   desc("max_open_connections", "Maximum number of open connections to the database."),
		open:      desc("open_connections", "The number of established connections both in use and idle."),
		inUse:     desc("in_use_connections", "The number of connections currently in use."),
		idle:      desc("idle_connections", "The number of idle connections."),
		waitCount: desc("wait_count_total", "The total number of connections waited for."),
		waitDur:   desc("wait_duration_seconds_total", "The total time blocked waiting for a new connection."),
	}
}

func (p *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.maxOpen, p.open, p.inUse, p.idle, p.waitCount, p.waitDur} {
		ch <- d
	}
}

func (p *poolCollector) Collect(ch chan<- prometheus.Metric) {
	write, read := p.stats()
	for name, s := range map[string]sql.DBStats{"write": write, "read": read} {
		ch <- prometheus.MustNewConstMetric(p.maxOpen, prometheus.GaugeValue, float64(s.MaxOpenConnections), name)
		ch <- prometheus.MustNewConstMetric(p.open, prometheus.GaugeValue, float64(s.OpenConnections), name)
		ch <- prometheus.MustNewConstMetric(p.inUse, prometheus.GaugeValue, float64(s.InUse), name)
		ch <- prometheus.MustNewConstMetric(p.idle, prometheus.GaugeValue, float64(s.Idle), name)
		ch <- prometheus.MustNewConstMetric(p.waitCount, prometheus.CounterValue, float64(s.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(p.waitDur, prometheus.CounterValue, s.WaitDuration.Seconds(), name)
	}
}

// doraDays is the window of the DORA gauges: the last 30 days.
const doraDays = 30

// doraCollector reports the DORA four of each product over the last
// doraDays days, whole days in the team's time zone with today included,
// as gauges: what the /insights page shows of a product over that period,
// for dashboards and alerts elsewhere. A scrape reads the facts once, from
// the store's memo between commits, and sums them per product
// (db.FindProductInsights): its cost does not grow with the products.
// Beside each ratio and each pair of quantiles are the counts they come
// from: below gonogo.SmallCount cases the counts, not the ratio, say what
// happened, as the page shows them.
type doraCollector struct {
	h                                          *Handler
	perWeek, deploys, ended, failed, failRatio *prometheus.Desc
	lead, leadN, restore, restoreN             *prometheus.Desc
}

func newDORACollector(h *Handler) *doraCollector {
	window := fmt.Sprintf("the last %d days (whole days in the team's time zone, today included)", doraDays)
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("gonogo_dora_"+name, help, append([]string{"product"}, labels...), nil)
	}
	return &doraCollector{h: h,
		perWeek: desc("deployments_per_week", "Deployment frequency: deployments started in "+window+", per week, by product."),
		deploys: desc("deployments", "Deployments started in "+window+", by product."),
		ended:   desc("deployments_ended", "Deployments started in "+window+" that ended (released or rolled back), by product."),
		failed:  desc("deployments_failed", "Deployments started in "+window+" that rolled back or failed their smoke test, by product."),
		failRatio: desc("change_failure_ratio", "Change failure rate: of the deployments started in "+window+
			" that ended, the share that rolled back or failed their smoke test, by product; NaN when none ended. "+
			fmt.Sprintf("Below %d ended, read gonogo_dora_deployments_failed and gonogo_dora_deployments_ended instead.", gonogo.SmallCount)),
		lead: desc("lead_time_seconds", "Lead time for changes: from a release's first review opened to its release, of the releases shipped in "+
			window+", by product: the median (quantile 0.5) and the 90th percentile (0.9); NaN when none shipped.", "quantile"),
		leadN: desc("lead_time_releases", "Releases shipped in "+window+" whose lead time is measured, by product."),
		restore: desc("time_to_restore_seconds", "Time to restore: from the rollback of a deployment started in "+window+
			" to the product's next release shipped, by product: the median (quantile 0.5) and the 90th percentile (0.9); NaN when there is none.", "quantile"),
		restoreN: desc("restores", "Rollbacks of deployments started in "+window+" that a release of the product has followed, by product."),
	}
}

func (d *doraCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, desc := range []*prometheus.Desc{d.perWeek, d.deploys, d.ended, d.failed, d.failRatio, d.lead, d.leadN, d.restore, d.restoreN} {
		ch <- desc
	}
}

// Collect reports every product's gauges. A failed read is logged and
// leaves them out of this scrape; the other metrics are still served.
func (d *doraCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := gonogo.LastDays(doraDays, d.h.store.Now(), d.h.zone(ctx))
	all, err := d.h.store.FindProductInsights(ctx, p)
	if err != nil {
		d.h.log.Error("read the DORA metrics", "err", err)
		return
	}
	gauge := func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
	}
	for _, in := range all {
		pr := in.Product
		gauge(d.perWeek, in.DeploysPerWeek(), pr)
		gauge(d.deploys, float64(in.Deploys), pr)
		gauge(d.ended, float64(in.Ended), pr)
		gauge(d.failed, float64(in.Failures), pr)
		ratio := math.NaN()
		if in.Ended > 0 {
			ratio = float64(in.Failures) / float64(in.Ended)
		}
		gauge(d.failRatio, ratio, pr)
		for _, q := range []struct {
			desc, n *prometheus.Desc
			s       gonogo.Spread
		}{{d.lead, d.leadN, in.LeadReview}, {d.restore, d.restoreN, in.Restore}} {
			med, p90 := math.NaN(), math.NaN()
			if q.s.N > 0 {
				med, p90 = q.s.Median.Seconds(), q.s.P90.Seconds()
			}
			gauge(q.desc, med, pr, "0.5")
			gauge(q.desc, p90, pr, "0.9")
			gauge(q.n, float64(q.s.N), pr)
		}
	}
}
