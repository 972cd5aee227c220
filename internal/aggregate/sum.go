package aggregate

import (
	"math"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/scalar"
)

// sum is sum() and avg(): a long while every value is, a double once one
// is not (avg is always a double).
type sum struct {
	f        float64
	i        int64
	n        int64
	isDouble bool
	avg      bool
}

func (s *sum) Add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		e = scalar.SPLNumber(e)
		if n, ok := e.Long(); ok {
			s.i += n
			s.f += float64(n)
			s.n++
		} else if f, ok := e.Double(); ok {
			s.f += f
			s.isDouble = true
			s.n++
		}
	}
}
func (s *sum) Merge(o State) {
	t := o.(*sum)
	s.f += t.f
	s.i += t.i
	s.n += t.n
	s.isDouble = s.isDouble || t.isDouble
}

// sub inverts a sum of whole numbers exactly; doubles would drift.
func (s *sum) Sub(o State) bool {
	t := o.(*sum)
	if s.isDouble || t.isDouble || math.Abs(s.f) >= 1<<53 {
		return false
	}
	s.f -= t.f
	s.i -= t.i
	s.n -= t.n
	return true
}

func (s *sum) Result() event.Value {
	switch {
	case s.n == 0:
		return event.Value{}
	case s.avg:
		return event.DoubleValue(s.f / float64(s.n))
	case s.isDouble:
		return event.DoubleValue(s.f)
	}
	return event.LongValue(s.i)
}

func (s *sum) Encode(e *Encoder) {
	e.Float(s.f)
	e.Varint(s.i)
	e.Varint(s.n)
	e.Bool(s.isDouble)
}

func (s *sum) Decode(d *Decoder) {
	s.f, s.i, s.n, s.isDouble = d.Float(), d.Varint(), d.Varint(), d.Bool()
}
