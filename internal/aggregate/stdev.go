package aggregate

import (
	"math"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/scalar"
)

// stdev is the sample standard deviation, from the count, sum and sum of
// squares.
type stdev struct{ n, s, ss float64 }

func (d *stdev) Add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		if f, ok := scalar.SPLNumber(e).Number(); ok {
			d.n++
			d.s += f
			d.ss += f * f
		}
	}
}
func (d *stdev) Merge(o State) {
	x := o.(*stdev)
	d.n += x.n
	d.s += x.s
	d.ss += x.ss
}
func (d *stdev) Sub(State) bool { return false }
func (d *stdev) Result() event.Value {
	if d.n < 2 {
		return event.Value{}
	}
	mean := d.s / d.n
	return event.DoubleValue(math.Sqrt((d.ss - d.n*mean*mean) / (d.n - 1)))
}

func (d *stdev) Encode(e *Encoder) {
	e.Float(d.n)
	e.Float(d.s)
	e.Float(d.ss)
}

func (d *stdev) Decode(dec *Decoder) { d.n, d.s, d.ss = dec.Float(), dec.Float(), dec.Float() }
