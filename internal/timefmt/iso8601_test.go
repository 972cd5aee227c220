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

// FuzzParseISO: what reads prints back as RFC 3339 and reads again to the
// same instant, on the date it was written on (give or take a zone), and
// what does not read says where.
func FuzzParseISO(f *testing.F) {
	for _, s := range []string{"2024-03-15T10:30:45.123456789Z", "2024-03-15 10:30:45,5-01:30", "2024-03", "2024",
		"0001-01-01", "9999-12-31T23:59:59+18:00", "2262-04-11T23:47:16.854775807Z", "2024-02-30", "2024-03-15T10:30:45Zjunk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ns, err := ParseISO(s)
		if err != nil {
			checkError(t, err, s)
			return
		}
		back := time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
		if ns2, err := ParseISO(back); err != nil || ns2 != ns {
			t.Fatalf("%q -> %s does not read back: %v", s, back, err)
		}
		written := time.Date(atoi(s[:4]), 1, 1, 0, 0, 0, 0, time.UTC)
		if got := time.Unix(0, ns).UTC(); got.Before(written.AddDate(0, 0, -2)) || got.After(written.AddDate(1, 0, 1)) {
			t.Fatalf("%q read as %s, not in the year it names", s, got.Format(time.RFC3339Nano))
		}
	})
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func BenchmarkParseISO(b *testing.B) {
	const s = "2024-03-15T10:30:45.123456789+01:00"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseISO(s); err != nil {
			b.Fatal(err)
		}
	}
}

// Dates outside int64 nanoseconds do not read, rather than wrapping
// round to another instant.
func TestOutOfRangeInstants(t *testing.T) {
	jf, err := CompileJava("yyyy-MM-dd")
	if err != nil {
		t.Fatal(err)
	}
	parsers := map[string]func(string) (int64, error){
		"iso":      ParseISO,
		"strptime": func(s string) (int64, error) { return Strptime(s, "%Y-%m-%dT%H:%M:%S.%N%z") },
		"java":     func(s string) (int64, error) { return jf.Parse(s[:10]) },
	}
	for name, parse := range parsers {
		for _, s := range []string{"0001-01-01T00:00:00.0+00:00", "9999-12-31T00:00:00.0+00:00", "1677-09-20T00:00:00.0+00:00"} {
			if ns, err := parse(s); err == nil {
				t.Errorf("%s(%q) = %s, want out of range", name, s, time.Unix(0, ns).UTC())
			}
		}
	}
	for _, s := range []string{"1677-09-21T00:12:43.145224192+00:00", "2262-04-11T23:47:16.854775807+00:00"} {
		if _, err := ParseISO(s); err != nil {
			t.Errorf("ParseISO(%q): %v", s, err)
		}
		if _, err := Strptime(s, "%Y-%m-%dT%H:%M:%S.%N%z"); err != nil {
			t.Errorf("Strptime(%q): %v", s, err)
		}
	}
}
