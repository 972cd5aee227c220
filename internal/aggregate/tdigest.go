package aggregate

import (
	"math"
	"slices"
	"sync"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/scalar"
)

// digestCompression is the t-digest's compression (δ), Elasticsearch's
// default: the digest keeps at most about 2δ centroids (some 100 to 150 in
// practice, two or three kilobytes), however many values a group sees.
const digestCompression = 100

// digestExact is how many values a digest keeps as they came: up to it,
// a group's percentiles are exact; past it, they are estimates.
const digestExact = 2 * digestCompression

// centroid is a cluster of values: their mean and how many they are.
type centroid struct{ mean, weight float64 }

// tdigest is ES|QL's median() and percentile(): a merging t-digest (Ted
// Dunning's), as Elasticsearch estimates them. Values go to a buffer;
// while no more than digestExact have come, the buffer is all there is
// and percentiles are exact, computed as quantile computes them. Past
// that, the buffer is merged into centroids sorted by mean, clustered so
// that a centroid spans at most one unit of the k1 scale function, here
// k(q) = δ/π·asin(2q-1) (scaled, as Dunning's own implementation and so
// Elasticsearch scale it, to run over δ units): centroids are small in
// the tails, where accuracy matters, and large in the middle. The
// smallest and largest values are kept exactly, and a percentile is
// interpolated between centroids (digestQuantile).
//
// Merging digests (a window's panes) merges their centroids the same way,
// so memory stays bounded; a digest cannot take a pane back, and a window
// merges its remaining panes again instead.
type tdigest struct {
	q   float64    // the percentile asked for, 0 to 100
	buf []float64  // values not yet merged into cs
	cs  []centroid // sorted by mean; empty while the digest is exact
	w   float64    // the weight of cs
	lo  float64    // the smallest value, when cs is not empty
	hi  float64    // the largest value, when cs is not empty
}

