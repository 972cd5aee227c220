package timefmt

import (
	"strings"
	"testing"
	"time"
)

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
		f, err := CompileJava(c.pattern)
		if err != nil {
			t.Errorf("compile %q: %v", c.pattern, err)
			continue
		}
		if got := string(f.Append(nil, tm)); got != c.want {
			t.Errorf("format %q = %q, want %q", c.pattern, got, c.want)
		}
	}
	for _, bad := range []string{"yyyy-bb", "'open", "[yyyy", "yyyy]", "{x}", "#"} {
		if _, err := CompileJava(bad); err == nil {
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
		f, err := CompileJava(c.pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", c.pattern, err)
		}
		ns, err := f.Parse(c.s)
		ok := err == nil
		switch {
		case c.want == "" && ok:
			t.Errorf("parse(%q, %q) = %v, want failure", c.pattern, c.s, time.Unix(0, ns).UTC())
		case c.want != "" && (!ok || ns != mustTime(c.want).UnixNano()):
			t.Errorf("parse(%q, %q) = %v (ok=%v), want %s", c.pattern, c.s, time.Unix(0, ns).UTC(), ok, c.want)
		}
	}
}

// FuzzJava: a pattern compiles or says where it is wrong; text that does
// not read says where; text without pattern letters is written as it is;
// and reading is a projection: what a pattern reads from text it wrote,
// it writes and reads again unchanged.
func FuzzJava(f *testing.F) {
	f.Add("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-03-05T21:07:03.045+01:00", int64(1709629623123456789))
	f.Add("dd/MMM/yyyy:HH:mm:ss Z", "30/Apr/1998:22:00:52 +0000", int64(-1))
	f.Add("[yyyy]'x'''", "2024x'", int64(0))
	f.Add("yyyy年MM月dd日 EEEE a hh K k G QQQ e c D n N A VV O xx", "", int64(1))
	f.Fuzz(func(t *testing.T, pattern, s string, ns int64) {
		jf, err := CompileJava(pattern)
		if err != nil {
			checkError(t, err, pattern)
			return
		}
		if jf.String() != pattern {
			t.Fatalf("pattern %q prints as %q", pattern, jf.String())
		}
		if _, err := jf.Parse(s); err != nil {
			checkError(t, err, s)
		}
		text := string(jf.Append(nil, time.Unix(0, ns)))
		if !strings.ContainsFunc(pattern, func(r rune) bool { return r < 0x80 && isLetter(byte(r)) || r == '\'' || r == '[' }) && text != pattern {
			t.Fatalf("pattern %q without letters wrote %q", pattern, text)
		}
		if strings.Contains(pattern, "Y") || ambiguousJava(jf) {
			return // a week-based year reads as a calendar year; see ambiguousJava
		}
		ns2, err := jf.Parse(text)
		if err != nil {
			return
		}
		text2 := string(jf.Append(nil, time.Unix(0, ns2)))
		if ns3, err := jf.Parse(text2); err != nil || ns3 != ns2 {
			t.Fatalf("pattern %q: %s wrote %q, read %s, wrote %q, read %s (%v)", pattern,
				time.Unix(0, ns).UTC(), text, time.Unix(0, ns2).UTC(), text2, time.Unix(0, ns3).UTC(), err)
		}
	})
}

// ambiguousJava reports whether the pattern writes a number whose width
// the reader cannot know right before more digits. Before another number
// a field reads at its count of letters, so "dMM" writes 1503 for 15
// March and reads day 1, month 50 (java.time keeps two digits for MM; we
// do not); before digits in text a field reads all it can, so "N'0'"
// reads its own digits and the 0. And "x" writes +01 but reads +0130.
func ambiguousJava(f *JavaPattern) bool {
	for k, tk := range f.toks {
		if tk.opt != nil {
			if ambiguousJava(tk.opt) {
				return true
			}
			continue
		}
		if tk.letter == 0 || k+1 == len(f.toks) {
			continue
		}
		offset := tk.letter == 'x' && tk.count == 1
		next := f.toks[k+1]
		switch {
		case next.letter != 0 && isNumericJava(next):
			if offset || isNumericJava(tk) && tk.count < javaDigits(tk.letter) {
				return true
			}
		case next.opt != nil || next.letter == 0 && isDigit(next.lit[0]):
			if offset || isNumericJava(tk) && greedyJava(tk) {
				return true
			}
		}
	}
	return false
}

// greedyJava reports whether a numeric field not followed by another
// reads more digits than its count.
func greedyJava(tk javaTok) bool {
	switch tk.letter {
	case 'y', 'u', 'Y':
		return tk.count != 2
	case 'n', 'A', 'N', 'w', 'W', 'F', 'Q', 'q':
		return true
	case 'e', 'c', 'S':
		return false
	}
	return tk.count == 1
}

