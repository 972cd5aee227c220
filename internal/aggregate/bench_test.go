package aggregate

import (
	"fmt"
	"testing"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// aggBenchFns are the aggregates benchmarked: every state kind once.
var aggBenchFns = []struct {
	d     plan.Dialect
	fn    string
	star  bool
	param event.Value
}{
	{plan.ESQL, "count", true, event.Value{}}, {plan.ESQL, "count", false, event.Value{}},
	{plan.ESQL, "count_distinct", false, event.Value{}}, {plan.ESQL, "min", false, event.Value{}},
	{plan.ESQL, "max", false, event.Value{}}, {plan.ESQL, "sum", false, event.Value{}},
	{plan.ESQL, "avg", false, event.Value{}}, {plan.ESQL, "median", false, event.Value{}},
	{plan.ESQL, "percentile", false, event.LongValue(95)}, {plan.ESQL, "values", false, event.Value{}},
	{plan.SPL, "list", false, event.Value{}}, {plan.ESQL, "earliest", false, event.Value{}},
	{plan.SPL, "range", false, event.Value{}}, {plan.SPL, "stdev", false, event.Value{}},
	{plan.ESQL, "first", false, event.Value{}}, {plan.ESQL, "top", false, event.MultiValue([]event.Value{event.LongValue(10), event.StringValue("desc")})},
}

// forEachAggregate runs body as a sub-benchmark for each of aggBenchFns,
// with what makes the aggregate's fresh states.
func forEachAggregate(b *testing.B, body func(b *testing.B, fn string, fresh func() State)) {
	for _, a := range aggBenchFns {
		name := a.fn
		if a.star {
			name += "(*)"
		}
		fresh := newFunc(a.d, a.fn, a.star, a.param)
		b.Run(name, func(b *testing.B) { body(b, a.fn, fresh) })
	}
}

// newFunc resolves an aggregate's entry once, as exec does when it
// compiles stats, and returns what makes its fresh states.
func newFunc(d plan.Dialect, fn string, star bool, param event.Value) func() State {
	f, ok := Lookup(d, fn)
	if !ok {
		panic("BUG: no aggregate " + fn + " in " + d.String())
	}
	return func() State { return f.New(star, param) }
}

// aggBenchValue is the i-th input: numbers for the numeric aggregates,
// one of 12 model names for the set ones, as a group would see.
func aggBenchValue(fn string, i int) event.Value {
	switch fn {
	case "count_distinct", "values", "list":
		return event.StringValue(fmt.Sprintf("anthropic.claude-%d", i%12))
	case "first", "last":
		// A value keyed by its time, as $keyed hands it over.
		return scalar.Keyed(event.StringValue(fmt.Sprintf("anthropic.claude-%d", i%12)), event.TimeNanos(int64(i*7%1000)*1e9))
	}
	return event.LongValue(int64(i * 7 % 1000))
}

// BenchmarkAggregateInsert measures adding one value to a pane's state.
func BenchmarkAggregateInsert(b *testing.B) {
	forEachAggregate(b, func(b *testing.B, fn string, fresh func() State) {
		vals := make([]event.Value, 1024)
		for i := range vals {
			vals[i] = aggBenchValue(fn, i)
		}
		st := fresh()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if i%1024 == 0 {
				st = fresh()
			}
			st.Add(vals[i%1024], int64(i))
		}
	})
}

// BenchmarkAggregateSlide measures one step of a sliding window of 24
// panes of 50 values each: the oldest pane leaves (taken back where the
// aggregate inverts, else the window merges its remaining panes again),
// a new pane enters, and the result is read.
func BenchmarkAggregateSlide(b *testing.B) {
	const panes, perPane = 24, 50
	forEachAggregate(b, func(b *testing.B, fn string, fresh func() State) {
		ring := make([]State, panes)
		fill := func(k int) State {
			st := fresh()
			for i := 0; i < perPane; i++ {
				st.Add(aggBenchValue(fn, k*perPane+i), int64(k*perPane+i))
			}
			return st
		}
		win := fresh()
		for k := range ring {
			ring[k] = fill(k)
			win.Merge(ring[k])
		}
		next := make([]State, 64)
		for k := range next {
			next[k] = fill(panes + k)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			old := ring[i%panes]
			ring[i%panes] = next[i%len(next)]
			if !win.Sub(old) {
				win = fresh()
				for _, p := range ring {
					win.Merge(p)
				}
			} else {
				win.Merge(ring[i%panes])
			}
			_ = win.Result()
		}
	})
}

// BenchmarkDigestInsert measures adding one value to ES|QL's percentile
// digest once it holds centroids: the buffer and, every digestExact
// values, merging it into the centroids.
func BenchmarkDigestInsert(b *testing.B) {
	vals := make([]event.Value, 4096)
	for i := range vals {
		vals[i] = event.DoubleValue(float64(i*7919%4096) / 3)
	}
	st := newState(plan.ESQL, "percentile", false, event.LongValue(95))
	for _, v := range vals {
		st.Add(v, 0)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		st.Add(vals[i%len(vals)], int64(i))
	}
}

// BenchmarkDigestMerge measures what a window does for a percentile when
// a pane leaves it: merging the digests of its 24 remaining panes, of
// 1,000 values each, and reading the result.
func BenchmarkDigestMerge(b *testing.B) {
	const panes, perPane = 24, 1000
	ring := make([]State, panes)
	for k := range ring {
		ring[k] = newState(plan.ESQL, "percentile", false, event.LongValue(95))
		for i := 0; i < perPane; i++ {
			ring[k].Add(event.DoubleValue(float64((k*perPane+i)*7919%100000)/7), 0)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		win := newState(plan.ESQL, "percentile", false, event.LongValue(95))
		for _, p := range ring {
			win.Merge(p)
		}
		_ = win.Result()
	}
}
