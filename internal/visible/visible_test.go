package visible

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"aws-cli/2.15.0 Python/3.11", "aws-cli/2.15.0 Python/3.11"},
		{"München 漢字 émoji 😀", "München 漢字 émoji 😀"},
		{"ua\x1b[2J\x1b[Hevery expected alert was raised", `ua\x1b[2J\x1b[Hevery expected alert was raised`},
		{"line\nforged\r\tcol", `line\nforged\r\tcol`},
		{"nul\x00 del\x7f", `nul\x00 del\x7f`},
		{"csi \u009b2J", `csi \u009b2J`},
		{"admin\u202etxt.exe", `admin\u202etxt.exe`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"bad \xff byte", `bad \xff byte`},
	}
	for _, c := range cases {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWriterKeepsLayout(t *testing.T) {
	var b bytes.Buffer
	w := Writer(&b)
	// Written in pieces, a multi-byte character split across two writes.
	parts := []string{"#\tRULE\n", "1\tua\x1b[2J\r", "\xe6\xbc", "\xa2\n"}
	for _, p := range parts {
		if n, err := w.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	if want := "#\tRULE\n1\tua\\x1b[2J\\r漢\n"; b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
}

// Nothing String returns holds a byte a terminal acts on.
func FuzzString(f *testing.F) {
	f.Add("ua\x1b[2J\u009b\u202e\xff\n")
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if !utf8.ValidString(out) {
			t.Fatalf("String(%q) = %q: invalid UTF-8", s, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) {
				t.Fatalf("String(%q) = %q holds %U", s, out, r)
			}
		}
		if clean(s, false) != (out == s) && !strings.Contains(s, "\\") {
			t.Fatalf("String(%q) changed clean text or kept dirty text: %q", s, out)
		}
	})
}
