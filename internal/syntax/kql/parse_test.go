package kql

import (
	"errors"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/syntax"
)

var ct = []string{"logs-aws.cloudtrail-*"}

func cond(t *testing.T, src string) string {
	t.Helper()
	q, err := Parse(src, ct)
	if err != nil {
		t.Fatalf("Parse(%q): %s", src, detail(err))
	}
	if len(q.Pipeline) == 1 {
		return ""
	}
	s := q.String()
	return s[strings.Index(s, "| where ")+len("| where "):]
}

func detail(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return se.Detail()
	}
	return err.Error()
}

// Each case cites the Kibana KQL documentation ("Kibana Query Language",
// kuery.peg) for the behaviour it pins.
func TestParse(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		// "field:value" filters documents where the field holds the value.
		{`event.action:CreateTrail`, `match(event.action : "CreateTrail")`},
		// Blanks around ":" are allowed; an unquoted value may hold blanks.
		{`event.action : Create Trail `, `match(event.action : "Create Trail")`},
		// Quoted values are phrases; "*" inside quotes is a literal star.
		{`user_agent.original: "aws-cli/*"`, `match(user_agent.original : "aws-cli/*" phrase)`},
		// Unquoted "*" is a wildcard; field:* asks that the field exists.
		{`user_agent.original: *terraform*`, `match(user_agent.original : "*terraform*" wildcard)`},
		{`source.ip: *`, `match(source.ip : "*" wildcard)`},
		// Escaped specials are literal; an escaped star is not a wildcard
		// unless another star makes the value a pattern.
		{`a: x\*y`, `match(a : "x*y")`},
		{`a: x\*y*`, `match(a : "x\\*y*" wildcard)`},
		{`a: \(x\) \: \"q\"`, `match(a : "(x) : \"q\"")`},
		{`a: "say \"hi\" \\ \n"`, "match(a : \"say \\\"hi\\\" \\\\ \\n\" phrase)"},
		// Keywords can be escaped to be values.
		{`a: \or`, `match(a : "or")`},
		// Ranges: <, <=, >, >=.
		{`source.as.number >= 100 and x<2`, `match(source.as.number >= "100") AND match(x < "2")`},
		// not binds tighter than and, and tighter than or; keywords in any case.
		{`a:1 or b:2 AND NOT c:3`, `match(a : "1") OR (match(b : "2") AND (NOT match(c : "3")))`},
		{`(a:1 or b:2) and c:3`, `(match(a : "1") OR match(b : "2")) AND match(c : "3")`},
		// Value lists: field:(a or b and c) is a or (b and c) on the field.
		{`a:(x or y and not z)`, `match(a : "x") OR (match(a : "y") AND (NOT match(a : "z")))`},
		{"a: (\n  \"x\" or\n  */y\n)", `match(a : "x" phrase) OR match(a : "*/y" wildcard)`},
		// field:{ ... } takes the inner fields under the outer one.
		{`aws.cloudtrail.user_identity:{ type: Root and arn: *x }`, `match(aws.cloudtrail.user_identity.type : "Root") AND match(aws.cloudtrail.user_identity.arn : "*x" wildcard)`},
		// Text fields are marked, and a ".text" multi-field reads its keyword field.
		{`message: hello`, `match(message : "hello" text)`},
		{`user_agent.original.text: "Boto3 Botocore"`, `match(user_agent.original : "Boto3 Botocore" phrase text)`},
		// Field names with wildcards expand to the fields the view knows.
		{`tls.*: x`, `((match(tls.cipher : "x") OR match(tls.client.server_name : "x")) OR match(tls.version : "x")) OR match(tls.version_protocol : "x")`},
		{`no_such.*: x`, `false`},
		// A bare * matches every document; an empty query has no filter.
		{`*`, `true`},
		{`  `, ``},
		// "or" glued to a value is part of it: keywords need blanks around them.
		{`a: color or b: 1`, `match(a : "color") OR match(b : "1")`},
	} {
		if got := cond(t, tc.src); got != tc.want {
			t.Errorf("%q:\n got  %s\n want %s", tc.src, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, msg, at string }{
		{`a:1 and`, `want a field`, "1:8"},
		{`(a:1`, `unclosed parenthesis`, "1:1"},
		{`a:(x or y`, `unclosed list of values`, "1:3"},
		{"a:1 and\n  b:{ c:1", `unclosed nested query`, "2:5"},
		{`a: "open`, `unterminated quoted string`, "1:4"},
		{`hello`, `a value without a field`, "1:1"},
		{`a: x\qy`, `unknown escape \q`, "1:5"},
		{`a >= *`, `cannot hold a wildcard`, "1:6"},
		{`a:1 )`, `unexpected ')'`, "1:5"},
		{`a: \u12`, `four hex digits`, "1:4"},
	} {
		_, err := Parse(tc.src, ct)
		if err == nil {
			t.Errorf("%q: parsed, want an error %q", tc.src, tc.msg)
			continue
		}
		var se *syntax.Error
		if !errors.As(err, &se) {
			t.Fatalf("%q: %T is not a *syntax.Error", tc.src, err)
		}
		if se.Span.Start < 0 || se.Span.Start > se.Span.End || int(se.Span.End) > len(tc.src) {
			t.Errorf("%q: span %v outside the input", tc.src, se.Span)
		}
		if !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), tc.at+":") {
			t.Errorf("%q: error %q, want %q at %s", tc.src, err, tc.msg, tc.at)
		}
		if d := se.Detail(); !strings.Contains(d, "^") {
			t.Errorf("%q: detail has no caret:\n%s", tc.src, d)
		}
	}
}

// Parsing the same text twice prints the same plan, and the From carries
// the rule's index patterns.
func TestParseFrom(t *testing.T) {
	q, err := Parse(`event.action: x`, []string{"logs-aws.cloudtrail-*", "filebeat-*"})
	if err != nil {
		t.Fatal(err)
	}
	want := "kql: from index=logs-aws.cloudtrail-*,filebeat-*\n| where match(event.action : \"x\")"
	if got := q.String(); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`a:1 and not b:(x or "y")`, `a:{b:*c\*}`, `x >= 10`, `a: "\u0041"`, `*`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src, ct)
		if err != nil {
			var se *syntax.Error
			if !errors.As(err, &se) {
				t.Fatalf("%q: %T is not a *syntax.Error", src, err)
			}
			if se.Span.Start < 0 || se.Span.Start > se.Span.End || int(se.Span.End) > len(src) {
				t.Fatalf("%q: span %v outside the input", src, se.Span)
			}
			return
		}
		_ = q.String()
	})
}