// scratch is what merging and reading a digest work in, shared by the
// digests of every group rather than kept by each.
type scratch struct {
	cs []centroid
	xs []float64
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func (t *tdigest) Add(v event.Value, _ int64) {
	for _, e := range v.Values() {
		if f, ok := scalar.SPLNumber(e).Number(); ok {
			t.buf = append(t.buf, f)
		}
	}
	if len(t.buf) > digestExact {
		t.compress(nil, 0, nil)
	}
}

// Merge folds in another digest, which is not changed. Two exact digests
// stay exact while their values together are few enough.
func (t *tdigest) Merge(o State) {
	u := o.(*tdigest)
	if len(u.cs) == 0 {
		t.buf = append(t.buf, u.buf...)
		if len(t.buf) > digestExact {
			t.compress(nil, 0, nil)
		}
		return
	}
	t.compress(u.cs, u.w, u.buf)
	t.lo, t.hi = math.Min(t.lo, u.lo), math.Max(t.hi, u.hi)
}

func (t *tdigest) Sub(State) bool { return false }

func (t *tdigest) Result() event.Value {
	if t.q < 0 || t.q > 100 {
		return event.Value{} // no such percentile
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.xs = append(sc.xs[:0], t.buf...)
	slices.Sort(sc.xs)
	if len(t.cs) == 0 {
		if len(sc.xs) == 0 {
			return event.Value{}
		}
		return event.DoubleValue(rankQuantile(sc.xs, t.q))
	}
	// Read the centroids with the buffer merged in, leaving the digest as
	// it is: reading a result must not change what comes after.
	m := merger{a: t.cs, xs: sc.xs}
	cs := sc.cs[:0]
	for c, ok := m.next(); ok; c, ok = m.next() {
		cs = append(cs, c)
	}
	sc.cs = cs
	lo, hi := math.Min(t.lo, cs[0].mean), math.Max(t.hi, cs[len(cs)-1].mean)
	return event.DoubleValue(digestQuantile(cs, t.w+float64(len(t.buf)), lo, hi, t.q))
}

// compress merges the buffer, and the centroids (of weight w) and buffer
// of another digest (either may be empty), into the digest's centroids.
func (t *tdigest) compress(cs []centroid, w float64, buf []float64) {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	xs := append(sc.xs[:0], t.buf...)
	xs = append(xs, buf...)
	slices.Sort(xs)
	sc.xs = xs
	t.buf = t.buf[:0]
	m := merger{a: t.cs, b: cs, xs: xs}
	cur, ok := m.next()
	if !ok {
		return
	}
	if len(t.cs) == 0 {
		t.lo, t.hi = cur.mean, cur.mean
	}
	t.lo = math.Min(t.lo, cur.mean)
	total := t.w + w + float64(len(xs))
	// A centroid grows while the quantile at its right edge stays within
	// one unit of k of the quantile at its left edge. The centroids go to
	// scratch first: the merge still reads the digest's own.
	out := sc.cs[:0]
	before := 0.0
	limit := qLimit(0)
	last := cur.mean
	for c, ok := m.next(); ok; c, ok = m.next() {
		last = c.mean
		if (before+cur.weight+c.weight)/total <= limit && mergeable(cur.mean, c.mean) {
			cur.weight += c.weight
			if c.mean != cur.mean {
				cur.mean += (c.mean - cur.mean) * c.weight / cur.weight
			}
			continue
		}
		before += cur.weight
		out = append(out, cur)
		limit = qLimit(before / total)
		cur = c
	}
	out = append(out, cur)
	sc.cs = out
	t.hi = math.Max(t.hi, last)
	t.cs = append(t.cs[:0], out...)
	t.w = total
}

// merger yields, by ascending mean, the centroids of two sorted lists and
// the sorted values of a third as centroids of weight 1.
type merger struct {
	a, b []centroid
	xs   []float64
}

func (m *merger) next() (centroid, bool) {
	from := 0
	var c centroid
	if len(m.a) > 0 {
		c, from = m.a[0], 1
	}
	if len(m.b) > 0 && (from == 0 || m.b[0].mean < c.mean) {
		c, from = m.b[0], 2
	}
	if len(m.xs) > 0 && (from == 0 || m.xs[0] < c.mean) {
		c, from = centroid{m.xs[0], 1}, 3
	}
	switch from {
	case 1:
		m.a = m.a[1:]
	case 2:
		m.b = m.b[1:]
	case 3:
		m.xs = m.xs[1:]
	default:
		return c, false
	}
	return c, true
}

// mergeable keeps an infinite value in a centroid of its own, where a mean
// would turn it into NaN; equal values merge whatever they are.
func mergeable(a, b float64) bool {
	return a == b || !math.IsInf(a, 0) && !math.IsInf(b, 0)
}

// qLimit returns the quantile at which a centroid that starts at quantile
// q must end: one unit of k further, q' = k⁻¹(k(q)+1), or 1 past the end.
// With θ = asin(2q-1) and ε = π/δ, that is (sin(θ+ε)+1)/2, which the sum
// formula for sin computes without a trigonometric call.
func qLimit(q float64) float64 {
	x := 2*q - 1 // sin θ
	if x >= cosEps {
		return 1 // θ+ε reaches π/2: the rest fits
	}
	return (x*cosEps + math.Sqrt(1-x*x)*sinEps + 1) / 2
}

var cosEps, sinEps = math.Cos(math.Pi / digestCompression), math.Sin(math.Pi / digestCompression)

// rankQuantile is the q-th percentile (0 to 100) of sorted values,
// interpolated between the two nearest ranks.
func rankQuantile(xs []float64, q float64) float64 {
	pos := q / 100 * float64(len(xs)-1)
	lo, hi := math.Floor(pos), math.Ceil(pos)
	if lo == hi {
		return xs[int(lo)]
	}
	return xs[int(lo)] + (xs[int(hi)]-xs[int(lo)])*(pos-lo)
}

// digestQuantile estimates the q-th percentile (0 to 100) of the values a
// set of centroids (sorted by mean, total weight n) stands for, with the
// smallest and largest values lo and hi, under the convention of
// rankQuantile: the answer sits at rank q/100·(n-1), the smallest value at
// rank 0. A centroid of weight w after c values holds ranks c to c+w-1,
// and its mean is taken to sit at their middle; between two such points,
// and between the extremes and the outer centroids, the answer is
// interpolated linearly. A digest of single values is thus exact.
func digestQuantile(cs []centroid, n, lo, hi, q float64) float64 {
	pos := q / 100 * (n - 1)
	if pos <= 0 {
		return lo
	}
	if pos >= n-1 {
		return hi
	}
	prevRank, prevMean := 0.0, lo
	before := 0.0
	for _, c := range cs {
		mid := before + (c.weight-1)/2
		if pos <= mid {
			return interpolate(prevRank, prevMean, mid, c.mean, pos)
		}
		prevRank, prevMean = mid, c.mean
		before += c.weight
	}
	return interpolate(prevRank, prevMean, n-1, hi, pos)
}

// interpolate reads the value at rank pos on the line from (r0, v0) to
// (r1, v1); next to an infinite value, it takes the nearer end.
func interpolate(r0, v0, r1, v1, pos float64) float64 {
	switch {
	case pos <= r0:
		return v0
	case pos >= r1 || v0 == v1:
		return v1
	case math.IsInf(v0, 0) || math.IsInf(v1, 0):
		if pos-r0 < r1-pos {
			return v0
		}
		return v1
	}
	return v0 + (v1-v0)*(pos-r0)/(r1-r0)
}

// Encode writes the buffer as quantile writes its values, then the
// centroids and, when there are any, the extremes.
func (t *tdigest) Encode(e *Encoder) {
	e.Uvarint(uint64(len(t.buf)))
	for _, x := range t.buf {
		e.Float(x)
	}
	e.Uvarint(uint64(len(t.cs)))
	for _, c := range t.cs {
		e.Float(c.mean)
		e.Float(c.weight)
	}
	if len(t.cs) > 0 {
		e.Float(t.lo)
		e.Float(t.hi)
	}
}

// Decode reads what Encode wrote. Version 1 of the encoding holds every
// value, as the exact state of earlier versions wrote them: the digest
// takes them as Add would have.
func (t *tdigest) Decode(d *Decoder) {
	n := d.Uvarint()
	if d.Version() < 2 {
		for ; n > 0 && d.Err() == nil; n-- {
			t.buf = append(t.buf, d.Float())
			if len(t.buf) > digestExact {
				t.compress(nil, 0, nil)
			}
		}
		return
	}
	for ; n > 0 && d.Err() == nil; n-- {
		t.buf = append(t.buf, d.Float())
	}
	for n := d.Count(); n > 0 && d.Err() == nil; n-- {
		c := centroid{d.Float(), d.Float()}
		t.cs = append(t.cs, c)
		t.w += c.weight
	}
	if len(t.cs) > 0 {
		t.lo, t.hi = d.Float(), d.Float()
	}
}
