// Package duration is tripline's one grammar for lengths of time, used by
// rule files, the config file and its variables, command-line flags and
// the API's parameters alike:
//
//	duration = "0" | term { term }
//	term     = number unit
//	number   = digits [ "." digits ]
//	unit     = "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h" | "d" | "w"
//
// so "30s", "1h30m", "1.5h", "7d", "7d12h" and "2w" all read, a day being
// 24 hours and a week 7 days; Go's time.ParseDuration reads a subset of
// these. A number needs its unit (a bare "2025" is not 2025 seconds), and
// negative lengths are refused. It imports the standard library only.
package duration

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

var units = []struct {
	name string
	d    time.Duration
}{
	// Longer names first, so that "ms" is not read as "m".
	// Microseconds are written with the micro sign (U+00B5) or the Greek
	// mu (U+03BC), both of which Go reads.
	{"ns", time.Nanosecond}, {"us", time.Microsecond}, {"\u00b5s", time.Microsecond}, {"\u03bcs", time.Microsecond}, {"ms", time.Millisecond},
	{"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour},
}

// Parse reads a length of time in the grammar above.
func Parse(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("empty duration: want a number and a unit, like 30s, 10m, 1h30m or 7d")
	}
	if in == "0" {
		return 0, nil
	}
	var total float64
	rest := in
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, bad(s)
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, bad(s)
		}
		rest = rest[i:]
		u := time.Duration(0)
		for _, c := range units {
			if strings.HasPrefix(rest, c.name) {
				u, rest = c.d, rest[len(c.name):]
				break
			}
		}
		if u == 0 {
			return 0, bad(s)
		}
		total += n * float64(u)
	}
	if total >= math.MaxInt64 {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	return time.Duration(math.Round(total)), nil
}

func bad(s string) error {
	return fmt.Errorf("cannot parse duration %q: want numbers with units (ns, us, ms, s, m, h, d, w), like 30s, 1h30m or 7d12h", s)
}

// Format writes d in the grammar above, in the largest units that give it
// exactly and without weeks (which few people read at a glance):
// 90*time.Minute is "1h30m", 36 hours "1d12h", 1500ms "1s500ms". Parse
// reads back what Format writes. A negative d is written with a leading
// minus sign, which Parse refuses.
func Format(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	var b []byte
	if d < 0 {
		b = append(b, '-')
		d = -d // math.MinInt64 stays negative and is written below as is
		if d < 0 {
			return d.String()
		}
	}
	for i := len(units) - 2; i >= 0; i-- { // from days down
		u := units[i]
		if u.d == time.Microsecond && u.name != "us" {
			continue // written "us", plain ASCII
		}
		if n := d / u.d; n > 0 {
			b = strconv.AppendInt(b, int64(n), 10)
			b = append(b, u.name...)
			d -= n * u.d
		}
	}
	return string(b)
}
