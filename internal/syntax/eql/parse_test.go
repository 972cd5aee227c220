package eql

import (
	"errors"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

func cond(t *testing.T, src string) string {
	t.Helper()
	q, err := Parse(src, []string{"logs-aws.cloudtrail-*"})
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

// Each case cites Elasticsearch's "EQL syntax reference" (syntax) or "EQL
// function reference" (functions) for what it pins.
func TestParse(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		// syntax, "Basic syntax": event_category where condition; "any"
		// matches every category.
		{`any where true`, `true`},
		{`process where process.name == "cmd.exe"`, `(event.category == "process") AND (process.name == "cmd.exe")`},
		{`"iam" where a == 1`, `(event.category == "iam") AND (a == 1)`},
		// syntax, "Logical operators": not binds tighter than and, and
		// than or.
		{`any where a == 1 or b == 2 and not c == 3`, `(a == 1) OR ((b == 2) AND (NOT (c == 3)))`},
		{`any where (a == 1 or b == 2) and c != 3`, `((a == 1) OR (b == 2)) AND (c != 3)`},
		// syntax, "Comparison operators": < <= > >=, and null.
		{`any where n >= 10 and m < 2.5 and x == null`, `((n >= 10) AND (m < 2.5)) AND (x == null)`},
		// syntax, ":" is case-insensitive equality with wildcards, and
		// takes a list.
		{`any where event.action : "addperm*"`, `event.action LIKE~ "addperm*"`},
		{`any where event.action : ("a", "b*")`, `event.action LIKE~ ("a", "b*")`},
		// syntax, "Pattern comparison keywords": like, like~, regex, regex~.
		{`any where f like "a*" and g like~ ("b?", "c") and h regex ".*x" and i regex~ "y"`,
			`(((f LIKE "a*") AND (g LIKE~ ("b?", "c"))) AND (h RLIKE ".*x")) AND (i RLIKE~ "y")`},
		// syntax, "Lookup operators": in, in~, not in.
		{`any where f in ("a", "b") and g in~ ("c") and h not in (1, 2)`,
			`((f IN ("a", "b")) AND (g IN~ ("c"))) AND (h NOT IN (1, 2))`},
		// syntax, "Math operators".
		{`any where a + b * 2 - -c % 3 > 0`, `((a + (b * 2)) - ((-c) % 3)) > 0`},
		// syntax, "Strings": escapes, and raw strings keep backslashes.
		{`any where f == "a\"b\\c\t\u{41}"`, `f == "a\"b\\c\tA"`},
		{`any where f regex """C:\\Windows\.*"""`, `f RLIKE "C:\\\\Windows\\.*"`},
		// syntax, "Field names": backticks quote a name.
		{"any where `my field` == 1", "`my field` == 1"},
		// syntax, comments.
		{"any where /* c */ a == 1 // trailing\n and b == 2", `(a == 1) AND (b == 2)`},
		// functions: names are case-insensitive here; "~" is the
		// case-insensitive form.
		{`any where startsWith~(a, "x") and length(b) == 3 and cidrMatch(source.ip, "10.0.0.0/8", "192.168.0.0/16")`,
			`(startswith~(a, "x") AND (length(b) == 3)) AND cidrmatch(source.ip, "10.0.0.0/8", "192.168.0.0/16")`},
		// functions, stringContains of a field and a constant is the
		// wildcard query *text*; with two fields it stays a call.
		{`any where stringContains (p, "valuesToAdd=[*]") and not stringContains~(p, q)`,
			`(p LIKE "*valuesToAdd=[*]*") AND (NOT stringcontains~(p, q))`},
		{`any where stringContains~(p, "X")`, `p LIKE~ "*X*"`},
	} {
		if got := cond(t, tc.src); got != tc.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}

func TestSequence(t *testing.T) {
	src := `sequence by user.id with maxspan=15m
  [any where event.action == "ListFoundationModels"] by source.ip
  [any where event.action : ("InvokeModel", "Converse")] by source.ip
  until [iam where event.action == "DeleteUser"] by source.ip`
	q, err := Parse(src, nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	s, ok := q.Pipeline[len(q.Pipeline)-1].(*plan.Sequence)
	if !ok {
		t.Fatalf("plan %s, want a sequence", q)
	}
	if len(s.By) != 1 || s.MaxSpan.Minutes() != 15 || len(s.Steps) != 2 || s.Until == nil || len(s.Steps[1].By) != 1 {
		t.Errorf("sequence %+v", s)
	}
	want := `eql: from *
| sequence by user.id maxspan=15m0s [event.action == "ListFoundationModels"] by source.ip [event.action LIKE~ ("InvokeModel", "Converse")] by source.ip until [(event.category == "iam") AND (event.action == "DeleteUser")] by source.ip`
	if got := q.String(); got != want {
		t.Errorf("plan\n got %s\nwant %s", got, want)
	}
}

// Elasticsearch's syntax reference, "Missing events": ![...] steps may
// stand first, last or between present ones, several of them, with runs;
// the plan prints them back and parses again to the same plan.
func TestSequenceMissing(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`sequence by host.name, user.name with maxspan=5s
  [ authentication where event.code : "4624" ]
  ![ authentication where event.code : "4647" ]`,
			`sequence by host.name, user.name maxspan=5s [(event.category == "authentication") AND (event.code LIKE~ "4624")] ![(event.category == "authentication") AND (event.code LIKE~ "4647")]`},
		{`sequence with maxspan=1h ![any where a == 1] [any where b == 1]`,
			`sequence maxspan=1h0m0s ![a == 1] [b == 1]`},
		{`sequence with maxspan=1h [any where b == 1] ![any where a == 1] by k with runs=2 [any where c == 1]`,
			`sequence maxspan=1h0m0s [b == 1] ![a == 1] by k runs=2 [c == 1]`},
		{`sequence with maxspan=1s ![any where m == 1] [any where a == 1] ![any where m == 2] [any where b == 1] ![any where m == 3] until [any where u == 1]`,
			`sequence maxspan=1s ![m == 1] [a == 1] ![m == 2] [b == 1] ![m == 3] until [u == 1]`},
	} {
		q, err := Parse(tc.src, nil)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.src, err)
			continue
		}
		s := q.Pipeline[len(q.Pipeline)-1].(*plan.Sequence)
		if got := s.String(); got != tc.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
	q, err := Parse(`sequence with maxspan=1m [any where true] ![any where x == 1]`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := q.Pipeline[1].(*plan.Sequence).Steps; st[0].Missing || !st[1].Missing {
		t.Errorf("steps %+v: want the second missing", st)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`where a == 1`, `1:7: want "where" after the event category "where"`},
		{`any a == 1`, `1:5: want "where" after the event category "any"`},
		{`any where a = 1`, `1:13: use == to compare`},
		{`any where a == 'x'`, `1:16: strings are written in double quotes`},
		{`any where a == "x`, `1:16: unterminated string`},
		{`any where (a == 1`, `1:11: unclosed parenthesis`},
		{`any where nosuch(a)`, `1:11: unknown EQL function nosuch()`},
		{`any where length~(a) == 1`, `1:11: length() has no case-insensitive`},
		{`any where a like b`, `1:18: like takes constants`},
		{`any where a == 1 | head 5`, `1:18: EQL pipes`},
		{`any where a == 1 b`, `1:18: unexpected "b" after the query`},
		{`sequence [any where true]`, `1:1: a sequence needs at least two queries`},
		// Missing events: maxspan is mandatory, one query must be present,
		// until is a query, and ![ is one token.
		{`sequence [any where a] ![any where b]`, `1:24: a sequence with missing events (![...]) needs with maxspan`},
		{`sequence with maxspan=1m ![any where a] ![any where b]`, `1:1: a sequence needs at least one query that is not a missing event`},
		{`sequence with maxspan=1m [any where a] [any where b] until ![any where c]`, `1:60: until takes a query, not a missing event`},
		{`sequence with maxspan=1m [any where a] ! [any where b]`, `1:40: write a missing event as ![ with no space`},
		{`sequence with maxspan=1m [any where a] !`, `1:41: want "[" to open a query of the sequence`},
		{`sequence with maxspan=5 [any where true] [any where true]`, `1:25: want a time unit`},
		{"any where a == 1 /* x", `1:18: unterminated comment`},
		{`any where a in "x"`, `1:16: want "(" to open the list after in`},
	} {
		_, err := Parse(tc.src, nil)
		if err == nil {
			t.Errorf("Parse(%q): no error, want %q", tc.src, tc.want)
			continue
		}
		var se *syntax.Error
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): %v is not a *syntax.Error", tc.src, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%q)\n got %s\nwant %s...", tc.src, err, tc.want)
		}
		if se.Span.Start < 0 || int(se.Span.End) > len(tc.src) || se.Span.Start > se.Span.End {
			t.Errorf("Parse(%q): span %v outside the query", tc.src, se.Span)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`any where a == 1`, `iam where stringContains(a, "x*") and not b : ("c", "d")`,
		"sequence by a with maxspan=1m [any where true] [any where x in~ (1, \"2\")] until [any where false]",
		`any where f regex """x\y""" or g like~ "?*" and length(h) > -1.5e3`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, err := Parse(src, nil)
		var se *syntax.Error
		if err == nil || !errors.As(err, &se) {
			return
		}
		if se.Span.Start < 0 || int(se.Span.End) > len(src) || se.Span.Start > se.Span.End {
			t.Errorf("Parse(%q): span %v outside the query", src, se.Span)
		}
	})
}
