package scalar

import (
	"fmt"
	"math/rand"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// testRow is a row over named values, with optional raw text.
type testRow struct {
	vals []event.Value
	raw  []byte
}

func (r *testRow) Get(slot int) event.Value {
	if slot < 0 || slot >= len(r.vals) {
		return event.NullValue
	}
	return r.vals[slot]
}

func (r *testRow) Raw() []byte { return r.raw }

// bindRow makes a resolver over the given fields and the row holding them.
func bindRow(fields map[string]event.Value, raw []byte) (Resolver, *testRow) {
	row := &testRow{raw: raw}
	slots := map[string]int{}
	r := func(name string) int {
		if s, ok := slots[name]; ok {
			return s
		}
		s := len(row.vals)
		slots[name] = s
		row.vals = append(row.vals, fields[name]) // missing names read null
		return s
	}
	return r, row
}

var testNow = time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC).UnixNano()

func evalIn(t *testing.T, d plan.Dialect, e plan.Expr, fields map[string]event.Value, raw []byte) event.Value {
	t.Helper()
	r, row := bindRow(fields, raw)
	ev, err := Compile(e, d, r)
	if err != nil {
		t.Fatalf("compile %s: %v", e, err)
	}
	return ev(&Context{Now: testNow}, row)
}

// Expression and value shorthands.

func fld(name string) plan.Expr                  { return &plan.Field{Name: name} }
func lit(v event.Value) plan.Expr                { return &plan.Literal{Value: v} }
func sl(s string) plan.Expr                      { return lit(event.StringValue(s)) }
func nl(n int64) plan.Expr                       { return lit(event.LongValue(n)) }
func dl(f float64) plan.Expr                     { return lit(event.DoubleValue(f)) }
func nullLit() plan.Expr                         { return lit(event.NullValue) }
func bl(b bool) plan.Expr                        { return lit(event.BoolValue(b)) }
func call(name string, a ...plan.Expr) plan.Expr { return &plan.Call{Name: name, Args: a} }
func op(o string, l, r plan.Expr) plan.Expr      { return &plan.Binary{Op: o, L: l, R: r} }
func not(x plan.Expr) plan.Expr                  { return &plan.Unary{Op: "NOT", X: x} }

var (
	vNull = event.NullValue
	vT    = event.BoolValue(true)
	vF    = event.BoolValue(false)
)

func vL(n int64) event.Value   { return event.LongValue(n) }
func vD(f float64) event.Value { return event.DoubleValue(f) }
func vS(s string) event.Value  { return event.StringValue(s) }
func vM(vs ...event.Value) event.Value {
	return event.MultiValue(vs)
}
func vSs(ss ...string) event.Value {
	vs := make([]event.Value, len(ss))
	for i, s := range ss {
		vs[i] = vS(s)
	}
	return event.MultiValue(vs)
}
func vTime(s string) event.Value {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return event.TimeValue(t)
}

// same reports whether two values are identical in kind and content.
func same(a, b event.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	if a.Kind() == event.Multi {
		av, bv := a.Values(), b.Values()
		if len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !same(av[i], bv[i]) {
				return false
			}
		}
		return true
	}
	return event.Equal(a, b)
}

func show(v event.Value) string { return fmt.Sprintf("%s(%s)", v.Kind(), v.String()) }

type exprCase struct {
	name   string
	e      plan.Expr
	fields map[string]event.Value
	want   event.Value
}

func runCases(t *testing.T, d plan.Dialect, cases []exprCase) {
	t.Helper()
	for _, c := range cases {
		name := c.name
		if name == "" {
			name = c.e.String()
		}
		t.Run(name, func(t *testing.T) {
			got := evalIn(t, d, c.e, c.fields, nil)
			if !same(got, c.want) {
				t.Errorf("%s = %s, want %s", c.e, show(got), show(c.want))
			}
		})
	}
}

var fx = map[string]event.Value{
	"s":   vS("Hello"),
	"n":   vL(5),
	"d":   vD(2.5),
	"t":   vT,
	"f":   vF,
	"mv":  vSs("a", "b"),
	"mvn": vM(vL(1), vL(7)),
	"ns":  vS("10"),
	"ip":  event.IPValue("10.1.2.3"),
	"ts":  vTime("2024-03-15T10:30:00Z"),
}

