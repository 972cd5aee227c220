package exec

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// TestSetAggregatesTakeBack checks values() and count_distinct() across
// the change from a small set to an indexed one and back: a window that
// merged two panes' states and takes one back holds exactly the other's.
func TestSetAggregatesTakeBack(t *testing.T) {
	pane := func(fn string, lo, hi int) aggState {
		a := newAggState(plan.ESQL, fn, false, event.Value{})
		for i := lo; i < hi; i++ {
			a.add(event.StringValue(fmt.Sprintf("v%02d", i)), 0)
			a.add(event.StringValue(fmt.Sprintf("v%02d", i)), 0) // again: still one
		}
		return a
	}
	for _, fn := range []string{"values", "count_distinct"} {
		a, b := pane(fn, 0, 12), pane(fn, 6, 20)
		win := newAggState(plan.ESQL, fn, false, event.Value{})
		win.merge(a)
		win.merge(b)
		if got, want := win.result().String(), pane(fn, 0, 20).result().String(); got != want {
			t.Errorf("%s of both panes = %s, want %s", fn, got, want)
		}
		if !win.sub(a) {
			t.Fatalf("%s cannot take a pane back", fn)
		}
		if got, want := win.result().String(), b.result().String(); got != want {
			t.Errorf("%s after the first pane left = %s, want %s", fn, got, want)
		}
		win.merge(pane(fn, 18, 22))
		if got, want := win.result().String(), pane(fn, 6, 22).result().String(); got != want {
			t.Errorf("%s after a third pane = %s, want %s", fn, got, want)
		}
		win.sub(b)
		if got, want := win.result().String(), pane(fn, 18, 22).result().String(); got != want {
			t.Errorf("%s holding the third pane alone = %s, want %s", fn, got, want)
		}
	}
}

// TestExtremesTakeBack slides a window of five panes over random values,
// with repeats and ties, and checks every aggregate that may decline to
// take a pane back against a merge of the panes still in the window.
func TestExtremesTakeBack(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, fn := range []string{"min", "max", "earliest", "latest", "range", "count_distinct", "values", "sum"} {
		for _, d := range []plan.Dialect{plan.ESQL, plan.SPL} {
			var panes []aggState
			win := newAggState(d, fn, false, event.Value{})
			for step := 0; step < 200; step++ {
				p := newAggState(d, fn, false, event.Value{})
				for i := r.IntN(4); i > 0; i-- {
					var v event.Value
					switch r.IntN(5) {
					case 0:
						v = event.StringValue(fmt.Sprint("s", r.IntN(6)))
					case 1:
						v = event.DoubleValue(float64(r.IntN(10)) / 2)
					default:
						v = event.LongValue(int64(r.IntN(10)))
					}
					p.add(v, int64(r.IntN(8)))
				}
				panes = append(panes, p)
				win.merge(p)
				if len(panes) > 5 {
					if !win.sub(panes[0]) {
						win = newAggState(d, fn, false, event.Value{})
						for _, q := range panes[1:] {
							win.merge(q)
						}
					}
					panes = panes[1:]
				}
				fresh := newAggState(d, fn, false, event.Value{})
				for _, q := range panes {
					fresh.merge(q)
				}
				if got, want := win.result().String(), fresh.result().String(); got != want {
					t.Fatalf("%s (dialect %v) step %d: sliding gives %q, merging the panes %q", fn, d, step, got, want)
				}
			}
		}
	}
}
