package clickhouse

import (
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// call compiles a scalar function of the query's dialect.
func (c *exprCompiler) call(t *plan.Call) (sx, error) {
	name := t.Name
	if name == "mvindex" && c.d != plan.ESQL {
		return c.mvindex(t)
	}
	args := make([]sx, len(t.Args))
	for i, a := range t.Args {
		x, err := c.expr(a)
		if err != nil {
			return sx{}, err
		}
		args[i] = x
	}
	spl := c.d != plan.ESQL
	switch {
	case name == "null" && len(args) == 0:
		return sqlNull, nil
	case name == "true" && len(args) == 0:
		return sx{s: "toUInt8(1)", k: KindBool}, nil
	case name == "false" && len(args) == 0:
		return sx{s: "toUInt8(0)", k: KindBool}, nil
	case (name == "isnull" || name == "isnotnull") && spl && len(args) == 1:
		return c.expr(&plan.IsNull{X: t.Args[0], Not: name == "isnotnull"})
	case name == "coalesce":
		return c.coalesce(args)
	case name == "if" && spl && len(args) == 3:
		cond, err := c.boolean(args[0], "if")
		if err != nil {
			return sx{}, err
		}
		return c.branches([]string{truth(cond)}, args[1:])
	case name == "case":
		// ES|QL: case(c1, v1, ..., [else]); SPL: case(c1, v1, ...) with
		// no else (true() as the last condition makes one).
		var conds []string
		var vals []sx
		for i := 0; i+1 < len(args); i += 2 {
			cond, err := c.boolean(args[i], "case")
			if err != nil {
				return sx{}, err
			}
			conds = append(conds, truth(cond))
			vals = append(vals, args[i+1])
		}
		if len(args)%2 == 1 {
			if spl {
				return sx{}, unsupported("case with an odd number of arguments")
			}
			vals = append(vals, args[len(args)-1])
		} else {
			vals = append(vals, sqlNull)
		}
		return c.branches(conds, vals)
	case name == "in" && spl && len(t.Args) >= 1:
		return c.in(t.Args[0], t.Args[1:], false, false)
	case (name == "to_lower" || name == "to_upper" || name == "lower" || name == "upper") && len(args) == 1:
		if spl != (name == "lower" || name == "upper") {
			break
		}
		x := c.scalar(args[0])
		if x.k == kindNull {
			return sqlNull, nil
		}
		if !x.text() {
			return sx{}, unsupported("%s of a %s value", name, x.k)
		}
		fn := "lowerUTF8"
		if strings.HasSuffix(name, "upper") {
			fn = "upperUTF8"
		}
		return sx{s: fn + "(" + x.s + ")", k: KindString, null: x.null}, nil
	case name == "to_double" && !spl && len(args) == 1:
		x := c.scalar(args[0])
		if x.numeric() {
			return sx{s: "toFloat64(" + x.s + ")", k: KindDouble, null: x.null}, nil
		}
	case name == "round" && len(args) >= 1 && len(args) <= 2:
		x := c.scalar(args[0])
		if x.k == kindNull {
			return sqlNull, nil
		}
		if x.k == KindLong && len(args) == 1 {
			return x, nil
		}
		if x.k != KindDouble {
			break
		}
		digits := "0"
		if len(args) == 2 {
			lit, ok := t.Args[1].(*plan.Literal)
			n, isLong := lit.Value.Long()
			if !ok || !isLong || n < 0 {
				return sx{}, unsupported("round with digits other than a non-negative constant")
			}
			digits = strconv.FormatInt(n, 10)
		}
		// Half away from zero, as Elasticsearch and Splunk round: not
		// ClickHouse's round, which may round half to even.
		return sx{s: "(if(" + x.s + " < 0, -1, 1) * floor(abs(" + x.s + ") * pow(10, " + digits + ") + 0.5) / pow(10, " + digits + "))", k: KindDouble, null: x.null}, nil
	case name == "substring" && !spl && len(args) >= 2 && len(args) <= 3:
		x := c.scalar(args[0])
		if !x.text() {
			break
		}
		start, ok := constLong(t.Args[1])
		if !ok || start < 1 {
			return sx{}, unsupported("substring from other than a positive constant")
		}
		s := "substringUTF8(" + x.s + ", " + strconv.FormatInt(start, 10)
		if len(args) == 3 {
			n, ok := constLong(t.Args[2])
			if !ok || n < 0 {
				return sx{}, unsupported("substring of other than a constant length")
			}
			s += ", " + strconv.FormatInt(n, 10)
		}
		return sx{s: s + ")", k: KindString, null: x.null}, nil
	case (name == "mv_count" && !spl || name == "mvcount" && spl) && len(args) == 1:
		x := args[0]
		switch {
		case x.k == KindStrings:
			return sx{s: "if(empty(" + x.s + "), NULL, toInt64(length(" + x.s + ")))", k: KindLong, null: true}, nil
		case x.k == kindNull:
			return sqlNull, nil
		}
		return sx{s: "if(" + isNullSQL(x) + ", NULL, toInt64(1))", k: KindLong, null: true}, nil
	case name == "like" && spl && len(args) == 2:
		p, ok := constString(t.Args[1])
		if !ok || strings.Contains(p, `\`) {
			return sx{}, unsupported("like with other than a constant pattern without backslashes")
		}
		return c.anyText(args[0], func(v string) string { return v + " LIKE " + quoteString(p) })
	case name == "match" && spl && len(args) == 2:
		p, ok := constString(t.Args[1])
		if !ok {
			return sx{}, unsupported("match with other than a constant regular expression")
		}
		return c.anyText(args[0], func(v string) string { return "match(" + v + ", " + quoteString(p) + ")" })
	case name == "replace" && spl && len(args) == 3:
		x := args[0]
		re, ok1 := constString(t.Args[1])
		repl, ok2 := constString(t.Args[2])
		if !ok1 || !ok2 || !x.text() {
			break
		}
		return sx{s: "if(" + isNullSQL(x) + ", NULL, replaceRegexpAll(assumeNotNull(" + x.s + "), " + quoteString(re) + ", " + quoteString(repl) + "))", k: KindString, null: true}, nil
	case name == "strftime" && spl && len(args) == 2:
		f, ok := constString(t.Args[1])
		x := args[0]
		if !ok || (x.k != KindTime && x.k != KindEpoch) || !plainStrftime(f) {
			break
		}
		return sx{s: "if(" + isNullSQL(x) + ", NULL, formatDateTime(toDateTime(intDiv(assumeNotNull(" + x.s + "), 1000000000), 'UTC'), " + quoteString(f) + "))", k: KindString, null: true}, nil
	}
	return sx{}, unsupported("%s function %s/%d", c.d, name, len(args))
}

// anyText is an SPL test that holds when any value of x passes it.
func (c *exprCompiler) anyText(x sx, test func(v string) string) (sx, error) {
	switch {
	case x.k == kindNull:
		return sx{s: "0", k: KindBool}, nil
	case x.k == KindStrings:
		return sx{s: "arrayExists(v_ -> " + test("v_") + ", " + x.s + ")", k: KindBool}, nil
	case x.text():
		return sx{s: "ifNull(" + test(x.s) + ", 0)", k: KindBool}, nil
	}
	return sx{}, unsupported("a text test on a %s value", x.k)
}

// coalesce is the first non-null argument.
func (c *exprCompiler) coalesce(args []sx) (sx, error) {
	var parts []string
	k, null := kindNull, true
	for _, a := range args {
		a = c.scalar(a)
		if a.k == kindNull {
			continue
		}
		if k != kindNull && a.k != k && !(a.text() && (k == KindString || k == KindIP)) {
			return sx{}, unsupported("coalesce of %s and %s", k, a.k)
		}
		if k == kindNull {
			k = a.k
		}
		parts = append(parts, a.s)
		if !a.null {
			null = false
			break
		}
	}
	switch len(parts) {
	case 0:
		return sqlNull, nil
	case 1:
		return sx{s: parts[0], k: k, null: null}, nil
	}
	return sx{s: "coalesce(" + strings.Join(parts, ", ") + ")", k: k, null: null}, nil
}

// branches is multiIf over conditions (already two-valued) and values,
// the last of which is the else.
func (c *exprCompiler) branches(conds []string, vals []sx) (sx, error) {
	multi := false
	for _, v := range vals {
		multi = multi || v.k == KindStrings
	}
	if multi {
		// A multi-valued branch stays multi-valued (ES|QL's case passes
		// it through): every branch becomes an array.
		var b strings.Builder
		b.WriteString("multiIf(")
		for i, v := range vals {
			var a string
			switch {
			case v.k == KindStrings:
				a = v.s
			case v.k == kindNull:
				a = "emptyArrayString()"
			case v.text():
				a = "if(" + isNullSQL(v) + ", emptyArrayString(), [assumeNotNull(" + v.s + ")])"
			default:
				return sx{}, unsupported("branches of strings and %s", v.k)
			}
			if i < len(conds) {
				b.WriteString(conds[i] + ", ")
			}
			b.WriteString(a)
			if i < len(conds) {
				b.WriteString(", ")
			}
		}
		b.WriteString(")")
		return sx{s: b.String(), k: KindStrings}, nil
	}
	k, null := kindNull, false
	for i, v := range vals {
		v = c.scalar(v)
		vals[i] = v
		if v.k == kindNull {
			null = true
			continue
		}
		if k != kindNull && v.k != k && !(v.text() && (k == KindString || k == KindIP)) {
			if v.numeric() && (k == KindLong || k == KindDouble) {
				return sx{}, unsupported("branches of %s and %s", k, v.k)
			}
			return sx{}, unsupported("branches of %s and %s", k, v.k)
		}
		if k == kindNull {
			k = v.k
		}
		null = null || v.null
	}
	if k == kindNull {
		return sqlNull, nil
	}
	var b strings.Builder
	b.WriteString("multiIf(")
	for i, cond := range conds {
		b.WriteString(cond)
		b.WriteString(", ")
		b.WriteString(nullableIf(vals[i], null))
		b.WriteString(", ")
	}
	b.WriteString(nullableIf(vals[len(vals)-1], null))
	b.WriteString(")")
	return sx{s: b.String(), k: k, null: null}, nil
}

// nullableIf makes a branch Nullable when another branch may be NULL, so
// that ClickHouse 18.16 finds a common type.
func nullableIf(v sx, null bool) string {
	if !null || v.null {
		return v.s
	}
	return "toNullable(" + v.s + ")"
}

func constLong(e plan.Expr) (int64, bool) {
	l, ok := e.(*plan.Literal)
	if !ok {
		return 0, false
	}
	return l.Value.Long()
}

func constString(e plan.Expr) (string, bool) {
	l, ok := e.(*plan.Literal)
	if !ok || l.Value.Kind() != event.String {
		return "", false
	}
	return l.Value.Str()
}

// plainStrftime reports a format of %Y %m %d %H %M %S and other text,
// which formatDateTime renders as strftime does.
func plainStrftime(f string) bool {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		if i+1 >= len(f) || !strings.ContainsRune("YmdHMS%", rune(f[i+1])) {
			return false
		}
		i++
	}
	return true
}

// mvindex is mvindex(split(x, sep), i): the i-th part, null past the end.
func (c *exprCompiler) mvindex(t *plan.Call) (sx, error) {
	refuse := unsupported("spl function mvindex other than mvindex(split(text, constant), non-negative constant)")
	if len(t.Args) != 2 {
		return sx{}, refuse
	}
	inner, ok := t.Args[0].(*plan.Call)
	i, okI := constLong(t.Args[1])
	if !ok || inner.Name != "split" || len(inner.Args) != 2 || !okI || i < 0 {
		return sx{}, refuse
	}
	sep, okS := constString(inner.Args[1])
	x, err := c.expr(inner.Args[0])
	if err != nil {
		return sx{}, err
	}
	if x.k == kindNull {
		return sqlNull, nil
	}
	if !okS || sep == "" || !x.text() {
		return sx{}, refuse
	}
	parts := "splitByString(" + quoteString(sep) + ", assumeNotNull(" + x.s + "))"
	n := strconv.FormatInt(i+1, 10)
	return sx{s: "if(" + isNullSQL(x) + " OR length(" + parts + ") < " + n + ", NULL, " + parts + "[" + n + "])", k: KindString, null: true}, nil
}