func TestESQLOperators(t *testing.T) {
	null := nullLit()
	runCases(t, plan.ESQL, []exprCase{
		// comparisons
		{e: op("==", fld("n"), nl(5)), fields: fx, want: vT},
		{e: op("==", fld("n"), dl(5)), fields: fx, want: vT},
		{e: op("!=", fld("n"), nl(5)), fields: fx, want: vF},
		{e: op("<", fld("d"), nl(3)), fields: fx, want: vT},
		{e: op(">=", fld("n"), nl(6)), fields: fx, want: vF},
		{e: op("==", fld("s"), sl("Hello")), fields: fx, want: vT},
		{name: "== is case-sensitive", e: op("==", fld("s"), sl("hello")), fields: fx, want: vF},
		{name: "=~ ignores case", e: op("=~", fld("s"), sl("hELLO")), fields: fx, want: vT},
		{name: "=~ different", e: op("=~", fld("s"), sl("world")), fields: fx, want: vF},
		{name: "=~ null", e: op("=~", fld("missing"), sl("x")), fields: fx, want: vNull},
		{name: "compare with null literal", e: op("==", fld("n"), null), fields: fx, want: vNull},
		{name: "compare missing field", e: op("!=", fld("missing"), nl(1)), fields: fx, want: vNull},
		{name: "multi-valued == is null", e: op("==", fld("mv"), sl("a")), fields: fx, want: vNull},
		{name: "string vs number is null", e: op("==", fld("ns"), nl(10)), fields: fx, want: vNull},
		{name: "datetime vs ISO string", e: op(">", fld("ts"), sl("2024-03-01")), fields: fx, want: vT},
		{name: "datetime vs bad string", e: op(">", fld("ts"), sl("yesterday")), fields: fx, want: vNull},
		{name: "ip vs string", e: op("==", fld("ip"), sl("10.1.2.3")), fields: fx, want: vT},
		{name: "ip vs leading-zero string", e: op("==", fld("ip"), sl("010.001.002.003")), fields: fx, want: vT},
		{name: "string order", e: op("<", sl("a"), sl("b")), want: vT},
		{name: "bool equality", e: op("==", fld("t"), bl(true)), fields: fx, want: vT},

		// arithmetic
		{e: op("+", fld("n"), nl(2)), fields: fx, want: vL(7)},
		{e: op("-", fld("n"), nl(7)), fields: fx, want: vL(-2)},
		{e: op("*", fld("n"), dl(0.5)), fields: fx, want: vD(2.5)},
		{name: "long division truncates", e: op("/", nl(7), nl(2)), want: vL(3)},
		{name: "negative long division", e: op("/", nl(-7), nl(2)), want: vL(-3)},
		{e: op("/", nl(7), dl(2)), want: vD(3.5)},
		{name: "division by zero", e: op("/", nl(7), nl(0)), want: vNull},
		{name: "double division by zero", e: op("/", dl(7), dl(0)), want: vNull},
		{e: op("%", nl(7), nl(3)), want: vL(1)},
		{e: op("%", nl(-7), nl(3)), want: vL(-1)},
		{name: "modulo by zero", e: op("%", nl(7), nl(0)), want: vNull},
		{name: "overflow is null", e: op("+", nl(1<<62), op("*", nl(2), nl(1<<62))), want: vNull},
		{name: "arith with null", e: op("+", fld("n"), null), fields: fx, want: vNull},
		{name: "arith on string", e: op("+", fld("s"), nl(1)), fields: fx, want: vNull},
		{name: "arith on multi", e: op("+", fld("mvn"), nl(1)), fields: fx, want: vNull},
		{name: "unary minus", e: &plan.Unary{Op: "-", X: fld("n")}, fields: fx, want: vL(-5)},
		{name: "unary minus null", e: &plan.Unary{Op: "-", X: fld("missing")}, fields: fx, want: vNull},
		{name: "datetime + span", e: op("+", fld("ts"), &plan.Span{D: time.Hour}), fields: fx, want: vTime("2024-03-15T11:30:00Z")},
		{name: "datetime - span", e: op("-", fld("ts"), &plan.Span{D: 90 * time.Minute}), fields: fx, want: vTime("2024-03-15T09:00:00Z")},
		{name: "span + datetime", e: op("+", &plan.Span{Months: 1}, fld("ts")), fields: fx, want: vTime("2024-04-15T10:30:00Z")},
		{name: "datetime - months", e: op("-", fld("ts"), &plan.Span{Months: 12}), fields: fx, want: vTime("2023-03-15T10:30:00Z")},
		{name: "now - span", e: op("-", call("now"), &plan.Span{D: time.Hour}), want: vTime("2024-03-15T09:30:00Z")},
		{name: "null + span", e: op("+", fld("missing"), &plan.Span{D: time.Hour}), want: vNull},
		{name: "datetime + span value", e: op("+", fld("ts"), lit(SpanValue(&plan.Span{D: time.Hour}))), fields: fx, want: vTime("2024-03-15T11:30:00Z")},
		{name: "datetime - month span value", e: op("-", fld("ts"), lit(SpanValue(&plan.Span{Months: 2}))), fields: fx, want: vTime("2024-01-15T10:30:00Z")},
		{name: "span value + datetime", e: op("+", lit(SpanValue(&plan.Span{D: time.Minute})), fld("ts")), fields: fx, want: vTime("2024-03-15T10:31:00Z")},
		{name: "datetime - datetime", e: op("-", fld("ts"), fld("ts")), fields: fx, want: vNull},

		// three-valued logic
		{e: op("AND", bl(true), bl(true)), want: vT},
		{e: op("AND", null, bl(false)), want: vF},
		{e: op("AND", bl(false), null), want: vF},
		{e: op("AND", null, bl(true)), want: vNull},
		{e: op("OR", null, bl(true)), want: vT},
		{e: op("OR", bl(true), null), want: vT},
		{e: op("OR", null, bl(false)), want: vNull},
		{e: op("OR", bl(false), bl(false)), want: vF},
		{e: not(bl(true)), want: vF},
		{e: not(null), want: vNull},
		{name: "NOT of comparison with null", e: not(op("==", fld("missing"), nl(5))), want: vNull},

		// IN
		{e: &plan.In{X: fld("n"), List: []plan.Expr{nl(1), nl(5)}}, fields: fx, want: vT},
		{e: &plan.In{X: fld("n"), List: []plan.Expr{nl(1), nl(2)}}, fields: fx, want: vF},
		{name: "in with null item, no match", e: &plan.In{X: fld("n"), List: []plan.Expr{nl(1), null}}, fields: fx, want: vNull},
		{name: "in with null item, match", e: &plan.In{X: fld("n"), List: []plan.Expr{null, nl(5)}}, fields: fx, want: vT},
		{name: "null in", e: &plan.In{X: fld("missing"), List: []plan.Expr{nl(1)}}, want: vNull},
		{name: "not in", e: &plan.In{X: fld("s"), List: []plan.Expr{sl("x")}, Not: true}, fields: fx, want: vT},
		{name: "not in match", e: &plan.In{X: fld("s"), List: []plan.Expr{sl("Hello")}, Not: true}, fields: fx, want: vF},
		{name: "not in null stays null", e: &plan.In{X: fld("missing"), List: []plan.Expr{sl("x")}, Not: true}, want: vNull},
		{name: "in is case-sensitive", e: &plan.In{X: fld("s"), List: []plan.Expr{sl("hello")}}, fields: fx, want: vF},
		{name: "multi in", e: &plan.In{X: fld("mv"), List: []plan.Expr{sl("a")}}, fields: fx, want: vNull},

		// LIKE / RLIKE
		{e: &plan.Like{X: fld("s"), Patterns: []string{"H*o"}}, fields: fx, want: vT},
		{e: &plan.Like{X: fld("s"), Patterns: []string{"h*"}}, fields: fx, want: vF},
		{e: &plan.Like{X: fld("s"), Patterns: []string{"Hell?"}}, fields: fx, want: vT},
		{e: &plan.Like{X: fld("s"), Patterns: []string{"Hel?"}}, fields: fx, want: vF},
		{name: "like whole string", e: &plan.Like{X: fld("s"), Patterns: []string{"ell"}}, fields: fx, want: vF},
		{name: "like escape", e: &plan.Like{X: sl("a*b"), Patterns: []string{`a\*b`}}, want: vT},
		{name: "like escape no match", e: &plan.Like{X: sl("axb"), Patterns: []string{`a\*b`}}, want: vF},
		{name: "like list", e: &plan.Like{X: fld("s"), Patterns: []string{"x*", "*lo"}}, fields: fx, want: vT},
		{name: "like substrings searched together", e: &plan.Like{X: fld("s"), Patterns: append(tenMisses(), "*ell*")}, fields: fx, want: vT},
		{name: "like substrings, none there", e: &plan.Like{X: fld("s"), Patterns: append(tenMisses(), "*elk*", "h*")}, fields: fx, want: vF},
		{name: "like substrings, a plain pattern matches", e: &plan.Like{X: fld("s"), Patterns: append(tenMisses(), "H?llo")}, fields: fx, want: vT},
		{name: "like substrings are case-sensitive", e: &plan.Like{X: fld("s"), Patterns: append(tenMisses(), "*HELLO*", "*hello*")}, fields: fx, want: vF},
		{name: "or of likes merged", e: op("OR", op("OR", &plan.Like{X: fld("s"), Patterns: []string{"*xyz*"}}, op("==", fld("n"), nl(7))),
			&plan.Like{X: fld("s"), Patterns: []string{"*llo*"}}), fields: fx, want: vT},
		{name: "or of likes of null is null", e: op("OR", &plan.Like{X: fld("missing"), Patterns: []string{"*a*"}},
			&plan.Like{X: fld("missing"), Patterns: []string{"*b*"}}), want: vNull},
		{name: "or of likes of null with a true term", e: op("OR", op("OR", &plan.Like{X: fld("missing"), Patterns: []string{"*a*"}}, bl(true)),
			&plan.Like{X: fld("missing"), Patterns: []string{"*b*"}}), want: vT},
		{name: "or of like and not like stays apart", e: op("OR", &plan.Like{X: fld("s"), Patterns: []string{"*xyz*"}},
			&plan.Like{X: fld("s"), Patterns: []string{"*xyz*"}, Not: true}), fields: fx, want: vT},
		{name: "not like", e: &plan.Like{X: fld("s"), Patterns: []string{"x*"}, Not: true}, fields: fx, want: vT},
		{name: "like null", e: &plan.Like{X: fld("missing"), Patterns: []string{"*"}}, want: vNull},
		{name: "not like null", e: &plan.Like{X: fld("missing"), Patterns: []string{"*"}, Not: true}, want: vNull},
		{name: "like multi", e: &plan.Like{X: fld("mv"), Patterns: []string{"*"}}, fields: fx, want: vNull},
		{e: &plan.Like{X: fld("s"), Patterns: []string{"H.*o"}, Regex: true}, fields: fx, want: vT},
		{name: "rlike anchored", e: &plan.Like{X: fld("s"), Patterns: []string{"ell"}, Regex: true}, fields: fx, want: vF},
		{name: "rlike alternation anchored", e: &plan.Like{X: sl("xab"), Patterns: []string{"a|xab"}, Regex: true}, want: vT},
		{name: "rlike case", e: &plan.Like{X: fld("s"), Patterns: []string{"hello"}, Regex: true}, fields: fx, want: vF},
		{name: "not rlike", e: &plan.Like{X: fld("s"), Patterns: []string{"x.*"}, Regex: true, Not: true}, fields: fx, want: vT},

		// IS NULL
		{e: &plan.IsNull{X: fld("missing")}, want: vT},
		{e: &plan.IsNull{X: fld("n")}, fields: fx, want: vF},
		{e: &plan.IsNull{X: fld("missing"), Not: true}, want: vF},
		{e: &plan.IsNull{X: fld("mv"), Not: true}, fields: fx, want: vT},
	})
}

