package aggregate

import (
	"testing"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// FIRST and LAST pick the value of the row with the least or greatest
// sort key, as the ES|QL reference's example does: FIRST(number,
// @timestamp) over its dataset is 1, LAST per name gives 4, 5, [6, 7, 8]
// and null.
func TestFirstLast(t *testing.T) {
	ts := func(s string) event.Value {
		v, ok := event.ParseTime([]byte(s))
		if !ok {
			t.Fatalf("bad time %q", s)
		}
		return event.TimeValue(v)
	}
	type row struct {
		name string
		key  event.Value
		v    event.Value
	}
	l := event.LongValue
	rows := []row{
		{"alpha", ts("2025-11-25T00:00:00Z"), l(1)},
		{"alpha", ts("2025-11-25T00:00:01Z"), l(2)},
		{"bravo", ts("2025-11-25T00:00:02Z"), event.Value{}},
		{"alpha", ts("2025-11-25T00:00:03Z"), l(4)},
		{"bravo", ts("2025-11-25T00:00:04Z"), l(5)},
		{"charlie", ts("2025-11-25T00:00:05Z"), event.MultiValue([]event.Value{l(6), l(7), l(8)})},
		{"delta", ts("2025-11-25T00:00:06Z"), event.Value{}},
	}
	run := func(fn, name string, order []int) string {
		s := newState(plan.ESQL, fn, false, event.Value{})
		for _, i := range order {
			if r := rows[i]; name == "" || r.name == name {
				s.Add(scalar.Keyed(r.v, r.key), 0)
			}
		}
		return s.Result().String()
	}
	fwd, back := []int{0, 1, 2, 3, 4, 5, 6}, []int{6, 5, 4, 3, 2, 1, 0}
	for _, order := range [][]int{fwd, back} {
		for _, c := range []struct{ fn, name, want string }{
			{"first", "", "1"},
			{"last", "", "6,7,8"},
			{"last", "alpha", "4"},
			{"last", "bravo", "5"},
			{"first", "bravo", "5"}, // the null value is skipped
			{"last", "charlie", "6,7,8"},
			{"last", "delta", ""},
		} {
			if got := run(c.fn, c.name, order); got != c.want {
				t.Errorf("%s by %q in order %v = %q, want %q", c.fn, c.name, order, got, c.want)
			}
		}
	}

	add := func(fn string, pairs ...[2]event.Value) string {
		s := newState(plan.ESQL, fn, false, event.Value{})
		for _, p := range pairs {
			s.Add(scalar.Keyed(p[0], p[1]), 0)
		}
		return s.Result().String()
	}
	s := event.StringValue
	mk := func(vs ...int64) event.Value {
		out := make([]event.Value, len(vs))
		for i, v := range vs {
			out[i] = l(v)
		}
		return event.MultiValue(out)
	}
	for _, c := range []struct {
		name, got, want string
	}{
		{"a row without a key ranks last for first", add("first", [2]event.Value{s("nokey"), {}}, [2]event.Value{s("late"), l(9)}), "late"},
		{"a row without a key ranks last for last", add("last", [2]event.Value{s("late"), l(9)}, [2]event.Value{s("nokey"), {}}), "late"},
		{"only rows without a key", add("first", [2]event.Value{s("b"), {}}, [2]event.Value{s("a"), {}}), "a"},
		{"a multi-valued key is its least for first", add("first", [2]event.Value{s("x"), mk(5, 1)}, [2]event.Value{s("y"), l(2)}), "x"},
		{"a multi-valued key is its greatest for last", add("last", [2]event.Value{s("x"), mk(5, 1)}, [2]event.Value{s("y"), l(4)}), "x"},
		{"ties go to the value that sorts first", add("first", [2]event.Value{s("b"), l(1)}, [2]event.Value{s("a"), l(1)}), "a"},
		{"a value not packed by Keyed is skipped", add("first", [2]event.Value{s("a"), l(1)}) + func() string {
			st := newState(plan.ESQL, "first", false, event.Value{})
			st.Add(s("raw"), 0)
			return st.Result().String()
		}(), "a"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}
