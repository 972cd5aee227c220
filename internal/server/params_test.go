package server

import (
	"github.com/tripline/tripline/internal/duration"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", time.Time{}, true},
		{"24h", testNow.Add(-24 * time.Hour), true},
		{"90m", testNow.Add(-90 * time.Minute), true},
		{"7d", testNow.Add(-7 * 24 * time.Hour), true},
		{"0d", testNow, true},
		{"1d6h", testNow.Add(-30 * time.Hour), true},
		{"2025-03-01T10:00:00Z", time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), true},
		{"2025-03-01T10:00:00.5+02:00", time.Date(2025, 3, 1, 8, 0, 0, 5e8, time.UTC), true},
		{"2025-03-01", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), true},
		{"d", time.Time{}, false},
		{"7dd", time.Time{}, false},
		{"-1d", time.Time{}, false},
		{"-3h", time.Time{}, false},
		{"1.5d", testNow.Add(-36 * time.Hour), true},
		{"7d12h", testNow.Add(-180 * time.Hour), true},
		{"2025", time.Time{}, false},
		{"now", time.Time{}, false},
		{"2025-02-30", time.Time{}, false},
	}
	for _, tc := range tests {
		got, err := parseTime("since", tc.in, testNow)
		if (err == nil) != tc.ok || !got.Equal(tc.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"24h", "7d", "1d12h30m", "2025-03-01", "2025-03-01T00:00:00Z", "d", "-1d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTime("since", s, testNow)
		if err != nil {
			return
		}
		// A look-back never lies in the future.
		if d, lerr := duration.Parse(s); lerr == nil && (d < 0 || got.After(testNow)) {
			t.Fatalf("%q: look-back %v gives %v", s, d, got)
		}
	})
}
