package scalar

import (
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"strings"
	"time"
	"unsafe"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/timefmt"
)

// compileOperator compiles the operator expressions (Unary, Binary, In,
// Like, IsNull, SearchCmp, SearchTerm, Match) with the semantics of dialect d.
// ES|QL is strictly typed with three-valued logic; SPL and Sigma are
// loosely typed, two-valued, and match any value of a multi-valued field.
func compileOperator(e plan.Expr, d plan.Dialect, r Resolver) (Evaluator, error) {
	switch t := e.(type) {
	case *plan.SearchCmp:
		return compileSearchCmp(t, r)
	case *plan.SearchTerm:
		return compileSearchTerm(t), nil
	case *plan.Match:
		return compileMatch(t, r)
	case *plan.Unary, *plan.Binary, *plan.In, *plan.Like, *plan.IsNull:
	default:
		return nil, fmt.Errorf("cannot evaluate %s here", e)
	}
	switch d {
	case plan.ESQL:
		return compileESQLOp(e, r)
	case plan.EQL:
		return compileEQLOp(e, r)
	}
	return compileSPLOp(e, d, r)
}

// compileIsNull is shared by the dialects: IS NULL is never null.
func compileIsNull(t *plan.IsNull, d plan.Dialect, r Resolver) (Evaluator, error) {
	x, err := Compile(t.X, d, r)
	if err != nil {
		return nil, err
	}
	not := t.Not
	return func(ctx *Context, row Row) event.Value {
		return event.BoolValue(x(ctx, row).IsNull() != not)
	}, nil
}

// anyRegex compiles patterns with compile and matches a text when any of
// them does; what names the patterns in errors.
func anyRegex(patterns []string, compile func(string) (*regexp.Regexp, error), what string) (func(string) bool, error) {
	res := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		re, err := compile(p)
		if err != nil {
			return nil, fmt.Errorf("cannot compile %s %q: %w", what, p, err)
		}
		res[i] = re
	}
	return func(s string) bool {
		for _, re := range res {
			if re.MatchString(s) {
				return true
			}
		}
		return false
	}, nil
}

// compileLikeParts compiles a Like node's operand in dialect d and its
// patterns with the dialect's pattern compiler; what a match means for
// nulls and multi-values stays with each dialect.
func compileLikeParts(t *plan.Like, d plan.Dialect, r Resolver, patterns func(*plan.Like) (func(string) bool, error)) (Evaluator, func(string) bool, error) {
	x, err := Compile(t.X, d, r)
	if err != nil {
		return nil, nil, err
	}
	m, err := patterns(t)
	if err != nil {
		return nil, nil, err
	}
	return x, m, nil
}

// compileLikePatterns compiles the patterns of a Like node: wildcard
// patterns (* and ?) or whole-string regular expressions.
func compileLikePatterns(t *plan.Like) (func(string) bool, error) {
	if t.Regex {
		return anyRegex(t.Patterns, compileRLike, "RLIKE pattern")
	}
	var ws, rest []*wildcard // all the patterns; those not a substring
	var lits []string
	for _, p := range t.Patterns {
		w := compileWildcard(p, esqlLikeSyntax, false, false)
		ws = append(ws, w)
		if lit, ok := w.containsLiteral(); ok {
			lits = append(lits, lit)
		} else {
			rest = append(rest, w)
		}
	}
	var mc *multiContains
	if len(lits) >= minMultiContains {
		// Patterns that only ask for a substring are searched together.
		mc, ws = newMultiContains(lits), rest
	}
	return func(s string) bool {
		if mc != nil && mc.match(s) {
			return true
		}
		for _, w := range ws {
			if w.match(s) {
				return true
			}
		}
		return false
	}, nil
}

// minMultiContains is how many substring patterns it takes for one pass
// of the automaton to beat a vectorised search per pattern: on CloudTrail
// and Bedrock JSON text the searches win up to about eight.
const minMultiContains = 10

