package esql

import (
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// whereText parses "from x | where <cond>" and returns the printed condition.
func whereText(t *testing.T, cond string) string {
	t.Helper()
	return strings.TrimPrefix(mustParse(t, "from x | where "+cond), "esql: from index=x\n| where ")
}

func TestPrecedence(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a OR b AND c`, `a OR (b AND c)`},
		{`a AND b OR c`, `(a AND b) OR c`},
		{`(a OR b) AND c`, `(a OR b) AND c`},
		{`a OR b OR c`, `(a OR b) OR c`},
		{`NOT a AND b`, `(NOT a) AND b`},
		{`NOT a == 1`, `NOT (a == 1)`},
		{`not not a`, `NOT (NOT a)`},
		{`a + 1 > b * 2`, `(a + 1) > (b * 2)`},
		{`a == 1 + 2 * 3`, `a == (1 + (2 * 3))`},
		{`a - b - c > 0`, `((a - b) - c) > 0`},
		{`a / b % c == 0`, `((a / b) % c) == 0`},
		{`-a * b < 0`, `((-a) * b) < 0`},
		{`a - -1 == 0`, `(a - -1) == 0`},
		{`-(a + b) > 0`, `(-(a + b)) > 0`},
		{`+a > 0`, `a > 0`},
		{`a != 1 AND b <= 2 AND c >= 3 AND d < 4 AND e > 5`, `((((a != 1) AND (b <= 2)) AND (c >= 3)) AND (d < 4)) AND (e > 5)`},
		{`a =~ "X"`, `a =~ "X"`},
		{`a IN (1, 2, b + 1)`, `a IN (1, 2, b + 1)`},
		{`a NOT IN ("x")`, `a NOT IN ("x")`},
		{`NOT a IN (1)`, `NOT (a IN (1))`},
		{`a + 1 IN (2)`, `(a + 1) IN (2)`},
		{`a LIKE "x*"`, `a LIKE "x*"`},
		{`a NOT LIKE "x*" OR b RLIKE "a.+"`, `(a NOT LIKE "x*") OR (b RLIKE "a.+")`},
		{`a like ("a*", "b?")`, `a LIKE ("a*", "b?")`},
		{`a NOT RLIKE ("x", "y")`, `a NOT RLIKE ("x", "y")`},
		{`a IS NULL OR b IS NOT NULL`, `(a IS NULL) OR (b IS NOT NULL)`},
		{`a + 1 is null`, `(a + 1) IS NULL`},
		{`a == b is null`, `(a == b) IS NULL`},
		{`to_lower(a) == "x"`, `to_lower(a) == "x"`},
		{`CONCAT(a, "-", b) == "x"`, `concat(a, "-", b) == "x"`},
		{`pi() == 1`, `pi() == 1`},
		{`a::long > 1`, `to_long(a) > 1`},
		{`a::ip == "1.2.3.4"::ip`, `to_ip(a) == to_ip("1.2.3.4")`},
		{`(a + 1)::double > 1`, `to_double(a + 1) > 1`},
		{`-a::long < 0`, `(-to_long(a)) < 0`},
		{`a::string::long == 1`, `to_long(to_string(a)) == 1`},
		{`@timestamp >= now() - 5 minutes`, `@timestamp >= (now() - 5 minutes)`},
	}
	for _, tt := range tests {
		if got := whereText(t, tt.in); got != tt.want {
			t.Errorf("where %s\ngot:  %s\nwant: %s", tt.in, got, tt.want)
		}
	}
}

func TestLiterals(t *testing.T) {
	tests := []struct {
		in   string
		want plan.Expr
	}{
		{`42`, &plan.Literal{Value: event.LongValue(42)}},
		{`-42`, &plan.Literal{Value: event.LongValue(-42)}},
		{`9223372036854775807`, &plan.Literal{Value: event.LongValue(9223372036854775807)}},
		{`99999999999999999999`, &plan.Literal{Value: event.DoubleValue(1e20)}},
		{`1.5`, &plan.Literal{Value: event.DoubleValue(1.5)}},
		{`.5`, &plan.Literal{Value: event.DoubleValue(0.5)}},
		{`1e3`, &plan.Literal{Value: event.DoubleValue(1000)}},
		{`2.5E-1`, &plan.Literal{Value: event.DoubleValue(0.25)}},
		{`-1.5`, &plan.Literal{Value: event.DoubleValue(-1.5)}},
		{`"a\tb\n\"c\"\\"`, &plan.Literal{Value: event.StringValue("a\tb\n\"c\"\\")}},
		{`"""a "quoted" \d"""`, &plan.Literal{Value: event.StringValue(`a "quoted" \d`)}},
		{"\"\"\"two\nlines\"\"\"", &plan.Literal{Value: event.StringValue("two\nlines")}},
		{`""`, &plan.Literal{Value: event.StringValue("")}},
		{`true`, &plan.Literal{Value: event.BoolValue(true)}},
		{`FALSE`, &plan.Literal{Value: event.BoolValue(false)}},
		{`null`, &plan.Literal{Value: event.NullValue}},
		{`[1, 2, 3]`, &plan.Literal{Value: event.MultiValue([]event.Value{event.LongValue(1), event.LongValue(2), event.LongValue(3)})}},
		{`["a", -1]`, &plan.Literal{Value: event.MultiValue([]event.Value{event.StringValue("a"), event.LongValue(-1)})}},
		{`1 minute`, &plan.Span{D: time.Minute}},
		{`5 minutes`, &plan.Span{D: 5 * time.Minute}},
		{`1h`, &plan.Span{D: time.Hour}},
		{`1 HOUR`, &plan.Span{D: time.Hour}},
		{`30 seconds`, &plan.Span{D: 30 * time.Second}},
		{`10s`, &plan.Span{D: 10 * time.Second}},
		{`10 min`, &plan.Span{D: 10 * time.Minute}},
		{`5m`, &plan.Span{D: 5 * time.Minute}},
		{`5 M`, &plan.Span{D: 5 * time.Minute}},
		{`2 sec`, &plan.Span{D: 2 * time.Second}},
		{`3 mo`, &plan.Span{Months: 3}},
		{`1 q`, &plan.Span{Months: 3}},
		{`1 yr`, &plan.Span{Months: 12}},
		{`1y`, &plan.Span{Months: 12}},
		{`1 w`, &plan.Span{D: 7 * 24 * time.Hour}},
		{`250ms`, &plan.Span{D: 250 * time.Millisecond}},
		{`1 day`, &plan.Span{D: 24 * time.Hour}},
		{`2 weeks`, &plan.Span{D: 14 * 24 * time.Hour}},
		{`1 month`, &plan.Span{Months: 1}},
		{`1 quarter`, &plan.Span{Months: 3}},
		{`2 years`, &plan.Span{Months: 24}},
		{`-1 hour`, &plan.Span{D: -time.Hour}},
		{`a.b.c`, &plan.Field{Name: "a.b.c"}},
		{"`a.b`", &plan.Field{Name: "a.b"}},
		{"`we``ird`", &plan.Field{Name: "we`ird"}},
		{`@timestamp`, &plan.Field{Name: "@timestamp"}},
		{`_id`, &plan.Field{Name: "_id"}},
	}
	for _, tt := range tests {
		q, err := Parse("from x | eval v = " + tt.in)
		if err != nil {
			t.Errorf("%s: %s", tt.in, detail(err))
			continue
		}
		got := q.Pipeline[1].(*plan.Eval).Assigns[0].Expr
		if got.String() != tt.want.String() || !sameLiteral(got, tt.want) {
			t.Errorf("eval v = %s: got %#v (%s), want %#v (%s)", tt.in, got, got, tt.want, tt.want)
		}
	}
}

