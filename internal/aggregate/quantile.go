package aggregate

import (
	"sort"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/scalar"
)

// quantile is an exact percentile (0 to 100, q), interpolated between the
// two nearest ranks: it keeps every value. SPL's median is one; ES|QL's
// percentiles are tdigest's estimates.
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
	return event.DoubleValue(rankQuantile(xs, m.q))
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