func TestSPLOperators(t *testing.T) {
	null := nullLit()
	for _, d := range []plan.Dialect{plan.SPL, plan.Sigma} {
		t.Run(d.String(), func(t *testing.T) {
			runCases(t, d, []exprCase{
				{e: op("==", fld("n"), nl(5)), fields: fx, want: vT},
				{e: op("=", fld("n"), sl("5")), fields: fx, want: vT},
				{name: "numeric string compares numerically", e: op(">", fld("ns"), nl(9)), fields: fx, want: vT},
				{name: "text compare when not numbers", e: op("<", sl("10"), sl("9x")), want: vT},
				{name: "case-sensitive", e: op("==", fld("s"), sl("hello")), fields: fx, want: vF},
				{name: "null compares false", e: op("==", fld("missing"), nl(5)), want: vF},
				{name: "null != is false", e: op("!=", fld("missing"), nl(5)), want: vF},
				{name: "NOT null comparison is true", e: not(op("==", fld("missing"), nl(5))), want: vT},
				{name: "multi any value", e: op("==", fld("mv"), sl("b")), fields: fx, want: vT},
				{name: "multi no value", e: op("==", fld("mv"), sl("c")), fields: fx, want: vF},
				{name: "multi numeric any", e: op(">", fld("mvn"), nl(5)), fields: fx, want: vT},
				{e: op(".", fld("s"), sl("!")), fields: fx, want: vS("Hello!")},
				{name: "concat number", e: op(".", fld("n"), fld("d")), fields: fx, want: vS("52.5")},
				{name: "concat null", e: op(".", fld("missing"), sl("x")), want: vNull},
				{name: "+ on strings concatenates", e: op("+", sl("a"), sl("b")), want: vS("ab")},
				{name: "+ on numeric strings adds", e: op("+", fld("ns"), sl("5")), fields: fx, want: vL(15)},
				{e: op("+", fld("n"), fld("d")), fields: fx, want: vD(7.5)},
				{name: "exact division stays long", e: op("/", nl(10), nl(2)), want: vL(5)},
				{name: "inexact division", e: op("/", nl(7), nl(2)), want: vD(3.5)},
				{name: "division by zero", e: op("/", nl(7), nl(0)), want: vNull},
				{e: op("%", nl(7), nl(4)), want: vL(3)},
				{name: "arith null", e: op("*", fld("missing"), nl(2)), want: vNull},
				{name: "arith on text", e: op("-", sl("a"), nl(2)), want: vNull},
				{name: "time + seconds", e: op("+", fld("ts"), nl(60)), fields: fx, want: vTime("2024-03-15T10:31:00Z")},
				{name: "time - time", e: op("-", fld("ts"), lit(vTime("2024-03-15T10:00:00Z"))), fields: fx, want: vL(1800)},
				{name: "time vs epoch", e: op(">", fld("ts"), nl(1700000000)), fields: fx, want: vT},
				{name: "minus string number", e: &plan.Unary{Op: "-", X: fld("ns")}, fields: fx, want: vL(-10)},
				{e: op("AND", fld("t"), null), fields: fx, want: vF},
				{e: op("OR", null, fld("t")), fields: fx, want: vT},
				{e: op("OR", null, null), want: vF},
				{e: not(null), want: vT},
				{e: not(fld("t")), fields: fx, want: vF},
				{e: &plan.In{X: fld("s"), List: []plan.Expr{sl("x"), sl("Hello")}}, fields: fx, want: vT},
				{name: "in numeric", e: &plan.In{X: fld("ns"), List: []plan.Expr{nl(10)}}, fields: fx, want: vT},
				{name: "in null", e: &plan.In{X: fld("missing"), List: []plan.Expr{sl("x")}}, want: vF},
				{name: "not in null", e: &plan.In{X: fld("missing"), List: []plan.Expr{sl("x")}, Not: true}, want: vT},
				{name: "in multi", e: &plan.In{X: fld("mv"), List: []plan.Expr{sl("b")}}, fields: fx, want: vT},
				{name: "like multi any", e: &plan.Like{X: fld("mv"), Patterns: []string{"b*"}}, fields: fx, want: vT},
				{name: "like null", e: &plan.Like{X: fld("missing"), Patterns: []string{"*"}}, want: vF},
				{name: "rlike", e: &plan.Like{X: fld("s"), Patterns: []string{"H.*"}, Regex: true}, fields: fx, want: vT},
				{e: &plan.IsNull{X: fld("missing")}, want: vT},
				{e: &plan.IsNull{X: fld("s"), Not: true}, fields: fx, want: vT},
			})
		})
	}
}

