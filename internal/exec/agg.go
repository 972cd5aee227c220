package exec

import (
	"math"
	"slices"
	"sort"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// aggState is the mergeable state of one aggregate for one group.
// add receives the argument value (null for count(*) rows: see star) and
// the row's event time in Unix nanoseconds. sub takes back a state that was
// merged in before, so that a sliding window can drop the pane that leaves
// it; it reports false, changing nothing, when the aggregate cannot be
// inverted exactly (min, max, a sum of doubles), and the window then
// merges the group's remaining panes again.
type aggState interface {
	add(v event.Value, t int64)
	merge(o aggState)
	sub(o aggState) bool
	result() event.Value
}

// newAggState returns fresh state for an aggregate of a dialect. star is
// set for count(*) and SPL's bare count.
func newAggState(d plan.Dialect, fn string, star bool, param event.Value) aggState {
	switch fn {
	case "count", "c":
		if star {
			return &countRows{}
		}
		return &countValues{perValue: d == plan.ESQL}
	case "count_distinct", "dc", "distinct_count":
		return &distinct{}
	case "min":
		return &extreme{max: false, spl: d != plan.ESQL}
	case "max":
		return &extreme{max: true, spl: d != plan.ESQL}
	case "sum":
		return &sum{}
	case "avg", "mean":
		return &sum{avg: true}
	case "median":
		return &quantile{q: 50}
	case "percentile":
		q, _ := param.Number()
		return &quantile{q: q}
	case "values":
		return &valueSet{sortText: d != plan.ESQL}
	case "list":
		return &list{}
	case "earliest", "last":
		return &byTime{latest: false}
	case "latest", "first":
		// Splunk returns events newest first, so first() is the latest value.
		return &byTime{latest: true}
	case "range":
		return &rangeAgg{}
	case "stdev":
		return &stdev{}
	}
	panic("BUG: no state for aggregate " + fn)
}

type countRows struct{ n int64 }

func (c *countRows) add(event.Value, int64) { c.n++ }
func (c *countRows) merge(o aggState)       { c.n += o.(*countRows).n }
func (c *countRows) sub(o aggState) bool    { c.n -= o.(*countRows).n; return true }
func (c *countRows) result() event.Value    { return event.LongValue(c.n) }

// countValues counts non-null values: ES|QL counts every value of a
// multi-value, Splunk counts events that have the field.
type countValues struct {
	n        int64
	perValue bool
}

func (c *countValues) add(v event.Value, _ int64) {
	if v.IsNull() {
		return
	}
	if c.perValue {
		c.n += int64(v.Len())
		return
	}
	c.n++
}
func (c *countValues) merge(o aggState)    { c.n += o.(*countValues).n }
func (c *countValues) sub(o aggState) bool { c.n -= o.(*countValues).n; return true }
func (c *countValues) result() event.Value { return event.LongValue(c.n) }

// distinct counts distinct values. It holds each value's multiplicity:
// 1 in the state of a pane, the number of merged states holding it in a
// window, so that a value leaves with the last pane that holds it.
type distinct struct{ seen multiset }

func (d *distinct) add(v event.Value, _ int64) {
	var buf [64]byte
	for _, e := range v.Values() {
		// A value already held keeps its multiplicity, as in valueSet.
		if k := e.Key(buf[:0]); d.seen.find(k) < 0 {
			d.seen.insert(string(k), 1)
		}
	}
}
func (d *distinct) merge(o aggState) {
	for _, it := range o.(*distinct).seen.items {
		d.seen.put(it.key, it.n)
	}
}
func (d *distinct) sub(o aggState) bool {
	for _, it := range o.(*distinct).seen.items {
		d.seen.take(it.key, it.n)
	}
	return true
}
func (d *distinct) result() event.Value { return event.LongValue(int64(len(d.seen.items))) }

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

func (x *extreme) add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		if x.spl {
			e = splNumber(e)
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

func (x *extreme) merge(o aggState) {
	if y := o.(*extreme); y.have {
		x.offer(y.v)
	}
}

// sub takes a pane back when its extreme cannot have been the window's:
// one strictly worse leaves the window's extreme where it was. A pane that
// may have given it makes the window merge its remaining panes again.
func (x *extreme) sub(o aggState) bool {
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
func (x *extreme) result() event.Value { return x.v }

type sum struct {
	f        float64
	i        int64
	n        int64
	isDouble bool
	avg      bool
}

func (s *sum) add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		e = splNumber(e)
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
func (s *sum) merge(o aggState) {
	t := o.(*sum)
	s.f += t.f
	s.i += t.i
	s.n += t.n
	s.isDouble = s.isDouble || t.isDouble
}

// sub inverts a sum of whole numbers exactly; doubles would drift.
func (s *sum) sub(o aggState) bool {
	t := o.(*sum)
	if s.isDouble || t.isDouble || math.Abs(s.f) >= 1<<53 {
		return false
	}
	s.f -= t.f
	s.i -= t.i
	s.n -= t.n
	return true
}

func (s *sum) result() event.Value {
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

type quantile struct {
	xs []float64
	q  float64
}

func (m *quantile) add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		if f, ok := splNumber(e).Number(); ok {
			m.xs = append(m.xs, f)
		}
	}
}
func (m *quantile) merge(o aggState)  { m.xs = append(m.xs, o.(*quantile).xs...) }
func (m *quantile) sub(aggState) bool { return false }
func (m *quantile) result() event.Value {
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

// valueSet is values(): distinct values; Splunk sorts them as text. Each
// value carries its multiplicity (1 in a pane's state, the number of merged
// states holding it in a window), so sub can take a pane's values back.
// vals runs parallel to set's items.
type valueSet struct {
	set      multiset
	vals     []event.Value
	sortText bool
}

func (s *valueSet) add(v event.Value, _ int64) {
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

func (s *valueSet) merge(o aggState) {
	x := o.(*valueSet)
	for i, it := range x.set.items {
		s.put(it.key, x.vals[i], it.n, it.mixed)
	}
}

// sub takes a pane's values back. A value that stays but was written in
// more than one way may have to show another spelling now: the window then
// merges its remaining panes again.
func (s *valueSet) sub(o aggState) bool {
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

func (s *valueSet) result() event.Value {
	vs := append([]event.Value(nil), s.vals...)
	if s.sortText {
		event.SortStrings(vs)
	} else {
		slices.SortStableFunc(vs, event.Order)
	}
	return event.OwnedMultiValue(vs) // a set holds no nulls or multi-values
}

// list keeps values in arrival order, up to Splunk's 100.
type list struct{ vals []event.Value }

const listMax = 100

func (l *list) add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		if len(l.vals) < listMax {
			l.vals = append(l.vals, e)
		}
	}
}
func (l *list) merge(o aggState) {
	for _, e := range o.(*list).vals {
		if len(l.vals) < listMax {
			l.vals = append(l.vals, e)
		}
	}
}
func (l *list) sub(aggState) bool   { return false }
func (l *list) result() event.Value { return event.MultiValue(l.vals) }

// byTime keeps the value of the earliest (or latest) row by event time.
type byTime struct {
	v      event.Value
	t      int64
	have   bool
	latest bool
}

func (b *byTime) add(v event.Value, t int64) {
	if v.IsNull() {
		return
	}
	if !b.have || (b.latest && t > b.t) || (!b.latest && t < b.t) {
		b.v, b.t, b.have = v, t, true
	}
}
func (b *byTime) merge(o aggState) {
	if c := o.(*byTime); c.have {
		b.add(c.v, c.t)
	}
}

// sub takes a pane back when its row came strictly after (for earliest;
// before, for latest) the window's: the window's row is from another pane.
func (b *byTime) sub(o aggState) bool {
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
func (b *byTime) result() event.Value { return b.v }

type rangeAgg struct{ lo, hi extreme }

func (r *rangeAgg) add(v event.Value, t int64) {
	r.lo.spl, r.hi.spl, r.hi.max = true, true, true
	r.lo.add(v, t)
	r.hi.add(v, t)
}
func (r *rangeAgg) merge(o aggState) {
	x := o.(*rangeAgg)
	r.lo.merge(&x.lo)
	r.hi.merge(&x.hi)
}
func (r *rangeAgg) sub(o aggState) bool {
	x := o.(*rangeAgg)
	return r.lo.sub(&x.lo) && r.hi.sub(&x.hi)
}
func (r *rangeAgg) result() event.Value {
	lo, ok1 := r.lo.v.Number()
	hi, ok2 := r.hi.v.Number()
	if !ok1 || !ok2 {
		return event.Value{}
	}
	return numberValue(hi - lo)
}

type stdev struct{ n, s, ss float64 }

func (d *stdev) add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		if f, ok := splNumber(e).Number(); ok {
			d.n++
			d.s += f
			d.ss += f * f
		}
	}
}
func (d *stdev) merge(o aggState) {
	x := o.(*stdev)
	d.n += x.n
	d.s += x.s
	d.ss += x.ss
}
func (d *stdev) sub(aggState) bool { return false }
func (d *stdev) result() event.Value {
	if d.n < 2 {
		return event.Value{}
	}
	mean := d.s / d.n
	return event.DoubleValue(math.Sqrt((d.ss - d.n*mean*mean) / (d.n - 1)))
}

// splNumber reads a numeric string as a number, as Splunk does.
func splNumber(v event.Value) event.Value {
	s, ok := v.Str()
	if !ok {
		return v
	}
	if n, ok := parseLong(s); ok {
		return event.LongValue(n)
	}
	if f, ok := parseDouble(s); ok {
		return event.DoubleValue(f)
	}
	return v
}

func numberValue(f float64) event.Value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return event.LongValue(int64(f))
	}
	return event.DoubleValue(f)
}
