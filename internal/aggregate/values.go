package aggregate

import (
	"slices"
	"unique"

	"github.com/tripline/tripline/internal/event"
)

// valueSet is values(): distinct values; Splunk sorts them as text. Each
// value carries its multiplicity (1 in a pane's state, the number of merged
// states holding it in a window), so sub can take a pane's values back.
// vals runs parallel to set's items.
type valueSet struct {
	set      multiset
	vals     []event.Value
	sortText bool
}

func (s *valueSet) Add(v event.Value, _ int64) {
	var buf [64]byte
	for _, e := range v.Values() {
		k := e.Key(buf[:0])
		if i := s.set.find(k); i < 0 {
			i = s.set.insertBytes(k, 1)
			s.vals = append(s.vals, e.TextFrom(s.set.items[i].key()))
		} else if !sameSpelling(e, s.vals[i]) {
			s.set.items[i].mixed = true
		}
	}
}

// put adds n to the multiplicity of a value, inserting it when new.
func (s *valueSet) put(h unique.Handle[string], e event.Value, n int32, mixed bool) {
	i, added := s.set.putHandle(h, n)
	if added {
		s.vals = append(s.vals, e)
		s.set.items[i].mixed = mixed
	} else if mixed || !sameSpelling(e, s.vals[i]) {
		s.set.items[i].mixed = true
	}
}

// sameSpelling reports whether two values of one key are written alike:
// 2 and 2.0 share a key but not a spelling.
func sameSpelling(a, b event.Value) bool { return a.Kind() == b.Kind() && event.Equal(a, b) }

func (s *valueSet) Merge(o State) {
	x := o.(*valueSet)
	for i, it := range x.set.items {
		s.put(it.h, x.vals[i], it.n, it.mixed)
	}
}

// sub takes a pane's values back. A value that stays but was written in
// more than one way may have to show another spelling now: the window then
// merges its remaining panes again.
func (s *valueSet) Sub(o State) bool {
	for _, it := range o.(*valueSet).set.items {
		if i := s.set.findString(it.key()); i >= 0 && s.set.items[i].mixed && s.set.items[i].n > it.n {
			return false
		}
	}
	for _, it := range o.(*valueSet).set.items {
		at, from := s.set.take(it.key(), it.n)
		if at < 0 {
			continue
		}
		// The last value moves into the freed place; result sorts anyway.
		s.vals[at] = s.vals[from]
		s.vals[from] = event.Value{}
		s.vals = s.vals[:from]
	}
	return true
}

func (s *valueSet) Result() event.Value {
	vs := append([]event.Value(nil), s.vals...)
	if s.sortText {
		event.SortStrings(vs)
	} else {
		slices.SortStableFunc(vs, event.Order)
	}
	return event.OwnedMultiValue(vs) // a set holds no nulls or multi-values
}

// Encode writes the values without their multiplicities: a pane's are
// all 1.
func (s *valueSet) Encode(e *Encoder) { e.Values(s.vals) }

func (s *valueSet) Decode(d *Decoder) {
	for _, v := range d.Values() {
		k := v.Key(nil)
		i, added := s.set.put(string(k), 1)
		if added {
			s.vals = append(s.vals, v.TextFrom(s.set.items[i].key()))
		} else if !sameSpelling(v, s.vals[i]) {
			s.set.items[i].mixed = true
		}
	}
}
