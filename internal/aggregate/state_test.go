package aggregate

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// TestSetAggregatesTakeBack checks values() and count_distinct() across
// the change from a small set to an indexed one and back: a window that
// merged two panes' states and takes one back holds exactly the other's.
func TestSetAggregatesTakeBack(t *testing.T) {
	pane := func(fn string, lo, hi int) State {
		a := newState(plan.ESQL, fn, false, event.Value{})
		for i := lo; i < hi; i++ {
			a.Add(event.StringValue(fmt.Sprintf("v%02d", i)), 0)
			a.Add(event.StringValue(fmt.Sprintf("v%02d", i)), 0) // again: still one
		}
		return a
	}
	for _, fn := range []string{"values", "count_distinct"} {
		a, b := pane(fn, 0, 12), pane(fn, 6, 20)
		win := newState(plan.ESQL, fn, false, event.Value{})
		win.Merge(a)
		win.Merge(b)
		if got, want := win.Result().String(), pane(fn, 0, 20).Result().String(); got != want {
			t.Errorf("%s of both panes = %s, want %s", fn, got, want)
		}
		if !win.Sub(a) {
			t.Fatalf("%s cannot take a pane back", fn)
		}
		if got, want := win.Result().String(), b.Result().String(); got != want {
			t.Errorf("%s after the first pane left = %s, want %s", fn, got, want)
		}
		win.Merge(pane(fn, 18, 22))
		if got, want := win.Result().String(), pane(fn, 6, 22).Result().String(); got != want {
			t.Errorf("%s after a third pane = %s, want %s", fn, got, want)
		}
		win.Sub(b)
		if got, want := win.Result().String(), pane(fn, 18, 22).Result().String(); got != want {
			t.Errorf("%s holding the third pane alone = %s, want %s", fn, got, want)
		}
	}
}

// TestTakeBack slides a window of five panes over random values, with
// repeats and ties, and checks every aggregate that inverts (and may
// decline to take a pane back) against a merge of the panes still in the
// window. One that does not invert must always decline.
func TestTakeBack(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, d := range []plan.Dialect{plan.ESQL, plan.SPL} {
		for _, f := range Funcs(d) {
			fn := f.Name
			if !f.Inverts {
				a, b := newState(d, fn, false, event.LongValue(50)), newState(d, fn, false, event.LongValue(50))
				a.Add(event.LongValue(1), 0)
				b.Add(event.LongValue(1), 0)
				a.Merge(b)
				if a.Sub(b) {
					t.Errorf("%s %s does not invert but took a state back", d, fn)
				}
				continue
			}
			var panes []State
			param := testParam(fn)
			win := newState(d, fn, false, param)
			for step := 0; step < 200; step++ {
				p := newState(d, fn, false, param)
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
					t := int64(r.IntN(8))
					p.Add(rowArg(d, fn, v, t), t)
				}
				panes = append(panes, p)
				win.Merge(p)
				if len(panes) > 5 {
					if !win.Sub(panes[0]) {
						win = newState(d, fn, false, param)
						for _, q := range panes[1:] {
							win.Merge(q)
						}
					}
					panes = panes[1:]
				}
				fresh := newState(d, fn, false, param)
				for _, q := range panes {
					fresh.Merge(q)
				}
				if got, want := win.Result().String(), fresh.Result().String(); got != want {
					t.Fatalf("%s (dialect %v) step %d: sliding gives %q, merging the panes %q", fn, d, step, got, want)
				}
			}
		}
	}
}

// Merging the states of two halves of the rows gives the state of all of
// them, for every aggregate of both dialects.
func TestAggregatesMerge(t *testing.T) {
	vals := []event.Value{event.LongValue(5), event.StringValue("b"), event.LongValue(-2), event.DoubleValue(2.5), event.StringValue("a"), event.Value{}}
	for _, d := range []plan.Dialect{plan.ESQL, plan.SPL} {
		for _, f := range Funcs(d) {
			fn := f.Name
			param := testParam(fn)
			whole := f.New(false, param)
			left, right := f.New(false, param), f.New(false, param)
			for i, v := range vals {
				v = rowArg(d, fn, v, int64(i))
				whole.Add(v, int64(i))
				if i < 3 {
					left.Add(v, int64(i))
				} else {
					right.Add(v, int64(i))
				}
			}
			left.Merge(right)
			if fn == "list" {
				continue // order of arrival differs by design
			}
			if !event.Equal(whole.Result(), left.Result()) {
				t.Errorf("%s %s: merged %v, whole %v", d, fn, left.Result(), whole.Result())
			}
		}
	}
}

