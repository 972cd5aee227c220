package aggregate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// digestQuantiles are the percentiles the accuracy tests read.
var digestQuantiles = []float64{0, 0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 100}

// digestBound is how far, in rank (a fraction of the values), an estimate
// of the q-th percentile may be from the exact one: 1% between the 10th
// and 90th percentiles, 0.5% beyond, none at the extremes. The digest
// does two to three times better on these inputs; the bound leaves room.
func digestBound(q float64) float64 {
	switch {
	case q == 0 || q == 100:
		return 0
	case q < 10 || q > 90:
		return 0.005
	}
	return 0.01
}

// digestInputs are the value distributions the accuracy tests draw from:
// spread evenly, skewed, heavy-tailed, few distinct values, and already
// sorted (the order that clusters worst).
var digestInputs = []struct {
	name string
	gen  func(r *rand.Rand, i int) float64
}{
	{"uniform", func(r *rand.Rand, _ int) float64 { return r.Float64() * 1000 }},
	{"exponential", func(r *rand.Rand, _ int) float64 { return r.ExpFloat64() }},
	{"lognormal", func(r *rand.Rand, _ int) float64 { return math.Exp(2 * r.NormFloat64()) }},
	{"pareto", func(r *rand.Rand, _ int) float64 { return math.Pow(1-r.Float64(), -1/1.2) }},
	{"duplicates", func(r *rand.Rand, _ int) float64 { return float64(r.IntN(20)) }},
	{"sorted", func(_ *rand.Rand, i int) float64 { return float64(i) }},
}

// withinRank reports whether est lies between the exact percentiles
// eps (a fraction) below and above q, of the sorted values xs.
func withinRank(xs []float64, q, eps, est float64) bool {
	n := float64(len(xs) - 1)
	lo := xs[int(math.Floor(math.Max(0, q/100-eps)*n))]
	hi := xs[int(math.Ceil(math.Min(1, q/100+eps)*n))]
	return lo <= est && est <= hi
}

// readAt returns the digest's estimate of the q-th percentile.
func readAt(t *testing.T, d *tdigest, q float64) float64 {
	t.Helper()
	d.q = q
	f, ok := d.Result().Number()
	if !ok {
		t.Fatalf("percentile %g of %d values is %s", q, int(d.w)+len(d.buf), d.Result())
	}
	return f
}

// The digest's estimates stay within digestBound of the exact percentiles,
// whether it took every value itself or merged the digests of 24 panes
// (in either order), and its memory does not grow with the values.
func TestDigestAccuracy(t *testing.T) {
	for _, n := range []int{1000, 100_000} {
		for k, in := range digestInputs {
			r := rand.New(rand.NewPCG(uint64(n), uint64(k)))
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = in.gen(r, i)
			}
			single := &tdigest{}
			for _, x := range xs {
				single.Add(event.DoubleValue(x), 0)
			}
			const panes = 24
			var parts []*tdigest
			for p := 0; p < panes; p++ {
				d := &tdigest{}
				for _, x := range xs[p*n/panes : (p+1)*n/panes] {
					d.Add(event.DoubleValue(x), 0)
				}
				parts = append(parts, d)
			}
			merged, backwards := &tdigest{}, &tdigest{}
			for p := range parts {
				merged.Merge(parts[p])
				backwards.Merge(parts[panes-1-p])
			}
			sorted := slices.Clone(xs)
			slices.Sort(sorted)
			for _, d := range []struct {
				how string
				d   *tdigest
			}{{"one pass", single}, {"merged panes", merged}, {"merged backwards", backwards}} {
				if len(d.d.cs) > 2*digestCompression || len(d.d.buf) > digestExact {
					t.Errorf("%s n=%d %s: %d centroids and %d buffered values", in.name, n, d.how, len(d.d.cs), len(d.d.buf))
				}
				for _, q := range digestQuantiles {
					if est := readAt(t, d.d, q); !withinRank(sorted, q, digestBound(q), est) {
						t.Errorf("%s n=%d %s: percentile %g = %g, exact %g, beyond %.1f%% in rank",
							in.name, n, d.how, q, est, rankQuantile(sorted, q), 100*digestBound(q))
					}
				}
			}
		}
	}
}

