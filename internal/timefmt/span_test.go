package timefmt

import (
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
