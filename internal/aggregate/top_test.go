package aggregate

import (
	"testing"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// TOP keeps the limit best values, repeats included, best first; every
// value of a multi-value counts.
func TestTop(t *testing.T) {
	l := event.LongValue
	param := func(n int64, order string) event.Value {
		return event.MultiValue([]event.Value{l(n), event.StringValue(order)})
	}
	run := func(p event.Value, vs ...event.Value) string {
		s := newState(plan.ESQL, "top", false, p)
		for _, v := range vs {
			s.Add(v, 0)
		}
		return s.Result().String()
	}
	salaries := []event.Value{l(74572), l(74999), event.Value{}, l(70011), l(74970), l(74970)}
	for _, c := range []struct {
		name, got, want string
	}{
		{"desc, as the reference's example", run(param(3, "desc"), salaries...), "74999,74970,74970"},
		{"asc", run(param(2, "asc"), salaries...), "70011,74572"},
		{"order is case-insensitive", run(param(1, "DESC"), salaries...), "74999"},
		{"a bare limit is ascending", run(l(2), salaries...), "70011,74572"},
		{"fewer values than the limit", run(param(10, "asc"), l(3), l(1)), "1,3"},
		{"multi-values count each value", run(param(3, "asc"), event.MultiValue([]event.Value{l(9), l(2)}), l(5)), "2,5,9"},
		{"strings", run(param(2, "desc"), event.StringValue("b"), event.StringValue("a"), event.StringValue("c")), "c,b"},
		{"no values", run(param(2, "asc"), event.Value{}), ""},
		{"no limit", run(event.Value{}, l(1)), ""},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

// A window that let values go can still take back a pane whose values
// all rank behind the ones it kept, and declines any other.
func TestTopTakeBack(t *testing.T) {
	l := event.LongValue
	p := l(2) // the two least
	pane := func(vs ...int64) State {
		s := newState(plan.ESQL, "top", false, p)
		for _, v := range vs {
			s.Add(l(v), 0)
		}
		return s
	}
	a, b, c := pane(1, 2), pane(8, 9), pane(3)
	win := newState(plan.ESQL, "top", false, p)
	win.Merge(a)
	win.Merge(b)
	win.Merge(c)
	if got := win.Result().String(); got != "1,2" {
		t.Fatalf("window = %s, want 1,2", got)
	}
	if !win.Sub(b) {
		t.Errorf("a pane whose values were all let go was not taken back")
	}
	if win.Sub(a) {
		t.Errorf("the pane that gave the kept values was taken back")
	}
	exact := newState(plan.ESQL, "top", false, l(5))
	exact.Merge(a)
	exact.Merge(c)
	if !exact.Sub(a) || exact.Result().String() != "3" {
		t.Errorf("a window holding every value took a pane back as %s, want 3", exact.Result())
	}
}
