package scalar

import (
	"testing"
	"time"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseISOTime(t *testing.T) {
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
		ns, ok := parseISOTime(c.in)
		switch {
		case c.want == "" && ok:
			t.Errorf("parseISOTime(%q) = %v, want failure", c.in, time.Unix(0, ns).UTC())
		case c.want != "" && !ok:
			t.Errorf("parseISOTime(%q) failed, want %s", c.in, c.want)
		case c.want != "" && ns != mustTime(c.want).UnixNano():
			t.Errorf("parseISOTime(%q) = %v, want %s", c.in, time.Unix(0, ns).UTC(), c.want)
		}
	}
}

func TestStrftime(t *testing.T) {
	tm := mustTime("2024-03-05T09:07:03.123456789Z") // a Tuesday
	cases := []struct{ layout, want string }{
		{"%Y-%m-%d %H:%M:%S", "2024-03-05 09:07:03"},
		{"%y %b %B %a %A %j", "24 Mar March Tue Tuesday 065"},
		{"%I:%M %p", "09:07 AM"},
		{"%e|%k|%l", " 5| 9| 9"},
		{"%F %T", "2024-03-05 09:07:03"},
		{"%s", "1709629623"},
		{"%3N %6N %N %Q", "123 123456 123456789 123"},
		{"%Z %z %:z", "UTC +0000 +00:00"},
		{"%u %w %V %U %W", "2 2 10 09 10"},
		{"100%% %q", "100% %q"},
		{"%D %R %c", "03/05/24 09:07 Tue Mar  5 09:07:03 2024"},
		{"trailing %", "trailing %"},
	}
	for _, c := range cases {
		if got := string(appendStrftime(nil, tm, c.layout)); got != c.want {
			t.Errorf("strftime(%q) = %q, want %q", c.layout, got, c.want)
		}
	}
	if got := string(appendStrftime(nil, mustTime("2024-03-05T15:00:00Z"), "%I %p")); got != "03 PM" {
		t.Errorf("afternoon %%I %%p = %q", got)
	}
}

func TestStrptime(t *testing.T) {
	cases := []struct {
		s, layout string
		want      string
	}{
		{"2024-03-05 09:07:03", "%Y-%m-%d %H:%M:%S", "2024-03-05T09:07:03Z"},
		{"2024-03-05T09:07:03.5Z", "%Y-%m-%dT%H:%M:%S.%QZ", "2024-03-05T09:07:03.5Z"},
		{"05/Mar/2024:09:07:03 -0100", "%d/%b/%Y:%H:%M:%S %z", "2024-03-05T10:07:03Z"},
		{"March 5, 2024 9:07 PM", "%B %d, %Y %I:%M %p", "2024-03-05T21:07:00Z"},
		{"12:30 AM 01/02/24", "%I:%M %p %m/%d/%y", "2024-01-02T00:30:00Z"},
		{"Tue Mar  5 09:07:03 UTC 2024", "%a %b %e %H:%M:%S %Z %Y", "2024-03-05T09:07:03Z"},
		{"1709629623", "%s", "2024-03-05T09:07:03Z"},
		{"2024-065", "%Y-%j", "2024-03-05T00:00:00Z"},
		{"2024-03-05 trailing text", "%Y-%m-%d", "2024-03-05T00:00:00Z"},
		{"2024-03-05", "%F", "2024-03-05T00:00:00Z"},
		{"69-01-01", "%y-%m-%d", "1969-01-01T00:00:00Z"},
		{"2024/03/05", "%Y-%m-%d", ""},
		{"2024-02-30", "%Y-%m-%d", ""},
		{"13:00 PM", "%I:%M %p", ""},
		{"", "%Y", ""},
	}
	for _, c := range cases {
		ns, ok := parseStrftime(c.s, c.layout)
		switch {
		case c.want == "" && ok:
			t.Errorf("strptime(%q, %q) = %v, want failure", c.s, c.layout, time.Unix(0, ns).UTC())
		case c.want != "" && (!ok || ns != mustTime(c.want).UnixNano()):
			t.Errorf("strptime(%q, %q) = %v (ok=%v), want %s", c.s, c.layout, time.Unix(0, ns).UTC(), ok, c.want)
		}
	}
}

