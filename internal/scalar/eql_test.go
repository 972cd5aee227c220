package scalar

import (
	"testing"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// TestEQLFuncs pins EQL's functions on values, each per Elasticsearch's
// "EQL function reference".
func TestEQLFuncs(t *testing.T) {
	s, l := event.StringValue, event.LongValue
	lit := func(v event.Value) plan.Expr { return &plan.Literal{Value: v} }
	call := func(name string, args ...event.Value) plan.Expr {
		c := &plan.Call{Name: name}
		for _, a := range args {
			c.Args = append(c.Args, lit(a))
		}
		return c
	}
	for _, tc := range []struct {
		e    plan.Expr
		want string
	}{
		{call("add", l(4), l(5)), "9"},
		{call("subtract", l(10), l(2)), "8"},
		{call("divide", l(4), l(3)), "1"}, // integers divide to an integer
		{call("modulo", l(10), l(6)), "4"},
		{call("between", s("C:\\a\\b\\c.exe"), s("\\"), s("\\")), "a"},
		{call("between", s("C:\\a\\b\\c.exe"), s("\\"), s("\\"), event.BoolValue(true)), "a\\b"},
		{call("between~", s("xAbCy"), s("a"), s("C")), "b"},
		{call("cidrmatch", s("192.168.1.5"), s("10.0.0.0/8"), s("192.168.0.0/16")), "true"},
		{call("concat", s("a"), l(1), s("b")), "a1b"},
		{call("endswith", s("regsvr32.exe"), s(".EXE")), "false"},
		{call("endswith~", s("regsvr32.exe"), s(".EXE")), "true"},
		{call("indexof", s("memory.dmp"), s("m"), l(1)), "2"},
		{call("indexof", s("memory.dmp"), s("z")), "null"},
		{call("length", s("explorer.exe")), "12"},
		{call("number", s("0x1F"), l(16)), "31"},
		{call("number", s("1.5")), "1.5"},
		{call("startswith", s("regsvr32.exe"), s("regsvr32")), "true"},
		{call("string", l(42)), "42"},
		{call("stringcontains", s("opera.exe"), s("Opera")), "false"},
		{call("stringcontains~", s("opera.exe"), s("Opera")), "true"},
		{call("substring", s("start regsvr32.exe"), l(-4)), ".exe"},
		{call("substring", s("start regsvr32.exe"), l(6), l(14)), "regsvr32"},
		{call("wildcard", s("regsvr32.exe"), s("*regsvr*"), s("x")), "true"},
		{call("wildcard", s("REGSVR32.exe"), s("*regsvr*")), "false"},
		{call("wildcard~", s("REGSVR32.exe"), s("*regsvr*")), "true"},
		// A null argument gives null.
		{call("length", event.NullValue), "null"},
		{call("startswith", event.NullValue, s("x")), "null"},
	} {
		if got := evalIn(t, plan.EQL, tc.e, nil, nil).String(); got != tc.want && !(tc.want == "null" && got == "") {
			t.Errorf("%s = %q, want %q", tc.e, got, tc.want)
		}
	}
}

// TestEQLOps pins the operators: a test of a missing field is false and
// its negation true; a multi-valued field passes when any value does.
func TestEQLOps(t *testing.T) {
	f := func(n string) plan.Expr { return &plan.Field{Name: n} }
	str := func(v string) plan.Expr { return &plan.Literal{Value: event.StringValue(v)} }
	fields := map[string]event.Value{
		"a": event.StringValue("Foo"),
		"m": event.MultiValue([]event.Value{event.StringValue("x"), event.StringValue("Bar")}),
		"n": event.LongValue(5),
	}
	for _, tc := range []struct {
		e    plan.Expr
		want bool
	}{
		{&plan.Binary{Op: "==", L: f("a"), R: str("Foo")}, true},
		{&plan.Binary{Op: "==", L: f("a"), R: str("foo")}, false},
		{&plan.Binary{Op: "!=", L: f("missing"), R: str("foo")}, true},
		{&plan.Binary{Op: "==", L: f("missing"), R: str("foo")}, false},
		{&plan.Binary{Op: "==", L: f("missing"), R: &plan.Literal{Value: event.NullValue}}, true},
		{&plan.Binary{Op: "!=", L: f("a"), R: &plan.Literal{Value: event.NullValue}}, true},
		{&plan.Binary{Op: "==", L: f("m"), R: str("Bar")}, true},
		{&plan.Binary{Op: ">", L: f("n"), R: &plan.Literal{Value: event.LongValue(4)}}, true},
		{&plan.Like{X: f("a"), Patterns: []string{"f?o"}, Fold: true}, true},
		{&plan.Like{X: f("a"), Patterns: []string{"f?o"}}, false},
		{&plan.Like{X: f("m"), Patterns: []string{"ba.*"}, Regex: true, Fold: true}, true},
		{&plan.Unary{Op: "NOT", X: &plan.Like{X: f("missing"), Patterns: []string{"*"}}}, true},
		{&plan.In{X: f("a"), List: []plan.Expr{str("foo")}, Fold: true}, true},
		{&plan.In{X: f("a"), List: []plan.Expr{str("foo")}}, false},
		{&plan.In{X: f("missing"), List: []plan.Expr{str("foo")}, Not: true}, true},
		{&plan.In{X: f("missing"), List: []plan.Expr{str("foo")}}, false},
	} {
		if got := Truth(evalIn(t, plan.EQL, tc.e, fields, nil)); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.e, got, tc.want)
		}
	}
}
