package timefmt

import (
	"testing"
	"time"
)

func TestParseISO(t *testing.T) {
	cases := []struct {
		in   string
		want string // RFC 3339; "" = no parse
	}{
		{"2024-03-15T10:30:45Z", "2024-03-15T10:30:45Z"},
		{"2024-03-15T10:30:45.123456789Z", "2024-03-15T10:30:45.123456789Z"},
		{"2024-03-15T10:30:45.1234567891Z", "2024-03-15T10:30:45.123456789Z"},
		{"2024-03-15T10:30:45,5Z", "2024-03-15T10:30:45.5Z"},
		{"2024-03-15T10:30:45+02:00", "2024-03-15T08:30:45Z"},
		{"2024-03-15T10:30:45-0130", "2024-03-15T12:00:45Z"},
		{"2024-03-15T10:30:45+05", "2024-03-15T05:30:45Z"},
		{"2024-03-15T10:30", "2024-03-15T10:30:00Z"},
		{"2024-03-15 10:30:45", "2024-03-15T10:30:45Z"},
		{"2024-03-15", "2024-03-15T00:00:00Z"},
		{"2024-03", "2024-03-01T00:00:00Z"},
		{"2024", "2024-01-01T00:00:00Z"},
		{"2024-02-30", ""},
		{"2024-13-01", ""},
		{"2024-03-15T25:00:00Z", ""},
		{"2024-03-15T10:30:45Zjunk", ""},
		{"2024-3-15", ""},
		{"", ""},
		{"yesterday", ""},
		{"2024-03-15T10", ""},
	}
	for _, c := range cases {
		ns, err := ParseISO(c.in)
		ok := err == nil
		switch {
		case c.want == "" && ok:
			t.Errorf("ParseISO(%q) = %v, want failure", c.in, time.Unix(0, ns).UTC())
		case c.want != "" && !ok:
			t.Errorf("ParseISO(%q) failed, want %s", c.in, c.want)
		case c.want != "" && ns != mustTime(c.want).UnixNano():
			t.Errorf("ParseISO(%q) = %v, want %s", c.in, time.Unix(0, ns).UTC(), c.want)
		}
	}
}