// Up to digestExact values, a digest keeps them all and its percentiles
// are exactly Splunk's exact median's, whether the values came to one
// state or were merged from several.
func TestDigestSmallInputsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 3, 10, 57, digestExact - 1, digestExact} {
		vals := make([]event.Value, n)
		for i := range vals {
			switch i % 3 {
			case 0:
				vals[i] = event.LongValue(int64(r.IntN(10))) // repeats
			case 1:
				vals[i] = event.DoubleValue(r.NormFloat64() * 1e6)
			default:
				vals[i] = event.StringValue(fmt.Sprint(r.IntN(1000))) // read as a number
			}
		}
		for _, q := range []float64{0, 10, 25, 50, 90, 99, 100} {
			exact, one, merged := &quantile{q: q}, &tdigest{q: q}, &tdigest{q: q}
			part := &tdigest{q: q}
			for i, v := range vals {
				exact.Add(v, 0)
				one.Add(v, 0)
				part.Add(v, 0)
				if i%7 == 6 {
					merged.Merge(part)
					part = &tdigest{q: q}
				}
			}
			merged.Merge(part)
			want := exact.Result()
			if got := one.Result(); !event.Equal(got, want) || got.Kind() != want.Kind() {
				t.Errorf("n=%d percentile %g: %s, exact %s", n, q, got, want)
			}
			if got := merged.Result(); !event.Equal(got, want) {
				t.Errorf("n=%d percentile %g merged: %s, exact %s", n, q, got, want)
			}
			if len(one.cs) != 0 || len(merged.cs) != 0 {
				t.Errorf("n=%d: a digest of %d values has centroids", n, n)
			}
		}
	}
}

// A digest without numbers is null; nulls and text are not numbers;
// a percentile outside 0 to 100 is null; the digest never takes a state
// back.
func TestDigestEmptyAndNulls(t *testing.T) {
	esql := func(name string, param event.Value) State {
		f, ok := Lookup(plan.ESQL, name)
		if !ok {
			t.Fatalf("no ES|QL %s", name)
		}
		return f.New(false, param)
	}
	empty := esql("median", event.Value{})
	if v := empty.Result(); !v.IsNull() {
		t.Errorf("median of nothing = %s", v)
	}
	nulls := esql("median", event.Value{})
	nulls.Add(event.Value{}, 0)
	nulls.Add(event.StringValue("abc"), 0)
	nulls.Add(event.BoolValue(true), 0)
	nulls.Merge(empty)
	if v := nulls.Result(); !v.IsNull() {
		t.Errorf("median of null, text and a boolean = %s", v)
	}
	nulls.Add(event.MultiValue([]event.Value{event.LongValue(4), event.StringValue("x"), event.LongValue(8)}), 0)
	if v := nulls.Result(); v.String() != "6.0" {
		t.Errorf("median of a multi-value 4,x,8 = %s, want 6.0", v)
	}
	for _, param := range []event.Value{event.LongValue(-1), event.LongValue(101), event.StringValue("95"), {}} {
		p := esql("percentile", param)
		p.Add(event.LongValue(1), 0)
		if v := p.Result(); !v.IsNull() {
			t.Errorf("percentile %s of 1 = %s, want null", param, v)
		}
	}
	a, b := esql("median", event.Value{}), esql("median", event.Value{})
	a.Add(event.LongValue(1), 0)
	b.Add(event.LongValue(2), 0)
	a.Merge(b)
	if a.Sub(b) {
		t.Error("a digest took a state back")
	}
	for _, name := range []string{"median", "percentile"} {
		if f, _ := Lookup(plan.ESQL, name); f.Inverts {
			t.Errorf("ES|QL %s claims to invert", name)
		}
	}
}

