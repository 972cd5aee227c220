package metrics

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape gets /metrics from h as Prometheus does, in the text format, and
// parses it.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q, want the text format 0.0.4", ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// value returns the value of the one sample of a gauge or counter family
// without labels.
func value(t *testing.T, fams map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	f := fams[name]
	if f == nil || len(f.GetMetric()) != 1 {
		t.Fatalf("%s: want one sample, got %v", name, f)
	}
	m := f.GetMetric()[0]
	if c := m.GetCounter(); c != nil {
		return c.GetValue()
	}
	return m.GetGauge().GetValue()
}

func TestRegistryExposesRuntimeAndProcess(t *testing.T) {
	fams := scrape(t, NewRegistry().Handler())
	for _, name := range []string{"go_goroutines", "go_gc_duration_seconds", "go_memstats_alloc_bytes", "go_info"} {
		if fams[name] == nil {
			t.Errorf("%s missing", name)
		}
	}
	if g := value(t, fams, "go_goroutines"); g < 1 {
		t.Errorf("go_goroutines = %v", g)
	}
	if runtime.GOOS != "linux" {
		t.Skipf("process metrics are read from /proc; not on %s", runtime.GOOS)
	}
	// CPU time is counted in clock ticks: a short test may not have used one.
	if v := value(t, fams, "process_cpu_seconds_total"); v < 0 {
		t.Errorf("process_cpu_seconds_total = %v", v)
	}
	if v := value(t, fams, "process_resident_memory_bytes"); v < 1<<20 {
		t.Errorf("process_resident_memory_bytes = %v, less than 1 MiB", v)
	}
	if v := value(t, fams, "process_open_fds"); v < 3 {
		t.Errorf("process_open_fds = %v", v)
	}
	start := time.Unix(int64(value(t, fams, "process_start_time_seconds")), 0)
	if since := time.Since(start); since < -time.Second || since > 24*time.Hour {
		t.Errorf("process_start_time_seconds is %v ago", since)
	}
}

func TestNewGaugeFuncReadsAtScrape(t *testing.T) {
	r := NewRegistry()
	depth := 3.0
	r.NewGaugeFunc("tripline_test_depth", "Depth.", func() float64 { return depth })
	if v := value(t, scrape(t, r.Handler()), "tripline_test_depth"); v != 3 {
		t.Errorf("first scrape %v, want 3", v)
	}
	depth = 7
	if v := value(t, scrape(t, r.Handler()), "tripline_test_depth"); v != 7 {
		t.Errorf("second scrape %v, want 7", v)
	}
	mustPanic(t, "same name again", func() { r.NewGaugeFunc("tripline_test_depth", "Depth.", func() float64 { return 0 }) })
}

func TestRegisterShares(t *testing.T) {
	r := NewRegistry()
	opts := prometheus.CounterOpts{Name: "a_total", Help: "A."}
	first := Register(r, prometheus.NewCounterVec(opts, []string{"x"}))
	if again := Register(r, prometheus.NewCounterVec(opts, []string{"x"})); again != first {
		t.Error("the same definition again should return the collector registered first")
	}
	c := Register(r, prometheus.NewCounter(prometheus.CounterOpts{Name: "b_total", Help: "B."}))
	c.Inc()
	Register(r, prometheus.NewCounter(prometheus.CounterOpts{Name: "b_total", Help: "B."})).Inc()
	if v := value(t, scrape(t, r.Handler()), "b_total"); v != 2 {
		t.Errorf("b_total = %v, want 2: both registrations should count into one counter", v)
	}

	mustPanic(t, "other help", func() {
		Register(r, prometheus.NewCounterVec(prometheus.CounterOpts{Name: "a_total", Help: "Other."}, []string{"x"}))
	})
	mustPanic(t, "other labels", func() { Register(r, prometheus.NewCounterVec(opts, []string{"y"})) })
	mustPanic(t, "other type", func() { Register(r, prometheus.NewGaugeVec(prometheus.GaugeOpts(opts), []string{"x"})) })
}

func mustPanic(t *testing.T, name string, fn func()) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		defer func() {
			if p := recover(); p == nil {
				t.Error("want a panic, got none")
			}
		}()
		fn()
	})
}