// mergeOrLikes rewrites x LIKE "a" OR x LIKE "b" OR ... as one LIKE with
// all the patterns, so that the text of x is read once (and its substring
// patterns searched together). OR is associative and commutative in
// three-valued logic, and every LIKE of the same x is null exactly when x
// is, so the result is the same. It reports false when there is nothing
// to merge.
func mergeOrLikes(t *plan.Binary) (plan.Expr, bool) {
	terms := plan.Terms(t, "OR")
	groups := map[string]*plan.Like{}
	var out []plan.Expr
	merged := false
	for _, e := range terms {
		l, ok := e.(*plan.Like)
		if !ok || l.Regex || l.Not {
			out = append(out, e)
			continue
		}
		key := l.X.String()
		if g, ok := groups[key]; ok {
			g.Patterns = append(g.Patterns, l.Patterns...)
			merged = true
			continue
		}
		g := &plan.Like{X: l.X, Patterns: append([]string(nil), l.Patterns...)}
		groups[key] = g
		out = append(out, g)
	}
	if !merged {
		return nil, false
	}
	e := out[0]
	for _, o := range out[1:] {
		e = &plan.Binary{Op: "OR", L: e, R: o}
	}
	return e, true
}

// compileRLike compiles an RLIKE pattern, a Lucene regular expression
// (see LuceneRegexp) that must match the whole string. A pattern that
// starts and ends with ".*" is searched for its middle instead, which
// costs a scan rather than a backtrack over the whole text.
func compileRLike(p string) (*regexp.Regexp, error) {
	expr, err := LuceneRegexp(p)
	if err != nil {
		return nil, err
	}
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, err
	}
	if re.Op == syntax.OpConcat && len(re.Sub) > 2 && anyRun(re.Sub[0]) && anyRun(re.Sub[len(re.Sub)-1]) {
		mid := &syntax.Regexp{Op: syntax.OpConcat, Flags: re.Flags, Sub: re.Sub[1 : len(re.Sub)-1]}
		return regexp.Compile(mid.String())
	}
	return regexp.Compile(anchored(expr))
}

// anyRun reports whether a parsed expression is ".*" matching newlines.
func anyRun(re *syntax.Regexp) bool {
	return re.Op == syntax.OpStar && len(re.Sub) == 1 && re.Sub[0].Op == syntax.OpAnyChar
}

// ---- ES|QL ----

func compileESQLOp(e plan.Expr, r Resolver) (Evaluator, error) {
	switch t := e.(type) {
	case *plan.Unary:
		x, err := Compile(t.X, plan.ESQL, r)
		if err != nil {
			return nil, err
		}
		switch t.Op {
		case "NOT":
			return func(ctx *Context, row Row) event.Value {
				b, ok := x(ctx, row).Bool()
				if !ok {
					return event.NullValue
				}
				return event.BoolValue(!b)
			}, nil
		case "-":
			return func(ctx *Context, row Row) event.Value { return negate(x(ctx, row)) }, nil
		}
		return nil, fmt.Errorf("unknown unary operator %q", t.Op)
	case *plan.Binary:
		return compileESQLBinary(t, r)
	case *plan.In:
		return compileESQLIn(t, r)
	case *plan.Like:
		x, m, err := compileLikeParts(t, plan.ESQL, r, compileLikePatterns)
		if err != nil {
			return nil, err
		}
		not := t.Not
		return func(ctx *Context, row Row) event.Value {
			s, ok := strOf(x(ctx, row))
			if !ok {
				return event.NullValue
			}
			return event.BoolValue(m(s) != not)
		}, nil
	case *plan.IsNull:
		return compileIsNull(t, plan.ESQL, r)
	}
	return nil, fmt.Errorf("BUG: unexpected expression %T", e)
}

func negate(v event.Value) event.Value {
	switch v.Kind() {
	case event.Long:
		n, _ := v.Long()
		if n == math.MinInt64 {
			return event.NullValue
		}
		return event.LongValue(-n)
	case event.Double:
		f, _ := v.Double()
		return event.DoubleValue(-f)
	}
	return event.NullValue
}

func compileESQLBinary(t *plan.Binary, r Resolver) (Evaluator, error) {
	if t.Op == "OR" {
		if e, ok := mergeOrLikes(t); ok {
			return Compile(e, plan.ESQL, r)
		}
	}
	if t.Op == "+" || t.Op == "-" {
		if ev, ok, err := compileSpanArith(t, plan.ESQL, r); ok || err != nil {
			return ev, err
		}
	}
	l, err := Compile(t.L, plan.ESQL, r)
	if err != nil {
		return nil, err
	}
	rt, err := Compile(t.R, plan.ESQL, r)
	if err != nil {
		return nil, err
	}
	switch t.Op {
	case "AND":
		return func(ctx *Context, row Row) event.Value {
			lb, lok := l(ctx, row).Bool()
			if lok && !lb {
				return event.BoolValue(false)
			}
			rb, rok := rt(ctx, row).Bool()
			if rok && !rb {
				return event.BoolValue(false)
			}
			if lok && rok {
				return event.BoolValue(true)
			}
			return event.NullValue
		}, nil
	case "OR":
		return func(ctx *Context, row Row) event.Value {
			lb, lok := l(ctx, row).Bool()
			if lok && lb {
				return event.BoolValue(true)
			}
			rb, rok := rt(ctx, row).Bool()
			if rok && rb {
				return event.BoolValue(true)
			}
			if lok && rok {
				return event.BoolValue(false)
			}
			return event.NullValue
		}, nil
	case "==", "!=", "<", "<=", ">", ">=":
		test := cmpTest(t.Op)
		return func(ctx *Context, row Row) event.Value {
			c, ok := esqlCompare(l(ctx, row), rt(ctx, row))
			if !ok {
				return event.NullValue
			}
			return event.BoolValue(test(c))
		}, nil
	case "=~":
		return func(ctx *Context, row Row) event.Value {
			a, b := l(ctx, row), rt(ctx, row)
			as, aok := strOf(a)
			bs, bok := strOf(b)
			if aok && bok {
				return event.BoolValue(strings.EqualFold(as, bs))
			}
			c, ok := esqlCompare(a, b)
			if !ok {
				return event.NullValue
			}
			return event.BoolValue(c == 0)
		}, nil
	case "+", "-", "*", "/", "%":
		op := t.Op
		return func(ctx *Context, row Row) event.Value {
			return esqlArith(op, l(ctx, row), rt(ctx, row))
		}, nil
	}
	return nil, fmt.Errorf("operator %s is not supported in ES|QL", t.Op)
}

func cmpTest(op string) func(int) bool {
	switch op {
	case "==", "=":
		return func(c int) bool { return c == 0 }
	case "!=":
		return func(c int) bool { return c != 0 }
	case "<":
		return func(c int) bool { return c < 0 }
	case "<=":
		return func(c int) bool { return c <= 0 }
	case ">":
		return func(c int) bool { return c > 0 }
	case ">=":
		return func(c int) bool { return c >= 0 }
	}
	panic("BUG: not a comparison: " + op)
}

// esqlCompare compares two single values of compatible types. A string
// meets a date-time or an IP by being parsed as one, as ES|QL casts string
// literals; anything else incompatible does not compare.
func esqlCompare(a, b event.Value) (int, bool) {
	if !single(a) || !single(b) {
		return 0, false
	}
	ak, bk := a.Kind(), b.Kind()
	switch {
	case ak == event.Time && bk == event.String:
		s, _ := b.Str()
		ns, err := timefmt.ParseISO(s)
		if err != nil {
			return 0, false
		}
		b = event.TimeNanos(ns)
	case ak == event.String && bk == event.Time:
		s, _ := a.Str()
		ns, err := timefmt.ParseISO(s)
		if err != nil {
			return 0, false
		}
		a = event.TimeNanos(ns)
	case (ak == event.IP) != (bk == event.IP) && (ak == event.String || bk == event.String):
		x, okx := a.Addr()
		y, oky := b.Addr()
		if okx && oky {
			return x.Compare(y), true
		}
		return 0, false
	}
	return event.Compare(a, b)
}

