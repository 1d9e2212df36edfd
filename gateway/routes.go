package gateway

import (
	"context"
	"errors"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// Deps is what the gateway needs from the process that runs it. Later channels add their
// handlers here as fields, built by cmd/caseline, and mount them in NewHandler.
type Deps struct {
	// Log is the base logger; each request logs through a copy carrying its request id.
	Log zerolog.Logger
	// Metrics receives the HTTP request metrics and is what /metrics serves. Nil gives the
	// handler a registry of its own.
	Metrics *prometheus.Registry
	// Ready names the dependencies /readyz checks, by the name it reports each under.
	Ready map[string]Check

	// The channel webhooks, each already behind its provider's authentication (Twilio
	// signature, USSD token, Basic auth). A nil handler leaves its route unmounted.
	TwilioSMS         http.Handler // POST /twilio/sms
	TwilioSMSStatus   http.Handler // POST /twilio/sms/status
	TwilioVoice       http.Handler // POST /twilio/voice
	TwilioVoiceStatus http.Handler // POST /twilio/voice/status
	TwilioAudio       http.Handler // GET /twilio/voice/audio/{lang}/{file}: recorded prompts
	USSD              http.Handler // POST /ussd/africastalking
	USSDEvents        http.Handler // POST /ussd/africastalking/events
	// Android serves the cht-gateway protocol (GET and POST /android/sms); its gzip-encoded
	// polls may take MaxAPIBodyBytes, and it limits them again after gunzip.
	Android http.Handler
	// API is the case-manager JSON API under /api/v1/, bodies up to MaxAPIBodyBytes.
	API http.Handler
	// Console is the staff web console under /console/; its forms are webhook-sized.
	Console http.Handler
}

// NewHandler returns the gateway: every route Caseline answers, each counted and timed by
// its pattern, all behind the shared middleware.
func NewHandler(deps Deps) http.Handler {
	reg := deps.Metrics
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	mux := http.NewServeMux()
	m := newHTTPMetrics(reg)
	// Every route takes bodies up to a limit set here, so handlers only read: webhooks,
	// probes and console forms MaxBodyBytes, the Android gateway and the API
	// MaxAPIBodyBytes. The Android gateway and the console answer an oversized body in their
	// own shape (the app's protocol, a page), so theirs is only capped (CapBody).
	mount := func(pattern string, h http.Handler) {
		if h != nil {
			mux.Handle(pattern, m.instrument(pattern, h))
		}
	}
	handleUpTo := func(limit int64, pattern string, h http.Handler) {
		if h != nil {
			mount(pattern, LimitBody(limit, h))
		}
	}
	handle := func(pattern string, h http.Handler) { handleUpTo(MaxBodyBytes, pattern, h) }
	capped := func(limit int64, pattern string, h http.Handler) {
		if h != nil {
			mount(pattern, CapBody(limit, h))
		}
	}

	handle("GET /healthz", healthz())
	handle("GET /readyz", readyz(deps.Ready))
	handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	handle("POST /twilio/sms", deps.TwilioSMS)
	handle("POST /twilio/sms/status", deps.TwilioSMSStatus)
	handle("POST /twilio/voice", deps.TwilioVoice)
	handle("POST /twilio/voice/status", deps.TwilioVoiceStatus)
	handle("GET /twilio/voice/audio/{lang}/{file}", deps.TwilioAudio)
	handle("POST /ussd/africastalking", deps.USSD)
	handle("POST /ussd/africastalking/events", deps.USSDEvents)
	capped(MaxAPIBodyBytes, "/android/sms", deps.Android)
	handleUpTo(MaxAPIBodyBytes, "/api/v1/", deps.API)
	capped(MaxBodyBytes, "/console/", deps.Console)

	return withMiddleware(deps.Log, mux)
}

// httpMetrics counts and times requests by route pattern ("GET /readyz"), so the label set
// stays small whatever paths clients try.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) httpMetrics {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "caseline_http_requests_total",
		Help: "HTTP requests answered, by route pattern and status code.",
	}, []string{"route", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "caseline_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15},
	}, []string{"route"})
	return httpMetrics{requests: register(reg, requests), duration: register(reg, duration)}
}

// register registers c, or returns the collector already registered under its name (a
// second handler on the same registry shares the first one's series).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	var dup prometheus.AlreadyRegisteredError
	if errors.As(err, &dup) {
		if existing, ok := dup.ExistingCollector.(C); ok {
			return existing
		}
	}
	if err != nil {
		// A programming error (two metrics share a name) that any test building the gateway
		// meets, not a wiring mistake of the process: care.WiringError is for those.
		panic("gateway: register metric: " + err.Error())
	}
	return c
}

// routeKey is the context key of the route a request is counted under.
type routeKey struct{}

// instrument counts and times h's requests under pattern, or under a finer pattern when h
// dispatches through a ServeMux of its own (the API, the console): a ServeMux writes the
// pattern it matched into the request it was handed (Request.Pattern), so when h passes the
// request on unchanged, each of its routes gets its own label, new ones included, with no
// list to keep. A request h's own mux matched nothing keeps pattern (the label set stays
// bounded whatever paths clients try).
func (m httpMetrics) instrument(pattern string, h http.Handler) http.Handler {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if rt, ok := r.Context().Value(routeKey{}).(*string); ok && r.Pattern != "" {
			*rt = r.Pattern
		}
	})
	label := promhttp.WithLabelFromCtx("route", func(ctx context.Context) string {
		return *ctx.Value(routeKey{}).(*string)
	})
	counted := promhttp.InstrumentHandlerCounter(m.requests, promhttp.InstrumentHandlerDuration(m.duration, inner, label), label)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt := pattern
		counted.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), routeKey{}, &rt)))
	})
}
