package duration

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	day := 24 * time.Hour
	good := map[string]time.Duration{
		"0": 0, "30s": 30 * time.Second, "10m": 10 * time.Minute,
		"1h30m": 90 * time.Minute, "1.5h": 90 * time.Minute, "7d": 7 * day, "7d12h": 7*day + 12*time.Hour,
		"2w": 14 * day, "1w2d": 9 * day, "250ms": 250 * time.Millisecond, "0.2s": 200 * time.Millisecond,
		" 5m ": 5 * time.Minute, "1h0m0s": time.Hour, "3us": 3 * time.Microsecond, "3µs": 3 * time.Microsecond,
	}
	for in, want := range good {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-5m", "5", "2025", "m", "5x", "1h-30m", "d7", "7d 12h", "1e3s", "99999999999w", "1..5h"} {
		if d, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", in, d)
		}
	}
}

// Whatever Go's time.ParseDuration reads without a sign, Parse reads the
// same.
func FuzzParseAgreesWithGo(f *testing.F) {
	for _, s := range []string{"1h30m", "1.5h", "300ms", "2h45m0.5s", "0s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := time.ParseDuration(s)
		if err != nil || want < 0 || len(s) == 0 || s[0] == '+' || s[0] == '-' || s[0] == '.' {
			return
		}
		got, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v; Go reads %v", s, err, want)
		}
		if diff := got - want; diff < -time.Microsecond || diff > time.Microsecond {
			t.Fatalf("Parse(%q) = %v, Go reads %v", s, got, want)
		}
	})
}

func TestFormatIsReadBack(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                              "0",
		90 * time.Minute:               "1h30m",
		36 * time.Hour:                 "1d12h",
		14 * 24 * time.Hour:            "14d",
		1500 * time.Millisecond:        "1s500ms",
		time.Hour + 2*time.Microsecond: "1h2us",
		7:                              "7ns",
	} {
		got := Format(d)
		if got != want {
			t.Errorf("Format(%v) = %q, want %q", d, got, want)
		}
		back, err := Parse(got)
		if err != nil || back != d {
			t.Errorf("Parse(Format(%v)) = %v, %v", d, back, err)
		}
	}
	if got := Format(-time.Minute); got != "-1m" {
		t.Errorf("Format(-1m) = %q", got)
	}
}