// esqlArith is ES|QL arithmetic: long op long stays long (integer
// division), overflow and division by zero give null, anything but two
// numbers gives null.
func esqlArith(op string, a, b event.Value) event.Value {
	if !single(a) || !single(b) {
		return event.NullValue
	}
	if v, ok := timeSpanArith(op, a, b); ok {
		return v
	}
	ai, aLong := a.Long()
	bi, bLong := b.Long()
	if aLong && bLong {
		var (
			c  int64
			ok = true
		)
		switch op {
		case "+":
			c, ok = addInt(ai, bi)
		case "-":
			c, ok = subInt(ai, bi)
		case "*":
			c, ok = mulInt(ai, bi)
		case "/":
			if bi == 0 || (ai == math.MinInt64 && bi == -1) {
				return event.NullValue
			}
			c = ai / bi
		case "%":
			if bi == 0 {
				return event.NullValue
			}
			if bi == -1 {
				c = 0
			} else {
				c = ai % bi
			}
		}
		if !ok {
			return event.NullValue
		}
		return event.LongValue(c)
	}
	x, okx := a.Number()
	y, oky := b.Number()
	if !okx || !oky {
		return event.NullValue
	}
	return floatArith(op, x, y)
}

// timeSpanArith computes date-time ± span where the span arrives as a
// value (SpanValue): a long of nanoseconds or "<n>mo". ok is false when
// the operands are not a date-time and a span.
func timeSpanArith(op string, a, b event.Value) (event.Value, bool) {
	if op != "+" && op != "-" {
		return event.NullValue, false
	}
	t, span := a, b
	if b.Kind() == event.Time {
		if op == "-" || a.Kind() == event.Time {
			return event.NullValue, a.Kind() == event.Time
		}
		t, span = b, a
	}
	ns, ok := t.Nanos()
	if !ok {
		return event.NullValue, false
	}
	sign := int64(1)
	if op == "-" {
		sign = -1
	}
	if d, isLong := span.Long(); isLong {
		return event.TimeNanos(ns + sign*d), true
	}
	if s, isStr := span.Str(); isStr && strings.HasSuffix(s, "mo") {
		months, _, err := timefmt.ParseSpan(s)
		if err != nil {
			return event.NullValue, true
		}
		return timeOrNull(timefmt.AddSpan(ns, int(sign)*months, 0)), true
	}
	return event.NullValue, true
}

func floatArith(op string, x, y float64) event.Value {
	var f float64
	switch op {
	case "+":
		f = x + y
	case "-":
		f = x - y
	case "*":
		f = x * y
	case "/":
		if y == 0 {
			return event.NullValue
		}
		f = x / y
	case "%":
		if y == 0 {
			return event.NullValue
		}
		f = math.Mod(x, y)
	}
	if math.IsInf(f, 0) {
		return event.NullValue
	}
	return event.DoubleValue(f)
}

