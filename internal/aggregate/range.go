package aggregate

import (
	"math"

	"github.com/tripline/tripline/internal/event"
)

// rangeAgg is Splunk's range(): the maximum less the minimum, of values
// read as numbers.
type rangeAgg struct{ lo, hi extreme }

func (r *rangeAgg) Add(v event.Value, t int64) {
	r.lo.spl, r.hi.spl, r.hi.max = true, true, true
	r.lo.Add(v, t)
	r.hi.Add(v, t)
}
func (r *rangeAgg) Merge(o State) {
	x := o.(*rangeAgg)
	r.lo.Merge(&x.lo)
	r.hi.Merge(&x.hi)
}
func (r *rangeAgg) Sub(o State) bool {
	x := o.(*rangeAgg)
	return r.lo.Sub(&x.lo) && r.hi.Sub(&x.hi)
}
func (r *rangeAgg) Result() event.Value {
	lo, ok1 := r.lo.v.Number()
	hi, ok2 := r.hi.v.Number()
	if !ok1 || !ok2 {
		return event.Value{}
	}
	return numberValue(hi - lo)
}

func (r *rangeAgg) Encode(e *Encoder) {
	r.lo.Encode(e)
	r.hi.Encode(e)
}

func (r *rangeAgg) Decode(d *Decoder) {
	r.lo.spl, r.hi.spl, r.hi.max = true, true, true
	r.lo.Decode(d)
	r.hi.Decode(d)
}

// numberValue is f as a long when it is integral and exact, else a double.
func numberValue(f float64) event.Value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return event.LongValue(int64(f))
	}
	return event.DoubleValue(f)
}
