package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/metrics"
)

// observer turns the live engine's measurements into Prometheus metrics.
type observer struct {
	events    *prometheus.CounterVec
	bad       prometheus.Counter
	late      prometheus.Counter
	dups      prometheus.Counter
	future    prometheus.Counter
	ruleRun   *prometheus.HistogramVec
	alerts    *prometheus.CounterVec
	queue     prometheus.Gauge
	watermark prometheus.Gauge
}

var _ engine.Observer = (*observer)(nil)

func newObserver(reg *metrics.Registry) *observer {
	counter := func(name, help string) prometheus.Counter {
		return metrics.Register(reg, prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help}))
	}
	counterVec := func(name, help, label string) *prometheus.CounterVec {
		return metrics.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label}))
	}
	gauge := func(name, help string) prometheus.Gauge {
		return metrics.Register(reg, prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help}))
	}
	return &observer{
		events: counterVec("tripline_events_total", "Log records processed, by source type.", "source"),
		bad:    counter("tripline_bad_records_total", "Records that could not be read."),
		late:   counter("tripline_late_events_dropped_total", "Events older than every window still open."),
		future: counter("tripline_future_events_rejected_total", "Records rejected for a time further ahead of the clock than the allowed skew."),
		dups:   counter("tripline_duplicate_events_dropped_total", "Records dropped as copies of one read before (same eventID or requestId)."),
		ruleRun: metrics.Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tripline_rule_run_seconds", Help: "Time to evaluate one tick of a rule.",
			Buckets: []float64{0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5},
		}, []string{"rule"})),
		alerts:    counterVec("tripline_alerts_raised_total", "Alerts raised, by rule.", "rule"),
		queue:     gauge("tripline_engine_queue_depth", "Input chunks waiting, as last seen by the engine."),
		watermark: gauge("tripline_watermark_seconds", "The engine's watermark, in Unix seconds."),
	}
}

func (o *observer) Events(src event.Source, n int) {
	o.events.WithLabelValues(src.String()).Add(float64(n))
}
func (o *observer) Bad(n int)            { o.bad.Add(float64(n)) }
func (o *observer) LateDropped(n int)    { o.late.Add(float64(n)) }
func (o *observer) Duplicates(n int)     { o.dups.Add(float64(n)) }
func (o *observer) FutureRejected(n int) { o.future.Add(float64(n)) }
func (o *observer) RuleRun(id string, d time.Duration, _ error) {
	o.ruleRun.WithLabelValues(id).Observe(d.Seconds())
}
func (o *observer) AlertsRaised(id string, n int) { o.alerts.WithLabelValues(id).Add(float64(n)) }
func (o *observer) QueueDepth(n int)              { o.queue.Set(float64(n)) }
func (o *observer) Watermark(t time.Time)         { o.watermark.Set(float64(t.UnixNano()) / 1e9) }
