package handlers_test

import (
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/handlers"
)

const metricsToken = "a metrics token of some length"

// scrape reads /metrics as Prometheus would, with extra headers.
func scrape(t *testing.T, s *testServer, headers map[string]string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/metrics", nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, nil
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("metrics do not parse: %v", err)
	}
	return res.StatusCode, fams
}

// series returns the value of the series of family name whose labels
// include want, and whether there is one.
func series(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
		return 0, true
	}
	return 0, false
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	c := s.signIn(t, "qa")
	c.get("/releases/" + itoa(rel.ID))
	c.get("/releases/" + itoa(rel.ID))
	c.get("/no/such/page")
	c.get("/releases/" + itoa(rel.ID) + "/nothing-here")

	_, stop := openStream(t, c, "scope=board", "")
	defer stop()
	code, fams := scrape(t, s, nil) // from loopback, without a token
	if code != http.StatusOK {
		t.Fatalf("metrics from this machine: %d", code)
	}
	if n, _ := series(fams, "gonogo_http_requests_total", map[string]string{"method": "GET", "route": "/releases/:id", "code": "200"}); n != 2 {
		t.Errorf("release page requests counted %v, want 2", n)
	}
	if n, _ := series(fams, "gonogo_http_request_duration_seconds", map[string]string{"route": "/releases/:id"}); n != 2 {
		t.Errorf("release page latencies observed %v, want 2", n)
	}
	for _, m := range fams["gonogo_http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" && strings.ContainsAny(l.GetValue(), "0123456789") {
				t.Errorf("a route label holds a raw path: %q", l.GetValue())
			}
		}
	}
	if n, _ := series(fams, "gonogo_http_requests_total", map[string]string{"route": "unmatched", "code": "404"}); n != 2 {
		t.Errorf("stray paths counted %v under one series, want 2", n)
	}
	if n, ok := series(fams, "gonogo_sse_subscribers", nil); !ok || n != 1 {
		t.Errorf("SSE subscribers %v (%t), want 1", n, ok)
	}
	for _, pool := range []string{"write", "read"} {
		if _, ok := series(fams, "go_sql_open_connections", map[string]string{"db_name": pool}); !ok {
			t.Errorf("no pool statistics for the %s pool", pool)
		}
	}
	for _, name := range []string{"gonogo_webhook_delivery_failures_total", "gonogo_webhook_deliveries_given_up_total",
		"go_sql_wait_count_total", "process_resident_memory_bytes", "go_goroutines"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("metric %s is missing", name)
		}
	}
}

func TestMetricsCountWebhookFailures(t *testing.T) {
	s := newServer(t)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	if _, err := s.store.CreateWebhook(t.Context(), s.actorOf("admin"), gonogo.WebhookInput{URL: failing.URL + "/hook",
		Secret: "a long enough secret", Topics: []gonogo.Topic{gonogo.TopicVote}}); err != nil {
		t.Fatal(err)
	}
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteGo, "")

	// One try and len(testBackoff) retries, all refused, then it gives up.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, fams := scrape(t, s, nil)
		failed, _ := series(fams, "gonogo_webhook_delivery_failures_total", nil)
		gaveUp, _ := series(fams, "gonogo_webhook_deliveries_given_up_total", nil)
		if failed == float64(len(testBackoff)+1) && gaveUp == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("failed attempts %v, given up %v", failed, gaveUp)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMetricsAccess: metrics are for this machine, or for whoever holds
// the metrics token. A request from elsewhere is simulated the way it
// arrives in production, through a trusted proxy that names the client.
func TestMetricsAccess(t *testing.T) {
	loopback := []*net.IPNet{{IP: net.IPv4(127, 0, 0, 0), Mask: net.CIDRMask(8, 32)}}
	withToken := newServer(t, func(c *handlers.Config) { c.TrustedProxies, c.MetricsToken = loopback, metricsToken })
	withoutToken := newServer(t, func(c *handlers.Config) { c.TrustedProxies = loopback })
	sameHostProxy := newServer(t) // a proxy on this host, not declared as trusted
	remote := map[string]string{"X-Forwarded-For": "203.0.113.7"}
	bearer := func(tok string) map[string]string {
		return map[string]string{"X-Forwarded-For": "203.0.113.7", "Authorization": "Bearer " + tok}
	}
	for _, tc := range []struct {
		name    string
		srv     *testServer
		headers map[string]string
		want    int
	}{
		{"this machine", withToken, nil, http.StatusOK},
		{"this machine, no token set", withoutToken, nil, http.StatusOK},
		{"elsewhere with the token", withToken, bearer(metricsToken), http.StatusOK},
		{"elsewhere without a token", withToken, remote, http.StatusUnauthorized},
		{"elsewhere with a wrong token", withToken, bearer("not the metrics token"), http.StatusUnauthorized},
		{"elsewhere with the token as basic auth", withToken, map[string]string{"X-Forwarded-For": "203.0.113.7",
			"Authorization": "Basic " + metricsToken}, http.StatusUnauthorized},
		{"this machine with a wrong token", withToken, map[string]string{"Authorization": "Bearer wrong"}, http.StatusUnauthorized},
		{"elsewhere, no token set", withoutToken, remote, http.StatusForbidden},
		{"elsewhere, no token set, trying one", withoutToken, bearer(metricsToken), http.StatusForbidden},
		{"elsewhere through a proxy on this host", sameHostProxy, remote, http.StatusForbidden},
		{"this machine claiming to be forwarded from itself", sameHostProxy, map[string]string{"X-Forwarded-For": "127.0.0.1"}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, fams := scrape(t, tc.srv, tc.headers)
			if code != tc.want {
				t.Fatalf("status %d, want %d", code, tc.want)
			}
			if code == http.StatusOK && fams["gonogo_sse_subscribers"] == nil {
				t.Fatal("the metrics lack the live streams")
			}
		})
	}
}

