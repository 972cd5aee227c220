package metrics

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ContentType is the media type of the text that WriteText writes.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// DefBuckets are histogram buckets for durations in seconds, from 1 ms to
// a minute.
var DefBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// atomicFloat is a float64 updated with compare-and-swap on its bits.
type atomicFloat struct{ bits atomic.Uint64 }

func (f *atomicFloat) load() float64 { return math.Float64frombits(f.bits.Load()) }

func (f *atomicFloat) store(v float64) { f.bits.Store(math.Float64bits(v)) }

func (f *atomicFloat) add(v float64) {
	for {
		old := f.bits.Load()
		next := math.Float64bits(math.Float64frombits(old) + v)
		if f.bits.CompareAndSwap(old, next) {
			return
		}
	}
}

// Counter is a value that only goes up. The zero value is not usable;
// counters come from a Registry.
type Counter struct {
	n atomic.Uint64 // whole increments, the common case
	f atomicFloat   // fractional additions
}

// Inc adds one.
func (c *Counter) Inc() { c.n.Add(1) }

// Add adds v, which must not be negative (a negative v is ignored, since a
// counter that goes down would read as a reset).
func (c *Counter) Add(v float64) {
	if v < 0 || math.IsNaN(v) {
		return
	}
	if v == math.Trunc(v) && v < 1<<53 {
		c.n.Add(uint64(v))
		return
	}
	c.f.add(v)
}

// Value returns the counter's current value.
func (c *Counter) Value() float64 { return float64(c.n.Load()) + c.f.load() }

// Gauge is a value that goes up and down.
type Gauge struct{ v atomicFloat }

// Set sets the gauge to v.
func (g *Gauge) Set(v float64) { g.v.store(v) }

// Add adds v (which may be negative).
func (g *Gauge) Add(v float64) { g.v.add(v) }

// Inc adds one.
func (g *Gauge) Inc() { g.v.add(1) }

// Dec subtracts one.
func (g *Gauge) Dec() { g.v.add(-1) }

// SetTime sets the gauge to t as seconds since the Unix epoch.
func (g *Gauge) SetTime(t time.Time) { g.v.store(float64(t.UnixNano()) / 1e9) }

// Value returns the gauge's current value.
func (g *Gauge) Value() float64 { return g.v.load() }

// Histogram counts observations in fixed buckets and keeps their sum.
type Histogram struct {
	upper  []float64       // sorted upper bounds, without +Inf
	counts []atomic.Uint64 // per bucket, not cumulative; the last is +Inf
	sum    atomicFloat
}

func newHistogram(upper []float64) *Histogram {
	return &Histogram{upper: upper, counts: make([]atomic.Uint64, len(upper)+1)}
}

// Observe records one value. NaN is ignored.
func (h *Histogram) Observe(v float64) {
	if math.IsNaN(v) {
		return
	}
	// The first bound >= v: buckets are "less than or equal".
	i := sort.SearchFloat64s(h.upper, v)
	h.counts[i].Add(1)
	h.sum.add(v)
}

// ObserveDuration records d in seconds.
func (h *Histogram) ObserveDuration(d time.Duration) { h.Observe(d.Seconds()) }

// ObserveSince records the time elapsed since start, in seconds.
func (h *Histogram) ObserveSince(start time.Time) { h.Observe(time.Since(start).Seconds()) }

// snapshot returns the cumulative bucket counts (the last being +Inf, the
// total count) and the sum.
func (h *Histogram) snapshot() ([]uint64, float64) {
	cum := make([]uint64, len(h.counts))
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
		cum[i] = n
	}
	return cum, h.sum.load()
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 {
	cum, _ := h.snapshot()
	return cum[len(cum)-1]
}

// Sum returns the sum of the observations.
func (h *Histogram) Sum() float64 { return h.sum.load() }

// vec holds the children of one labelled metric, by label values.
type vec[T any] struct {
	labels   []string
	children sync.Map // key(values) -> *child[T]
	mk       func() *T
	mu       sync.Mutex // serializes creation only
}

type child[T any] struct {
	values []string
	m      *T
}

// labelSep cannot appear in valid UTF-8, so joined keys are unambiguous.
const labelSep = "\xff"

func (v *vec[T]) with(name string, values []string) *T {
	if len(values) != len(v.labels) {
		panic("BUG: metric " + name + " wants " + strconv.Itoa(len(v.labels)) + " label values, got " + strconv.Itoa(len(values)))
	}
	var k string
	if len(values) == 1 {
		k = values[0]
	} else {
		k = strings.Join(values, labelSep)
	}
	if c, ok := v.children.Load(k); ok {
		return c.(*child[T]).m
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if c, ok := v.children.Load(k); ok {
		return c.(*child[T]).m
	}
	c := &child[T]{values: append([]string(nil), values...), m: v.mk()}
	v.children.Store(k, c)
	return c.m
}

func (v *vec[T]) delete(values []string) bool {
	if len(values) != len(v.labels) {
		return false
	}
	_, ok := v.children.LoadAndDelete(strings.Join(values, labelSep))
	return ok
}

// sorted returns the children ordered by their label values.
func (v *vec[T]) sorted() []*child[T] {
	var out []*child[T]
	v.children.Range(func(_, c any) bool {
		out = append(out, c.(*child[T]))
		return true
	})
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].values, out[j].values
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return false
	})
	return out
}

// CounterVec is a counter with labels.
type CounterVec struct {
	name string
	v    vec[Counter]
}

// With returns the counter for these label values, in the order the
// labels were declared, creating it at zero on first use. It panics when
// the number of values is wrong. Keep the result where it is used often.
func (c *CounterVec) With(values ...string) *Counter { return c.v.with(c.name, values) }

// Delete removes the child with these label values, reporting whether it
// existed.
func (c *CounterVec) Delete(values ...string) bool { return c.v.delete(values) }

// GaugeVec is a gauge with labels.
type GaugeVec struct {
	name string
	v    vec[Gauge]
}

// With returns the gauge for these label values (see CounterVec.With).
func (g *GaugeVec) With(values ...string) *Gauge { return g.v.with(g.name, values) }

// Delete removes the child with these label values, reporting whether it
// existed.
func (g *GaugeVec) Delete(values ...string) bool { return g.v.delete(values) }

// HistogramVec is a histogram with labels; every child has the same buckets.
type HistogramVec struct {
	name string
	v    vec[Histogram]
}

// With returns the histogram for these label values (see CounterVec.With).
func (h *HistogramVec) With(values ...string) *Histogram { return h.v.with(h.name, values) }

// Delete removes the child with these label values, reporting whether it
// existed.
func (h *HistogramVec) Delete(values ...string) bool { return h.v.delete(values) }
