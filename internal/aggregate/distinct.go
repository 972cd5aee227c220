package aggregate

import (
	"sort"

	"github.com/tripline/tripline/internal/event"
)

// distinct counts distinct values. It holds each value's multiplicity:
// 1 in the state of a pane, the number of merged states holding it in a
// window, so that a value leaves with the last pane that holds it.
type distinct struct{ seen multiset }

func (d *distinct) Add(v event.Value, _ int64) {
	var buf [64]byte
	for _, e := range v.Values() {
		// A value already held keeps its multiplicity, as in valueSet.
		if k := e.Key(buf[:0]); d.seen.find(k) < 0 {
			d.seen.insertBytes(k, 1)
		}
	}
}
func (d *distinct) Merge(o State) {
	for _, it := range o.(*distinct).seen.items {
		d.seen.putHandle(it.h, it.n)
	}
}
func (d *distinct) Sub(o State) bool {
	for _, it := range o.(*distinct).seen.items {
		d.seen.take(it.key(), it.n)
	}
	return true
}
func (d *distinct) Result() event.Value { return event.LongValue(int64(len(d.seen.items))) }

// Encode writes the keys sorted, without their multiplicities: a pane's
// are all 1.
func (d *distinct) Encode(e *Encoder) {
	keys := make([]string, 0, len(d.seen.items))
	for _, it := range d.seen.items {
		keys = append(keys, it.key())
	}
	sort.Strings(keys)
	e.Uvarint(uint64(len(keys)))
	for _, k := range keys {
		e.Str(k)
	}
}

func (d *distinct) Decode(dec *Decoder) {
	for n := dec.Count(); n > 0 && dec.Err() == nil; n-- {
		d.seen.put(dec.Str(), 1)
	}
}
