package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Metric types as the TYPE line names them.
const (
	typeCounter   = "counter"
	typeGauge     = "gauge"
	typeHistogram = "histogram"
)

// Registry holds metric families by name and writes them as text. It is
// safe for concurrent use. Registering a name again with the same type,
// labels and buckets returns the metric already registered, so two parts
// of a program (or two servers in one test) may share a registry; a
// conflicting definition is a programmer's bug and panics.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
}

// family is one metric name: its help, type and either a vector of
// children or a function read at write time.
type family struct {
	name, help, typ string
	labels          []string
	buckets         []float64 // histograms only

	counters   *CounterVec
	gauges     *GaugeVec
	histograms *HistogramVec
	fn         func() float64 // GaugeFunc and CounterFunc
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{families: map[string]*family{}}
}

// register returns the family named like f when it has the same
// definition, or registers f.
func (r *Registry) register(f *family) *family {
	checkName(f.name)
	for _, l := range f.labels {
		checkLabel(f.name, l, f.typ == typeHistogram)
	}
	if i, j := duplicate(f.labels); i >= 0 {
		panic(fmt.Sprintf("BUG: metric %s declares label %q twice (positions %d and %d)", f.name, f.labels[i], i, j))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.families[f.name]; ok {
		if old.typ != f.typ || !slices.Equal(old.labels, f.labels) || !slices.Equal(old.buckets, f.buckets) ||
			(old.fn == nil) != (f.fn == nil) {
			panic(fmt.Sprintf("BUG: metric %s registered twice with different definitions", f.name))
		}
		if f.fn != nil {
			old.fn = f.fn
		}
		return old
	}
	r.families[f.name] = f
	return f
}

func duplicate(labels []string) (int, int) {
	for i := range labels {
		for j := i + 1; j < len(labels); j++ {
			if labels[i] == labels[j] {
				return i, j
			}
		}
	}
	return -1, -1
}

func checkName(name string) {
	if name == "" {
		panic("BUG: empty metric name")
	}
	for i, c := range name {
		ok := c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9'
		if !ok {
			panic(fmt.Sprintf("BUG: invalid metric name %q", name))
		}
	}
}

func checkLabel(metric, name string, histogram bool) {
	bad := name == "" || strings.HasPrefix(name, "__") || histogram && name == "le"
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			bad = true
		}
	}
	if bad {
		panic(fmt.Sprintf("BUG: invalid label name %q for metric %s", name, metric))
	}
}

// NewCounter registers a counter without labels.
func (r *Registry) NewCounter(name, help string) *Counter {
	return r.NewCounterVec(name, help).With()
}

// NewCounterVec registers a counter with the given label names.
func (r *Registry) NewCounterVec(name, help string, labels ...string) *CounterVec {
	cv := &CounterVec{name: name}
	cv.v.labels = slices.Clone(labels)
	cv.v.mk = func() *Counter { return new(Counter) }
	return r.register(&family{name: name, help: help, typ: typeCounter, labels: cv.v.labels, counters: cv}).counters
}

// NewCounterFunc registers a counter whose value fn returns when the
// registry is written; fn must be safe to call from any goroutine and
// must not decrease.
func (r *Registry) NewCounterFunc(name, help string, fn func() float64) {
	r.register(&family{name: name, help: help, typ: typeCounter, fn: fn})
}

// NewGauge registers a gauge without labels.
func (r *Registry) NewGauge(name, help string) *Gauge {
	return r.NewGaugeVec(name, help).With()
}

// NewGaugeVec registers a gauge with the given label names.
func (r *Registry) NewGaugeVec(name, help string, labels ...string) *GaugeVec {
	gv := &GaugeVec{name: name}
	gv.v.labels = slices.Clone(labels)
	gv.v.mk = func() *Gauge { return new(Gauge) }
	return r.register(&family{name: name, help: help, typ: typeGauge, labels: gv.v.labels, gauges: gv}).gauges
}

// NewGaugeFunc registers a gauge whose value fn returns when the registry
// is written (a queue's depth, a watermark's lag); fn must be safe to call
// from any goroutine. Registering the name again replaces fn.
func (r *Registry) NewGaugeFunc(name, help string, fn func() float64) {
	r.register(&family{name: name, help: help, typ: typeGauge, fn: fn})
}

// NewHistogram registers a histogram without labels. Buckets are the
// upper bounds, strictly increasing; nil means DefBuckets. A +Inf bucket
// is always added.
func (r *Registry) NewHistogram(name, help string, buckets []float64) *Histogram {
	return r.NewHistogramVec(name, help, buckets).With()
}

