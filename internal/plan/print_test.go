package plan

import (
	"slices"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
)

// The canonical text of expressions and operators: compound operands in
// parentheses, names quoted only when they must be, literals as they would
// be written back.
func TestPrint(t *testing.T) {
	f := func(n string) Expr { return &Field{Name: n} }
	str := func(s string) Expr { return &Literal{Value: event.StringValue(s)} }
	long := func(n int64) Expr { return &Literal{Value: event.LongValue(n)} }
	cases := []struct {
		in   interface{ String() string }
		want string
	}{
		{f("user.id"), "user.id"},
		{f("a b"), "`a b`"},
		{f("a`b"), "`a``b`"},
		{f("2x"), "`2x`"},
		{&Literal{}, "null"},
		{str(`say "hi"`), `"say \"hi\""`},
		{&Literal{Value: event.MultiValue([]event.Value{event.LongValue(1), event.StringValue("x")})}, `[1, "x"]`},
		{&Span{D: 90 * time.Minute}, "90 minutes"},
		{&Span{D: 48 * time.Hour}, "2 days"},
		{&Span{Months: 24}, "2 years"},
		{&Span{Months: 3}, "3 months"},
		{&Binary{Op: "AND", L: &Binary{Op: "==", L: f("a"), R: long(1)}, R: &Unary{Op: "NOT", X: f("b")}}, "(a == 1) AND (NOT b)"},
		{&Call{Name: "coalesce", Args: []Expr{f("a"), str("-")}}, `coalesce(a, "-")`},
		{&In{X: f("a"), List: []Expr{long(1), long(2)}, Not: true}, "a NOT IN (1, 2)"},
		{&Like{X: f("a"), Patterns: []string{"x*", "y?"}}, `a LIKE ("x*", "y?")`},
		{&Like{X: f("a"), Patterns: []string{".*z"}, Regex: true, Not: true}, `a NOT RLIKE ".*z"`},
		{&IsNull{X: f("a"), Not: true}, "a IS NOT NULL"},
		{&SearchCmp{Field: "src ip", Op: "!=", Value: "10.*"}, "search(`src ip` != \"10.*\")"},
		{&SearchTerm{Term: "denied"}, `search("denied")`},
		{&Match{Field: "msg", Op: ":", Value: "a b", Text: true, All: true}, `match(msg : "a b" text all)`},
		{&Match{Field: "p", Op: "~", Value: "svchost.exe", Fuzziness: "AUTO:3,6", PrefixLength: 2, NoTranspositions: true},
			`match(p ~ "svchost.exe" fuzziness=AUTO:3,6 prefix_length=2 no_transpositions)`},
		{&From{}, "from *"},
		{&From{Indices: []string{"logs-*"}, Metadata: []string{"_id"}}, "from index=logs-* metadata=_id"},
		{&Stats{Aggs: []Agg{{Name: "n", Func: "count", Args: []Expr{&Star{}}}}, By: []Assign{{Name: "u", Expr: f("u")}}, Inline: true},
			"inline stats n = count(*) by u"},
		{&Eval{Assigns: []Assign{{Name: "x", Expr: &Binary{Op: "+", L: f("a"), R: long(1)}}}}, "eval x = a + 1"},
		{&Sort{Keys: []SortKey{{Expr: f("n"), Desc: true, Nulls: NullsLast}, {Expr: f("u")}}}, "sort n desc nulls last, u asc"},
		{&Limit{N: 5, Tail: true}, "tail 5"},
		{&Rename{Pairs: []RenamePair{{From: "a", To: "b c"}}, MissingRemoves: true}, "rename a as `b c` (missing removes)"},
		{&Keep{Fields: []string{"user.*", "n"}}, "keep user.*, n"},
		{&Dedup{Fields: []string{"u"}, Count: 2, Consecutive: true}, "dedup 2 u consecutive=true"},
		{&FillNull{Value: long(0), Fields: []string{"n"}}, "fillnull value=0 n"},
		{&Query{Dialect: SPL, Pipeline: []Node{&From{}, &Limit{N: 1}}}, "spl: from *\n| limit 1"},
	}
	for _, c := range cases {
		if got := c.in.String(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// Terms splits at one operator only; Fields lists what an expression reads,
// search comparisons included, once each.
func TestTermsAndFields(t *testing.T) {
	a, b, c := &Field{Name: "a"}, &Field{Name: "b"}, &SearchCmp{Field: "c", Op: "=", Value: "1"}
	e := &Binary{Op: "and", L: a, R: &Binary{Op: "AND", L: &Binary{Op: "OR", L: b, R: a}, R: c}}
	if got := Terms(e, "AND"); len(got) != 3 || got[0] != a || got[2] != c {
		t.Errorf("Terms = %v", got)
	}
	if got := Fields(e); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Fields = %v", got)
	}
}
