package aggregate

import (
	"slices"
	"strings"

	"github.com/tripline/tripline/internal/event"
)

// top is ES|QL's TOP(field, limit, order): the limit least (asc) or
// greatest (desc) values, repeats included, best first. Every value of a
// multi-value counts. vals is sorted best first; dropped records that a
// value was let go, after which the state no longer holds every value it
// took and can give one back only when it never kept it.
type top struct {
	limit   int
	desc    bool
	vals    []event.Value
	dropped bool
}

// newTop reads TOP's parameter, as the ES|QL front end writes it: the
// limit, or a list of the limit and "asc" or "desc". Without a positive
// limit the result is always null.
func newTop(_ bool, param event.Value) State {
	t := &top{}
	for _, p := range param.Values() {
		if n, ok := p.Long(); ok && n > 0 {
			t.limit = int(min(n, 1<<20))
		}
		if s, ok := p.Str(); ok {
			t.desc = strings.EqualFold(s, "desc")
		}
	}
	return t
}

// before reports whether a ranks ahead of b.
func (t *top) before(a, b event.Value) bool {
	c := event.Order(a, b)
	if t.desc {
		return c > 0
	}
	return c < 0
}

func (t *top) Add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		t.offer(e)
	}
}

// offer keeps e if it is among the best limit values so far.
func (t *top) offer(e event.Value) {
	if t.limit == 0 {
		return
	}
	if len(t.vals) == t.limit {
		t.dropped = true
		if !t.before(e, t.vals[len(t.vals)-1]) {
			return
		}
		t.vals = t.vals[:len(t.vals)-1]
	}
	// After the values it ties with, so that the first seen stays first.
	i, _ := slices.BinarySearchFunc(t.vals, e, func(have, want event.Value) int {
		if t.before(want, have) {
			return 1
		}
		return -1
	})
	t.vals = slices.Insert(t.vals, i, e)
}

func (t *top) Merge(o State) {
	x := o.(*top)
	for _, e := range x.vals {
		t.offer(e)
	}
	t.dropped = t.dropped || x.dropped
}

// Sub takes a pane back exactly while the state holds every value it
// took; after that, only a pane whose values all rank behind the kept
// ones, which it therefore never gave.
func (t *top) Sub(o State) bool {
	x := o.(*top)
	if len(x.vals) == 0 {
		return true
	}
	if t.dropped {
		if len(t.vals) < t.limit {
			return false
		}
		worst := t.vals[len(t.vals)-1]
		for _, e := range x.vals {
			if !t.before(worst, e) {
				return false
			}
		}
		return true
	}
	if x.dropped {
		return false // its dropped values would be here
	}
	left := slices.Clone(t.vals)
	for _, e := range x.vals {
		i := slices.IndexFunc(left, func(h event.Value) bool { return h.Kind() == e.Kind() && event.Equal(h, e) })
		if i < 0 {
			return false
		}
		left = slices.Delete(left, i, i+1)
	}
	t.vals = left
	return true
}

func (t *top) Result() event.Value { return event.OwnedMultiValue(slices.Clone(t.vals)) }

func (t *top) Encode(e *Encoder) {
	e.Bool(t.dropped)
	e.Values(t.vals)
}

func (t *top) Decode(d *Decoder) {
	t.dropped = d.Bool()
	for _, v := range d.Values() {
		t.offer(v)
	}
}
