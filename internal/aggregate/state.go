package aggregate

import (
	"math"
	"slices"
	"sort"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/scalar"
)

// State is the mergeable state of one aggregate for one group: a pane's
// state takes rows, a window's merges the states of its panes. A state is
// used by one goroutine at a time.
type State interface {
	// Add folds in one row: its argument value (null for the rows of
	// count(*)) and its event time in Unix nanoseconds.
	Add(v event.Value, t int64)
	// Merge folds in a state of the same aggregate; o is not changed and
	// may go on being used.
	Merge(o State)
	// Sub takes back a state that was merged in before, so that a sliding
	// window can drop the pane that leaves it. It reports false, changing
	// nothing, when the aggregate cannot be taken back exactly (min, max, a
	// sum of doubles): the caller then merges the remaining panes again.
	Sub(o State) bool
	// Result returns the aggregate's value; the state may go on taking
	// rows and states afterwards.
	Result() event.Value
	// Encode writes the state for a snapshot; Decode reads what Encode
	// wrote into a fresh state of the same aggregate.
	Encode(e *Encoder)
	Decode(d *Decoder)
}

type countRows struct{ n int64 }

func (c *countRows) Add(event.Value, int64) { c.n++ }
func (c *countRows) Merge(o State)          { c.n += o.(*countRows).n }
func (c *countRows) Sub(o State) bool       { c.n -= o.(*countRows).n; return true }
func (c *countRows) Result() event.Value    { return event.LongValue(c.n) }

func (c *countRows) Encode(e *Encoder) { e.Varint(c.n) }
func (c *countRows) Decode(d *Decoder) { c.n = d.Varint() }

// countValues counts non-null values: ES|QL counts every value of a
// multi-value, Splunk counts events that have the field.
type countValues struct {
	n        int64
	perValue bool
}

func (c *countValues) Add(v event.Value, _ int64) {
	if v.IsNull() {
		return
	}
	if c.perValue {
		c.n += int64(v.Len())
		return
	}
	c.n++
}
func (c *countValues) Merge(o State)       { c.n += o.(*countValues).n }
func (c *countValues) Sub(o State) bool    { c.n -= o.(*countValues).n; return true }
func (c *countValues) Result() event.Value { return event.LongValue(c.n) }

func (c *countValues) Encode(e *Encoder) { e.Varint(c.n) }
func (c *countValues) Decode(d *Decoder) { c.n = d.Varint() }

// distinct counts distinct values. It holds each value's multiplicity:
// 1 in the state of a pane, the number of merged states holding it in a
// window, so that a value leaves with the last pane that holds it.
type distinct struct{ seen multiset }

func (d *distinct) Add(v event.Value, _ int64) {
	var buf [64]byte
	for _, e := range v.Values() {
		// A value already held keeps its multiplicity, as in valueSet.
		if k := e.Key(buf[:0]); d.seen.find(k) < 0 {
			d.seen.insert(string(k), 1)
		}
	}
}
func (d *distinct) Merge(o State) {
	for _, it := range o.(*distinct).seen.items {
		d.seen.put(it.key, it.n)
	}
}
func (d *distinct) Sub(o State) bool {
	for _, it := range o.(*distinct).seen.items {
		d.seen.take(it.key, it.n)
	}
	return true
}
func (d *distinct) Result() event.Value { return event.LongValue(int64(len(d.seen.items))) }

