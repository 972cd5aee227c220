package timefmt

import (
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
