package generate

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"line\nnext\ttab\r", `"line\nnext\ttab\r"`},
		{"\x00\x1f", `"\u0000\u001f"`},
		{"héllo ☃", `"héllo ☃"`},
		{"bad\xffutf8", "\"bad\ufffdutf8\""},
	}
	for _, tc := range tests {
		if got := string(appendString(nil, tc.in)); got != tc.want {
			t.Errorf("appendString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\x00", "\xff\xfe", "日本", "\\u0041"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("appendString(%q) = %s is not JSON: %v", s, b, err)
		}
		want := s
		if !utf8.ValidString(s) {
			want = strings.ToValidUTF8(s, "\ufffd")
			// ToValidUTF8 merges a run of bad bytes into one replacement;
			// appendString writes one per byte. Compare without them.
			got, want = strings.ReplaceAll(got, "\ufffd", ""), strings.ReplaceAll(want, "\ufffd", "")
		}
		if got != want {
			t.Fatalf("round trip of %q gave %q", s, got)
		}
	})
}

func TestFieldHelpers(t *testing.T) {
	b := append([]byte(nil), '{')
	b = fstr(b, "s", "x")
	b = fint(b, "i", -3)
	b = fbool(b, "b", true)
	b = ffloat(b, "f", 0.25, 2)
	b = fraw(b, "n", "null")
	b = farr(b, "a")
	b = vstr(b, "p")
	b = vstr(b, "q")
	b = append(b, ']')
	b = append(fobj(b, "o"), '}')
	b = append(b, '}')
	want := `{"s":"x","i":-3,"b":true,"f":0.25,"n":null,"a":["p","q"],"o":{}}`
	if string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
}

func TestAppendSmallFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		v := r.NormFloat64() * 0.1
		b := appendSmallFloat(nil, v)
		var got float64
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%v: %s: %v", v, b, err)
		}
		if d := got - v; d > 1e-6 || d < -1e-6 {
			t.Fatalf("%v written as %s", v, b)
		}
	}
}

func TestUUIDAndIDs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		u := uuid(r)
		if len(u) != 36 || u[14] != '4' || !strings.ContainsRune("89ab", rune(u[19])) || strings.Count(u, "-") != 4 {
			t.Fatalf("bad uuid %s", u)
		}
		if k := awsID(r, "AKIA", 16); len(k) != 20 || strings.Trim(k[4:], upperBase32) != "" {
			t.Fatalf("bad key %s", k)
		}
	}
}
