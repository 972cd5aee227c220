package aggregate

import (
	"github.com/tripline/tripline/internal/event"
)

// byTime keeps the value of the earliest (or latest) row by event time.
type byTime struct {
	v      event.Value
	t      int64
	have   bool
	latest bool
}

func (b *byTime) Add(v event.Value, t int64) {
	if v.IsNull() {
		return
	}
	if !b.have || (b.latest && t > b.t) || (!b.latest && t < b.t) {
		b.v, b.t, b.have = v, t, true
	}
}
func (b *byTime) Merge(o State) {
	if c := o.(*byTime); c.have {
		b.Add(c.v, c.t)
	}
}

// sub takes a pane back when its row came strictly after (for earliest;
// before, for latest) the window's: the window's row is from another pane.
func (b *byTime) Sub(o State) bool {
	c := o.(*byTime)
	if !c.have {
		return true
	}
	if !b.have {
		return false
	}
	if b.latest {
		return c.t < b.t
	}
	return c.t > b.t
}
func (b *byTime) Result() event.Value { return b.v }

func (b *byTime) Encode(e *Encoder) {
	e.Bool(b.have)
	e.Value(b.v)
	e.Varint(b.t)
}

func (b *byTime) Decode(d *Decoder) { b.have, b.v, b.t = d.Bool(), d.Value(), d.Varint() }
