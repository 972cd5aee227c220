package generate

import (
	"math"
	"math/rand/v2"
)

// mix is splitmix64's finaliser: it spreads the bits of x.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// streamSeed derives an independent 64-bit seed from a base seed and tags,
// so that each file has its own random stream whatever order files are made in.
func streamSeed(seed int64, tags ...uint64) uint64 {
	h := mix(uint64(seed) + 0x9e3779b97f4a7c15)
	for _, t := range tags {
		h = mix(h ^ (t + 0x9e3779b97f4a7c15))
	}
	return h
}

// newRand returns a generator for the stream named by tags.
func newRand(seed int64, tags ...uint64) *rand.Rand {
	s := streamSeed(seed, tags...)
	return rand.New(rand.NewPCG(s, mix(s^0x5851f42d4c957f2d)))
}

// Stream tags, so that streams for different purposes never coincide.
const (
	tagPopulation uint64 = iota + 1
	tagCloudTrail
	tagInvocationPlan
	tagInvocationBody
	tagPlanted
	tagFileName
	tagBench
)

// poisson draws from a Poisson distribution with mean lambda.
func poisson(r *rand.Rand, lambda float64) int {
	switch {
	case lambda <= 0:
		return 0
	case lambda < 30:
		l := math.Exp(-lambda)
		k, p := 0, 1.0
		for {
			p *= r.Float64()
			if p <= l {
				return k
			}
			k++
		}
	default:
		n := int(math.Round(lambda + r.NormFloat64()*math.Sqrt(lambda)))
		if n < 0 {
			n = 0
		}
		return n
	}
}

// lognormal draws exp(N(mu, sigma)).
func lognormal(r *rand.Rand, mu, sigma float64) float64 {
	return math.Exp(mu + sigma*r.NormFloat64())
}

const (
	upperBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnum       = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

// appendFrom appends n characters drawn from alphabet.
func appendFrom(b []byte, r *rand.Rand, alphabet string, n int) []byte {
	for range n {
		b = append(b, alphabet[r.IntN(len(alphabet))])
	}
	return b
}

// awsID returns prefix followed by n characters in the style of IAM unique
// ids and access key ids (upper case letters and digits 2-7).
func awsID(r *rand.Rand, prefix string, n int) string {
	b := make([]byte, 0, len(prefix)+n)
	b = append(b, prefix...)
	return string(appendFrom(b, r, upperBase32, n))
}

// appendUUID appends a random version-4 UUID in lower-case hex.
func appendUUID(b []byte, r *rand.Rand) []byte {
	hi, lo := r.Uint64(), r.Uint64()
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(0xc<<60) | 0x8<<60
	b = appendHex(b, hi>>32, 8)
	b = append(b, '-')
	b = appendHex(b, hi>>16, 4)
	b = append(b, '-')
	b = appendHex(b, hi, 4)
	b = append(b, '-')
	b = appendHex(b, lo>>48, 4)
	b = append(b, '-')
	return appendHex(b, lo, 12)
}

// uuid returns a random version-4 UUID string.
func uuid(r *rand.Rand) string {
	return string(appendUUID(make([]byte, 0, 36), r))
}

// appendHex appends the low n hex digits of v.
func appendHex(b []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, hexDigits[(v>>(uint(i)*4))&0xf])
	}
	return b
}

// hexID returns n random lower-case hex digits.
func hexID(r *rand.Rand, n int) string {
	b := make([]byte, 0, n)
	for n > 0 {
		k := min(n, 16)
		b = appendHex(b, r.Uint64(), k)
		n -= k
	}
	return string(b)
}

// weighted is a cumulative weight table for drawing an index.
type weighted struct{ cum []float64 }

// newWeighted builds a table from non-negative weights.
func newWeighted(w []float64) weighted {
	cum := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		cum[i] = s
	}
	return weighted{cum}
}

// draw returns an index with probability proportional to its weight.
func (w weighted) draw(r *rand.Rand) int {
	n := len(w.cum)
	if n == 0 {
		panic("BUG: draw from an empty weight table")
	}
	x := r.Float64() * w.cum[n-1]
	lo, hi := 0, n-1
	for lo < hi {
		m := (lo + hi) / 2
		if w.cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// pick returns a random element of s.
func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }
