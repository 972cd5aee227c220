package scalar

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// EQL's operators, as Elasticsearch runs an EQL event query: a test of a
// field is a Query DSL query (term, wildcard, regexp, terms, with
// case_insensitive for ":" and the "~" variants), so a test is true when
// any value of a multi-valued field passes it and false (never null) when
// the field is missing, and NOT of a false test is true. "==" and "in"
// compare strings case-sensitively; ":" ignores case and takes "*" and "?"
// wildcards. "field == null" tests that the field is missing.

// eqlLikeSyntax is the wildcard syntax of EQL's ":", like and wildcard(),
// which Elasticsearch runs as Lucene wildcard queries: "*" any run, "?"
// one character, a backslash escapes the next character (the query text
// "\\*" is the string "\*", a literal star).
var eqlLikeSyntax = wildcardSyntax{star: '*', one: '?', escapes: true}

func compileEQLOp(e plan.Expr, r Resolver) (Evaluator, error) {
	switch t := e.(type) {
	case *plan.Unary:
		x, err := Compile(t.X, plan.EQL, r)
		if err != nil {
			return nil, err
		}
		switch t.Op {
		case "NOT":
			return func(ctx *Context, row Row) event.Value {
				return event.BoolValue(!Truth(x(ctx, row)))
			}, nil
		case "-":
			return func(ctx *Context, row Row) event.Value {
				return eqlArith("-", event.LongValue(0), x(ctx, row))
			}, nil
		}
		return nil, fmt.Errorf("unknown unary operator %q", t.Op)
	case *plan.Binary:
		return compileEQLBinary(t, r)
	case *plan.In:
		x, err := Compile(t.X, plan.EQL, r)
		if err != nil {
			return nil, err
		}
		list, err := compileArgs(t.List, plan.EQL, r)
		if err != nil {
			return nil, err
		}
		not, fold := t.Not, t.Fold
		return func(ctx *Context, row Row) event.Value {
			v := x(ctx, row)
			if v.IsNull() {
				// not in is a must_not of the terms query.
				return event.BoolValue(not)
			}
			for _, item := range list {
				if eqlEqual(v, item(ctx, row), fold) {
					return event.BoolValue(!not)
				}
			}
			return event.BoolValue(not)
		}, nil
	case *plan.Like:
		x, m, err := compileLikeParts(t, plan.EQL, r, compileEQLPatterns)
		if err != nil {
			return nil, err
		}
		not := t.Not
		return func(ctx *Context, row Row) event.Value {
			v := x(ctx, row)
			if v.IsNull() {
				return event.BoolValue(false)
			}
			hit := false
			for _, e := range v.Values() {
				if m(kqlText(e)) {
					hit = true
					break
				}
			}
			return event.BoolValue(hit != not)
		}, nil
	case *plan.IsNull:
		return compileIsNull(t, plan.EQL, r)
	}
	return nil, fmt.Errorf("BUG: unexpected expression %T", e)
}

// compileEQLPatterns compiles the patterns of like, like~, ":" (wildcards,
// whole value) or regex, regex~ (whole value, Lucene-style anchoring).
func compileEQLPatterns(t *plan.Like) (func(string) bool, error) {
	if t.Regex {
		flags := "(?s)"
		if t.Fold {
			flags = "(?is)"
		}
		return anyRegex(t.Patterns, func(p string) (*regexp.Regexp, error) { return regexp.Compile(flags + anchored(p)) }, "regex")
	}
	ws := make([]*wildcard, len(t.Patterns))
	for i, p := range t.Patterns {
		ws[i] = compileWildcard(p, eqlLikeSyntax, t.Fold, false)
	}
	return func(s string) bool {
		for _, w := range ws {
			if w.match(s) {
				return true
			}
		}
		return false
	}, nil
}

