package spl

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/syntax"
)

func testMacros() *Macros {
	m := NewMacros()
	m.Add(Macro{Name: "two(2)", Args: []string{"a", "b"}, Definition: "$a$=$b$"})
	m.Add(Macro{Name: "two", Definition: "zero_args"})
	m.Add(Macro{Name: "outer", Definition: "`inner(x)` | `cloudtrail`"})
	m.Add(Macro{Name: "inner", Args: []string{"f"}, Definition: "$f$=1 $f$=2"})
	m.Add(Macro{Name: "loop_a", Definition: "a `loop_b`"})
	m.Add(Macro{Name: "loop_b", Definition: "b `loop_a`"})
	m.Add(Macro{Name: "self", Args: []string{"x"}, Definition: "`self($x$)`"})
	m.Add(Macro{Name: "uses_missing", Definition: "x `missing_thing`"})
	m.Add(Macro{Name: "with_filter", Definition: "x | `inner_filter`"})
	// big doubles 25 times: 2^25 bytes.
	m.Add(Macro{Name: "big", Definition: "`b1` `b1`"})
	for i := 1; i < 25; i++ {
		m.Add(Macro{Name: "b" + strconv.Itoa(i), Definition: "`b" + strconv.Itoa(i+1) + "` `b" + strconv.Itoa(i+1) + "`"})
	}
	m.Add(Macro{Name: "b25", Definition: "x"})
	m.Add(Macro{Name: "wide", Definition: "`cloudtrail` " + strings.Repeat("x ", 1<<19)})
	return m
}

func TestExpand(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"no macros", "a | b", "a | b"},
		{"builtin", "`cloudtrail` x=1", "sourcetype=aws:cloudtrail x=1"},
		{"arguments", "`two(user, \"bob smith\")`", "user=\"bob smith\""},
		{"arity picks the macro", "`two` `two(a,b)`", "zero_args a=b"},
		{"arguments with commas in parentheses", "`two(f, g(1, 2))`", "f=g(1, 2)"},
		{"recursive", "`outer`", "x=1 x=2 | sourcetype=aws:cloudtrail"},
		{"ctime", "`security_content_ctime(firstTime)`", `convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime)`},
		{"missing filter at the end drops its pipe", "a | b | `x_filter`", "a | b "},
		{"missing filter in the middle", "a | `x_filter` | b", "a  | b"},
		{"missing filter first", "`x_filter` | b", " b"},
		{"missing filter inside a macro", "`with_filter` | y", "x  | y"},
		{"missing filter within a command", "a `x_filter` b", "a  b"},
		{"backticks inside quotes are literal", "a=\"`x`\" | b", "a=\"`x`\" | b"},
		{"comment", "a ```note `x` here``` b", "a  b"},
		{"comment as a command", "a | ```note``` | b", "a  | b"},
		{"name with spaces trimmed", "` cloudtrail `", "sourcetype=aws:cloudtrail"},
	}
	m := testMacros()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(tt.src, m)
			if err != nil {
				t.Fatalf("Expand(%q): %v", tt.src, err)
			}
			if got != tt.want {
				t.Errorf("Expand(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestExpandErrors(t *testing.T) {
	tests := []struct {
		name, src  string
		start, end int
		msg        string
	}{
		{"missing macro", "a | `nope` | b", 4, 10, "unknown macro `nope`"},
		{"missing macro with arguments", "`x` `two(1)`", 0, 3, "unknown macro `x`"},
		{"wrong arity", "a `two(1)`", 2, 10, "unknown macro `two(1)`"},
		{"unterminated", "a `cloudtrail", 2, 13, "no closing backtick"},
		{"loop", "x `loop_a`", 2, 10, "loop_a -> loop_b -> loop_a"},
		{"self with arguments", "`self(1)`", 0, 9, "self(1) -> self(1)"},
		{"missing inside a macro points at the call", "a\n`uses_missing`", 2, 16, "in macro `uses_missing`: unknown macro `missing_thing`"},
		{"malformed call", "`two(a`", 0, 7, "missing )"},
		{"bad name", "`a b`", 0, 5, "invalid character"},
		{"empty", "``", 0, 2, "no macro name"},
		{"unterminated comment", "a ```x``", 2, 8, "unterminated comment"},
		{"too many calls", "`big`", 0, 5, "too many macro calls"},
		{"too large", "a `wide`", 2, 8, "more than 1 MiB"},
	}
	m := testMacros()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Expand(tt.src, m)
			var se *syntax.Error
			if !errors.As(err, &se) {
				t.Fatalf("Expand(%q) = %v, want a *syntax.Error", tt.src, err)
			}
			if int(se.Span.Start) != tt.start || int(se.Span.End) != tt.end || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("Expand(%q) error at %v %q, want [%d,%d) containing %q", tt.src, se.Span, se.Msg, tt.start, tt.end, tt.msg)
			}
			if _, err := Parse(tt.src, m); err == nil || err.Error() != se.Error() {
				t.Errorf("Parse(%q) error %v, want the expansion error %v", tt.src, err, se)
			}
		})
	}
}

