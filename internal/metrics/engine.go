package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tripline/tripline/internal/event"
)

// ruleRunBuckets are the upper bounds, in seconds, of
// tripline_rule_run_seconds.
var ruleRunBuckets = []float64{0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5}

// EngineObserver turns the live engine's measurements into metrics. It
// satisfies engine.Observer; its methods are safe for concurrent use.
type EngineObserver struct {
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

// NewEngineObserver registers the engine's metrics (tripline_events_total,
// tripline_rule_run_seconds, ...) in reg and returns what updates them.
func NewEngineObserver(reg *Registry) *EngineObserver {
	counter := func(name, help string) prometheus.Counter {
		return Register(reg, prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help}))
	}
	counterVec := func(name, help, label string) *prometheus.CounterVec {
		return Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label}))
	}
	gauge := func(name, help string) prometheus.Gauge {
		return Register(reg, prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help}))
	}
	return &EngineObserver{
		events: counterVec("tripline_events_total", "Log records processed, by source type.", "source"),
		bad:    counter("tripline_bad_records_total", "Records that could not be read."),
		late:   counter("tripline_late_events_dropped_total", "Events older than every window still open."),
		future: counter("tripline_future_events_rejected_total", "Records rejected for a time further ahead of the clock than the allowed skew."),
		dups:   counter("tripline_duplicate_events_dropped_total", "Records dropped as copies of one read before (same eventID or requestId)."),
		ruleRun: Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tripline_rule_run_seconds", Help: "Time to evaluate one tick of a rule.", Buckets: ruleRunBuckets,
		}, []string{"rule"})),
		alerts:    counterVec("tripline_alerts_raised_total", "Alerts raised, by rule.", "rule"),
		queue:     gauge("tripline_engine_queue_depth", "Input chunks waiting, as last seen by the engine."),
		watermark: gauge("tripline_watermark_seconds", "The engine's watermark, in Unix seconds."),
	}
}

// Events counts n records of log type lt.
func (o *EngineObserver) Events(lt event.LogType, n int) {
	o.events.WithLabelValues(lt.String()).Add(float64(n))
}

// Bad counts n records that could not be read.
func (o *EngineObserver) Bad(n int) { o.bad.Add(float64(n)) }

// LateDropped counts n events dropped as older than every open window.
func (o *EngineObserver) LateDropped(n int) { o.late.Add(float64(n)) }

// Duplicates counts n records dropped as copies of one read before.
func (o *EngineObserver) Duplicates(n int) { o.dups.Add(float64(n)) }

// FutureRejected counts n records rejected for a time too far ahead.
func (o *EngineObserver) FutureRejected(n int) { o.future.Add(float64(n)) }

// RuleRun records how long one tick of a rule took.
func (o *EngineObserver) RuleRun(ruleID string, d time.Duration, _ error) {
	o.ruleRun.WithLabelValues(ruleID).Observe(d.Seconds())
}

// AlertsRaised counts n alerts raised by a rule.
func (o *EngineObserver) AlertsRaised(ruleID string, n int) {
	o.alerts.WithLabelValues(ruleID).Add(float64(n))
}

// QueueDepth sets the number of input chunks waiting.
func (o *EngineObserver) QueueDepth(n int) { o.queue.Set(float64(n)) }

// Watermark sets the engine's watermark, in Unix seconds.
func (o *EngineObserver) Watermark(t time.Time) { o.watermark.Set(float64(t.UnixNano()) / 1e9) }