// Infinite values are the extremes and do not spoil the rest.
func TestDigestInfinities(t *testing.T) {
	d := &tdigest{}
	for i := 0; i < 1000; i++ {
		d.Add(event.LongValue(int64(i)), 0)
		if i%100 == 0 {
			d.Add(event.DoubleValue(math.Inf(1)), 0)
			d.Add(event.DoubleValue(math.Inf(-1)), 0)
		}
	}
	if lo := readAt(t, d, 0); !math.IsInf(lo, -1) {
		t.Errorf("minimum %g, want -Inf", lo)
	}
	if hi := readAt(t, d, 100); !math.IsInf(hi, 1) {
		t.Errorf("maximum %g, want +Inf", hi)
	}
	if m := readAt(t, d, 50); math.IsNaN(m) || math.Abs(m-500) > 20 {
		t.Errorf("median %g, want about 500", m)
	}
}

// Reading a result leaves the digest as it was: a digest read after every
// value ends where one never read does.
func TestDigestResultChangesNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	read, unread := &tdigest{q: 90}, &tdigest{q: 90}
	for i := 0; i < 5000; i++ {
		v := event.DoubleValue(r.ExpFloat64())
		read.Add(v, 0)
		unread.Add(v, 0)
		_ = read.Result()
	}
	if got, want := read.Result(), unread.Result(); !event.Equal(got, want) {
		t.Errorf("read as it went: %s, read once: %s", got, want)
	}
}

// A digest reads back from its encoding unchanged; version 1 of the
// encoding, every value as the exact state wrote them, reads as a digest
// that took those values.
func TestDigestEncoding(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	d := &tdigest{q: 95}
	for i := 0; i < 1234; i++ {
		d.Add(event.DoubleValue(r.NormFloat64()), 0)
	}
	var e Encoder
	d.Encode(&e)
	back := &tdigest{q: 95}
	dec := NewDecoder(e.Bytes())
	back.Decode(dec)
	if dec.Err() != nil || !event.Equal(back.Result(), d.Result()) || len(dec.b) != 0 {
		t.Errorf("decoded %s (err %v, %d bytes left), want %s", back.Result(), dec.Err(), len(dec.b), d.Result())
	}

	old := &quantile{q: 95}
	fresh := &tdigest{q: 95}
	for i := 0; i < 300; i++ {
		v := event.DoubleValue(r.NormFloat64())
		old.Add(v, 0)
		fresh.Add(v, 0)
	}
	var v1 Encoder
	old.Encode(&v1)
	v1.Uvarint(7) // what follows the state in a snapshot
	dec = NewDecoder(v1.Bytes())
	dec.SetVersion(1)
	fromV1 := &tdigest{q: 95}
	fromV1.Decode(dec)
	if next := dec.Uvarint(); dec.Err() != nil || next != 7 {
		t.Fatalf("reading version 1 left the input at %d (err %v)", next, dec.Err())
	}
	if got, want := fromV1.Result(), fresh.Result(); !event.Equal(got, want) {
		t.Errorf("version 1 read as %s, want %s", got, want)
	}
}

// qLimit is k1's inverse one unit on, k⁻¹(k(q)+1) with
// k(q) = δ/π·asin(2q-1), computed without trigonometry.
func TestQLimit(t *testing.T) {
	const scale = digestCompression / math.Pi
	for i := 0; i <= 10000; i++ {
		q := float64(i) / 10000
		k := scale*math.Asin(2*q-1) + 1
		want := 1.0
		if k < digestCompression/2 {
			want = (math.Sin(k/scale) + 1) / 2
		}
		if got := qLimit(q); math.Abs(got-want) > 1e-12 {
			t.Fatalf("qLimit(%g) = %.15g, want %.15g", q, got, want)
		}
	}
}
