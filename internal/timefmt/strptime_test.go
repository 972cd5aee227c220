package timefmt

import (
	"testing"
	"time"

	"github.com/ncruces/go-strftime"
)

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
		ns, err := Strptime(c.s, c.layout)
		ok := err == nil
		switch {
		case c.want == "" && ok:
			t.Errorf("strptime(%q, %q) = %v, want failure", c.s, c.layout, time.Unix(0, ns).UTC())
		case c.want != "" && (!ok || ns != mustTime(c.want).UnixNano()):
			t.Errorf("strptime(%q, %q) = %v (ok=%v), want %s", c.s, c.layout, time.Unix(0, ns).UTC(), ok, c.want)
		}
	}
}

// Why strptime is written here: go-strftime's Parse (time.Parse under a
// converted layout) reads the same layouts otherwise than Splunk does.
func TestStrptimeWhereGoStrftimeDiffers(t *testing.T) {
	cases := []struct {
		s, layout string
		splunk    string // what Splunk's strptime gives
		lib       string // what go-strftime gives, "" for an error
	}{
		{"09:07", "%H:%M", "1970-01-01T09:07:00Z", "0000-01-01T09:07:00Z"},   // the default date
		{"2024-03-05 trailing text", "%Y-%m-%d", "2024-03-05T00:00:00Z", ""}, // a prefix is enough
		{"2024-3-5 9:07", "%Y-%m-%d%t%H:%M", "2024-03-05T09:07:00Z", ""},     // %t matches any blanks, not only a tab
		{"2024-65", "%Y-%j", "2024-03-05T00:00:00Z", ""},                     // a day of the year in fewer than 3 digits
		{"1709629623", "%s", "2024-03-05T09:07:03Z", ""},                     // epoch seconds
		{"03.123", "%S.%3N", "1970-01-01T00:00:03.123Z", ""},                 // a fraction with a width
	}
	for _, c := range cases {
		ns, err := Strptime(c.s, c.layout)
		if want := mustTime(c.splunk); err != nil || !time.Unix(0, ns).Equal(want) {
			t.Errorf("Strptime(%q, %q) = %v, %v; want %s", c.s, c.layout, time.Unix(0, ns).UTC(), err, c.splunk)
		}
		lt, err := strftime.Parse(c.layout, c.s)
		switch {
		case c.lib == "" && err == nil:
			t.Errorf("go-strftime now reads %q with %q as %v: see whether it can read it", c.s, c.layout, lt)
		case c.lib != "" && (err != nil || !lt.Equal(mustTime(c.lib))):
			t.Errorf("go-strftime reads %q with %q as %v, %v; want %s", c.s, c.layout, lt, err, c.lib)
		}
	}
}

func BenchmarkStrptime(b *testing.B) {
	const s, layout = "05/Mar/2024:09:07:03.123 -0100", "%d/%b/%Y:%H:%M:%S.%3N %z"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Strptime(s, layout); err != nil {
			b.Fatal(err)
		}
	}
}