func TestExpandNilMacros(t *testing.T) {
	if got, err := Expand("a | `b_filter`", nil); err != nil || got != "a " {
		t.Errorf("Expand with nil macros = %q, %v", got, err)
	}
	if _, err := Expand("`cloudtrail`", nil); err == nil {
		t.Error("Expand with nil macros found `cloudtrail`")
	}
}

func TestLoadMacroDir(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"cloudtrail.yml": "name: cloudtrail\ndescription: site specific\ndefinition: index=aws sourcetype=aws:cloudtrail\n",
		"sub/ctime.yml":  "name: security_content_ctime(1)\narguments:\n  - field\ndefinition: 'convert timeformat=\"%Y\" ctime($field$)'\n",
		"pair.yaml":      "name: pair\narguments: [a, b]\ndefinition: $a$=$b$\n",
		"notes.txt":      "not a macro",
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := LoadMacroDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cloudtrail", "drop_dm_object_name(1)", "pair(2)", "security_content_ctime(1)", "security_content_summariesonly"}
	if got := m.Keys(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("keys %q, want %q", got, want)
	}
	mac, ok := m.Lookup("security_content_ctime", 1)
	if !ok || mac.Name != "security_content_ctime" || mac.File != filepath.Join(dir, "sub", "ctime.yml") {
		t.Errorf("ctime macro %+v", mac)
	}
	got, err := Expand("`cloudtrail` | `pair(x, 1)` | `security_content_ctime(t)`", m)
	if err != nil {
		t.Fatal(err)
	}
	if want := `index=aws sourcetype=aws:cloudtrail | x=1 | convert timeformat="%Y" ctime(t)`; got != want {
		t.Errorf("expanded %q, want %q", got, want)
	}

	bad := []struct{ name, text, msg string }{
		{"noname.yml", "definition: x\n", "no name"},
		{"arity.yml", "name: f(2)\narguments: [a]\ndefinition: x\n", "says 2 arguments"},
		{"broken.yml", "name: [\n", "cannot decode"},
	}
	for _, b := range bad {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, b.name), []byte(b.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadMacroDir(d); err == nil || !strings.Contains(err.Error(), b.msg) || !strings.Contains(err.Error(), b.name) {
			t.Errorf("%s: error %v, want one naming the file and containing %q", b.name, err, b.msg)
		}
	}
	if _, err := LoadMacroDir(filepath.Join(dir, "absent")); err == nil {
		t.Error("LoadMacroDir of a missing directory succeeded")
	}
}

func TestLoadMacroDirsLaterWins(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(a, "f.yml"), []byte("name: my_filter\ndefinition: search user!=svc\n"), 0o644)
	os.WriteFile(filepath.Join(b, "f.yml"), []byte("name: my_filter\ndefinition: search user!=bot\n"), 0o644)
	m, err := LoadMacroDirs([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	mac, ok := m.Lookup("my_filter", 0)
	if !ok || mac.Definition != "search user!=bot" {
		t.Errorf("my_filter = %+v, want the second directory's", mac)
	}
	if _, ok := m.Lookup("cloudtrail", 0); !ok {
		t.Error("built-in macros lost")
	}
}