func TestSearchCmp(t *testing.T) {
	f := map[string]event.Value{
		"eventName":   vS("ListFoundationModels"),
		"errorCode":   vS("AccessDenied"),
		"count":       vL(12),
		"dbl":         vD(5),
		"tags":        vSs("alpha", "Beta"),
		"empty":       vS(""),
		"sourceIP":    event.IPValue("10.0.0.1"),
		"lowerString": vS("bedrock.amazonaws.com"),
	}
	cases := []struct {
		field, op, value string
		want             bool
	}{
		{"eventName", "=", "ListFoundationModels", true},
		{"eventName", "=", "listfoundationmodels", true},
		{"eventName", "=", "List*", true},
		{"eventName", "=", "*models", true},
		{"eventName", "=", "*Found*", true},
		{"eventName", "=", "List", false},
		{"eventName", "=", "*Foo*", false},
		{"lowerString", "=", "BEDROCK.AMAZONAWS.COM", true},
		{"eventName", "!=", "List*", false},
		{"eventName", "!=", "Invoke*", true},
		{"missing", "=", "x", false},
		{"missing", "!=", "x", false},
		{"missing", "=", "*", false},
		{"eventName", "=", "*", true},
		{"empty", "=", "*", true},
		{"empty", "=", "", true},
		{"count", "=", "12", true},
		{"count", "=", "1*", true},
		{"dbl", "=", "5", true},
		{"count", ">", "9", true},
		{"count", ">", "12", false},
		{"count", ">=", "12", true},
		{"count", "<", "100", true},
		{"eventName", ">", "A", true},
		{"missing", "<", "100", false},
		{"tags", "=", "beta", true},
		{"tags", "=", "gamma", false},
		{"tags", "!=", "alpha", false},
		{"tags", "!=", "gamma", true},
		{"sourceIP", "=", "10.0.0.*", true},
		{"errorCode", "=", "AccessDenied*", true},
		{"errorCode", "=", "*Denied", true},
		{"errorCode", "=", "Access*Denied", true},
		{"errorCode", "=", "Access**Denied", true},
		{"errorCode", "=", "Access*x*Denied", false},
	}
	for _, c := range cases {
		e := &plan.SearchCmp{Field: c.field, Op: c.op, Value: c.value}
		got := evalIn(t, plan.SPL, e, f, nil)
		if !same(got, event.BoolValue(c.want)) {
			t.Errorf("%s = %s, want %v", e, show(got), c.want)
		}
	}
}