// javaDigits is the most digits a numeric field writes for instants.
func javaDigits(c byte) int {
	switch c {
	case 'y', 'u', 'Y':
		return 4
	case 'D':
		return 3
	case 'Q', 'q', 'e', 'c', 'F', 'W':
		return 1
	case 'S':
		return 0 // as many as its count
	case 'n':
		return 9
	case 'N':
		return 14
	case 'A':
		return 8
	}
	return 2
}

// Patterns that name a whole instant, with the digits of the second they
// keep.
var javaWhole = []struct {
	pattern string
	digits  int
}{
	{"yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX", 9},
	{"uuuu-MM-dd HH:mm:ss.SSS", 3},
	{"yyyyMMddHHmmss", 0},
	{"yyyyMMddHHmmssSSSSSS", 6},
	{"dd/MMM/yyyy:HH:mm:ss Z", 0},
	{"EEE, dd MMM yyyy HH:mm:ss z", 0},
	{"EEEE, MMMM d, yyyy h:mm:ss.S a", 1},
	{"yyyy-DDD'T'HH:mm:ssxx", 0},
	{"G uuuuu-M-d k:m:s O", 0},
	{"yyyy.MM.dd KK:mm:ss a VV", 0},
	{"HH:mm:ss.n yyyy-MM-dd", 9},
	{"yyyy-MM-dd[ HH:mm[:ss]]", 0},
	{"yyyy年MM月dd日 HH時mm分ss秒", 0},
}

// FuzzJavaRoundTrip: an instant written with a pattern that names it
// whole reads back as itself, to the pattern's precision.
func FuzzJavaRoundTrip(f *testing.F) {
	for i := range javaWhole {
		f.Add(int64(1709629623123456789), uint8(i))
	}
	f.Add(int64(-1), uint8(0))
	f.Fuzz(func(t *testing.T, ns int64, pick uint8) {
		w := javaWhole[int(pick)%len(javaWhole)]
		jf, err := CompileJava(w.pattern)
		if err != nil {
			t.Fatal(err)
		}
		tm := time.Unix(0, ns).UTC()
		want := tm.Truncate(time.Second).Add(time.Duration(tm.Nanosecond()) / pow10(9-w.digits) * pow10(9-w.digits))
		text := string(jf.Append(nil, tm))
		got, err := jf.Parse(text)
		if err != nil || got != want.UnixNano() {
			t.Fatalf("%s with %q wrote %q, read %s (%v), want %s", tm.Format(time.RFC3339Nano), w.pattern, text,
				time.Unix(0, got).UTC().Format(time.RFC3339Nano), err, want.Format(time.RFC3339Nano))
		}
	})
}

func BenchmarkJavaParse(b *testing.B) {
	jf, err := CompileJava("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
	if err != nil {
		b.Fatal(err)
	}
	const s = "2024-03-05T21:07:03.045+01:00"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jf.Parse(s); err != nil {
			b.Fatal(err)
		}
	}
}

// Long fields neither wrap round nor garble text that is not ASCII.
func TestJavaLongFieldsAndText(t *testing.T) {
	tm := mustTime("2024-03-05T21:07:03.045Z")
	cases := []struct{ pattern, text, want string }{ // text: also what the pattern writes for tm
		{"yyyy年MM月dd日", "2024年03月05日", "2024-03-05T00:00:00Z"},
		{"HH:mm:ss.SSSSSSSSSSSSSSSSSSS", "21:07:03.0450000000000000000", "1970-01-01T21:07:03.045Z"},
		{"yyyyyyyyyyyyyyyyyyyyy", "000000000000000002024", "2024-01-01T00:00:00Z"},
		{"NA", "00", "1970-01-01T00:00:00Z"}, // adjacent: N reads one digit
	}
	for _, c := range cases {
		jf, err := CompileJava(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(jf.Append(nil, tm)); c.pattern != "NA" && got != c.text {
			t.Errorf("format %q = %q, want %q", c.pattern, got, c.text)
		}
		ns, err := jf.Parse(c.text)
		if err != nil || ns != mustTime(c.want).UnixNano() {
			t.Errorf("parse(%q, %q) = %s, %v; want %s", c.pattern, c.text, time.Unix(0, ns).UTC(), err, c.want)
		}
	}
	for pattern, text := range map[string]string{
		"yyyyyyyyyyyyyyyyyyyyy":     "999999999999999999999",
		"yyyy DDDDDDDDDDDDDDDDDDDD": "2024 99999999999999999999",
	} {
		jf, _ := CompileJava(pattern)
		if ns, err := jf.Parse(text); err == nil {
			t.Errorf("parse(%q, %q) = %s, want out of range", pattern, text, time.Unix(0, ns).UTC())
		}
	}
}