// compileSpanArith compiles date-time ± span when one operand is a span
// literal (ok is false otherwise). The date-time may be a Time value or,
// in ES|QL, a string holding an ISO date; SPL also takes epoch seconds.
func compileSpanArith(t *plan.Binary, d plan.Dialect, r Resolver) (Evaluator, bool, error) {
	ls, lspan := t.L.(*plan.Span)
	rs, rspan := t.R.(*plan.Span)
	var span *plan.Span
	var other plan.Expr
	switch {
	case lspan && rspan:
		return nil, true, fmt.Errorf("cannot combine two time spans with %s", t.Op)
	case rspan:
		span, other = rs, t.L
	case lspan && t.Op == "+":
		span, other = ls, t.R
	case lspan:
		return nil, true, fmt.Errorf("cannot subtract a date from a time span")
	default:
		return nil, false, nil
	}
	x, err := Compile(other, d, r)
	if err != nil {
		return nil, true, err
	}
	sign := 1
	if t.Op == "-" {
		sign = -1
	}
	months, dur := span.Months*sign, span.D*time.Duration(sign)
	return func(ctx *Context, row Row) event.Value {
		v := x(ctx, row)
		var ns int64
		switch v.Kind() {
		case event.Time:
			ns, _ = v.Nanos()
		case event.String:
			s, _ := v.Str()
			var err error
			if ns, err = timefmt.ParseISO(s); err != nil {
				return event.NullValue
			}
		default:
			if d == plan.ESQL {
				return event.NullValue
			}
			n, ok := looseNum(v)
			if !ok || !single(v) {
				return event.NullValue
			}
			ns = int64(n.float() * 1e9)
		}
		return timeOrNull(timefmt.AddSpan(ns, months, dur))
	}, true, nil
}

func compileESQLIn(t *plan.In, r Resolver) (Evaluator, error) {
	x, err := Compile(t.X, plan.ESQL, r)
	if err != nil {
		return nil, err
	}
	list, err := compileArgs(t.List, plan.ESQL, r)
	if err != nil {
		return nil, err
	}
	not := t.Not
	return func(ctx *Context, row Row) event.Value {
		v := x(ctx, row)
		if !single(v) {
			return event.NullValue
		}
		sawNull := false
		for _, item := range list {
			c, ok := esqlCompare(v, item(ctx, row))
			if !ok {
				sawNull = true
				continue
			}
			if c == 0 {
				return event.BoolValue(!not)
			}
		}
		if sawNull {
			return event.NullValue
		}
		return event.BoolValue(not)
	}, nil
}

// ---- SPL and Sigma ----

func compileSPLOp(e plan.Expr, d plan.Dialect, r Resolver) (Evaluator, error) {
	switch t := e.(type) {
	case *plan.Unary:
		x, err := Compile(t.X, d, r)
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
				v := x(ctx, row)
				n, ok := looseNum(v)
				if !ok || !single(v) {
					return event.NullValue
				}
				if n.isInt && n.i != math.MinInt64 {
					return event.LongValue(-n.i)
				}
				return event.DoubleValue(-n.float())
			}, nil
		}
		return nil, fmt.Errorf("unknown unary operator %q", t.Op)
	case *plan.Binary:
		return compileSPLBinary(t, d, r)
	case *plan.In:
		x, err := Compile(t.X, d, r)
		if err != nil {
			return nil, err
		}
		list, err := compileArgs(t.List, d, r)
		if err != nil {
			return nil, err
		}
		not := t.Not
		return func(ctx *Context, row Row) event.Value {
			v := x(ctx, row)
			for _, item := range list {
				if splCompare(v, item(ctx, row), isEq) {
					return event.BoolValue(!not)
				}
			}
			return event.BoolValue(not)
		}, nil
	case *plan.Like:
		x, m, err := compileLikeParts(t, d, r, compileLikePatterns)
		if err != nil {
			return nil, err
		}
		not := t.Not
		return func(ctx *Context, row Row) event.Value {
			hit := false
			for _, e := range x(ctx, row).Values() {
				if m(splText(e)) {
					hit = true
					break
				}
			}
			return event.BoolValue(hit != not)
		}, nil
	case *plan.IsNull:
		return compileIsNull(t, d, r)
	}
	return nil, fmt.Errorf("BUG: unexpected expression %T", e)
}

func isEq(c int) bool { return c == 0 }

// twoValued compiles AND and OR with two-valued logic, where null is
// false (SPL, Sigma, EQL): ok is false for other operators.
func twoValued(op string, l, r Evaluator) (ev Evaluator, ok bool) {
	switch op {
	case "AND":
		return func(ctx *Context, row Row) event.Value {
			return event.BoolValue(Truth(l(ctx, row)) && Truth(r(ctx, row)))
		}, true
	case "OR":
		return func(ctx *Context, row Row) event.Value {
			return event.BoolValue(Truth(l(ctx, row)) || Truth(r(ctx, row)))
		}, true
	}
	return nil, false
}

func compileSPLBinary(t *plan.Binary, d plan.Dialect, r Resolver) (Evaluator, error) {
	if t.Op == "+" || t.Op == "-" {
		if ev, ok, err := compileSpanArith(t, d, r); ok || err != nil {
			return ev, err
		}
	}
	l, err := Compile(t.L, d, r)
	if err != nil {
		return nil, err
	}
	rt, err := Compile(t.R, d, r)
	if err != nil {
		return nil, err
	}
	if ev, ok := twoValued(t.Op, l, rt); ok {
		return ev, nil
	}
	switch t.Op {
	case "XOR":
		return func(ctx *Context, row Row) event.Value {
			return event.BoolValue(Truth(l(ctx, row)) != Truth(rt(ctx, row)))
		}, nil
	case "=", "==", "!=", "<", "<=", ">", ">=":
		test := cmpTest(t.Op)
		return func(ctx *Context, row Row) event.Value {
			return event.BoolValue(splCompare(l(ctx, row), rt(ctx, row), test))
		}, nil
	case "=~":
		return func(ctx *Context, row Row) event.Value {
			a, b := l(ctx, row), rt(ctx, row)
			for _, x := range a.Values() {
				for _, y := range b.Values() {
					if strings.EqualFold(splText(x), splText(y)) {
						return event.BoolValue(true)
					}
				}
			}
			return event.BoolValue(false)
		}, nil
	case ".":
		return func(ctx *Context, row Row) event.Value {
			a, b := l(ctx, row), rt(ctx, row)
			if !single(a) || !single(b) {
				return event.NullValue
			}
			return event.StringValue(splText(a) + splText(b))
		}, nil
	case "+", "-", "*", "/", "%":
		op := t.Op
		return func(ctx *Context, row Row) event.Value {
			return splArith(op, l(ctx, row), rt(ctx, row))
		}, nil
	}
	return nil, fmt.Errorf("operator %s is not supported in %s", t.Op, d)
}

// splCompare reports whether any value of a and any value of b satisfy
// the comparison: numerically when both read as numbers, else as text
// (case-sensitive). A null side never compares.
func splCompare(a, b event.Value, test func(int) bool) bool {
	for _, x := range a.Values() {
		for _, y := range b.Values() {
			if test(splCmp1(x, y)) {
				return true
			}
		}
	}
	return false
}

func splCmp1(x, y event.Value) int {
	if nx, ok := looseNum(x); ok {
		if ny, ok := looseNum(y); ok {
			return cmpNum(nx, ny)
		}
	}
	return strings.Compare(splText(x), splText(y))
}

func cmpNum(a, b num) int {
	if a.isInt && b.isInt {
		switch {
		case a.i < b.i:
			return -1
		case a.i > b.i:
			return 1
		}
		return 0
	}
	x, y := a.float(), b.float()
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// splArith is SPL arithmetic: numbers (and numeric strings) compute,
// integers stay integers while exact; "+" on two non-numeric strings
// concatenates; a date-time plus or minus a number of seconds stays a
// date-time; anything else is null.
func splArith(op string, a, b event.Value) event.Value {
	if !single(a) || !single(b) {
		return event.NullValue
	}
	na, aok := looseNum(a)
	nb, bok := looseNum(b)
	if !aok || !bok {
		if op == "+" && a.Kind() == event.String && b.Kind() == event.String {
			as, _ := a.Str()
			bs, _ := b.Str()
			return event.StringValue(as + bs)
		}
		return event.NullValue
	}
	at, bt := a.Kind() == event.Time, b.Kind() == event.Time
	switch {
	case at && !bt && (op == "+" || op == "-"):
		ns, _ := a.Nanos()
		d := nb.float() * 1e9
		if op == "-" {
			d = -d
		}
		return event.TimeNanos(ns + int64(d))
	case bt && !at && op == "+":
		ns, _ := b.Nanos()
		return event.TimeNanos(ns + int64(na.float()*1e9))
	case at && bt && op == "-":
		x, _ := a.Nanos()
		y, _ := b.Nanos()
		if (x-y)%1e9 == 0 {
			return event.LongValue((x - y) / 1e9)
		}
		return event.DoubleValue(float64(x-y) / 1e9)
	}
	return numArith(op, na, nb)
}

func numArith(op string, a, b num) event.Value {
	if a.isInt && b.isInt {
		var (
			c  int64
			ok bool
		)
		switch op {
		case "+":
			c, ok = addInt(a.i, b.i)
		case "-":
			c, ok = subInt(a.i, b.i)
		case "*":
			c, ok = mulInt(a.i, b.i)
		case "/":
			if b.i == 0 {
				return event.NullValue
			}
			if b.i != -1 && a.i%b.i == 0 {
				c, ok = a.i/b.i, true
			}
		case "%":
			if b.i == 0 {
				return event.NullValue
			}
			if b.i == -1 {
				c, ok = 0, true
			} else {
				c, ok = a.i%b.i, true
			}
		}
		if ok {
			return event.LongValue(c)
		}
	}
	return floatArith(op, a.float(), b.float())
}

// ---- SPL base search ----

// compileSearchCmp compiles field OP value of an SPL search: text match
// ignoring case with * wildcards; numeric when both sides are numbers.
func compileSearchCmp(t *plan.SearchCmp, r Resolver) (Evaluator, error) {
	slot := r(t.Field)
	switch t.Op {
	case "=", "!=":
		if t.Op == "=" && t.Value == "*" {
			return func(_ *Context, row Row) event.Value {
				return event.BoolValue(!row.Get(slot).IsNull())
			}, nil
		}
		w := compileWildcard(t.Value, searchSyntax, true, false)
		numVal, isNum := num{}, false
		if w.plain {
			numVal, isNum = parseNum(t.Value)
		}
		matchOne := func(v event.Value) bool {
			if isNum {
				if n, ok := looseNum(v); ok && cmpNum(n, numVal) == 0 {
					return true
				}
			}
			if s, ok := v.Str(); ok {
				return w.match(s)
			}
			return w.match(splText(v))
		}
		neq := t.Op == "!="
		return func(_ *Context, row Row) event.Value {
			v := row.Get(slot)
			if v.IsNull() {
				return event.BoolValue(false)
			}
			for _, e := range v.Values() {
				if matchOne(e) {
					return event.BoolValue(!neq)
				}
			}
			return event.BoolValue(neq)
		}, nil
	case "<", "<=", ">", ">=":
		test := cmpTest(t.Op)
		lit := event.StringValue(t.Value)
		return func(_ *Context, row Row) event.Value {
			return event.BoolValue(splCompare(row.Get(slot), lit, test))
		}, nil
	}
	return nil, fmt.Errorf("unknown search comparison %q", t.Op)
}

// compileSearchTerm compiles a bare search term: found anywhere in the
// raw event text, ignoring case, * matching any run of characters.
func compileSearchTerm(t *plan.SearchTerm) Evaluator {
	w := compileWildcard(t.Term, searchSyntax, true, true)
	return func(_ *Context, row Row) event.Value {
		raw := row.Raw()
		if raw == nil {
			return event.BoolValue(false)
		}
		return event.BoolValue(w.match(bytesView(raw)))
	}
}

// bytesView reads b as a string without copying; the string must not
// outlive b nor be kept.
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
