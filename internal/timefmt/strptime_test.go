package timefmt

import (
	"regexp"
	"strings"
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

// FuzzStrptime: any text with any layout reads or says where it stopped,
// and reading is a projection: what a layout reads from text it wrote,
// it writes and reads again unchanged.
func FuzzStrptime(f *testing.F) {
	f.Add("05/Mar/2024:09:07:03 -0100", "%d/%b/%Y:%H:%M:%S %z", int64(1709629623123456789))
	f.Add("March 5, 2024 9:07 PM", "%B %d, %Y %I:%M %p", int64(-1))
	f.Add("1709629623.5", "%s.%3N", int64(0))
	f.Add("2024-065 trailing", "%Y-%j %Z %e%k%l %:z %F %T %D %R %n%t%%", int64(1))
	f.Fuzz(func(t *testing.T, s, layout string, ns int64) {
		if _, err := Strptime(s, layout); err != nil {
			checkError(t, err, s)
		}
		if greedyThenMore.MatchString(layout) {
			// A number of no fixed width followed by digits does not read
			// back: "%s0", "%f%S", "%e%d" (" 505").
			return
		}
		text := string(AppendStrftime(nil, time.Unix(0, ns), layout))
		ns2, err := Strptime(text, layout)
		if err != nil {
			return
		}
		text2 := string(AppendStrftime(nil, time.Unix(0, ns2), layout))
		if ns3, err := Strptime(text2, layout); err != nil || ns3 != ns2 {
			t.Fatalf("layout %q: %s wrote %q, read %s, wrote %q, read %s (%v)", layout,
				time.Unix(0, ns).UTC(), text, time.Unix(0, ns2).UTC(), text2, time.Unix(0, ns3).UTC(), err)
		}
	})
}

var greedyThenMore = regexp.MustCompile(`%[sfQekl][0-9%]`)

// Layouts that name a whole instant, for the round trip: a date, a time
// of day, a fraction and a zone, or epoch seconds.
var (
	strptimeDates = []string{"%Y-%m-%d", "%F", "%d/%b/%Y", "%B %e, %Y", "%Y%m%d", "%m/%d/%Y",
		"%A, %d %B %Y", "%a %b %e %Y", "%Y-%j", "%D", "%d.%m.%y"}
	strptimeSeps   = []string{" ", "T", ":", "\t", " at ", "  "}
	strptimeClocks = []string{"%H:%M:%S", "%T", "%I:%M:%S %p", "%l:%M:%S%P", "%H%M%S", "%R:%S", "%k:%M:%S"}
	strptimeFracs  = []struct {
		layout string
		digits int
	}{{"", 0}, {".%N", 9}, {".%3N", 3}, {".%6N", 6}, {",%Q", 3}, {".%f", 6}, {".%1N", 1}}
	strptimeZones = []string{"", " %z", "%:z", " %Z", "Z"}
	strptimeEpoch = []string{"%s", "%s.%3N", "%s.%N", "%s %z"}
)

// FuzzStrftimeRoundTrip: an instant written with a layout that names it
// whole reads back as itself, to the layout's precision.
func FuzzStrftimeRoundTrip(f *testing.F) {
	f.Add(int64(1709629623123456789), uint8(0), uint8(0), uint8(0), uint8(1), uint8(1))
	f.Add(int64(-1), uint8(3), uint8(1), uint8(2), uint8(2), uint8(2))
	f.Add(int64(0), uint8(255), uint8(4), uint8(3), uint8(3), uint8(3))
	f.Fuzz(func(t *testing.T, ns int64, date, sep, clock, frac, zone uint8) {
		var layout string
		digits := 0
		if int(date) >= len(strptimeDates) {
			e := strptimeEpoch[int(date)%len(strptimeEpoch)]
			layout, digits = e, map[string]int{"%s.%3N": 3, "%s.%N": 9}[e]
		} else {
			fr := strptimeFracs[int(frac)%len(strptimeFracs)]
			layout = strptimeDates[date] + strptimeSeps[int(sep)%len(strptimeSeps)] +
				strptimeClocks[int(clock)%len(strptimeClocks)] + fr.layout + strptimeZones[int(zone)%len(strptimeZones)]
			digits = fr.digits
		}
		tm := time.Unix(0, ns).UTC()
		if y := tm.Year(); (strings.Contains(layout, "%D") || strings.Contains(layout, "%y")) && (y < 1969 || y > 2068) {
			return // two-digit years name 1969 to 2068
		}
		want := tm.Truncate(time.Second).Add(time.Duration(tm.Nanosecond()) / pow10(9-digits) * pow10(9-digits))
		text := string(AppendStrftime(nil, tm, layout))
		got, err := Strptime(text, layout)
		if err != nil || got != want.UnixNano() {
			t.Fatalf("%s with %q wrote %q, read %s (%v), want %s", tm.Format(time.RFC3339Nano), layout, text,
				time.Unix(0, got).UTC().Format(time.RFC3339Nano), err, want.Format(time.RFC3339Nano))
		}
	})
}

func pow10(n int) time.Duration {
	d := time.Duration(1)
	for range n {
		d *= 10
	}
	return d
}

// %s reads the seconds of the whole instant range, and a fraction after
// it counts.
func TestStrptimeEpoch(t *testing.T) {
	cases := []struct{ s, layout, want string }{
		{"1709629623.123", "%s.%3N", "2024-03-05T09:07:03.123Z"},
		{"-1.999", "%s.%3N", "1969-12-31T23:59:59.999Z"}, // as %s.%3N writes it
		{"9000000000", "%s", "2255-03-14T16:00:00Z"},
		{"-9000000000", "%s", "1684-10-19T08:00:00Z"},
		{"9300000000", "%s", ""},
		{"99999999999999999999", "%s", ""},
	}
	for _, c := range cases {
		ns, err := Strptime(c.s, c.layout)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("Strptime(%q, %q) = %s, want an error", c.s, c.layout, time.Unix(0, ns).UTC())
		case c.want != "" && (err != nil || ns != mustTime(c.want).UnixNano()):
			t.Errorf("Strptime(%q, %q) = %s, %v; want %s", c.s, c.layout, time.Unix(0, ns).UTC(), err, c.want)
		}
	}
}

// A digit after % is a width only before N and Q, in strptime as in
// strftime: "%2d" is written and read as the text "%2d".
func TestStrptimeWidthOnlyBeforeNAndQ(t *testing.T) {
	tm := mustTime("2024-03-05T09:07:03.123456789Z")
	for _, c := range []struct{ layout, text string }{{"%2d", "%2d"}, {"%3f", "%3f"}, {"x%3N", "x123"}, {"x%6Q", "x123456"}} {
		text := string(AppendStrftime(nil, tm, c.layout))
		if text != c.text {
			t.Errorf("AppendStrftime(%q) = %q, want %q", c.layout, text, c.text)
		}
		if _, err := Strptime(text, c.layout); err != nil {
			t.Errorf("Strptime(%q, %q): %v", text, c.layout, err)
		}
	}
}
