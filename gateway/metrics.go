package gateway

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
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
