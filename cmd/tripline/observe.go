package main

import (
	"time"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/metrics"
)

// observer turns the live engine's measurements into Prometheus metrics.
type observer struct {
	events    *metrics.CounterVec
	bad       *metrics.Counter
	late      *metrics.Counter
	dups      *metrics.Counter
	future    *metrics.Counter
	ruleRun   *metrics.HistogramVec
	alerts    *metrics.CounterVec
	queue     *metrics.Gauge
	watermark *metrics.Gauge
}

var _ engine.Observer = (*observer)(nil)

func newObserver(reg *metrics.Registry) *observer {
	return &observer{
		events:    reg.NewCounterVec("tripline_events_total", "Log records processed, by source type.", "source"),
		bad:       reg.NewCounter("tripline_bad_records_total", "Records that could not be read."),
		late:      reg.NewCounter("tripline_late_events_dropped_total", "Events older than every window still open."),
		future:    reg.NewCounter("tripline_future_events_rejected_total", "Records rejected for a time further ahead of the clock than the allowed skew."),
		dups:      reg.NewCounter("tripline_duplicate_events_dropped_total", "Records dropped as copies of one read before (same eventID or requestId)."),
		ruleRun:   reg.NewHistogramVec("tripline_rule_run_seconds", "Time to evaluate one tick of a rule.", []float64{0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5}, "rule"),
		alerts:    reg.NewCounterVec("tripline_alerts_raised_total", "Alerts raised, by rule.", "rule"),
		queue:     reg.NewGauge("tripline_engine_queue_depth", "Input chunks waiting, as last seen by the engine."),
		watermark: reg.NewGauge("tripline_watermark_seconds", "The engine's watermark, in Unix seconds."),
	}
}

func (o *observer) Events(src event.Source, n int) { o.events.With(src.String()).Add(float64(n)) }
func (o *observer) Bad(n int)                      { o.bad.Add(float64(n)) }
func (o *observer) LateDropped(n int)              { o.late.Add(float64(n)) }
func (o *observer) Duplicates(n int)               { o.dups.Add(float64(n)) }
func (o *observer) FutureRejected(n int)           { o.future.Add(float64(n)) }
func (o *observer) RuleRun(id string, d time.Duration, _ error) {
	o.ruleRun.With(id).ObserveDuration(d)
}
func (o *observer) AlertsRaised(id string, n int) { o.alerts.With(id).Add(float64(n)) }
func (o *observer) QueueDepth(n int)              { o.queue.Set(float64(n)) }
func (o *observer) Watermark(t time.Time)         { o.watermark.SetTime(t) }