func TestJavaFormat(t *testing.T) {
	tm := mustTime("2024-03-05T21:07:03.045Z")
	cases := []struct{ pattern, want string }{
		{"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", "2024-03-05T21:07:03.045Z"},
		{"yy/M/d", "24/3/5"},
		{"MMM MMMM EEE EEEE", "Mar March Tue Tuesday"},
		{"h:mm a", "9:07 PM"},
		{"hh 'o''clock'", "09 o'clock"},
		{"''", "'"},
		{"D DDD", "65 065"},
		{"Z XXX xx", "+0000 Z +0000"},
		{"uuuu-MM-dd[ HH:mm]", "2024-03-05 21:07"},
		{"SSSSSS n", "045000 45000000"},
		{"Q QQQ", "1 Q1"},
		{"k K", "21 9"},
		{"e", "2"},
		{"G y", "AD 2024"},
	}
	for _, c := range cases {
		f, err := compileJavaFormat(c.pattern)
		if err != nil {
			t.Errorf("compile %q: %v", c.pattern, err)
			continue
		}
		if got := string(f.append(nil, tm)); got != c.want {
			t.Errorf("format %q = %q, want %q", c.pattern, got, c.want)
		}
	}
	for _, bad := range []string{"yyyy-bb", "'open", "[yyyy", "yyyy]", "{x}", "#"} {
		if _, err := compileJavaFormat(bad); err == nil {
			t.Errorf("compile %q succeeded, want an error", bad)
		}
	}
}

func TestJavaParse(t *testing.T) {
	cases := []struct {
		pattern, s, want string
	}{
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-03-05T21:07:03.045+01:00", "2024-03-05T20:07:03.045Z"},
		{"yyyy-MM-dd HH:mm:ss", "2024-03-05 21:07:03", "2024-03-05T21:07:03Z"},
		{"yyyyMMddHHmmss", "20240305210703", "2024-03-05T21:07:03Z"},
		{"dd/MMM/yyyy:HH:mm:ss Z", "30/Apr/1998:22:00:52 +0000", "1998-04-30T22:00:52Z"},
		{"MMMM d, yyyy h:mm a", "March 5, 2024 9:07 PM", "2024-03-05T21:07:00Z"},
		{"yyyy-MM-dd[ HH:mm]", "2024-03-05", "2024-03-05T00:00:00Z"},
		{"yyyy-MM-dd[ HH:mm]", "2024-03-05 10:11", "2024-03-05T10:11:00Z"},
		{"yy-MM-dd", "24-03-05", "2024-03-05T00:00:00Z"},
		{"EEE, dd MMM yyyy HH:mm:ss z", "Tue, 05 Mar 2024 21:07:03 UTC", "2024-03-05T21:07:03Z"},
		{"yyyy-MM-dd", "2024-03-05x", ""},
		{"yyyy-MM-dd", "2024-3-05", ""},
		{"HH:mm", "25:00", ""},
	}
	for _, c := range cases {
		f, err := compileJavaFormat(c.pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", c.pattern, err)
		}
		ns, ok := f.parse(c.s)
		switch {
		case c.want == "" && ok:
			t.Errorf("parse(%q, %q) = %v, want failure", c.pattern, c.s, time.Unix(0, ns).UTC())
		case c.want != "" && (!ok || ns != mustTime(c.want).UnixNano()):
			t.Errorf("parse(%q, %q) = %v (ok=%v), want %s", c.pattern, c.s, time.Unix(0, ns).UTC(), ok, c.want)
		}
	}
}

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
		got, ok := relativeTime(base, c.spec)
		if !ok || got != mustTime(c.want).UnixNano() {
			t.Errorf("relative_time(%q) = %v (ok=%v), want %s", c.spec, time.Unix(0, got).UTC(), ok, c.want)
		}
	}
	for _, bad := range []string{"-1fortnight", "yesterday", "@w9"} {
		if _, ok := relativeTime(base, bad); ok {
			t.Errorf("relative_time(%q) succeeded, want failure", bad)
		}
	}
}

func TestParseSpanText(t *testing.T) {
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
		m, d, ok := parseSpanText(c.in)
		if ok != c.ok || ok && (m != c.months || d != c.d) {
			t.Errorf("parseSpanText(%q) = %d, %v, %v; want %d, %v, %v", c.in, m, d, ok, c.months, c.d, c.ok)
		}
	}
}

func FuzzTimeParsers(f *testing.F) {
	f.Add("2024-03-05T21:07:03.045+01:00", "%Y-%m-%dT%H:%M:%S", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
	f.Add("05/Mar/2024:09:07:03 -0100", "%d/%b/%Y:%H:%M:%S %z", "dd/MMM/yyyy:HH:mm:ss Z")
	f.Add("March 5, 2024 9:07 PM", "%B %d, %Y %I:%M %p", "[yyyy]'x'''")
	f.Fuzz(func(t *testing.T, s, strf, java string) {
		if ns, ok := parseISOTime(s); ok {
			// Whatever parses must format back to an equal instant.
			back := time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
			if ns2, ok := parseISOTime(back); !ok || ns2 != ns {
				t.Fatalf("ISO %q -> %s does not read back (%v)", s, back, ok)
			}
		}
		parseStrftime(s, strf)
		_ = appendStrftime(nil, time.Unix(0, 0), strf)
		if jf, err := compileJavaFormat(java); err == nil {
			jf.parse(s)
			_ = jf.append(nil, time.Unix(1e9, 5e8))
		}
	})
}
