package scalar

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/event"
)

func TestDissect(t *testing.T) {
	cases := []struct {
		name, pattern, sep, in string
		want                   map[string]string // nil: no match
		names                  []string          // when set, the expected Names()
	}{
		{pattern: "%{a} %{b},%{c}", in: "foo bar,baz", want: map[string]string{"a": "foo", "b": "bar", "c": "baz"}, names: []string{"a", "b", "c"}},
		{pattern: "%{a} %{b},%{c}", in: "foo bar baz", want: nil},
		{pattern: "%{a} %{b},%{c}", in: "foo bar,baz  something more here", want: map[string]string{"a": "foo", "b": "bar", "c": "baz  something more here"}},
		{pattern: "%{a->} %{b} %{c}", in: "foo         bar baz", want: map[string]string{"a": "foo", "b": "bar", "c": "baz"}},
		{pattern: "%{a->},:%{b},%{c}", in: "foo,:,:,:,:bar,baz", want: map[string]string{"a": "foo", "b": "bar", "c": "baz"}},
		{pattern: "%{->},%{b},%{c}", in: "foo,,,,bar,baz", want: map[string]string{"b": "bar", "c": "baz"}, names: []string{"b", "c"}},
		{pattern: "%{a} %{+a} %{+a}", in: "foo bar baz", want: map[string]string{"a": "foobarbaz"}, names: []string{"a"}},
		{pattern: "%{a} %{+a} %{+a}", sep: ", ", in: "foo bar baz", want: map[string]string{"a": "foo, bar, baz"}},
		{pattern: "%{a} %{+a/2} %{+a/1}", in: "foo bar baz", want: map[string]string{"a": "foobazbar"}},
		{pattern: "%{a} %{?skipme} %{c}", in: "foo bar baz", want: map[string]string{"a": "foo", "c": "baz"}, names: []string{"a", "c"}},
		// Elasticsearch finds the modifier anywhere in a key: the "{" of
		// Elastic's request_parameters text lands in a skipped key.
		{pattern: "%{{?bucket.key}=%{bucket}, %{?host.key}=%{host}}", in: "{bucketName=b1, Host=h.example}", want: map[string]string{"bucket": "b1", "host": "h.example"}, names: []string{"bucket", "host"}},
		{pattern: "%{a} %{} %{c}", in: "foo bar baz", want: map[string]string{"a": "foo", "c": "baz"}},
		{pattern: "%{a},%{b},%{c},%{d},%{e},%{f},%{g}", in: "foo,,,,,,bar", want: map[string]string{"a": "foo", "b": "", "c": "", "d": "", "e": "", "f": "", "g": "bar"}},
		{pattern: "%{a},%{b},%{c},%{d},%{e},%{f},%{g}", in: "foo,,bar,,,,baz", want: map[string]string{"a": "foo", "b": "", "c": "bar", "d": "", "e": "", "f": "", "g": "baz"}},
		{pattern: "%{a->},%{g}", in: "foo,,,,,,bar", want: map[string]string{"a": "foo", "g": "bar"}},
		{pattern: "%{timestamp} %{+timestamp} %{+timestamp} %{logsource} %{program}[%{pid}]: %{message}", sep: " ",
			in:   "Mar 16 00:01:25 example postfix/smtpd[1713]: connect from example.com[192.100.1.3]",
			want: map[string]string{"timestamp": "Mar 16 00:01:25", "logsource": "example", "program": "postfix/smtpd", "pid": "1713", "message": "connect from example.com[192.100.1.3]"}},
		{pattern: "[%{ts}] %{level}", in: "[2024-01-01] WARN", want: map[string]string{"ts": "2024-01-01", "level": "WARN"}},
		{name: "leading delimiter must be a prefix", pattern: "[%{ts}] %{level}", in: "x[2024-01-01] WARN", want: nil},
		{name: "input must be longer than the leading delimiter", pattern: "[%{ts}", in: "[", want: nil},
		{pattern: "%{a}:", in: "x:y", want: map[string]string{"a": "x"}},
		{name: "trailing delimiter must be found", pattern: "%{a}:", in: "xy", want: nil},
		{pattern: "%{a} %{b}", in: "solo", want: nil},
		{pattern: "%{a} %{b}", in: "", want: nil},
		{pattern: "%{a}", in: "everything here", want: map[string]string{"a": "everything here"}},
		{pattern: "%{a} %{a}", in: "x y", want: map[string]string{"a": "y"}},
		{pattern: "%{a}ü%{b}", in: "aüb", want: map[string]string{"a": "a", "b": "b"}},
		{pattern: "%{clientip} %{ident} %{auth} [%{@timestamp}] \"%{verb} %{request} HTTP/%{httpversion}\" %{status} %{size}",
			in: `1.2.3.4 - - [30/Apr/1998:22:00:52 +0000] "GET /english/venues/cities/images/montpellier/18.gif HTTP/1.0" 200 3171`,
			want: map[string]string{"clientip": "1.2.3.4", "ident": "-", "auth": "-", "@timestamp": "30/Apr/1998:22:00:52 +0000",
				"verb": "GET", "request": "/english/venues/cities/images/montpellier/18.gif", "httpversion": "1.0", "status": "200", "size": "3171"}},
	}
	for _, c := range cases {
		name := c.name
		if name == "" {
			name = c.pattern + " on " + c.in
		}
		t.Run(name, func(t *testing.T) {
			d, err := CompileDissect(c.pattern, c.sep)
			if err != nil {
				t.Fatal(err)
			}
			if c.names != nil && !reflect.DeepEqual(d.Names(), c.names) {
				t.Errorf("Names() = %q, want %q", d.Names(), c.names)
			}
			dst := make([]event.Value, len(d.Names()))
			for i := range dst {
				dst[i] = event.StringValue("stale")
			}
			ok := d.Parse(c.in, dst)
			if c.want == nil {
				if ok {
					t.Fatalf("matched %q, want no match", c.in)
				}
				for i, v := range dst {
					if !v.IsNull() {
						t.Errorf("%s = %s after a failed match, want null", d.Names()[i], show(v))
					}
				}
				return
			}
			if !ok {
				t.Fatalf("no match on %q", c.in)
			}
			got := map[string]string{}
			for i, n := range d.Names() {
				got[n] = dst[i].String()
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestDissectBadPatterns(t *testing.T) {
	for _, p := range []string{
		"",
		"no keys here",
		"%{a",
		"%{a}%{b}",
		"%{?a}",
		"%{}",
		"%{*a} %{&a}",
		"%{+}",
		"%{a/2}",
		"%{+a/x}",
		"%{a?b}",
	} {
		if _, err := CompileDissect(p, ""); err == nil {
			t.Errorf("CompileDissect(%q) succeeded, want an error", p)
		} else if !strings.Contains(err.Error(), "dissect") {
			t.Errorf("error %q does not say what was being done", err)
		}
	}
}

func FuzzDissect(f *testing.F) {
	f.Add("%{a} %{b},%{c}", "foo bar,baz", "")
	f.Add("%{a->} %{+a/2} %{?x}[%{c}]", "x   y [z]", "-")
	f.Add("[%{a}]%{b}", "[1]2", "")
	f.Fuzz(func(t *testing.T, pattern, in, sep string) {
		d, err := CompileDissect(pattern, sep)
		if err != nil {
			return
		}
		names := d.Names()
		if len(names) == 0 {
			t.Fatalf("pattern %q compiled with no names", pattern)
		}
		dst := make([]event.Value, len(names))
		ok := d.Parse(in, dst)
		for i, v := range dst {
			if ok && v.Kind() != event.String {
				t.Fatalf("%q on %q: %s is %s after a match", pattern, in, names[i], v.Kind())
			}
			if !ok && !v.IsNull() {
				t.Fatalf("%q on %q: %s is %s after no match", pattern, in, names[i], v.Kind())
			}
			// An appended key (%{+a}) joins several pieces, so only
			// plain keys must be a piece of the input.
			if ok && sep == "" && !strings.Contains(pattern, "%{+") && !strings.Contains(in, v.String()) {
				t.Fatalf("%q on %q: value %q of %s is not part of the input", pattern, in, v.String(), names[i])
			}
		}
	})
}
