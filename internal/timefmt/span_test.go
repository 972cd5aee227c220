package timefmt

import (
	"math"
	"math/big"
	"sort"
	"strconv"
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	cases := []struct {
		in     string
		months int
		d      time.Duration
		ok     bool
	}{
		{"5m", 0, 5 * time.Minute, true},
		{"1 hour", 0, time.Hour, true},
		{"2mo", 2, 0, true},
		{"1mon", 1, 0, true},
		{"1y", 12, 0, true},
		{"30", 0, 30 * time.Second, true},
		{"d", 0, 24 * time.Hour, true},
		{"0m", 0, 0, false},
		{"5 parsecs", 0, 0, false},
		{"0", 0, 0, false},
		{"99999999999w", 0, 0, false},
		{"9999999999999999999999mon", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, c := range cases {
		m, d, err := ParseSpan(c.in)
		ok := err == nil
		if ok != c.ok || ok && (m != c.months || d != c.d) {
			t.Errorf("ParseSpan(%q) = %d, %v, %v; want %d, %v, %v", c.in, m, d, ok, c.months, c.d, c.ok)
		}
	}
}

// spanUnitNames lists every unit word, for the fuzz targets.
func spanUnitNames() []string {
	var names []string
	for u := range spanUnits {
		names = append(names, u)
	}
	for u := range spanMonthUnits {
		names = append(names, u)
	}
	sort.Strings(names)
	return names
}

// FuzzParseSpan: a span reads as a positive length of months or of time,
// not both, or says where it is wrong; a count and a unit read as their
// product; and Trunc floors to the start of a span that holds the instant.
func FuzzParseSpan(f *testing.F) {
	f.Add("5m", uint32(5), uint8(0), true, int64(1709629623123456789))
	f.Add(" 1 hour ", uint32(1), uint8(3), false, int64(-1))
	f.Add("3mon", uint32(3), uint8(7), false, int64(0))
	f.Add("0", uint32(0), uint8(9), true, int64(-9223372036854775808))
	f.Add("99999999999w", uint32(4294967295), uint8(40), true, int64(9223372036854775807))
	units := spanUnitNames()
	f.Fuzz(func(t *testing.T, s string, n uint32, unit uint8, blank bool, ns int64) {
		months, d, err := ParseSpan(s)
		if err != nil {
			checkError(t, err, s)
		} else if months < 0 || d < 0 || (months > 0) == (d > 0) {
			t.Fatalf("ParseSpan(%q) = %d months, %v", s, months, d)
		}

		u := units[int(unit)%len(units)]
		text := strconv.FormatUint(uint64(n), 10) + map[bool]string{true: " ", false: ""}[blank] + u
		months, d, err = ParseSpan(text)
		wantMonths, wantD := big.NewInt(0), big.NewInt(0)
		if m, ok := spanMonthUnits[u]; ok {
			wantMonths.Mul(big.NewInt(int64(n)), big.NewInt(int64(m)))
		} else {
			wantD.Mul(big.NewInt(int64(n)), big.NewInt(int64(spanUnits[u])))
		}
		fits := wantMonths.IsInt64() && wantMonths.Int64() <= math.MaxInt32 && wantD.IsInt64()
		switch {
		case n == 0 || !fits:
			if err == nil {
				t.Fatalf("ParseSpan(%q) = %d months, %v; want an error", text, months, d)
			}
			return
		case err != nil || int64(months) != wantMonths.Int64() || int64(d) != wantD.Int64():
			t.Fatalf("ParseSpan(%q) = %d months, %v, %v; want %v months, %v ns", text, months, d, err, wantMonths, wantD)
		}

		floor, ok := Trunc(ns, months, d)
		if !ok {
			if longest := time.Duration(months)*31*24*time.Hour + d; uint64(ns)+1<<63 >= uint64(longest) {
				t.Fatalf("Trunc(%s, %d months, %v) failed", time.Unix(0, ns).UTC(), months, d)
			}
			return
		}
		next, ok := AddSpan(floor, months, d)
		if floor > ns || ok && next <= ns {
			t.Fatalf("Trunc(%s, %d months, %v) = %s: not the start of a span holding it",
				time.Unix(0, ns).UTC(), months, d, time.Unix(0, floor).UTC())
		}
	})
}

// The span of the first instant starts before it: Trunc says so rather
// than wrapping round.
func TestTruncOutOfRange(t *testing.T) {
	for _, span := range []struct {
		months int
		d      time.Duration
	}{{1, 0}, {0, 7 * 24 * time.Hour}, {0, time.Hour}} {
		if ns, ok := Trunc(math.MinInt64, span.months, span.d); ok {
			t.Errorf("Trunc(first instant, %d months, %v) = %s", span.months, span.d, time.Unix(0, ns).UTC())
		}
	}
	if ns, ok := Trunc(math.MaxInt64, 0, time.Hour); !ok || ns != mustTime("2262-04-11T23:00:00Z").UnixNano() {
		t.Errorf("Trunc(last instant, 1h) = %s, %v", time.Unix(0, ns).UTC(), ok)
	}
}