func TestSearchTerm(t *testing.T) {
	raw := []byte(`{"eventSource":"bedrock.amazonaws.com","eventName":"ListFoundationModels","errorCode":"AccessDenied","note":"Straße ÉTÉ"}`)
	cases := []struct {
		term string
		raw  []byte
		want bool
	}{
		{"AccessDenied", raw, true},
		{"accessdenied", raw, true},
		{"ACCESSDENIED", raw, true},
		{"bedrock*", raw, true},
		{"list*models", raw, true},
		{"*denied*", raw, true},
		{"InvokeModel", raw, false},
		{"list*invoke", raw, false},
		{"été", raw, true},
		{"STRASSE", raw, false},
		{"straße", raw, true},
		{"Access", raw, true},
		{"x", nil, false},
		{"*", raw, true},
		{"", []byte("anything"), true},
		{"a", []byte{}, false},
	}
	for _, c := range cases {
		got := evalIn(t, plan.SPL, &plan.SearchTerm{Term: c.term}, nil, c.raw)
		if !same(got, event.BoolValue(c.want)) {
			t.Errorf("search(%q) on %q = %s, want %v", c.term, c.raw, show(got), c.want)
		}
	}
}

func TestSearchTermDoesNotAllocate(t *testing.T) {
	raw := []byte(strings.Repeat(`{"eventSource":"bedrock.amazonaws.com","x":"y"}`, 20) + "AccessDenied")
	r, row := bindRow(nil, raw)
	ev, err := Compile(&plan.SearchTerm{Term: "accessdenied"}, plan.SPL, r)
	if err != nil {
		t.Fatal(err)
	}
	ctx := &Context{}
	allocs := testing.AllocsPerRun(100, func() {
		if !Truth(ev(ctx, row)) {
			t.Fatal("no match")
		}
	})
	if allocs != 0 {
		t.Errorf("search term allocates %v times per row", allocs)
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		d plan.Dialect
		e plan.Expr
	}{
		{plan.ESQL, &plan.Like{X: fld("a"), Patterns: []string{"("}, Regex: true}},
		{plan.ESQL, op("^", nl(1), nl(2))},
		{plan.ESQL, op(".", sl("a"), sl("b"))},
		{plan.ESQL, op("+", &plan.Span{D: time.Hour}, &plan.Span{D: time.Hour})},
		{plan.ESQL, op("-", &plan.Span{D: time.Hour}, fld("ts"))},
		{plan.ESQL, &plan.Unary{Op: "~", X: nl(1)}},
		{plan.SPL, &plan.SearchCmp{Field: "a", Op: "~", Value: "x"}},
		{plan.SPL, &plan.Star{}},
		{plan.ESQL, call("no_such_function")},
		{plan.ESQL, call("to_lower")},
		{plan.SPL, call("if", bl(true))},
	}
	for _, c := range cases {
		if _, err := Compile(c.e, c.d, func(string) int { return 0 }); err == nil {
			t.Errorf("Compile(%s, %s) succeeded, want an error", c.e, c.d)
		}
	}
}