// Encode writes the keys sorted, without their multiplicities: a pane's
// are all 1.
func (d *distinct) Encode(e *Encoder) {
	keys := make([]string, 0, len(d.seen.items))
	for _, it := range d.seen.items {
		keys = append(keys, it.key)
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

// multiset holds distinct value keys with their multiplicities, in a
// slice while few (most groups see one or two values) and indexed by a map
// once there are more than smallSet.
type multiset struct {
	items []msItem
	idx   map[string]int32
}

type msItem struct {
	key string
	n   int32
	// mixed says values written differently share this key (2 and 2.0):
	// which one a set shows depends on which panes it holds.
	mixed bool
}

const smallSet = 8

// find returns the index of key k, or -1.
func (m *multiset) find(k []byte) int {
	if m.idx != nil {
		if i, ok := m.idx[string(k)]; ok {
			return int(i)
		}
		return -1
	}
	for i := range m.items {
		if m.items[i].key == string(k) {
			return i
		}
	}
	return -1
}

func (m *multiset) findString(k string) int {
	if m.idx != nil {
		if i, ok := m.idx[k]; ok {
			return int(i)
		}
		return -1
	}
	for i := range m.items {
		if m.items[i].key == k {
			return i
		}
	}
	return -1
}

// insert appends a key that is not held and returns its index.
func (m *multiset) insert(k string, n int32) int {
	i := len(m.items)
	m.items = append(m.items, msItem{key: k, n: n})
	switch {
	case m.idx != nil:
		m.idx[k] = int32(i)
	case len(m.items) > smallSet:
		m.idx = make(map[string]int32, 2*len(m.items))
		for j, it := range m.items {
			m.idx[it.key] = int32(j)
		}
	}
	return i
}

// put adds n to the multiplicity of k, inserting it when new; it reports
// the index and whether k is new.
func (m *multiset) put(k string, n int32) (int, bool) {
	if i := m.findString(k); i >= 0 {
		m.items[i].n += n
		return i, false
	}
	return m.insert(k, n), true
}

// take subtracts n from the multiplicity of k. When none is left, k is
// removed by moving the last item into its place: take returns the index
// freed and that of the item moved there (equal when none moved), or -1.
func (m *multiset) take(k string, n int32) (at, from int) {
	i := m.findString(k)
	if i < 0 {
		return -1, -1
	}
	if m.items[i].n -= n; m.items[i].n > 0 {
		return -1, -1
	}
	last := len(m.items) - 1
	if i != last {
		m.items[i] = m.items[last]
		if m.idx != nil {
			m.idx[m.items[i].key] = int32(i)
		}
	}
	if m.idx != nil {
		delete(m.idx, k)
	}
	m.items[last] = msItem{}
	m.items = m.items[:last]
	return i, last
}

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
			s.set.insert(string(k), 1)
			s.vals = append(s.vals, e)
		} else if !sameSpelling(e, s.vals[i]) {
			s.set.items[i].mixed = true
		}
	}
}

// put adds n to the multiplicity of a value, inserting it when new.
func (s *valueSet) put(k string, e event.Value, n int32, mixed bool) {
	i, added := s.set.put(k, n)
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
		s.put(it.key, x.vals[i], it.n, it.mixed)
	}
}

// sub takes a pane's values back. A value that stays but was written in
// more than one way may have to show another spelling now: the window then
// merges its remaining panes again.
func (s *valueSet) Sub(o State) bool {
	for _, it := range o.(*valueSet).set.items {
		if i := s.set.findString(it.key); i >= 0 && s.set.items[i].mixed && s.set.items[i].n > it.n {
			return false
		}
	}
	for _, it := range o.(*valueSet).set.items {
		at, from := s.set.take(it.key, it.n)
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
		s.put(string(v.Key(nil)), v, 1, false)
	}
}

// list keeps values in arrival order, up to Splunk's 100.
type list struct{ vals []event.Value }

const listMax = 100

func (l *list) Add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		if len(l.vals) < listMax {
			l.vals = append(l.vals, e)
		}
	}
}
func (l *list) Merge(o State) {
	for _, e := range o.(*list).vals {
		if len(l.vals) < listMax {
			l.vals = append(l.vals, e)
		}
	}
}
func (l *list) Sub(State) bool      { return false }
func (l *list) Result() event.Value { return event.MultiValue(l.vals) }

func (l *list) Encode(e *Encoder) { e.Values(l.vals) }
func (l *list) Decode(d *Decoder) { l.vals = d.Values() }

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

func numberValue(f float64) event.Value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return event.LongValue(int64(f))
	}
	return event.DoubleValue(f)
}
