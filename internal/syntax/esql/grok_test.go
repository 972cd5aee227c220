package esql

import (
	"reflect"
	"regexp"
	"sort"
	"testing"
)

// TestGrokMatch translates grok expressions and runs the regexes the
// executor will run, checking what each named capture gets.
func TestGrokMatch(t *testing.T) {
	tests := []struct {
		pattern, input string
		want           map[string]string // nil: must not match
	}{
		{`%{WORD:a} %{WORD:b}`, "hello world", map[string]string{"a": "hello", "b": "world"}},
		{`%{NOTSPACE:a} %{GREEDYDATA:rest}`, "x=1 and the rest", map[string]string{"a": "x=1", "rest": "and the rest"}},
		{`%{DATA:a},%{GREEDYDATA:b}`, "one,two,three", map[string]string{"a": "one", "b": "two,three"}},
		{`%{INT:i} %{NUMBER:n} %{BASE10NUM:b}`, "-12 3.25 +7", map[string]string{"i": "-12", "n": "3.25", "b": "+7"}},
		{`ip=%{IP:ip}`, "ip=10.0.0.255", map[string]string{"ip": "10.0.0.255"}},
		{`%{IPV4:ip}`, "addr 192.168.1.20 end", map[string]string{"ip": "192.168.1.20"}},
		{`%{IPV6:ip} `, "2001:db8::8a2e:370:7334 x", map[string]string{"ip": "2001:db8::8a2e:370:7334"}},
		{`%{IPV6:ip}$`, "fe80::1", map[string]string{"ip": "fe80::1"}},
		{`%{IPV6:ip}$`, "2001:0db8:85a3:0000:0000:8a2e:0370:7334", map[string]string{"ip": "2001:0db8:85a3:0000:0000:8a2e:0370:7334"}},
		{`%{IP:ip}$`, "::ffff:10.1.2.3", map[string]string{"ip": "::ffff:10.1.2.3"}},
		{`host=%{HOSTNAME:h} `, "host=bedrock-runtime.us-east-1.amazonaws.com x", map[string]string{"h": "bedrock-runtime.us-east-1.amazonaws.com"}},
		{`%{USERNAME:u}@`, "svc.deploy-1@corp", map[string]string{"u": "svc.deploy-1"}},
		{`%{USER:u}$`, "alice", map[string]string{"u": "alice"}},
		{`<%{EMAILADDRESS:m}>`, "<jane.doe+x@example.co.uk>", map[string]string{"m": "jane.doe+x@example.co.uk"}},
		{`id=%{UUID:id}`, "id=e84b3c74-f742-11ee-9f6e-acde48001122", map[string]string{"id": "e84b3c74-f742-11ee-9f6e-acde48001122"}},
		{`%{TIMESTAMP_ISO8601:ts} %{LOGLEVEL:lvl}`, "2024-12-05T10:20:30.123Z WARN disk", map[string]string{"ts": "2024-12-05T10:20:30.123Z", "lvl": "WARN"}},
		{`%{TIMESTAMP_ISO8601:ts}$`, "2024-01-31 23:59:59+02:00", map[string]string{"ts": "2024-01-31 23:59:59+02:00"}},
		{`\[%{LOGLEVEL:l}\]`, "[error] x", map[string]string{"l": "error"}},
		{`a%{SPACE:s}b`, "a   b", map[string]string{"s": "   "}},
		{`%{QUOTEDSTRING:q}`, `say "hi \"there\"" now`, map[string]string{"q": `"hi \"there\""`}},
		{`GET %{URIPATH:p} `, "GET /a/b.html HTTP", map[string]string{"p": "/a/b.html"}},
		{`GET %{URIPATHPARAM:p} `, "GET /a/b.html?x=1 HTTP", map[string]string{"p": "/a/b.html?x=1"}},
		{`%{NUMBER:n:int}`, "n 42", map[string]string{"n": "42"}},
		{`%{WORD:[user][name]}`, "bob", map[string]string{"user.name": "bob"}},
		{`(?<code>[0-9]{3}) (%{WORD:w}|x)`, "404 notfound", map[string]string{"code": "404", "w": "notfound"}},
		{`(?P<code>[0-9]{3})`, "200", map[string]string{"code": "200"}},
		{`[(]%{WORD:w}[)]`, "(inner)", map[string]string{"w": "inner"}},
		{`\(%{WORD:w}\)`, "(inner)", map[string]string{"w": "inner"}},
		{`^%{INT:i}$`, "12a", nil},
		{`%{IPV4:ip}`, "999.1.1.1", nil},
		{`%{IPV4:ip}`, "1.2.3.456", nil},
	}
	for _, tt := range tests {
		g, err := translateGrok(tt.pattern)
		if err != nil {
			t.Errorf("translateGrok(%q): %v", tt.pattern, err)
			continue
		}
		re := regexp.MustCompile(g.regex)
		m := re.FindStringSubmatch(tt.input)
		if tt.want == nil {
			if m != nil {
				t.Errorf("grok %q matched %q: %q", tt.pattern, tt.input, m)
			}
			continue
		}
		if m == nil {
			t.Errorf("grok %q (regex %s) did not match %q", tt.pattern, g.regex, tt.input)
			continue
		}
		got := map[string]string{}
		for i, name := range g.names {
			got[name] = m[i+1]
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("grok %q on %q = %v, want %v (regex %s)", tt.pattern, tt.input, got, tt.want, g.regex)
		}
	}
}

// TestGrokPatternsCompile expands every library pattern on its own.
func TestGrokPatternsCompile(t *testing.T) {
	names := make([]string, 0, len(grokPatterns))
	for n := range grokPatterns {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		g, err := translateGrok("%{" + n + ":x}")
		if err != nil {
			t.Errorf("%%{%s}: %v", n, err)
			continue
		}
		if len(g.names) != 1 || g.names[0] != "x" {
			t.Errorf("%%{%s}: names %v", n, g.names)
		}
	}
}

func TestGrokTypes(t *testing.T) {
	g, err := translateGrok(`%{NUMBER:a:int} %{NUMBER:b:FLOAT} %{WORD:c} %{NUMBER:d:long} %{WORD:e:boolean}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"int", "float", "", "long", "boolean"}; !reflect.DeepEqual(g.types, want) {
		t.Errorf("types = %v, want %v", g.types, want)
	}
	if want := []string{"a", "b", "c", "d", "e"}; !reflect.DeepEqual(g.names, want) {
		t.Errorf("names = %v, want %v", g.names, want)
	}
}