func TestAggregateSemantics(t *testing.T) {
	run := func(d plan.Dialect, fn string, vs ...event.Value) event.Value {
		s := newState(d, fn, false, event.Value{})
		for i, v := range vs {
			s.Add(v, int64(i))
		}
		return s.Result()
	}
	mv := event.MultiValue([]event.Value{event.StringValue("x"), event.StringValue("y")})
	cases := []struct {
		name string
		got  event.Value
		want string
	}{
		{"esql count counts values of a multi-value", run(plan.ESQL, "count", mv, event.Value{}), "2"},
		{"spl count(f) counts events with f", run(plan.SPL, "count", mv, event.Value{}), "1"},
		{"spl values sorts as text", run(plan.SPL, "values", event.LongValue(10), event.LongValue(9), event.StringValue("B"), event.StringValue("a")), "10,9,B,a"},
		{"spl min prefers numbers in strings", run(plan.SPL, "min", event.StringValue("10"), event.StringValue("9"), event.StringValue("abc")), "9"},
		{"esql sum of longs stays long", run(plan.ESQL, "sum", event.LongValue(2), event.LongValue(3)), "5"},
		{"avg is double", run(plan.ESQL, "avg", event.LongValue(2), event.LongValue(3)), "2.5"},
		{"median of even count interpolates", run(plan.ESQL, "median", event.LongValue(1), event.LongValue(2), event.LongValue(3), event.LongValue(4)), "2.5"},
		{"spl first is the latest event", run(plan.SPL, "first", event.StringValue("old"), event.StringValue("new")), "new"},
		{"spl earliest is the first event", run(plan.SPL, "earliest", event.StringValue("old"), event.StringValue("new")), "old"},
		{"aggregates skip nulls", run(plan.ESQL, "max", event.Value{}, event.LongValue(1)), "1"},
	}
	for _, c := range cases {
		if c.got.String() != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

// A state read back from its encoding gives the same result, and the
// encoding cut short is an error, for every aggregate of both dialects.
func TestEncodeDecode(t *testing.T) {
	vals := []event.Value{event.LongValue(5), event.StringValue("b"), event.LongValue(-2), event.DoubleValue(2.5),
		event.StringValue("a"), event.Value{}, event.StringValue("7"), event.MultiValue([]event.Value{event.LongValue(1), event.StringValue("c")})}
	for _, d := range []plan.Dialect{plan.ESQL, plan.SPL} {
		for _, f := range Funcs(d) {
			for _, star := range []bool{false, true} {
				if star && f.Name != "count" {
					continue
				}
				param := testParam(f.Name)
				st := f.New(star, param)
				for i, v := range vals {
					st.Add(rowArg(d, f.Name, v, int64(i)), int64(i))
				}
				var e Encoder
				st.Encode(&e)
				back := f.New(star, param)
				dec := NewDecoder(e.Bytes())
				back.Decode(dec)
				if dec.Err() != nil {
					t.Fatalf("%s %s: %v", d, f.Name, dec.Err())
				}
				if got, want := back.Result().String(), st.Result().String(); got != want {
					t.Errorf("%s %s: decoded %s, want %s", d, f.Name, got, want)
				}
				cut := NewDecoder(e.Bytes()[:len(e.Bytes())-1])
				f.New(star, param).Decode(cut)
				if cut.Err() == nil {
					t.Errorf("%s %s: a truncated encoding decoded without error", d, f.Name)
				}
			}
		}
	}
}

// testParam is the constant parameter the tests give an aggregate.
func testParam(fn string) event.Value {
	switch fn {
	case "top":
		return event.MultiValue([]event.Value{event.LongValue(3), event.StringValue("desc")})
	}
	return event.LongValue(90)
}

// rowArg is what the ES|QL front end hands an aggregate for a row's value
// v at time t: FIRST and LAST read it keyed, here by the time.
func rowArg(d plan.Dialect, fn string, v event.Value, t int64) event.Value {
	if d == plan.ESQL && (fn == "first" || fn == "last") {
		return scalar.Keyed(v, event.LongValue(t))
	}
	return v
}

// newState returns fresh state for a dialect's aggregate; a test that
// names an aggregate the dialect lacks is a bug.
func newState(d plan.Dialect, fn string, star bool, param event.Value) State {
	f, ok := Lookup(d, fn)
	if !ok {
		panic("BUG: no aggregate " + fn + " in " + d.String())
	}
	return f.New(star, param)
}
