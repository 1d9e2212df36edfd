package gateway

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/flows"
)

// GaugeFunc is a gauge whose value is read on each scrape, under checkTimeout: for figures
// that live in PostgreSQL rather than in this process (another process's workers write
// them). A failed read is logged and the gauge left out of that scrape.
func GaugeFunc(name, help string, read func(ctx context.Context) (int64, error), log zerolog.Logger) prometheus.Collector {
	return &gaugeFunc{desc: prometheus.NewDesc(name, help, nil, nil), read: read, log: log}
}

type gaugeFunc struct {
	desc *prometheus.Desc
	read func(ctx context.Context) (int64, error)
	log  zerolog.Logger
}

func (g *gaugeFunc) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *gaugeFunc) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	n, err := g.read(ctx)
	if err != nil {
		g.log.Warn().Err(err).Str("metric", g.desc.String()).Msg("read metric")
		return
	}
	ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, float64(n))
}

// Emit hands one value of desc, with its label values, to a scrape.
type Emit func(desc *prometheus.Desc, value float64, labels ...string)

// Scraped is a collector of gauges read on each scrape, under checkTimeout, by read: for
// figures that live in PostgreSQL rather than in this process. read emits each value
// through emit; a failed read is logged and leaves the values it had not emitted out of
// that scrape.
func Scraped(descs []*prometheus.Desc, read func(ctx context.Context, emit Emit) error, log zerolog.Logger) prometheus.Collector {
	return &scraped{descs: descs, read: read, log: log}
}

type scraped struct {
	descs []*prometheus.Desc
	read  func(ctx context.Context, emit Emit) error
	log   zerolog.Logger
}

func (s *scraped) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range s.descs {
		ch <- d
	}
}

func (s *scraped) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	err := s.read(ctx, func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
	})
	if err != nil {
		s.log.Warn().Err(err).Msg("read metrics")
	}
}

// Engine runs one inbound turn of a dialog: what every channel's handler calls.
type Engine interface {
	Handle(ctx context.Context, in flows.Input) (flows.Reply, error)
}

// TimedEngine is e with each turn timed into caseline_turn_duration_seconds, by channel:
// the time a caller waits on Caseline, whichever webhook brought the turn (or the spool's
// replay).
func TimedEngine(e Engine, reg prometheus.Registerer) Engine {
	h := register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "caseline_turn_duration_seconds",
		Help:    "Time to run one dialog turn (read, decide, write), by channel.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"channel"}))
	return timedEngine{e: e, h: h}
}

type timedEngine struct {
	e Engine
	h *prometheus.HistogramVec
}

func (t timedEngine) Handle(ctx context.Context, in flows.Input) (flows.Reply, error) {
	start := time.Now()
	r, err := t.e.Handle(ctx, in)
	t.h.WithLabelValues(string(in.Channel)).Observe(time.Since(start).Seconds())
	return r, err
}
