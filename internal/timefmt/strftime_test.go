package timefmt

import (
	"testing"

	"github.com/ncruces/go-strftime"
)

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
		if got := string(AppendStrftime(nil, tm, c.layout)); got != c.want {
			t.Errorf("strftime(%q) = %q, want %q", c.layout, got, c.want)
		}
	}
	if got := string(AppendStrftime(nil, mustTime("2024-03-05T15:00:00Z"), "%I %p")); got != "03 PM" {
		t.Errorf("afternoon %%I %%p = %q", got)
	}
}

// Every directive, at one instant: the ones go-strftime writes and the
// ones written here.
func TestStrftimeEveryDirective(t *testing.T) {
	tm := mustTime("2024-12-29T00:07:03.123456789Z") // a Sunday, in ISO week 52 of 2024...
	cases := map[string]string{
		"%Y": "2024", "%y": "24", "%C": "20", "%m": "12", "%d": "29", "%e": "29",
		"%H": "00", "%k": " 0", "%I": "12", "%l": "12", "%M": "07", "%S": "03",
		"%N": "123456789", "%f": "123456", "%Q": "123", "%1N": "1", "%9Q": "123456789", "%0N": "",
		"%p": "AM", "%P": "am", "%b": "Dec", "%h": "Dec", "%B": "December", "%a": "Sun", "%A": "Sunday",
		"%j": "364", "%u": "7", "%w": "0", "%U": "52", "%W": "52", "%V": "52", "%G": "2024", "%g": "24",
		"%Z": "UTC", "%z": "+0000", "%:z": "+00:00", "%s": "1735430823",
		"%F": "2024-12-29", "%T": "00:07:03", "%X": "00:07:03", "%D": "12/29/24", "%x": "12/29/24",
		"%R": "00:07", "%r": "12:07:03 AM", "%c": "Sun Dec 29 00:07:03 2024",
		"%+": "Sun Dec 29 00:07:03 UTC 2024", "%n": "\n", "%t": "\t", "%%": "%",
		"%L": "%L", "%v": "%v", "%-d": "%-d", "%Ey": "%Ey", "%Od": "%Od", "%:Y": "%:Y", "%q": "%q", "%": "%",
	}
	for layout, want := range cases {
		if got := string(AppendStrftime(nil, tm, layout)); got != want {
			t.Errorf("strftime(%q) = %q, want %q", layout, got, want)
		}
	}
}

// The directives written here rather than by go-strftime, and why: it
// writes them otherwise than Splunk does.
func TestStrftimeWhereGoStrftimeDiffers(t *testing.T) {
	tm := mustTime("2024-03-05T09:07:03.123456789Z")
	cases := []struct{ layout, splunk, lib string }{
		{"%Q", "123", "1709629623123"},  // milliseconds of the second, not since the epoch
		{"%3N", "123", "%3N"},           // a width before N
		{"%6Q", "123456", "%6Q"},        // and before Q
		{"%L", "%L", "123"},             // Ruby's milliseconds: not Splunk's
		{"%v", "%v", " 5-Mar-2024"},     // VMS date: not Splunk's
		{"%-d", "%-d", "5"},             // glibc's unpadded flag: not Splunk's
		{"%Ey %Od", "%Ey %Od", "24 05"}, // POSIX's alternative forms: not Splunk's
		{"%:Y", "%:Y", "2024"},          // ':' only before z
	}
	for _, c := range cases {
		if got := string(AppendStrftime(nil, tm, c.layout)); got != c.splunk {
			t.Errorf("AppendStrftime(%q) = %q, want %q", c.layout, got, c.splunk)
		}
		if got := strftime.Format(c.layout, tm); got != c.lib {
			t.Errorf("go-strftime now writes %q as %q, not %q: see whether it can write it", c.layout, got, c.lib)
		}
	}
}

func BenchmarkAppendStrftime(b *testing.B) {
	tm := mustTime("2024-03-05T09:07:03.123456789Z")
	const layout = "%Y-%m-%dT%H:%M:%S.%3N%z"
	buf := AppendStrftime(nil, tm, layout)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendStrftime(buf[:0], tm, layout)
	}
}
