package logs

import (
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
)

func TestValueScanner(t *testing.T) {
	tests := []struct {
		name string
		in   string
		end  int // -1: the value goes on
	}{
		{"object", `{"a":1} ,`, 7},
		{"nested", `{"a":[{"b":{}}],"c":"}"},1`, 24},
		{"escaped quote", `{"a":"x\"}"}x`, 12},
		{"escaped backslash", `{"a":"x\\"}x`, 11},
		{"string", `"a\"b" ,`, 6},
		{"number", `-12.5e3,`, 7},
		{"literal", `true]`, 4},
		{"array", `[1,[2],"]"] x`, 11},
		{"unclosed", `{"a":[1,2]`, -1},
		{"unclosed string", `{"a":"}`, -1},
		{"mismatched closes anyway", `{"a":1]x`, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Whole, and fed in pieces of every size.
			for piece := 1; piece <= len(tc.in); piece++ {
				var s valueScanner
				s.reset(tc.in[0])
				got := -1
				for start := 0; start < len(tc.in) && got < 0; start += piece {
					end := min(start+piece, len(tc.in))
					if k := s.scan([]byte(tc.in[start:end])); k >= 0 {
						got = start + k
					}
				}
				if got != tc.end {
					t.Fatalf("pieces of %d: end %d, want %d", piece, got, tc.end)
				}
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2023-07-10T12:11:15Z", time.Date(2023, 7, 10, 12, 11, 15, 0, time.UTC), true},
		{"2024-04-18T22:54:57.5Z", time.Date(2024, 4, 18, 22, 54, 57, 500_000_000, time.UTC), true},
		{"2024-04-18T22:54:57.123456789Z", time.Date(2024, 4, 18, 22, 54, 57, 123456789, time.UTC), true},
		{"2024-04-18T22:54:57.1234567891Z", time.Date(2024, 4, 18, 22, 54, 57, 123456789, time.UTC), true},
		{"2024-04-18t22:54:57z", time.Date(2024, 4, 18, 22, 54, 57, 0, time.UTC), true},
		{"2024-04-18 22:54:57+02:00", time.Date(2024, 4, 18, 20, 54, 57, 0, time.UTC), true},
		{"2024-01-01T00:30:00-01:30", time.Date(2024, 1, 1, 2, 0, 0, 0, time.UTC), true},
		{"2024-02-29T00:00:00Z", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"1969-12-31T23:59:59Z", time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), true},
		{"0000-01-01T00:00:00Z", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"2023-02-29T00:00:00Z", time.Time{}, false},
		{"2023-07-10T12:11:15", time.Time{}, false},
		{"2023-07-10T12:11:15.Z", time.Time{}, false},
		{"2023-07-10T24:00:00Z", time.Time{}, false},
		{"2023-13-10T12:11:15Z", time.Time{}, false},
		{"2023-07-10T12:11:15+0200", time.Time{}, false},
		{"2023-07-10T12:11:15Zjunk", time.Time{}, false},
		{"2023/07/10T12:11:15Z", time.Time{}, false},
		{"yesterday", time.Time{}, false},
	}
	for _, tc := range tests {
		got, ok := event.ParseTime([]byte(tc.in))
		if ok != tc.ok || !got.Equal(tc.want) || (ok && got.Location() != time.UTC) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if std, err := time.Parse(time.RFC3339Nano, tc.in); err == nil && tc.ok && !std.Equal(got) {
			t.Errorf("ParseTime(%q) = %v, time.Parse says %v", tc.in, got, std)
		}
	}
}

func TestStringRun(t *testing.T) {
	alphabet := []byte{'a', '"', '\\', 0x00, 0x80, 0xff, 0x21, 0x23, 0x5b, 0x5d, 0x01}
	seed := uint32(1)
	for n := 0; n < 20000; n++ {
		b := make([]byte, n%40)
		for i := range b {
			seed = seed*1664525 + 1013904223
			if seed>>28 < 13 {
				b[i] = 'x'
			} else {
				b[i] = alphabet[(seed>>8)%uint32(len(alphabet))]
			}
		}
		want := len(b)
		for i, c := range b {
			if c == '"' || c == '\\' {
				want = i
				break
			}
		}
		if got := stringRun(b); got != want {
			t.Fatalf("stringRun(%q) = %d, want %d", b, got, want)
		}
	}
}

func TestMemberValue(t *testing.T) {
	tests := []struct {
		obj  string
		want int
	}{
		{`{"Records":[]}`, 11},
		{`{ "a" : {"Records":1} , "Records" : [1]}`, 36},
		{`{"a":"\"Records\":[","Records":null}`, 31},
		{`{"Rec\u006frds":[]}`, 16},
		{`{"Rec\u006Frds" : null}`, 18},
		{`{"Rec\\u006frds":[]}`, -1},
		{`{"a":1}`, -1},
		{`{}`, -1},
		{`{"a":1 "Records":[]}`, -1},
	}
	for _, tc := range tests {
		if got := memberValue([]byte(tc.obj), "Records"); got != tc.want {
			t.Errorf("memberValue(%s) = %d, want %d", tc.obj, got, tc.want)
		}
	}
}