// NewHistogramVec registers a histogram with the given label names (see
// NewHistogram for buckets).
func (r *Registry) NewHistogramVec(name, help string, buckets []float64, labels ...string) *HistogramVec {
	upper := checkBuckets(name, buckets)
	hv := &HistogramVec{name: name}
	hv.v.labels = slices.Clone(labels)
	hv.v.mk = func() *Histogram { return newHistogram(upper) }
	return r.register(&family{name: name, help: help, typ: typeHistogram, labels: hv.v.labels,
		buckets: upper, histograms: hv}).histograms
}

func checkBuckets(name string, buckets []float64) []float64 {
	if buckets == nil {
		buckets = DefBuckets
	}
	upper := slices.Clone(buckets)
	if n := len(upper); n > 0 && math.IsInf(upper[n-1], 1) {
		upper = upper[:n-1]
	}
	for i, b := range upper {
		if math.IsNaN(b) || math.IsInf(b, 0) || i > 0 && b <= upper[i-1] {
			panic(fmt.Sprintf("BUG: histogram %s: buckets must be finite and strictly increasing, got %v", name, buckets))
		}
	}
	return upper
}

// WriteText writes every family with at least one sample in the text
// exposition format 0.0.4, sorted by name, each child sorted by its label
// values.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	fams := make([]*family, 0, len(r.families))
	for _, f := range r.families {
		fams = append(fams, f)
	}
	r.mu.Unlock()
	sort.Slice(fams, func(i, j int) bool { return fams[i].name < fams[j].name })

	bw := bufio.NewWriter(w)
	var line []byte
	for _, f := range fams {
		line = f.appendText(line[:0])
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("cannot write metrics: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("cannot write metrics: %w", err)
	}
	return nil
}

// Handler serves the registry's text over HTTP.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		_ = r.WriteText(w) // the client went away; nothing else to tell it
	})
}

func (f *family) appendHeader(b []byte) []byte {
	b = append(b, "# HELP "...)
	b = append(b, f.name...)
	b = append(b, ' ')
	b = appendEscaped(b, f.help, false)
	b = append(b, "\n# TYPE "...)
	b = append(b, f.name...)
	b = append(b, ' ')
	b = append(b, f.typ...)
	return append(b, '\n')
}

func (f *family) appendText(b []byte) []byte {
	switch {
	case f.fn != nil:
		b = f.appendHeader(b)
		b = appendSample(b, f.name, "", nil, nil, "", f.fn())
	case f.counters != nil:
		cs := f.counters.v.sorted()
		if len(cs) == 0 {
			return b
		}
		b = f.appendHeader(b)
		for _, c := range cs {
			b = appendSample(b, f.name, "", f.labels, c.values, "", c.m.Value())
		}
	case f.gauges != nil:
		gs := f.gauges.v.sorted()
		if len(gs) == 0 {
			return b
		}
		b = f.appendHeader(b)
		for _, g := range gs {
			b = appendSample(b, f.name, "", f.labels, g.values, "", g.m.Value())
		}
	case f.histograms != nil:
		hs := f.histograms.v.sorted()
		if len(hs) == 0 {
			return b
		}
		b = f.appendHeader(b)
		for _, h := range hs {
			cum, sum := h.m.snapshot()
			for i, n := range cum {
				le := "+Inf"
				if i < len(f.buckets) {
					le = formatFloat(f.buckets[i])
				}
				b = appendSample(b, f.name, "_bucket", f.labels, h.values, le, float64(n))
			}
			b = appendSample(b, f.name, "_sum", f.labels, h.values, "", sum)
			b = appendSample(b, f.name, "_count", f.labels, h.values, "", float64(cum[len(cum)-1]))
		}
	}
	return b
}

// appendSample writes `name{labels,le="..."} value`; le is added when not empty.
func appendSample(b []byte, name, suffix string, labels, values []string, le string, v float64) []byte {
	b = append(b, name...)
	b = append(b, suffix...)
	if len(labels) > 0 || le != "" {
		b = append(b, '{')
		for i, l := range labels {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, l...)
			b = append(b, `="`...)
			b = appendEscaped(b, values[i], true)
			b = append(b, '"')
		}
		if le != "" {
			if len(labels) > 0 {
				b = append(b, ',')
			}
			b = append(b, `le="`...)
			b = append(b, le...)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = append(b, formatFloat(v)...)
	return append(b, '\n')
}

// appendEscaped escapes a backslash and a newline, and in label values
// also a double quote, as the text format requires.
func appendEscaped(b []byte, s string, quote bool) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