// likeRegexp is the reference semantics of a LIKE pattern.
func likeRegexp(p string, syn wildcardSyntax, fold bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)")
	if fold {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	for i := 0; i < len(p); {
		r, sz := utf8.DecodeRuneInString(p[i:])
		switch {
		case syn.escapes && r == '\\' && i+sz < len(p):
			r2, sz2 := utf8.DecodeRuneInString(p[i+sz:])
			b.WriteString(regexp.QuoteMeta(string(r2)))
			i += sz + sz2
			continue
		case r == syn.star:
			b.WriteString(".*")
		case syn.one != 0 && r == syn.one:
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+sz]))
		}
		i += sz
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func TestWildcardMatchesReference(t *testing.T) {
	pats := []string{"", "*", "?", "a*", "*a", "a*b*c", "*?*", "a?c", `a\*`, `\`, "**a**", "a*a", "?*?"}
	inputs := []string{"", "a", "abc", "aXbYc", "a*", "ab", "aaa", "ÉtÉ", "ba"}
	for _, p := range pats {
		for _, fold := range []bool{false, true} {
			w := compileWildcard(p, esqlLikeSyntax, fold, false)
			re := likeRegexp(p, esqlLikeSyntax, fold)
			for _, s := range inputs {
				if got, want := w.match(s), re.MatchString(s); got != want {
					t.Errorf("pattern %q fold=%v on %q: got %v, want %v", p, fold, s, got, want)
				}
			}
		}
	}
}

func FuzzLikePattern(f *testing.F) {
	for _, s := range [][2]string{{"a*b?c", "aXXbYc"}, {`\*x`, "*x"}, {"*", ""}, {"?", "É"}, {"a*a*a", "aaaa"}, {`%_\%`, "ab%"}} {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, pattern, s string, fold bool) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) || len(pattern) > 64 {
			return
		}
		for _, syn := range []wildcardSyntax{esqlLikeSyntax, splLikeSyntax} {
			w := compileWildcard(pattern, syn, fold, false)
			re := likeRegexp(pattern, syn, fold)
			if fold && !strings.EqualFold(strings.ToLower(pattern), pattern) {
				continue // special lower-casing (e.g. "İ") is outside simple folding
			}
			if got, want := w.match(s), re.MatchString(s); got != want {
				t.Fatalf("pattern %q (fold=%v, star %q) on %q: got %v, want %v", pattern, fold, syn.star, s, got, want)
			}
		}
	})
}

func TestWildcardRandomized(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alpha := []string{"a", "A", "0", "%", "_", "*", "?", `\`, "É", "é", "K", "k", "\u212a", "ſ", "S", "σ", "ς"}
	gen := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(alpha[rng.Intn(len(alpha))])
		}
		return b.String()
	}
	for i := 0; i < 20000; i++ {
		p, s, fold := gen(rng.Intn(10)), gen(rng.Intn(16)), rng.Intn(2) == 0
		for _, syn := range []wildcardSyntax{esqlLikeSyntax, splLikeSyntax} {
			w := compileWildcard(p, syn, fold, false)
			if got, want := w.match(s), likeRegexp(p, syn, fold).MatchString(s); got != want {
				t.Fatalf("pattern %q fold=%v star=%q on %q: got %v, want %v", p, fold, syn.star, s, got, want)
			}
		}
	}
}

var benchRaw = []byte(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:session",` +
	`"arn":"arn:aws:sts::123456789012:assumed-role/Dev/session","accountId":"123456789012"},"eventTime":"2024-03-15T10:30:45Z",` +
	`"eventSource":"bedrock.amazonaws.com","eventName":"ListFoundationModels","awsRegion":"us-east-1",` +
	`"sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.15.0 Python/3.11","errorCode":"AccessDenied",` +
	`"errorMessage":"User is not authorized to perform: bedrock:ListFoundationModels","requestParameters":null,` +
	`"responseElements":null,"requestID":"0f1e2d3c","eventID":"a1b2c3d4","readOnly":true,"eventType":"AwsApiCall"}`)

func benchEval(b *testing.B, d plan.Dialect, e plan.Expr, fields map[string]event.Value, raw []byte) {
	r, row := bindRow(fields, raw)
	ev, err := Compile(e, d, r)
	if err != nil {
		b.Fatal(err)
	}
	ctx := &Context{}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		ev(ctx, row)
	}
}

