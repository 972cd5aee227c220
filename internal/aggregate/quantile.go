package aggregate

import (
	"math"
	"sort"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/scalar"
)

// quantile is an exact percentile (0 to 100, q), interpolated between the
// two nearest ranks: it keeps every sample.
type quantile struct {
	xs []float64
	q  float64
}

func (m *quantile) Add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		if f, ok := scalar.SPLNumber(e).Number(); ok {
			m.xs = append(m.xs, f)
		}
	}
}
func (m *quantile) Merge(o State)  { m.xs = append(m.xs, o.(*quantile).xs...) }
func (m *quantile) Sub(State) bool { return false }
func (m *quantile) Result() event.Value {
	if len(m.xs) == 0 {
		return event.Value{}
	}
	xs := append([]float64(nil), m.xs...)
	sort.Float64s(xs)
	pos := m.q / 100 * float64(len(xs)-1)
	lo := math.Floor(pos)
	hi := math.Ceil(pos)
	if lo == hi {
		return event.DoubleValue(xs[int(lo)])
	}
	return event.DoubleValue(xs[int(lo)] + (xs[int(hi)]-xs[int(lo)])*(pos-lo))
}

func (m *quantile) Encode(e *Encoder) {
	e.Uvarint(uint64(len(m.xs)))
	for _, x := range m.xs {
		e.Float(x)
	}
}

func (m *quantile) Decode(d *Decoder) {
	for n := d.Uvarint(); n > 0 && d.Err() == nil; n-- {
		m.xs = append(m.xs, d.Float())
	}
}
