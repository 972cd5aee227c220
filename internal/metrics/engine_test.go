package metrics

import (
	"math"
	"slices"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/testutil"
)

// engineFamilies are the engine's metrics as /metrics has exposed them
// since before client_golang: dashboards depend on every name, type, label
// and help text here.
var engineFamilies = []struct {
	name, typ, help string
	labels          []string
}{
	{"tripline_events_total", "COUNTER", "Log records processed, by source type.", []string{"source"}},
	{"tripline_bad_records_total", "COUNTER", "Records that could not be read.", nil},
	{"tripline_late_events_dropped_total", "COUNTER", "Events older than every window still open.", nil},
	{"tripline_future_events_rejected_total", "COUNTER", "Records rejected for a time further ahead of the clock than the allowed skew.", nil},
	{"tripline_duplicate_events_dropped_total", "COUNTER", "Records dropped as copies of one read before (same eventID or requestId).", nil},
	{"tripline_rule_run_seconds", "HISTOGRAM", "Time to evaluate one tick of a rule.", []string{"rule"}},
	{"tripline_alerts_raised_total", "COUNTER", "Alerts raised, by rule.", []string{"rule"}},
	{"tripline_engine_queue_depth", "GAUGE", "Input chunks waiting, as last seen by the engine.", nil},
	{"tripline_watermark_seconds", "GAUGE", "The engine's watermark, in Unix seconds.", nil},
}

func labelNames(m *dto.Metric) []string {
	var out []string
	for _, l := range m.GetLabel() {
		out = append(out, l.GetName())
	}
	return out
}

func TestEngineObserver(t *testing.T) {
	reg := NewRegistry()
	o := NewEngineObserver(reg)
	o.Events(event.CloudTrail, 3)
	o.Events(event.CloudTrail, 4)
	o.Events(event.BedrockInvocation, 1)
	o.Bad(2)
	o.LateDropped(1)
	o.FutureRejected(1)
	o.Duplicates(5)
	o.RuleRun("r1", 700*time.Microsecond, nil) // in the 0.001 bucket
	o.RuleRun("r1", 2*time.Second, nil)        // in the 5 bucket
	o.AlertsRaised("r1", 2)
	o.QueueDepth(4)
	wm := time.Date(2025, 3, 1, 12, 0, 0, 500_000_000, time.UTC)
	o.Watermark(wm)
	// A second observer on the same registry counts into the same metrics.
	NewEngineObserver(reg).AlertsRaised("r1", 1)

	fams := scrape(t, reg.Handler())
	for _, want := range engineFamilies {
		f := fams[want.name]
		if f == nil {
			t.Errorf("%s missing", want.name)
			continue
		}
		if f.GetType().String() != want.typ || f.GetHelp() != want.help {
			t.Errorf("%s: %s %q, want %s %q", want.name, f.GetType(), f.GetHelp(), want.typ, want.help)
		}
		for _, m := range f.GetMetric() {
			if got := labelNames(m); !slices.Equal(got, want.labels) {
				t.Errorf("%s: labels %v, want %v", want.name, got, want.labels)
			}
		}
	}

	counters := []struct {
		name  string
		pairs []string
		want  float64
	}{
		{"tripline_events_total", []string{"source", "cloudtrail"}, 7},
		{"tripline_events_total", []string{"source", "bedrock_invocation"}, 1},
		{"tripline_bad_records_total", nil, 2},
		{"tripline_late_events_dropped_total", nil, 1},
		{"tripline_future_events_rejected_total", nil, 1},
		{"tripline_duplicate_events_dropped_total", nil, 5},
		{"tripline_alerts_raised_total", []string{"rule", "r1"}, 3},
	}
	for _, c := range counters {
		m := testutil.MetricSample(fams[c.name], c.pairs...)
		if m == nil || m.GetCounter().GetValue() != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.pairs, m.GetCounter().GetValue(), c.want)
		}
	}
	if v := value(t, fams, "tripline_engine_queue_depth"); v != 4 {
		t.Errorf("queue depth %v, want 4", v)
	}
	if v := value(t, fams, "tripline_watermark_seconds"); v != 1740830400.5 {
		t.Errorf("watermark %v, want 1740830400.5", v)
	}

	h := testutil.MetricSample(fams["tripline_rule_run_seconds"], "rule", "r1").GetHistogram()
	var bounds []float64
	var counts []uint64
	for _, b := range h.GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
		counts = append(counts, b.GetCumulativeCount())
	}
	if want := []float64{0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, math.Inf(1)}; !slices.Equal(bounds, want) {
		t.Errorf("rule run buckets %v, want %v", bounds, want)
	}
	if want := []uint64{0, 1, 1, 1, 1, 1, 1, 1, 2, 2}; !slices.Equal(counts, want) {
		t.Errorf("rule run cumulative counts %v, want %v", counts, want)
	}
	if h.GetSampleCount() != 2 || h.GetSampleSum() != 2.0007 {
		t.Errorf("rule run count %d sum %v, want 2 and 2.0007", h.GetSampleCount(), h.GetSampleSum())
	}
}

func BenchmarkEngineObserver(b *testing.B) {
	o := NewEngineObserver(NewRegistry())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			o.Events(event.CloudTrail, 100)
			o.RuleRun("r1", time.Millisecond, nil)
		}
	})
}
