package exec

import (
	"fmt"
	"testing"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// aggBenchFns are the aggregates benchmarked: every state kind once.
var aggBenchFns = []struct {
	fn    string
	star  bool
	param event.Value
}{
	{"count", true, event.Value{}}, {"count", false, event.Value{}}, {"count_distinct", false, event.Value{}},
	{"min", false, event.Value{}}, {"max", false, event.Value{}}, {"sum", false, event.Value{}},
	{"avg", false, event.Value{}}, {"median", false, event.Value{}}, {"percentile", false, event.LongValue(95)},
	{"values", false, event.Value{}}, {"list", false, event.Value{}}, {"earliest", false, event.Value{}},
	{"range", false, event.Value{}}, {"stdev", false, event.Value{}},
}

// aggBenchValue is the i-th input: numbers for the numeric aggregates,
// one of 12 model names for the set ones, as a group would see.
func aggBenchValue(fn string, i int) event.Value {
	switch fn {
	case "count_distinct", "values", "list":
		return event.StringValue(fmt.Sprintf("anthropic.claude-%d", i%12))
	}
	return event.LongValue(int64(i * 7 % 1000))
}

// BenchmarkAggregateInsert measures adding one value to a pane's state.
func BenchmarkAggregateInsert(b *testing.B) {
	for _, a := range aggBenchFns {
		name := a.fn
		if a.star {
			name += "(*)"
		}
		b.Run(name, func(b *testing.B) {
			vals := make([]event.Value, 1024)
			for i := range vals {
				vals[i] = aggBenchValue(a.fn, i)
			}
			st := newAggState(plan.ESQL, a.fn, a.star, a.param)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if i%1024 == 0 {
					st = newAggState(plan.ESQL, a.fn, a.star, a.param)
				}
				st.add(vals[i%1024], int64(i))
			}
		})
	}
}

// BenchmarkAggregateSlide measures one step of a sliding window of 24
// panes of 50 values each: the oldest pane leaves (taken back where the
// aggregate inverts, else the window merges its remaining panes again),
// a new pane enters, and the result is read.
func BenchmarkAggregateSlide(b *testing.B) {
	const panes, perPane = 24, 50
	for _, a := range aggBenchFns {
		name := a.fn
		if a.star {
			name += "(*)"
		}
		b.Run(name, func(b *testing.B) {
			ring := make([]aggState, panes)
			fill := func(k int) aggState {
				st := newAggState(plan.ESQL, a.fn, a.star, a.param)
				for i := 0; i < perPane; i++ {
					st.add(aggBenchValue(a.fn, k*perPane+i), int64(k*perPane+i))
				}
				return st
			}
			win := newAggState(plan.ESQL, a.fn, a.star, a.param)
			for k := range ring {
				ring[k] = fill(k)
				win.merge(ring[k])
			}
			next := make([]aggState, 64)
			for k := range next {
				next[k] = fill(panes + k)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				old := ring[i%panes]
				ring[i%panes] = next[i%len(next)]
				if !win.sub(old) {
					win = newAggState(plan.ESQL, a.fn, a.star, a.param)
					for _, p := range ring {
						win.merge(p)
					}
				} else {
					win.merge(ring[i%panes])
				}
				_ = win.result()
			}
		})
	}
}