func compileEQLBinary(t *plan.Binary, r Resolver) (Evaluator, error) {
	// field == null and field != null test for a value.
	for _, side := range [2][2]plan.Expr{{t.L, t.R}, {t.R, t.L}} {
		if lit, ok := side[1].(*plan.Literal); ok && lit.Value.IsNull() && (t.Op == "==" || t.Op == "!=") {
			x, err := Compile(side[0], plan.EQL, r)
			if err != nil {
				return nil, err
			}
			want := t.Op == "=="
			return func(ctx *Context, row Row) event.Value {
				return event.BoolValue(x(ctx, row).IsNull() == want)
			}, nil
		}
	}
	l, err := Compile(t.L, plan.EQL, r)
	if err != nil {
		return nil, err
	}
	rt, err := Compile(t.R, plan.EQL, r)
	if err != nil {
		return nil, err
	}
	if ev, ok := twoValued(t.Op, l, rt); ok {
		return ev, nil
	}
	switch t.Op {
	case "==", "=~":
		fold := t.Op == "=~"
		return func(ctx *Context, row Row) event.Value {
			return event.BoolValue(eqlEqual(l(ctx, row), rt(ctx, row), fold))
		}, nil
	case "!=":
		// A must_not of the term query: true when the field is missing.
		return func(ctx *Context, row Row) event.Value {
			return event.BoolValue(!eqlEqual(l(ctx, row), rt(ctx, row), false))
		}, nil
	case "<", "<=", ">", ">=":
		test := cmpTest(t.Op)
		return func(ctx *Context, row Row) event.Value {
			a, b := l(ctx, row), rt(ctx, row)
			for _, x := range a.Values() {
				for _, y := range b.Values() {
					if c, ok := eqlCmp(x, y); ok && test(c) {
						return event.BoolValue(true)
					}
				}
			}
			return event.BoolValue(false)
		}, nil
	case "+", "-", "*", "/", "%":
		op := t.Op
		return func(ctx *Context, row Row) event.Value {
			return eqlArith(op, l(ctx, row), rt(ctx, row))
		}, nil
	}
	return nil, fmt.Errorf("operator %s is not supported in eql", t.Op)
}

// eqlEqual reports whether any value of a equals any value of b: numbers
// numerically, everything else as text (case-insensitively with fold).
func eqlEqual(a, b event.Value, fold bool) bool {
	for _, x := range a.Values() {
		for _, y := range b.Values() {
			if fold {
				if strings.EqualFold(kqlText(x), kqlText(y)) {
					return true
				}
				continue
			}
			if c, ok := eqlCmp(x, y); ok && c == 0 {
				return true
			}
		}
	}
	return false
}

// eqlCmp orders two single values: numbers numerically (a numeric string
// meeting a number is read as one), other values by their text.
func eqlCmp(x, y event.Value) (int, bool) {
	if x.IsNull() || y.IsNull() {
		return 0, false
	}
	if isNumKind(x) || isNumKind(y) {
		nx, ok1 := looseNum(x)
		ny, ok2 := looseNum(y)
		if ok1 && ok2 {
			return cmpNum(nx, ny), true
		}
	}
	return strings.Compare(kqlText(x), kqlText(y)), true
}

func isNumKind(v event.Value) bool { k := v.Kind(); return k == event.Long || k == event.Double }

// eqlArith is EQL's arithmetic (add, subtract, multiply, divide, modulo
// and their operators): null when an operand is not a single number;
// integer division truncates, as Java's does.
func eqlArith(op string, a, b event.Value) event.Value {
	if !single(a) || !single(b) || !isNumKind(a) || !isNumKind(b) {
		return event.NullValue
	}
	x, _ := looseNum(a)
	y, _ := looseNum(b)
	if x.isInt && y.isInt {
		switch op {
		case "+":
			if n, ok := addInt(x.i, y.i); ok {
				return event.LongValue(n)
			}
		case "-":
			if n, ok := subInt(x.i, y.i); ok {
				return event.LongValue(n)
			}
		case "*":
			if n, ok := mulInt(x.i, y.i); ok {
				return event.LongValue(n)
			}
		case "/":
			if y.i == 0 {
				return event.NullValue
			}
			return event.LongValue(x.i / y.i)
		case "%":
			if y.i == 0 {
				return event.NullValue
			}
			return event.LongValue(x.i % y.i)
		}
		return event.NullValue
	}
	f, g := x.float(), y.float()
	var out float64
	switch op {
	case "+":
		out = f + g
	case "-":
		out = f - g
	case "*":
		out = f * g
	case "/":
		out = f / g
	case "%":
		out = math.Mod(f, g)
	}
	if math.IsNaN(out) || math.IsInf(out, 0) {
		return event.NullValue
	}
	return event.DoubleValue(out)
}
