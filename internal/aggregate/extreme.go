package aggregate

import (
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/scalar"
)

// extreme is min or max. Splunk prefers numbers: a numeric string counts as
// a number, and text only wins when there are no numbers at all.
type extreme struct {
	v        event.Value
	have     bool
	max, spl bool
}

func (x *extreme) Add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		if x.spl {
			e = scalar.SPLNumber(e)
		}
		x.offer(e)
	}
}

func (x *extreme) offer(e event.Value) {
	if !x.have {
		x.v, x.have = e, true
		return
	}
	c, ok := event.Compare(e, x.v)
	if !ok {
		// Mixed kinds: Splunk ranks numbers before text.
		_, eNum := e.Number()
		_, curNum := x.v.Number()
		if eNum && !curNum {
			x.v = e
		}
		return
	}
	if (x.max && c > 0) || (!x.max && c < 0) {
		x.v = e
	}
}

func (x *extreme) Merge(o State) {
	if y := o.(*extreme); y.have {
		x.offer(y.v)
	}
}

// sub takes a pane back when its extreme cannot have been the window's:
// one strictly worse leaves the window's extreme where it was. A pane that
// may have given it makes the window merge its remaining panes again.
func (x *extreme) Sub(o State) bool {
	y := o.(*extreme)
	if !y.have {
		return true
	}
	if !x.have {
		return false
	}
	if c, ok := event.Compare(y.v, x.v); ok {
		return (x.max && c < 0) || (!x.max && c > 0)
	}
	// Mixed kinds: a number ranks before text, so text that left a number
	// in place was never the extreme.
	_, yNum := y.v.Number()
	_, xNum := x.v.Number()
	return xNum && !yNum
}
func (x *extreme) Result() event.Value { return x.v }

func (x *extreme) Encode(e *Encoder) { e.Bool(x.have); e.Value(x.v) }
func (x *extreme) Decode(d *Decoder) { x.have = d.Bool(); x.v = d.Value() }