// sameLiteral compares literal kinds and spans exactly (String() alone
// does not tell 1 from 1.0 for some printers).
func sameLiteral(a, b plan.Expr) bool {
	switch x := a.(type) {
	case *plan.Literal:
		y, ok := b.(*plan.Literal)
		return ok && x.Value.Kind() == y.Value.Kind() && event.Equal(x.Value, y.Value) || ok && x.Value.IsNull() && y.Value.IsNull() ||
			ok && x.Value.Kind() == event.Multi && x.Value.String() == y.Value.String()
	case *plan.Span:
		y, ok := b.(*plan.Span)
		return ok && *x == *y
	}
	return true
}

// TestCallArgs checks count(*) and the rejection of "*" elsewhere.
func TestCallArgs(t *testing.T) {
	q, err := Parse(`from x | stats c = count(*)`)
	if err != nil {
		t.Fatal(detail(err))
	}
	agg := q.Pipeline[1].(*plan.Stats).Aggs[0]
	if agg.Func != "count" || len(agg.Args) != 1 {
		t.Fatalf("agg = %+v", agg)
	}
	if _, ok := agg.Args[0].(*plan.Star); !ok {
		t.Errorf("count(*) argument is %T, want *plan.Star", agg.Args[0])
	}
	for _, bad := range []string{`from x | stats c = max(*)`, `from x | eval c = f(*)`, `from x | where * == 1`} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), `"*" is only valid`) {
			t.Errorf("Parse(%q) = %v, want a \"*\" error", bad, err)
		}
	}
}