// TestMetricsDORA reads the DORA four of each product from /metrics, as a
// Prometheus server would, over the last 30 days of the known history of
// insightsServer (November in Berlin), and checks each against it: a
// product with no history has its series too, at zero or NaN.
func TestMetricsDORA(t *testing.T) {
	s := insightsServer(t)
	if _, err := s.store.CreateProduct(t.Context(), s.actorOf("admin"), gonogo.ProductInput{Key: "mobile", Name: "Mobile"}); err != nil {
		t.Fatal(err)
	}
	_, fams := scrape(t, s, nil)
	const hour = 3600.0
	for _, tc := range []struct {
		name    string
		labels  map[string]string
		want    float64
		product string
	}{
		{"gonogo_dora_deployments", nil, 3, "payments"},
		{"gonogo_dora_deployments_per_week", nil, 3.0 * 7 / 30, "payments"},
		{"gonogo_dora_deployments_ended", nil, 3, "payments"},
		{"gonogo_dora_deployments_failed", nil, 1, "payments"},
		{"gonogo_dora_change_failure_ratio", nil, 1.0 / 3, "payments"},
		{"gonogo_dora_lead_time_seconds", map[string]string{"quantile": "0.5"}, (51 + 25) * hour / 2, "payments"},
		{"gonogo_dora_lead_time_seconds", map[string]string{"quantile": "0.9"}, 51 * hour, "payments"},
		{"gonogo_dora_lead_time_releases", nil, 2, "payments"},
		{"gonogo_dora_time_to_restore_seconds", map[string]string{"quantile": "0.5"}, 48 * hour, "payments"},
		{"gonogo_dora_time_to_restore_seconds", map[string]string{"quantile": "0.9"}, 48 * hour, "payments"},
		{"gonogo_dora_restores", nil, 1, "payments"},
		{"gonogo_dora_deployments", nil, 1, "web"},
		{"gonogo_dora_change_failure_ratio", nil, 0, "web"},
		{"gonogo_dora_lead_time_seconds", map[string]string{"quantile": "0.5"}, 27 * hour, "web"},
		{"gonogo_dora_restores", nil, 0, "web"},
		{"gonogo_dora_deployments", nil, 0, "mobile"},
		{"gonogo_dora_deployments_per_week", nil, 0, "mobile"},
		{"gonogo_dora_change_failure_ratio", nil, math.NaN(), "mobile"},
		{"gonogo_dora_lead_time_seconds", map[string]string{"quantile": "0.9"}, math.NaN(), "mobile"},
		{"gonogo_dora_time_to_restore_seconds", map[string]string{"quantile": "0.5"}, math.NaN(), "web"},
	} {
		labels := map[string]string{"product": tc.product}
		for k, v := range tc.labels {
			labels[k] = v
		}
		got, ok := series(fams, tc.name, labels)
		if !ok {
			t.Errorf("%s%v: no such series", tc.name, labels)
			continue
		}
		if f := fams[tc.name]; f.GetType() != dto.MetricType_GAUGE || !strings.Contains(f.GetHelp(), "the last 30 days") {
			t.Errorf("%s: type %s, help %q: want a gauge whose help names its window", tc.name, f.GetType(), f.GetHelp())
		}
		if got != tc.want && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("%s%v = %v, want %v", tc.name, labels, got, tc.want)
		}
	}
	// Series of every product the board has, and of none other.
	var products []string
	for _, m := range fams["gonogo_dora_deployments"].GetMetric() {
		for _, l := range m.GetLabel() {
			products = append(products, l.GetValue())
		}
	}
	if !slices.Equal(products, []string{"mobile", "payments", "web"}) {
		t.Errorf("DORA series of %v", products)
	}
}
