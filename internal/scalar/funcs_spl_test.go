package scalar

import (
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

func TestSPLFunctions(t *testing.T) { runCases(t, plan.SPL, splFunctionCases()) }

// splFunctionCases lists at least one case per function of the table.
func splFunctionCases() []exprCase {
	null := nullLit()
	f := map[string]event.Value{
		"mv":    vSs("b", "a", "b"),
		"mvn":   vM(vL(3), vL(10), vL(2)),
		"s":     vS("Hello World"),
		"num":   vS("42"),
		"ip":    vS("035.249.253.232"),
		"_time": vTime("2024-03-15T10:30:45.5Z"),
		"epoch": vL(1710498645),
		"json":  vS(`{"a":{"b":[{"c":1},{"c":2.5}],"name":"x"},"arr":["p","q"],"t":true}`),
	}
	cases := []exprCase{
		// conditionals
		{e: call("if", op("==", fld("num"), nl(42)), sl("yes"), sl("no")), fields: f, want: vS("yes")},
		{name: "if on missing field", e: call("if", op("==", fld("missing"), nl(42)), sl("yes"), sl("no")), want: vS("no")},
		{e: call("case", bl(false), sl("a"), bl(true), sl("b")), want: vS("b")},
		{name: "case without default", e: call("case", bl(false), sl("a")), want: vNull},
		{name: "case with true() default", e: call("case", bl(false), sl("a"), call("true"), sl("d")), want: vS("d")},
		{e: call("coalesce", fld("missing"), null, sl("x")), want: vS("x")},
		{e: call("validate", bl(true), sl("ok"), bl(false), sl("bad")), want: vS("bad")},
		{e: call("validate", bl(true), sl("ok")), want: vNull},
		{e: call("nullif", sl("a"), sl("a")), want: vNull},
		{e: call("nullif", sl("a"), sl("b")), want: vS("a")},
		{e: call("in", fld("num"), sl("7"), nl(42)), fields: f, want: vT},
		{e: call("in", fld("missing"), sl("7")), want: vF},
		{e: call("null"), want: vNull},
		{e: call("true"), want: vT},
		{e: call("false"), want: vF},

		// predicates
		{e: call("isnull", fld("missing")), want: vT},
		{e: call("isnull", fld("s")), fields: f, want: vF},
		{e: call("isnotnull", fld("s")), fields: f, want: vT},
		{e: call("isnum", fld("num")), fields: f, want: vT},
		{e: call("isnum", fld("s")), fields: f, want: vF},
		{e: call("isnum", null), want: vF},
		{e: call("isint", dl(2.5)), want: vF},
		{e: call("isint", sl("7")), want: vT},
		{e: call("isstr", fld("s")), fields: f, want: vT},
		{e: call("isstr", fld("num")), fields: f, want: vF},
		{e: call("isbool", bl(true)), want: vT},
		{e: call("like", fld("s"), sl("Hello%")), fields: f, want: vT},
		{e: call("like", fld("s"), sl("hello%")), fields: f, want: vF},
		{e: call("like", fld("s"), sl("H_llo World")), fields: f, want: vT},
		{e: call("like", fld("s"), sl("Hello")), fields: f, want: vF},
		{e: call("like", sl("50%"), sl(`50\%`)), want: vT},
		{e: call("like", sl("50x"), sl(`50\%`)), want: vF},
		{e: call("like", fld("mv"), sl("a")), fields: f, want: vT},
		{e: call("like", fld("missing"), sl("%")), want: vF},
		{e: call("match", fld("s"), sl("o W")), fields: f, want: vT},
		{e: call("match", fld("s"), sl("^World")), fields: f, want: vF},
		{e: call("match", fld("s"), sl("(?i)^hello")), fields: f, want: vT},
		{e: call("match", fld("missing"), sl(".")), want: vF},
		{e: call("match", fld("s"), sl("(")), fields: f, want: vNull},
		{e: call("cidrmatch", sl("35.249.0.0/16"), fld("ip")), fields: f, want: vT},
		{e: call("cidrmatch", sl("10.0.0.0/8"), fld("ip")), fields: f, want: vF},
		{e: call("cidrmatch", sl("10.0.0.0/8"), fld("missing")), want: vF},
		{e: call("cidrmatch", sl("not-a-cidr"), sl("10.0.0.1")), want: vF},
		{e: call("typeof", nl(1)), want: vS("Number")},
		{e: call("typeof", sl("x")), want: vS("String")},
		{e: call("typeof", bl(true)), want: vS("Boolean")},
		{e: call("typeof", fld("missing")), want: vS("Invalid")},

		// text
		{e: call("lower", fld("s")), fields: f, want: vS("hello world")},
		{e: call("upper", fld("mv")), fields: f, want: vSs("B", "A", "B")},
		{e: call("upper", null), want: vNull},
		{e: call("len", fld("s")), fields: f, want: vL(11)},
		{e: call("len", nl(12345)), want: vL(5)},
		{e: call("len", null), want: vNull},
		{e: call("substr", fld("s"), nl(1), nl(5)), fields: f, want: vS("Hello")},
		{e: call("substr", fld("s"), nl(7)), fields: f, want: vS("World")},
		{e: call("substr", fld("s"), nl(-5)), fields: f, want: vS("World")},
		{e: call("substr", fld("s"), nl(-5), nl(2)), fields: f, want: vS("Wo")},
		{e: call("substr", fld("s"), nl(40)), fields: f, want: vS("")},
		{e: call("substr", null, nl(1)), want: vNull},
		{e: call("replace", fld("s"), sl(`(\w+) (\w+)`), sl(`\2 \1`)), fields: f, want: vS("World Hello")},
		{e: call("replace", sl("a$b"), sl(`\$`), sl("$$")), want: vS("a$$b")},
		{e: call("replace", fld("mv"), sl("b"), sl("c")), fields: f, want: vSs("c", "a", "c")},
		{e: call("replace", null, sl("a"), sl("b")), want: vNull},
		{e: call("trim", sl(" \tab \t")), want: vS("ab")},
		{e: call("trim", sl("xxabxx"), sl("x")), want: vS("ab")},
		{e: call("ltrim", sl("  ab  ")), want: vS("ab  ")},
		{e: call("rtrim", sl("ab$$"), sl("$")), want: vS("ab")},
		{e: call("split", sl("a;b;c"), sl(";")), want: vSs("a", "b", "c")},
		{e: call("split", sl("abc"), sl("")), want: vSs("a", "b", "c")},
		{e: call("split", null, sl(";")), want: vNull},
		{e: call("urldecode", sl("http%3A%2F%2Fx.com%2Fa+b")), want: vS("http://x.com/a b")},
		{e: call("urldecode", sl("100%")), want: vS("100%")},
		{e: call("md5", sl("abc")), want: vS("900150983cd24fb0d6963f7d28e17f72")},
		{e: call("sha256", nl(1)), want: vS("6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b")},
		{e: call("sha512", sl("")), want: vS("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")},
		{e: call("tostring", nl(5)), want: vS("5")},
		{e: call("tostring", dl(2.5)), want: vS("2.5")},
		{e: call("tostring", dl(3)), want: vS("3")},
		{e: call("tostring", bl(true)), want: vS("true")},
		{e: call("tostring", nl(1234567), sl("commas")), want: vS("1,234,567")},
		{e: call("tostring", dl(-1234.5678), sl("commas")), want: vS("-1,234.57")},
		{e: call("tostring", nl(255), sl("hex")), want: vS("0xFF")},
		{e: call("tostring", nl(90061), sl("duration")), want: vS("1+01:01:01")},
		{e: call("tostring", nl(615), sl("duration")), want: vS("00:10:15")},
		{e: call("tostring", null), want: vNull},
		{e: call("tonumber", sl("42")), want: vL(42)},
		{e: call("tonumber", sl("4.5")), want: vD(4.5)},
		{e: call("tonumber", sl("0A4"), nl(16)), want: vL(164)},
		{e: call("tonumber", sl("0xff"), nl(16)), want: vL(255)},
		{e: call("tonumber", sl("101"), nl(2)), want: vL(5)},
		{e: call("tonumber", sl("abc")), want: vNull},
		{e: call("tonumber", sl("12"), nl(99)), want: vNull},
		{e: call("spath", fld("json"), sl("a.name")), fields: f, want: vS("x")},
		{e: call("spath", fld("json"), sl("a.b{}.c")), fields: f, want: vM(vL(1), vD(2.5))},
		{e: call("spath", fld("json"), sl("a.b{2}.c")), fields: f, want: vD(2.5)},
		{e: call("spath", fld("json"), sl("arr{}")), fields: f, want: vSs("p", "q")},
		{e: call("spath", fld("json"), sl("arr")), fields: f, want: vS(`["p","q"]`)},
		{e: call("spath", fld("json"), sl("t")), fields: f, want: vT},
		{e: call("spath", fld("json"), sl("a.nope")), fields: f, want: vNull},
		{e: call("spath", sl("not json"), sl("a")), want: vNull},
		{e: call("json_extract", fld("json"), sl("a.b{1}.c")), fields: f, want: vD(2.5)},
		{e: call("json_extract", fld("json"), sl("arr{0}"), sl("t"), sl("nope")), fields: f, want: vS(`["p",true,null]`)},
		{e: call("json_extract", sl(`{"k": [1, 2]}`)), want: vS(`{"k":[1,2]}`)},
		{e: call("json_extract", null, sl("a")), want: vNull},
		{e: call("printf", sl("%s has %d items (%.2f%%)"), sl("box"), sl("3"), dl(12.345)), want: vS("box has 3 items (12.35%)")},
		{e: call("printf", sl("[%5s|%-4d|%04x|%X]"), sl("ab"), nl(7), nl(255), nl(255)), want: vS("[   ab|7   |00ff|FF]")},
		{e: call("printf", sl("%'d %*d %c"), nl(1234567), nl(4), nl(42), nl(65)), want: vS("1,234,567   42 A")},
		{e: call("printf", sl("%q %s"), sl("x")), want: vS("%q ")},
		{e: call("printf", sl("trailing %")), want: vS("trailing %")},
		{e: call("printf", null), want: vNull},

		// multi-values
		{e: call("mvcount", fld("mv")), fields: f, want: vL(3)},
		{e: call("mvcount", sl("x")), want: vL(1)},
		{e: call("mvcount", fld("missing")), want: vNull},
		{e: call("mvindex", fld("mv"), nl(0)), fields: f, want: vS("b")},
		{e: call("mvindex", fld("mv"), nl(-1)), fields: f, want: vS("b")},
		{e: call("mvindex", fld("mvn"), nl(1), nl(2)), fields: f, want: vM(vL(10), vL(2))},
		{e: call("mvindex", fld("mvn"), nl(1), nl(-1)), fields: f, want: vM(vL(10), vL(2))},
		{e: call("mvindex", fld("mv"), nl(3)), fields: f, want: vNull},
		{e: call("mvindex", fld("missing"), nl(0)), want: vNull},
		{e: call("mvjoin", fld("mvn"), sl(", ")), fields: f, want: vS("3, 10, 2")},
		{e: call("mvjoin", fld("missing"), sl(",")), want: vNull},
		{e: call("mvappend", sl("a"), fld("missing"), fld("mv")), fields: f, want: vSs("a", "b", "a", "b")},
		{e: call("mvdedup", fld("mv")), fields: f, want: vSs("b", "a")},
		{e: call("mvsort", fld("mvn")), fields: f, want: vM(vL(10), vL(2), vL(3))},
		{e: call("mvfind", fld("mv"), sl("^a")), fields: f, want: vL(1)},
		{e: call("mvfind", fld("mv"), sl("z")), fields: f, want: vNull},
		{e: call("mvrange", nl(1), nl(4)), want: vM(vL(1), vL(2), vL(3))},
		{e: call("mvrange", nl(0), nl(10), nl(4)), want: vM(vL(0), vL(4), vL(8))},
		{e: call("mvzip", lit(vSs("a", "b")), lit(vSs("x", "y")), sl("=")), want: vSs("a=x", "b=y")},

		// time
		{e: call("now"), want: vL(testNow / 1e9)},
		{e: call("time"), want: vD(float64(testNow) / 1e9)},
		{e: call("strftime", fld("_time"), sl("%Y-%m-%dT%H:%M:%S")), fields: f, want: vS("2024-03-15T10:30:45")},
		{e: call("strftime", fld("epoch"), sl("%Y-%m-%d %H:%M:%S.%3N %Z")), fields: f, want: vS("2024-03-15 10:30:45.000 UTC")},
		{e: call("strftime", fld("_time"), sl("%s.%3N")), fields: f, want: vS("1710498645.500")},
		{e: call("strftime", sl("1710498645.25"), sl("%H:%M:%S.%6N")), want: vS("10:30:45.250000")},
		{e: call("strftime", fld("missing"), sl("%Y")), want: vNull},
		{e: call("strptime", sl("2024-03-15 10:30:45"), sl("%Y-%m-%d %H:%M:%S")), want: vL(1710498645)},
		{e: call("strptime", sl("2024-03-15T10:30:45.5Z"), sl("%Y-%m-%dT%H:%M:%S.%NZ")), want: vD(1710498645.5)},
		{e: call("strptime", sl("15/Mar/2024:10:30:45 +0100"), sl("%d/%b/%Y:%H:%M:%S %z")), want: vL(1710495045)},
		{e: call("strptime", sl("garbage"), sl("%Y-%m-%d")), want: vNull},
		{e: call("relative_time", fld("epoch"), sl("-1d@d")), fields: f, want: vL(1710374400)},
		{e: call("relative_time", fld("_time"), sl("@h")), fields: f, want: vTime("2024-03-15T10:00:00Z")},
		{e: call("relative_time", fld("epoch"), sl("bad")), fields: f, want: vNull},
		{e: call("bin", fld("_time"), &plan.Span{D: 5 * time.Minute}), fields: f, want: vTime("2024-03-15T10:30:00Z")},
		{e: call("bin", fld("epoch"), &plan.Span{D: time.Hour}), fields: f, want: vL(1710496800)},
		{e: call("bin", fld("epoch"), sl("1d")), fields: f, want: vL(1710460800)},
		{e: call("bin", fld("_time"), &plan.Span{Months: 1}), fields: f, want: vTime("2024-03-01T00:00:00Z")},
		{e: call("bin", nl(1234), dl(100)), want: vL(1200)},
		{e: call("bin", fld("missing"), &plan.Span{D: time.Hour}), want: vNull},

		// math
		{e: call("round", dl(2.5)), want: vL(3)},
		{e: call("round", sl("3.14159"), nl(2)), want: vD(3.14)},
		{e: call("round", nl(7)), want: vL(7)},
		{e: call("round", sl("x")), want: vNull},
		{e: call("abs", nl(-4)), want: vL(4)},
		{e: call("abs", sl("-2.5")), want: vD(2.5)},
		{e: call("ceiling", dl(1.1)), want: vL(2)},
		{e: call("ceil", dl(-1.1)), want: vL(-1)},
		{e: call("floor", dl(1.9)), want: vL(1)},
		{e: call("sqrt", nl(9)), want: vL(3)},
		{e: call("sqrt", nl(-9)), want: vNull},
		{e: call("pow", nl(2), nl(3)), want: vL(8)},
		{e: call("ln", nl(1)), want: vL(0)},
		{e: call("log", nl(100)), want: vL(2)},
		{e: call("log", nl(8), nl(2)), want: vL(3)},
		{e: call("exp", nl(0)), want: vL(1)},
		{e: call("exact", dl(0.1)), want: vD(0.1)},
		{e: call("pi"), want: vD(3.141592653589793)},
		{e: call("min", nl(3), sl("10"), nl(2)), want: vL(2)},
		{e: call("max", nl(3), sl("10"), nl(2)), want: vL(10)},
		{e: call("max", fld("mvn")), fields: f, want: vL(10)},
		{name: "max with text compares as text", e: call("max", nl(3), sl("abc")), want: vS("abc")},
		{e: call("min", sl("b"), sl("a")), want: vS("a")},
		{e: call("min", fld("missing")), want: vNull},
	}
	return cases
}

// Every function of both tables has at least one test case.
func TestEveryFunctionHasACase(t *testing.T) {
	for _, tbl := range []struct {
		d     plan.Dialect
		cases []exprCase
	}{{plan.ESQL, esqlFunctionCases()}, {plan.SPL, splFunctionCases()}} {
		called := map[string]bool{}
		for _, c := range tbl.cases {
			plan.Walk(c.e, func(e plan.Expr) bool {
				if cl, ok := e.(*plan.Call); ok {
					called[cl.Name] = true
				}
				return true
			})
		}
		for _, fn := range Funcs(tbl.d) {
			if !called[fn.Name] && !aliases[fn.Name] {
				t.Errorf("%s function %s has no test case", tbl.d, fn.Name)
			}
		}
	}
}

// aliases and trivial variants covered through their twin.
var aliases = map[string]bool{"to_str": true, "to_int": true, "to_dbl": true, "to_bool": true, "to_dt": true,
	"cbrt": true, "sin": true, "cos": true, "tan": true, "asin": true, "acos": true, "atan": true, "atan2": true,
	"sinh": true, "cosh": true, "tanh": true, "e": true, "tau": true, "sha1": true}

// Every function accepts all-null arguments: ES|QL functions give null
// (except the few that define otherwise); SPL predicates give false.
func TestFunctionsOnNulls(t *testing.T) {
	esqlNotNull := map[string]event.Value{"mv_contains": vT, "now": event.TimeNanos(testNow),
		"pi": vD(3.141592653589793), "e": vD(2.718281828459045), "tau": vD(6.283185307179586)}
	splNotNull := map[string]event.Value{
		"isnull": vT, "isnotnull": vF, "isnum": vF, "isint": vF, "isstr": vF, "isbool": vF, "like": vF,
		"match": vF, "cidrmatch": vF, "in": vF, "typeof": vS("Invalid"), "true": vT, "false": vF,
		"now": vL(testNow / 1e9), "time": vD(float64(testNow) / 1e9), "pi": vD(3.141592653589793),
	}
	for _, tbl := range []struct {
		d       plan.Dialect
		notNull map[string]event.Value
	}{{plan.ESQL, esqlNotNull}, {plan.SPL, splNotNull}} {
		for _, fn := range Funcs(tbl.d) {
			name := fn.Name
			for _, n := range []int{fn.MinArgs, fn.MaxArgs} {
				if n < 0 {
					n = fn.MinArgs + 3
				}
				args := make([]plan.Expr, n)
				for i := range args {
					args[i] = nullLit()
				}
				want, ok := tbl.notNull[name]
				if !ok {
					want = vNull
				}
				if got := evalIn(t, tbl.d, call(name, args...), nil, nil); !same(got, want) {
					t.Errorf("%s: %s(%d nulls) = %s, want %s", tbl.d, name, n, show(got), show(want))
				}
			}
		}
	}
}

func TestESQLNullOperands(t *testing.T) {
	for _, o := range []string{"==", "!=", "<", "<=", ">", ">=", "=~", "+", "-", "*", "/", "%"} {
		for _, e := range []plan.Expr{op(o, nullLit(), nl(1)), op(o, nl(1), nullLit()), op(o, fld("missing"), fld("missing"))} {
			if got := evalIn(t, plan.ESQL, e, nil, nil); !got.IsNull() {
				t.Errorf("esql %s = %s, want null", e, show(got))
			}
		}
	}
	for _, o := range []string{"==", "!=", "<", "<=", ">", ">=", "=", "=~"} {
		for _, e := range []plan.Expr{op(o, nullLit(), nl(1)), op(o, nl(1), nullLit())} {
			if got := evalIn(t, plan.SPL, e, nil, nil); !same(got, vF) {
				t.Errorf("spl %s = %s, want false", e, show(got))
			}
		}
	}
	for _, o := range []string{"+", "-", "*", "/", "%", "."} {
		if e := op(o, nullLit(), nl(1)); !evalIn(t, plan.SPL, e, nil, nil).IsNull() {
			t.Errorf("spl %s is not null", e)
		}
	}
}

func FuzzPrintf(f *testing.F) {
	f.Add("%s has %d items (%.2f%%)", "box", int64(3))
	f.Add("%'*.*f|%-+ #0x|%c", "x", int64(-7))
	f.Fuzz(func(t *testing.T, format, s string, n int64) {
		v := splPrintf(nil, []event.Value{vS(format), vS(s), vL(n), vD(float64(n) / 3)})
		if v.Kind() != event.String {
			t.Fatalf("printf(%q) = %s", format, show(v))
		}
	})
}

// Spans and offsets that leave the instants, or have no length, give
// null: "0" used to divide by zero, and far offsets wrapped round.
func TestTimeSpansAtTheEdges(t *testing.T) {
	f := map[string]event.Value{"_time": vTime("2024-03-15T10:30:45.5Z"), "epoch": vL(1710498645)}
	runCases(t, plan.SPL, []exprCase{
		{e: call("bin", fld("epoch"), sl("0")), fields: f, want: vNull},
		{e: call("bin", fld("_time"), sl("99999999999w")), fields: f, want: vNull},
		{e: call("relative_time", fld("_time"), sl("+99999999999w")), fields: f, want: vNull},
		{e: call("relative_time", fld("epoch"), sl("-1000y")), fields: f, want: vNull},
	})
	runCases(t, plan.ESQL, []exprCase{
		{e: call("date_trunc", sl("0"), lit(vTime("2024-03-15T10:30:45Z"))), want: vNull},
	})
}
