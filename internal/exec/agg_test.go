package exec

import (
	"fmt"
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
