package timefmt

import (
	"math/big"
	"strconv"
	"testing"
	"time"
)

func TestRelativeTime(t *testing.T) {
	base := mustTime("2024-03-15T10:30:45Z").UnixNano() // a Friday
	cases := []struct{ spec, want string }{
		{"now", "2024-03-15T10:30:45Z"},
		{"-1h", "2024-03-15T09:30:45Z"},
		{"+30m", "2024-03-15T11:00:45Z"},
		{"-1d@d", "2024-03-14T00:00:00Z"},
		{"@d+2h", "2024-03-15T02:00:00Z"},
		{"-7d@w0", "2024-03-03T00:00:00Z"},
		{"@w1", "2024-03-11T00:00:00Z"},
		{"@mon", "2024-03-01T00:00:00Z"},
		{"-1mon@mon", "2024-02-01T00:00:00Z"},
		{"@q", "2024-01-01T00:00:00Z"},
		{"-1y@y", "2023-01-01T00:00:00Z"},
		{"-h", "2024-03-15T09:30:45Z"},
	}
	for _, c := range cases {
		got, err := RelativeTime(base, c.spec)
		ok := err == nil
		if !ok || got != mustTime(c.want).UnixNano() {
			t.Errorf("relative_time(%q) = %v (ok=%v), want %s", c.spec, time.Unix(0, got).UTC(), ok, c.want)
		}
	}
	for _, bad := range []string{"-1fortnight", "yesterday", "@w9"} {
		if _, err := RelativeTime(base, bad); err == nil {
			t.Errorf("relative_time(%q) succeeded, want failure", bad)
		}
	}
}

// FuzzRelativeTime: a modifier applies or says where it is wrong; an
// offset moves the time by exactly its length, or fails when that leaves
// the instants, and the opposite offset moves it back; a snap goes back
// to the start of its unit, and snapping again stays there.
func FuzzRelativeTime(f *testing.F) {
	f.Add(int64(1710498645000000000), "-1d@d", uint32(1), uint8(0))
	f.Add(int64(-9223372036854775808), "@w1", uint32(7), uint8(3))
	f.Add(int64(9223372036854775807), "+99999999999w", uint32(4294967295), uint8(40))
	f.Add(int64(0), "-1mon@q+2h@w0 ", uint32(0), uint8(9))
	units := spanUnitNames()
	f.Fuzz(func(t *testing.T, ns int64, spec string, n uint32, unit uint8) {
		if _, err := RelativeTime(ns, spec); err != nil {
			checkError(t, err, spec)
		}
		u := units[int(unit)%len(units)]
		count := strconv.FormatUint(uint64(n), 10)

		snapped, err := RelativeTime(ns, "@"+u)
		if err == nil {
			if snapped > ns {
				t.Fatalf("@%s took %s forward to %s", u, time.Unix(0, ns).UTC(), time.Unix(0, snapped).UTC())
			}
			if again, err := RelativeTime(snapped, "@"+u); err != nil || again != snapped {
				t.Fatalf("@%s of %s is %s, then %s (%v)", u, time.Unix(0, ns).UTC(), time.Unix(0, snapped).UTC(), time.Unix(0, again).UTC(), err)
			}
		}

		d, fixed := spanUnits[u]
		if !fixed {
			return // months do not add back: Mar 31 -1mon is Mar 2, +1mon is Apr 2
		}
		later, err := RelativeTime(ns, "+"+count+u)
		want := new(big.Int).Add(big.NewInt(ns), new(big.Int).Mul(big.NewInt(int64(n)), big.NewInt(int64(d))))
		switch {
		case !want.IsInt64():
			if err == nil {
				t.Fatalf("+%s%s of %s = %s, want out of range", count, u, time.Unix(0, ns).UTC(), time.Unix(0, later).UTC())
			}
		case err != nil || later != want.Int64():
			t.Fatalf("+%s%s of %s = %s (%v), want %s", count, u, time.Unix(0, ns).UTC(), time.Unix(0, later).UTC(), err, time.Unix(0, want.Int64()).UTC())
		default:
			if back, err := RelativeTime(later, "-"+count+u); err != nil || back != ns {
				t.Fatalf("+%s%s then -%s%s of %s = %s (%v)", count, u, count, u, time.Unix(0, ns).UTC(), time.Unix(0, back).UTC(), err)
			}
		}
	})
}
