package esql

import (
	"strings"
	"testing"
)

func TestErrors(t *testing.T) {
	tests := []struct {
		name, query string
		pos         string // "line:col"
		msg         string // substring of the message
	}{
		{"empty", ``, "1:1", "the query is empty"},
		{"only comment", `// nothing`, "1:11", "the query is empty"},
		{"not from", `row a = 1`, "1:1", "source command ROW is not supported"},
		{"not a command", `where a == 1`, "1:1", "must start with FROM"},
		{"from twice", `from a | from b`, "1:10", "FROM is only valid as the first command"},
		{"missing rhs", `from x | where a ==`, "1:20", "cannot parse where command: expected an expression, found end of input"},
		{"unknown command", `from x | frobnicate a`, "1:10", `unknown command "frobnicate"`},
		{"unsupported command", `from x | enrich p`, "1:10", "command ENRICH is not supported"},
		{"unterminated string", "from x\n| where a == \"abc", "2:14", "unterminated string"},
		{"string with newline", "from x | where a == \"ab\ncd\"", "1:21", "unterminated string"},
		{"bad escape", `from x | where a == "\d"`, "1:22", "invalid escape sequence"},
		{"unterminated triple", `from x | eval a = """abc`, "1:19", "unterminated string"},
		{"unterminated comment", "from x | limit 1 /* oops", "1:18", "unterminated comment"},
		{"unterminated backtick", "from x | keep `abc", "1:15", "unterminated quoted identifier"},
		{"trailing pipe", `from x |`, "1:9", `expected a command after "|"`},
		{"double pipe", `from x | | limit 1`, "1:10", "expected a command"},
		{"no pattern", `from | limit 1`, "1:6", "expected an index pattern"},
		{"metadata unknown", `from x metadata _foo`, "1:17", "unknown metadata field"},
		{"junk after from", `from x y`, "1:8", `expected "|" or the end of the query, found "y"`},
		{"agg in where", `from x | where count(*) > 1`, "1:16", "aggregate function count() is only valid in STATS"},
		{"agg in eval", "from x\n| eval m = max(a)", "2:12", "aggregate function max() is only valid in STATS"},
		{"agg in by", `from x | stats c = count(*) by max(a)`, "1:32", "aggregate function max() is only valid in STATS"},
		{"nested agg", `from x | stats m = max(min(a))`, "1:24", "cannot be used inside another aggregate"},
		{"not an agg", `from x | stats m = a + 1`, "1:16", "expected an aggregate function"},
		{"agg arity", `from x | stats p = percentile(a)`, "1:20", "percentile() takes 2 arguments, got 1"},
		{"first without sort", `from x | stats f = first(a)`, "1:20", "first() takes 2 arguments, got 1"},
		{"top limit not constant", `from x | stats t = top(a, b)`, "1:27", "top()'s limit must be a positive whole number"},
		{"top limit zero", `from x | stats t = top(a, 0, "asc")`, "1:27", "top()'s limit must be a positive whole number"},
		{"top bad order", `from x | stats t = top(a, 2, "up")`, "1:30", `top()'s order must be "asc" or "desc"`},
		{"field outside agg", `from x | stats d = max(a) - b by k`, "1:29", "column b must be inside an aggregate function or be a BY key"},
		{"empty stats", `from x | stats`, "1:15", "expected an aggregate or BY"},
		{"chained comparison", `from x | where 1 < a < 3`, "1:22", "comparisons cannot be chained"},
		{"unclosed paren", `from x | where (a == 1`, "1:23", `expected ")"`},
		{"unclosed call", `from x | eval f(a`, "1:18", `expected "," or ")"`},
		{"keyword as value", `from x | where a == and`, "1:21", "expected an expression, found keyword AND"},
		{"is without null", `from x | where a is not 1`, "1:25", "expected NULL"},
		{"in without paren", `from x | where a in 1`, "1:21", `expected "(" after IN`},
		{"like non string", `from x | where a like b`, "1:23", "expected a pattern string"},
		{"rlike unclosed class", `from x | where a rlike "[ab"`, "1:28", `RLIKE pattern "[ab" is not a Lucene regular expression: expected "]"`},
		{"rlike unknown escape", `from x | where a rlike """.*\bx"""`, "1:29", `unknown escape \b`},
		{"rlike complement", `from x | where a rlike ("x", "a~b")`, "1:32", `complement "~" is not supported`},
		{"rlike escaped string", `from x | where a rlike "\\n"`, "1:24", `unknown escape \n`},
		{"unknown unit", `from x | eval t = 10mins`, "1:21", `unknown time unit "mins"`},
		{"unit of another language", `from x | eval t = 2hr`, "1:20", `unknown time unit "hr"`},
		{"decimal span", `from x | eval t = 1.5 hours`, "1:19", "a time span needs a whole number"},
		{"unknown cast", `from x | eval t = a::foo`, "1:22", `unknown type "foo" in cast`},
		{"limit text", `from x | limit ten`, "1:16", "expected a whole number"},
		{"limit huge", `from x | limit 99999999999`, "1:16", "too large"},
		{"sort nulls", `from x | sort a nulls middle`, "1:23", "expected FIRST or LAST"},
		{"rename without as", `from x | rename a b`, "1:19", "expected AS"},
		{"keep nothing", `from x | keep`, "1:14", "expected a column name or pattern"},
		{"keep trailing dot", `from x | keep a.`, "1:15", "malformed column name"},
		{"dissect no pattern", `from x | dissect m`, "1:19", "expected a dissect pattern string"},
		{"dissect no keys", `from x | dissect m "abc"`, "1:20", "needs at least one %{key}"},
		{"dissect option", `from x | dissect m "%{a}" sep = "x"`, "1:27", "unknown option"},
		{"grok unknown pattern", `from x | grok m "%{NOPE:a}"`, "1:17", "unknown grok pattern %{NOPE}"},
		{"grok no capture", `from x | grok m "%{WORD}"`, "1:17", "needs at least one named capture"},
		{"grok bad regex", `from x | grok m "(?<a>[a-"`, "1:17", "invalid grok pattern"},
		{"grok bad type", `from x | grok m "%{INT:a:weird}"`, "1:17", `unknown type "weird"`},
		{"bad character", `from x | where a == #`, "1:21", `unexpected character "#"`},
		{"list of fields", `from x | eval a = [b]`, "1:20", "a list may only hold constants"},
		{"deep nesting", "from x | where " + strings.Repeat("(", 1000) + "a", "1:217", "nested too deeply"},
		{"deep not", "from x | where " + strings.Repeat("not ", 1000) + "a", "1:820", "nested too deeply"},
		{"match function arity", `from x | where match(a)`, "1:16", "match() takes a field, a query and optionally a map of options, got 1"},
		{"match function field", `from x | where match(to_lower(a), "x")`, "1:22", "match() takes a field as its first argument"},
		{"match function query", `from x | where match(a, b)`, "1:25", "takes a constant string, number or boolean as its query"},
		{"match unknown option", `from x | where match(a, "x", {"fuzzyness": 1})`, "1:31", `unknown match() option "fuzzyness"`},
		{"match unsupported option", `from x | where match(a, "x", {"analyzer": "standard"})`, "1:31", `match() option "analyzer" is not supported`},
		{"match bad fuzziness", `from x | where match(a, "x", {"fuzziness": 3})`, "1:44", `want 0, 1 or 2 edits, or AUTO`},
		{"match bad operator", `from x | where match(a, "x", {"operator": "XOR"})`, "1:43", `takes "OR" or "AND"`},
		{"match option twice", `from x | where match(a, "x", {"boost": 1, "boost": 2})`, "1:43", `option "boost" is given twice`},
		{"match option not constant", `from x | where match(a, "x", {"boost": b})`, "1:40", `must be a constant`},
		{"match option no colon", `from x | where match(a, "x", {"boost" 1})`, "1:39", `expected ":" after the option name`},
		{"options elsewhere", `from x | eval y = concat(a, {"x": 1})`, "1:29", "concat() takes no map of options"},
		{"options not last", `from x | where match(a, {"boost": 1}, "x")`, "1:37", "a map of options must be the last argument"},
		{"match operator needs a field", `from x | where 1 : "text"`, "1:18", "takes a field"},
		{"match operator needs a constant", `from x | where a : b`, "1:20", "constant string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.query)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tt.query, q)
			}
			se := checkSpan(t, tt.query, err)
			if !strings.HasPrefix(se.Error(), tt.pos+": ") {
				t.Errorf("error %q does not start at %s", se.Error(), tt.pos)
			}
			if !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("message %q does not contain %q", se.Msg, tt.msg)
			}
			if d := se.Detail(); !strings.Contains(d, "\n  ") || !strings.Contains(d, "^") {
				t.Errorf("Detail has no source line and caret:\n%s", d)
			}
			if strings.Contains(se.Msg, "BUG") {
				t.Errorf("message reports a bug: %s", se.Msg)
			}
		})
	}
}

// TestErrorDetail checks the caret rendering of a few errors, in full.
func TestErrorDetail(t *testing.T) {
	tests := []struct{ query, want string }{
		{"from x | where a ==",
			"1:20: cannot parse where command: expected an expression, found end of input\n" +
				"  from x | where a ==\n" +
				"                     ^"},
		{"from logs-*\n| frobnicate a",
			"2:3: cannot parse query: unknown command \"frobnicate\"\n" +
				"  | frobnicate a\n" +
				"    ^~~~~~~~~~"},
		{"from x\n| where user.name == \"bob\n| limit 1",
			"2:22: cannot parse where command: unterminated string\n" +
				"  | where user.name == \"bob\n" +
				"                       ^~~~"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.query)
		if err == nil {
			t.Errorf("Parse(%q) succeeded", tt.query)
			continue
		}
		se := checkSpan(t, tt.query, err)
		if got := se.Detail(); got != tt.want {
			t.Errorf("Detail for %q\ngot:\n%s\nwant:\n%s", tt.query, got, tt.want)
		}
	}
}
