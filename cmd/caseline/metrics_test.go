package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestMetricsAfterAConversationAndAnEscalation runs `caseline dev`, has someone new ask for
// help by SMS (which opens an escalation to the on-call duty officer), dials the USSD menu
// and reads the API, then scrapes /metrics: every metric the README and deploy/ name is
// there, with a value that fits what happened. The alert rules and the dashboard in deploy/
// name only metrics the exposition has.
func TestMetricsAfterAConversationAndAnEscalation(t *testing.T) {
	endToEnd(t)
	s := startDev(t)
	ctx := context.Background()

	ph := s.phone("+84987650777")
	for _, in := range []string{"GIUP", "1", "1", "1", "2"} { // help: health, no description, no commune, not in danger
		_, err := ph.SMS(ctx, in)
		require.NoError(t, err, "sms %q", in)
	}
	s.waitMessage("the on-call duty officer is told", "+84901000109",
		regexp.MustCompile(`^Caseline #(\d+): \+84987650777 can tro giup`), dispatchSlack)
	_, err := s.phone("+84987650778").DialUSSD(ctx, "*123#")
	require.NoError(t, err)
	s.api("GET", "/escalations?status=open", nil, http.StatusOK, nil)
	s.api("GET", "/help-requests", nil, http.StatusOK, nil)
	s.api("GET", "/no-such-thing", nil, http.StatusNotFound, nil)

	var fams map[string]*dto.MetricFamily
	s.eventually("the dispatcher's pass shows", 30*time.Second, func() (bool, string) {
		fams = scrape(t, s.base+"/metrics")
		_, ok := fams["caseline_dispatcher_lag_seconds"]
		return ok, "no caseline_dispatcher_lag_seconds yet"
	})

	value := func(name string, labels map[string]string) float64 {
		t.Helper()
		f, ok := fams[name]
		require.True(t, ok, "%s is exposed", name)
		for _, m := range f.GetMetric() {
			if matches(m, labels) {
				switch {
				case m.GetGauge() != nil:
					return m.GetGauge().GetValue()
				case m.GetCounter() != nil:
					return m.GetCounter().GetValue()
				case m.GetHistogram() != nil:
					return float64(m.GetHistogram().GetSampleCount())
				}
			}
		}
		require.Failf(t, "no series", "%s%v", name, labels)
		return 0
	}

	// The help request opened one escalation, not urgent, at the first rung; nothing is late.
	require.GreaterOrEqual(t, value("caseline_escalations_open", map[string]string{"level": "0", "urgency": "normal"}), 1.0)
	require.Zero(t, value("caseline_escalations_open", map[string]string{"level": "2", "urgency": "urgent"}))
	for _, level := range []string{"0", "1", "2"} {
		require.Zero(t, value("caseline_escalations_overdue", map[string]string{"level": level}))
	}
	require.Zero(t, value("caseline_help_requests_unrouted", nil), "the duty officer was told")

	// Five SMS in and their five replies, sent; the USSD hop; the escalation's SMS.
	require.GreaterOrEqual(t, value("caseline_messages_last_hour",
		map[string]string{"direction": "in", "channel": "sms", "provider": "twilio", "status": "received"}), 5.0)
	require.GreaterOrEqual(t, value("caseline_messages_last_hour",
		map[string]string{"direction": "in", "channel": "ussd", "provider": "africastalking", "status": "received"}), 1.0)
	require.GreaterOrEqual(t, value("caseline_messages_last_hour",
		map[string]string{"direction": "out", "channel": "sms", "provider": "twilio", "status": "sent"}), 1.0)

	pending := value("caseline_outbox_pending", nil)
	require.GreaterOrEqual(t, pending, 0.0)
	oldest := value("caseline_outbox_oldest_due_seconds", nil)
	require.True(t, oldest >= 0 && oldest < 60, "nothing waits long: %v s", oldest)
	lag := value("caseline_dispatcher_lag_seconds", nil)
	require.True(t, lag >= 0 && lag < 30, "a pass ended within the last seconds: %v s", lag)
	took := value("caseline_dispatcher_pass_seconds", nil)
	require.True(t, took >= 0 && took < 5, "a pass took %v s", took)
	require.Zero(t, value("caseline_spool_depth", nil))

	require.GreaterOrEqual(t, value("caseline_turn_duration_seconds", map[string]string{"channel": "sms"}), 5.0)
	require.GreaterOrEqual(t, value("caseline_turn_duration_seconds", map[string]string{"channel": "ussd"}), 1.0)

	// Each API route under its own pattern; a path no route takes under the mount's.
	require.GreaterOrEqual(t, value("caseline_http_requests_total",
		map[string]string{"route": "GET /api/v1/escalations", "code": "200"}), 1.0)
	require.GreaterOrEqual(t, value("caseline_http_requests_total",
		map[string]string{"route": "GET /api/v1/help-requests", "code": "200"}), 1.0)
	require.GreaterOrEqual(t, value("caseline_http_requests_total",
		map[string]string{"route": "/api/v1/", "code": "404"}), 1.0)
	for _, m := range fams["caseline_http_requests_total"].GetMetric() {
		if label(m, "route") == "/api/v1/" {
			require.Equal(t, "404", label(m, "code"), "only unrouted API requests keep the mount's label")
		}
	}
	require.GreaterOrEqual(t, value("caseline_http_requests_total",
		map[string]string{"route": "POST /twilio/sms", "code": "200"}), 5.0)

	// deploy/ names only what is exposed.
	for _, name := range deployMetricNames(t) {
		_, ok := fams[name]
		require.True(t, ok, "deploy/ names %s, which /metrics does not expose", name)
	}
	require.NoError(t, s.proc.stop(t))
}

