package metrics

import (
	"math"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestWriteTextExact(t *testing.T) {
	r := NewRegistry()
	c := r.NewCounterVec("tripline_events_total", "Events read, by source type.", "source")
	c.With("cloudtrail").Add(3)
	c.With("bedrock_invocation").Inc()
	g := r.NewGauge("tripline_queue_depth", "Events waiting.\nSecond line with \\ backslash.")
	g.Set(7)
	r.NewGaugeFunc("tripline_watermark_lag_seconds", "Lag.", func() float64 { return 1.5 })
	h := r.NewHistogram("tripline_rule_run_seconds", "Run time.", []float64{0.1, 1})
	h.Observe(0.05)
	h.Observe(0.1)
	h.Observe(3)
	r.NewCounterVec("tripline_unused_total", "Never incremented, never written.", "x")

	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `# HELP tripline_events_total Events read, by source type.
# TYPE tripline_events_total counter
tripline_events_total{source="bedrock_invocation"} 1
tripline_events_total{source="cloudtrail"} 3
# HELP tripline_queue_depth Events waiting.\nSecond line with \\ backslash.
# TYPE tripline_queue_depth gauge
tripline_queue_depth 7
# HELP tripline_rule_run_seconds Run time.
# TYPE tripline_rule_run_seconds histogram
tripline_rule_run_seconds_bucket{le="0.1"} 2
tripline_rule_run_seconds_bucket{le="1"} 2
tripline_rule_run_seconds_bucket{le="+Inf"} 3
tripline_rule_run_seconds_sum 3.15
tripline_rule_run_seconds_count 3
# HELP tripline_watermark_lag_seconds Lag.
# TYPE tripline_watermark_lag_seconds gauge
tripline_watermark_lag_seconds 1.5
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if _, _, err := parseText(b.String()); err != nil {
		t.Errorf("own output does not parse: %v", err)
	}
}

func TestLabelValuesRoundTrip(t *testing.T) {
	values := []string{``, `plain`, `with "quotes"`, `back\slash`, "new\nline", `trailing\`, `ünïcödé`, `{a="b"}`, `,`}
	r := NewRegistry()
	cv := r.NewCounterVec("x_total", "x", "v", "w")
	hv := r.NewHistogramVec("y_seconds", "y", []float64{1}, "v")
	for i, v := range values {
		cv.With(v, "k").Add(float64(i + 1))
		hv.With(v).Observe(float64(i))
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	fams, order, err := parseText(b.String())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if strings.Join(order, ",") != "x_total,y_seconds" {
		t.Errorf("order %v", order)
	}
	got := map[string]float64{}
	for _, s := range fams["x_total"].samples {
		if s.labels["w"] != "k" {
			t.Errorf("label w = %q", s.labels["w"])
		}
		got[s.labels["v"]] = s.value
	}
	for i, v := range values {
		if got[v] != float64(i+1) {
			t.Errorf("value for label %q = %v, want %d", v, got[v], i+1)
		}
	}
	if n := len(fams["y_seconds"].samples); n != len(values)*4 {
		t.Errorf("histogram samples = %d, want %d", n, len(values)*4)
	}
}

func TestHistogramBuckets(t *testing.T) {
	tests := []struct {
		name    string
		buckets []float64
		obs     []float64
		want    []uint64 // cumulative, +Inf last
		sum     float64
	}{
		{"empty", []float64{1, 2}, nil, []uint64{0, 0, 0}, 0},
		{"on the bound counts in that bucket", []float64{1, 2}, []float64{1, 2}, []uint64{1, 2, 2}, 3},
		{"above all", []float64{1, 2}, []float64{5, 50}, []uint64{0, 0, 2}, 55},
		{"below all and negative", []float64{1, 2}, []float64{-3, 0.5}, []uint64{2, 2, 2}, -2.5},
		{"explicit +Inf dropped", []float64{1, math.Inf(1)}, []float64{0.5, 9}, []uint64{1, 2}, 9.5},
		{"NaN ignored", []float64{1}, []float64{math.NaN(), 1}, []uint64{1, 1}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewRegistry().NewHistogram("h", "h", tc.buckets)
			for _, v := range tc.obs {
				h.Observe(v)
			}
			cum, sum := h.snapshot()
			if len(cum) != len(tc.want) {
				t.Fatalf("buckets %v, want %v", cum, tc.want)
			}
			for i := range cum {
				if cum[i] != tc.want[i] {
					t.Errorf("buckets %v, want %v", cum, tc.want)
					break
				}
			}
			if sum != tc.sum || h.Sum() != tc.sum {
				t.Errorf("sum %v, want %v", sum, tc.sum)
			}
			if h.Count() != tc.want[len(tc.want)-1] {
				t.Errorf("count %d", h.Count())
			}
		})
	}
}

func TestCounterAdd(t *testing.T) {
	tests := []struct {
		name string
		adds []float64
		want float64
	}{
		{"whole", []float64{1, 2, 3}, 6},
		{"fractional", []float64{0.25, 0.5, 1}, 1.75},
		{"negative ignored", []float64{5, -2}, 5},
		{"NaN ignored", []float64{math.NaN(), 1}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewRegistry().NewCounter("c_total", "c")
			for _, v := range tc.adds {
				c.Add(v)
			}
			if c.Value() != tc.want {
				t.Errorf("got %v, want %v", c.Value(), tc.want)
			}
		})
	}
}

func TestGauge(t *testing.T) {
	g := NewRegistry().NewGauge("g", "g")
	g.Set(10)
	g.Add(-2.5)
	g.Inc()
	g.Dec()
	g.Dec()
	if g.Value() != 6.5 {
		t.Errorf("got %v, want 6.5", g.Value())
	}
}

func TestRegisterAgain(t *testing.T) {
	r := NewRegistry()
	a := r.NewCounterVec("a_total", "a", "x")
	if b := r.NewCounterVec("a_total", "a again", "x"); b != a {
		t.Error("same definition should return the registered vector")
	}
	h1 := r.NewHistogram("h", "h", nil)
	if h2 := r.NewHistogram("h", "h", DefBuckets); h1 != h2 {
		t.Error("same histogram should return the registered one")
	}
	r.NewGaugeFunc("f", "f", func() float64 { return 1 })
	r.NewGaugeFunc("f", "f", func() float64 { return 2 })
	var b strings.Builder
	_ = r.WriteText(&b)
	if !strings.Contains(b.String(), "\nf 2\n") {
		t.Errorf("re-registered gauge func not used:\n%s", b.String())
	}

	conflicts := []struct {
		name string
		fn   func()
	}{
		{"other type", func() { r.NewGaugeVec("a_total", "a", "x") }},
		{"other labels", func() { r.NewCounterVec("a_total", "a", "y") }},
		{"other buckets", func() { r.NewHistogram("h", "h", []float64{1}) }},
		{"func over vector", func() { r.NewCounterFunc("a_total", "a", func() float64 { return 0 }) }},
		{"bad name", func() { r.NewCounter("1abc", "x") }},
		{"bad label", func() { r.NewCounterVec("b_total", "x", "a-b") }},
		{"reserved label", func() { r.NewCounterVec("b_total", "x", "__x") }},
		{"le on histogram", func() { r.NewHistogramVec("b_seconds", "x", nil, "le") }},
		{"duplicate label", func() { r.NewCounterVec("b_total", "x", "a", "a") }},
		{"unsorted buckets", func() { r.NewHistogram("c_seconds", "x", []float64{2, 1}) }},
		{"wrong label count", func() { a.With("1", "2") }},
	}
	for _, tc := range conflicts {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if p == nil || !strings.HasPrefix(p.(string), "BUG: ") {
					t.Errorf("want a BUG panic, got %v", p)
				}
			}()
			tc.fn()
		})
	}
}

func TestDelete(t *testing.T) {
	r := NewRegistry()
	cv := r.NewCounterVec("a_total", "a", "x", "y")
	cv.With("1", "2").Inc()
	if !cv.Delete("1", "2") || cv.Delete("1", "2") || cv.Delete("1") {
		t.Error("Delete should report true once, then false")
	}
	var b strings.Builder
	_ = r.WriteText(&b)
	if b.Len() != 0 {
		t.Errorf("deleted child still written:\n%s", b.String())
	}
}

func TestConcurrentUpdates(t *testing.T) {
	r := NewRegistry()
	cv := r.NewCounterVec("c_total", "c", "k")
	g := r.NewGauge("g", "g")
	h := r.NewHistogram("h_seconds", "h", []float64{0.5})
	const workers, each = 8, 2000
	var wg sync.WaitGroup
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // a scraper running alongside
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			var b strings.Builder
			if err := r.WriteText(&b); err != nil {
				t.Error(err)
				return
			}
			if _, _, err := parseText(b.String()); err != nil {
				t.Errorf("mid-update output does not parse: %v", err)
				return
			}
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := []string{"even", "odd"}[w%2]
			for i := range each {
				cv.With(key).Inc()
				g.Add(1)
				h.Observe(float64(i%2) * 0.75) // 0 or 0.75
				cv.With("frac").Add(0.5)
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-done
	if v := cv.With("even").Value() + cv.With("odd").Value(); v != workers*each {
		t.Errorf("counter total %v, want %d", v, workers*each)
	}
	if v := cv.With("frac").Value(); v != workers*each/2 {
		t.Errorf("fractional counter %v, want %d", v, workers*each/2)
	}
	if g.Value() != workers*each {
		t.Errorf("gauge %v", g.Value())
	}
	cum, sum := h.snapshot()
	if cum[0] != workers*each/2 || cum[1] != workers*each || sum != 0.75*workers*each/2 {
		t.Errorf("histogram %v sum %v", cum, sum)
	}
}

func TestHandler(t *testing.T) {
	r := NewRegistry()
	r.NewCounter("a_total", "a").Inc()
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); ct != ContentType {
		t.Errorf("content type %q", ct)
	}
	if !strings.Contains(rec.Body.String(), "a_total 1\n") {
		t.Errorf("body %q", rec.Body.String())
	}
}

func FuzzLabelValue(f *testing.F) {
	for _, s := range []string{"", `a"b`, `\`, "x\ny", `\n`, "é"} {
		f.Add(s, 1.5)
	}
	f.Fuzz(func(t *testing.T, v string, x float64) {
		if !utf8.ValidString(v) || math.IsNaN(x) {
			return
		}
		r := NewRegistry()
		r.NewGaugeVec("g", "help "+v, "l").With(v).Set(x)
		var b strings.Builder
		if err := r.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		fams, _, err := parseText(b.String())
		if err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		f := fams["g"]
		if f == nil || len(f.samples) != 1 || f.help != "help "+v {
			t.Fatalf("family %+v", f)
		}
		s := f.samples[0]
		if s.labels["l"] != v || s.value != x {
			t.Fatalf("got %q=%v, want %q=%v", s.labels["l"], s.value, v, x)
		}
	})
}
