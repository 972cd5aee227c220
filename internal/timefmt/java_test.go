package timefmt

import (
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