// scrape reads u's Prometheus text exposition.
func scrape(t *testing.T, u string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return fams
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func matches(m *dto.Metric, want map[string]string) bool {
	for k, v := range want {
		if label(m, k) != v {
			return false
		}
	}
	return true
}

// deployMetricNames lists the caseline_ metrics the alert rules and the dashboard in deploy/
// name, by family (a histogram's _bucket, _count and _sum are its family's), after checking
// both files parse.
func deployMetricNames(t *testing.T) []string {
	t.Helper()
	var exprs []string
	raw, err := os.ReadFile("../../deploy/prometheus/alerts.yaml")
	require.NoError(t, err)
	var rules struct {
		Groups []struct {
			Name  string
			Rules []struct {
				Alert string
				Expr  string
			}
		}
	}
	require.NoError(t, yaml.Unmarshal(raw, &rules), "alerts.yaml is YAML")
	require.NotEmpty(t, rules.Groups)
	alerts := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			require.NotEmpty(t, r.Alert)
			require.NotEmpty(t, r.Expr, r.Alert)
			alerts[r.Alert] = true
			exprs = append(exprs, r.Expr)
		}
	}
	for _, want := range []string{"CaselineEscalationOverdue", "CaselineHelpUnrouted", "CaselineDispatcherLagging",
		"CaselineOutboxBehind", "CaselineSpooling"} {
		require.True(t, alerts[want], "alerts.yaml has %s", want)
	}
	raw, err = os.ReadFile("../../deploy/grafana/caseline.json")
	require.NoError(t, err)
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	require.NoError(t, json.Unmarshal(raw, &dash), "the dashboard is JSON")
	require.NotEmpty(t, dash.Panels)
	for _, p := range dash.Panels {
		require.NotEmpty(t, p.Targets, p.Title)
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	seen := map[string]bool{}
	var names []string
	for _, e := range exprs {
		for _, n := range regexp.MustCompile(`caseline_[a-z_]+`).FindAllString(e, -1) {
			for _, suffix := range []string{"_bucket", "_count", "_sum"} {
				n = strings.TrimSuffix(n, suffix)
			}
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	require.Greater(t, len(names), 8)
	return names
}
