package gateway_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/gateway"
)

func TestMetricsCountRequestsByRoutePatternAndStatus(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	h := gateway.NewHandler(gateway.Deps{Log: zerolog.Nop(), Metrics: reg})
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/readyz", nil))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	require.Contains(t, body, `caseline_http_requests_total{code="200",route="GET /healthz"} 3`)
	require.Contains(t, body, `caseline_http_requests_total{code="200",route="GET /readyz"} 1`)
	require.Contains(t, body, `caseline_http_request_duration_seconds_count{route="GET /healthz"} 3`)
}

// TestSubHandlerRoutesGetTheirOwnLabel: a handler mounted under a prefix that dispatches
// through a ServeMux of its own (the API, a console) has each of its routes counted under
// the pattern its mux matched, with no list kept in the gateway; a path its mux does not
// know stays under the mount's pattern.
func TestSubHandlerRoutesGetTheirOwnLabel(t *testing.T) {
	t.Parallel()
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/things/{id}", func(w http.ResponseWriter, _ *http.Request) {})
	api.HandleFunc("POST /api/v1/things/{id}/move", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusConflict)
	})
	reg := prometheus.NewRegistry()
	h := gateway.NewHandler(gateway.Deps{Log: zerolog.Nop(), Metrics: reg, API: api})
	for _, r := range []*http.Request{
		httptest.NewRequest(http.MethodGet, "/api/v1/things/1", nil),
		httptest.NewRequest(http.MethodGet, "/api/v1/things/2", nil),
		httptest.NewRequest(http.MethodPost, "/api/v1/things/2/move", nil),
		httptest.NewRequest(http.MethodGet, "/api/v1/nothing/here", nil),
	} {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	require.Contains(t, body, `caseline_http_requests_total{code="200",route="GET /api/v1/things/{id}"} 2`)
	require.Contains(t, body, `caseline_http_requests_total{code="409",route="POST /api/v1/things/{id}/move"} 1`)
	require.Contains(t, body, `caseline_http_requests_total{code="404",route="/api/v1/"} 1`)
	require.Contains(t, body, `caseline_http_request_duration_seconds_count{route="GET /api/v1/things/{id}"} 2`)
	require.NotContains(t, body, `code="200",route="/api/v1/"`)
}

func TestNewHandlerTwiceOnOneRegistryShareSeries(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	a := gateway.NewHandler(gateway.Deps{Log: zerolog.Nop(), Metrics: reg})
	b := gateway.NewHandler(gateway.Deps{Log: zerolog.Nop(), Metrics: reg})
	a.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	b.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Contains(t, rec.Body.String(), `caseline_http_requests_total{code="200",route="GET /healthz"} 2`)
}

func TestAccessLogHasRequestIDAndPathButNeverTheQuery(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := gateway.NewHandler(gateway.Deps{Log: zerolog.New(&logs)})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz?token=s3cret&phone=%2B84901234567", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	id := rec.Header().Get("X-Request-Id")
	require.NotEmpty(t, id)

	require.NotContains(t, logs.String(), "s3cret")
	require.NotContains(t, logs.String(), "84901234567")
	var line map[string]any
	require.NoError(t, json.Unmarshal(logs.Bytes(), &line), "one JSON line: %s", logs.String())
	require.Equal(t, "request", line["message"])
	require.Equal(t, id, line["req_id"])
	require.Equal(t, "GET", line["method"])
	require.Equal(t, "/healthz", line["path"])
	require.EqualValues(t, 200, line["status"])
	require.Contains(t, line, "duration")
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	h := gateway.NewHandler(gateway.Deps{Log: zerolog.Nop()})
	tests := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/nowhere", http.StatusNotFound},
		{http.MethodPost, "/healthz", http.StatusMethodNotAllowed},
		{http.MethodHead, "/healthz", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, strings.NewReader("")))
			require.Equal(t, tt.status, rec.Code)
		})
	}
}

func TestUSSDEventsRoute(t *testing.T) {
	t.Parallel()
	reached := false
	h := gateway.NewHandler(gateway.Deps{Log: zerolog.Nop(), USSDEvents: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/ussd/africastalking/events?token=t", strings.NewReader("sessionId=1")))
	require.True(t, reached)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ussd/africastalking/events", nil))
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

func TestOversizedWebhookBodyIs413BeforeTheHandler(t *testing.T) {
	t.Parallel()
	reached := false
	h := gateway.NewHandler(gateway.Deps{Log: zerolog.Nop(), USSD: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/ussd/africastalking", bytes.NewReader(make([]byte, gateway.MaxBodyBytes+1))))
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	require.False(t, reached, "the handler must not see an oversized body")
	body, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	require.JSONEq(t, `{"error":"too_large","message":"the request body is larger than 65536 bytes"}`, string(body))
}

// TestEachRouteHasItsBodyLimit: the API refuses a body over its limit before its handler
// runs, in the gateway's JSON; the Android gateway and the console, which answer in shapes of
// their own, get the body capped and answer the failed read themselves.
func TestEachRouteHasItsBodyLimit(t *testing.T) {
	t.Parallel()
	reached := map[string]bool{}
	reader := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached[name] = true
			if _, err := io.ReadAll(r.Body); err != nil {
				w.WriteHeader(gateway.Status(err))
			}
		})
	}
	h := gateway.NewHandler(gateway.Deps{Log: zerolog.Nop(), API: reader("api"), Android: reader("android"), Console: reader("console")})
	tests := []struct {
		name, path string
		size       int
		status     int
		reached    bool
	}{
		{"api", "/api/v1/persons", gateway.MaxAPIBodyBytes, http.StatusOK, true},
		{"api", "/api/v1/persons", gateway.MaxAPIBodyBytes + 1, http.StatusRequestEntityTooLarge, false},
		{"android", "/android/sms", gateway.MaxAPIBodyBytes, http.StatusOK, true},
		{"android", "/android/sms", gateway.MaxAPIBodyBytes + 1, http.StatusRequestEntityTooLarge, true},
		{"console", "/console/sign-in", gateway.MaxBodyBytes, http.StatusOK, true},
		{"console", "/console/sign-in", gateway.MaxBodyBytes + 1, http.StatusRequestEntityTooLarge, true},
	}
	for _, tt := range tests {
		reached[tt.name] = false
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, tt.path, bytes.NewReader(make([]byte, tt.size))))
		require.Equal(t, tt.status, rec.Code, "%s %d bytes", tt.name, tt.size)
		require.Equal(t, tt.reached, reached[tt.name], "%s %d bytes", tt.name, tt.size)
	}
}