func BenchmarkSearchTerm(b *testing.B) {
	benchEval(b, plan.SPL, &plan.SearchTerm{Term: "listfoundation*"}, nil, benchRaw)
}

func BenchmarkSearchTermMiss(b *testing.B) {
	benchEval(b, plan.SPL, &plan.SearchTerm{Term: "invokemodel"}, nil, benchRaw)
}

func BenchmarkSearchCmp(b *testing.B) {
	benchEval(b, plan.SPL, op("AND", &plan.SearchCmp{Field: "eventSource", Op: "=", Value: "bedrock.amazonaws.com"},
		&plan.SearchCmp{Field: "errorCode", Op: "=", Value: "accessdenied*"}),
		map[string]event.Value{"eventSource": vS("bedrock.amazonaws.com"), "errorCode": vS("AccessDenied")}, benchRaw)
}

func BenchmarkESQLWhere(b *testing.B) {
	benchEval(b, plan.ESQL, op("AND", op("==", fld("gen_ai.response.error_code"), sl("AccessDeniedException")),
		&plan.In{X: fld("event.action"), List: []plan.Expr{sl("InvokeModel"), sl("Converse"), sl("InvokeModelWithResponseStream")}}),
		map[string]event.Value{"gen_ai.response.error_code": vS("AccessDeniedException"), "event.action": vS("Converse")}, benchRaw)
}

// RLIKE matches the whole string, "." matching newlines as in Lucene; a
// pattern wrapped in ".*" is searched for its middle and must agree with
// the whole-string match.
func TestRLikeWholeStringAndSearch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{`.*(AKIA|ASIA)[A-Z0-9]{16}.*`, "key AKIAABCDEFGHIJKLMNOP here", true},
		{`.*(AKIA|ASIA)[A-Z0-9]{16}.*`, "line one\nkey ASIAABCDEFGHIJKLMNOP\nline three", true},
		{`.*(AKIA|ASIA)[A-Z0-9]{16}.*`, "AKIA short", false},
		{`.*a|b.*`, "xa", true},   // the alternation spans the whole pattern
		{`.*a|b.*`, "xab", false}, // neither ".*a" nor "b.*" matches it all
		{`claude`, "anthropic.claude", false},
		{`.*claude.*`, "anthropic.claude-v2", true},
		{`\.*x.*`, "..x", true},
		{`\.*x.*`, "a.x", false},
		{`Access.*`, "AccessDenied\n", true},
		{`*sh.{1,2}-c*`, "*sh -cc", true}, // Lucene: a leading "*" is a literal
		{`*sh.{1,2}-c*`, "bash -c id", false},
		{`@key@`, "a\nkey\nb", true}, // "@" is any string, searched as ".*"
		{`.*\s.*`, "a\fb", false},    // Lucene's \s: space, tab, CR, LF
		{`.*\s.*`, "a\tb", true},
	}
	for _, c := range cases {
		re, err := compileRLike(c.pattern)
		if err != nil {
			t.Fatalf("%q: %v", c.pattern, err)
		}
		if got := re.MatchString(c.s); got != c.want {
			t.Errorf("%q rlike %q = %v, want %v (compiled as %s)", c.s, c.pattern, got, c.want, re)
		}
	}
}

// tenMisses is enough substring patterns, none in "Hello", for LIKE to
// search them with one automaton.
func tenMisses() []string {
	var ps []string
	for i := 0; i < minMultiContains; i++ {
		ps = append(ps, "*zq"+string(rune('a'+i))+"*")
	}
	return ps
}
