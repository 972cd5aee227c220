package clickhouse

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// kindNull is the kind of an untyped NULL: the null literal.
const kindNull Kind = 0

// sx is a compiled SQL expression: its text, the kind of its values, and
// whether it may be NULL. A KindStrings expression is an array, empty for
// null, and never NULL.
type sx struct {
	s    string
	k    Kind
	null bool
	tri  bool // a condition in tri's encoding (see exprCompiler.tri)
}

var sqlNull = sx{s: "NULL", k: kindNull, null: true}

func (x sx) numeric() bool { return x.k == KindLong || x.k == KindDouble }
func (x sx) text() bool    { return x.k == KindString || x.k == KindIP }

// exprCompiler compiles scalar expressions of one dialect against a scope.
type exprCompiler struct {
	d     plan.Dialect
	scope *scope
}

// unsupported is the error for what the compiler cannot express.
func unsupported(format string, args ...any) error {
	return fmt.Errorf(format+" cannot run on ClickHouse yet", args...)
}

func (c *exprCompiler) expr(e plan.Expr) (sx, error) {
	switch t := e.(type) {
	case *plan.Field:
		return c.scope.get(t.Name), nil
	case *plan.Literal:
		return literal(t.Value)
	case *plan.IsNull:
		x, err := c.expr(t.X)
		if err != nil {
			return sx{}, err
		}
		var s string
		switch {
		case x.k == KindStrings:
			s = "empty(" + x.s + ")"
		case x.k == kindNull:
			s = "1"
		case !x.null:
			s = "0"
		default:
			s = "isNull(" + x.s + ")"
		}
		if t.Not {
			s = "NOT " + s
		}
		return sx{s: "(" + s + ")", k: KindBool}, nil
	case *plan.Unary:
		x, err := c.expr(t.X)
		if err != nil {
			return sx{}, err
		}
		if t.Op == "NOT" {
			b, err := c.boolean(x, "NOT")
			if err != nil {
				return sx{}, err
			}
			if c.d == plan.ESQL {
				return sx{s: "(NOT " + b.s + ")", k: KindBool, null: b.null}, nil // NOT NULL is NULL in ClickHouse too
			}
			return sx{s: "(NOT " + truth(b) + ")", k: KindBool}, nil
		}
		x = c.scalar(x)
		if t.Op == "-" && x.numeric() {
			return sx{s: "(-" + x.s + ")", k: x.k, null: x.null}, nil
		}
		return sx{}, unsupported("unary %s on %s", t.Op, x.k)
	case *plan.Binary:
		return c.binary(t)
	case *plan.In:
		return c.in(t.X, t.List, t.Not, t.Fold)
	case *plan.Like:
		return c.like(t)
	case *plan.SearchCmp:
		return c.searchCmp(t)
	case *plan.Call:
		return c.call(t)
	}
	return sx{}, unsupported("expression %s", e)
}

// literal compiles a constant.
func literal(v event.Value) (sx, error) {
	switch v.Kind() {
	case event.Null:
		return sqlNull, nil
	case event.String:
		s, _ := v.Str()
		return sx{s: quoteString(s), k: KindString}, nil
	case event.IP:
		s, _ := v.Str()
		return sx{s: quoteString(s), k: KindIP}, nil
	case event.Long:
		n, _ := v.Long()
		return sx{s: "toInt64(" + strconv.FormatInt(n, 10) + ")", k: KindLong}, nil
	case event.Double:
		f, _ := v.Double()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return sx{}, unsupported("the literal %v", f)
		}
		return sx{s: "toFloat64(" + strconv.FormatFloat(f, 'g', -1, 64) + ")", k: KindDouble}, nil
	case event.Bool:
		b, _ := v.Bool()
		if b {
			return sx{s: "toUInt8(1)", k: KindBool}, nil
		}
		return sx{s: "toUInt8(0)", k: KindBool}, nil
	case event.Time:
		ns, _ := v.Nanos()
		return sx{s: "toInt64(" + strconv.FormatInt(ns, 10) + ")", k: KindTime}, nil
	}
	return sx{}, unsupported("the literal %s", v)
}

// scalar reads an expression as one value: in ES|QL a multi-valued field
// is null where a single value is needed (Elasticsearch warns); in SPL
// the callers that take any value handle arrays before calling scalar.
func (c *exprCompiler) scalar(x sx) sx {
	if x.k != KindStrings {
		return x
	}
	return sx{s: "if(length(" + x.s + ") = 1, " + x.s + "[1], NULL)", k: KindString, null: true}
}

// tri compiles an ES|QL condition made of AND, OR and NOT in a
// three-valued encoding that ClickHouse computes without NULL: 0 false,
// 1 null, 2 true; AND is least, OR greatest, NOT 2 - x. Each operand is
// written once, so nested conditions do not grow exponentially, as
// spelling out three-valued AND with if() would. A condition with no
// nullable part comes back plain (null false).
func (c *exprCompiler) tri(e plan.Expr) (sx, error) {
	switch t := e.(type) {
	case *plan.Binary:
		if t.Op == "AND" || t.Op == "OR" {
			l, err := c.tri(t.L)
			if err != nil {
				return sx{}, err
			}
			r, err := c.tri(t.R)
			if err != nil {
				return sx{}, err
			}
			if !l.null && !r.null {
				return sx{s: "(" + l.s + " " + t.Op + " " + r.s + ")", k: KindBool}, nil
			}
			fn := "least"
			if t.Op == "OR" {
				fn = "greatest"
			}
			return sx{s: fn + "(" + encodeTri(l) + ", " + encodeTri(r) + ")", k: KindBool, null: true, tri: true}, nil
		}
	case *plan.Unary:
		if t.Op == "NOT" {
			x, err := c.tri(t.X)
			if err != nil {
				return sx{}, err
			}
			if !x.null {
				return sx{s: "(NOT " + x.s + ")", k: KindBool}, nil
			}
			return sx{s: "(2 - " + encodeTri(x) + ")", k: KindBool, null: true, tri: true}, nil
		}
	}
	x, err := c.expr(e)
	if err != nil {
		return sx{}, err
	}
	return c.boolean(x, "a condition")
}

// encodeTri writes a condition in tri's encoding.
func encodeTri(x sx) string {
	switch {
	case x.tri:
		return x.s
	case !x.null:
		return "(" + x.s + " * 2)"
	}
	return "ifNull(" + x.s + " * 2, 1)"
}

// decodeTri turns tri's encoding back into a Nullable(UInt8).
func decodeTri(x sx) sx {
	if !x.tri {
		return x
	}
	return sx{s: "arrayElement([toNullable(toUInt8(0)), NULL, toNullable(toUInt8(1))], " + x.s + " + 1)", k: KindBool, null: true}
}

// boolean checks that x is a condition.
func (c *exprCompiler) boolean(x sx, what string) (sx, error) {
	switch x.k {
	case KindBool:
		return x, nil
	case kindNull:
		return sx{s: "CAST(NULL AS Nullable(UInt8))", k: KindBool, null: true}, nil
	}
	return sx{}, unsupported("%s of a %s value", what, x.k)
}

// truth is a condition with null read as false (SPL, and WHERE).
func truth(b sx) string {
	if !b.null {
		return b.s
	}
	return "ifNull(" + b.s + ", 0)"
}

func (c *exprCompiler) binary(t *plan.Binary) (sx, error) {
	if c.d == plan.ESQL && (t.Op == "AND" || t.Op == "OR") {
		x, err := c.tri(t)
		if err != nil {
			return sx{}, err
		}
		if !x.null {
			return x, nil
		}
		return decodeTri(x), nil
	}
	l, err := c.expr(t.L)
	if err != nil {
		return sx{}, err
	}
	r, err := c.expr(t.R)
	if err != nil {
		return sx{}, err
	}
	switch t.Op {
	case "AND", "OR":
		lb, err := c.boolean(l, t.Op)
		if err != nil {
			return sx{}, err
		}
		rb, err := c.boolean(r, t.Op)
		if err != nil {
			return sx{}, err
		}
		if c.d != plan.ESQL || (!lb.null && !rb.null) {
			// SPL is two-valued: null is false.
			return sx{s: "(" + truth(lb) + " " + t.Op + " " + truth(rb) + ")", k: KindBool}, nil
		}
		// ES|QL is three-valued, which ClickHouse 18.16's AND and OR are
		// not (NULL AND 0 is NULL there): see tri.
		return sx{}, fmt.Errorf("BUG: ES|QL %s not compiled by tri", t.Op)
	case "==", "=", "!=", "<", "<=", ">", ">=":
		if c.d == plan.ESQL {
			return c.esqlCompare(t.Op, l, r)
		}
		return c.splCompare(t.Op, l, r)
	case "+", "-", "*", "/", "%":
		return c.arith(t.Op, l, r)
	case ".":
		if c.d == plan.ESQL {
			break
		}
		parts := make([]string, 2)
		for i, x := range []sx{l, r} {
			switch {
			case x.k == kindNull:
				return sqlNull, nil
			case x.text():
				parts[i] = x.s
			case x.k == KindLong:
				parts[i] = "toString(" + x.s + ")"
			default:
				return sx{}, unsupported("\".\" on a %s value", x.k)
			}
		}
		return sx{s: fmt.Sprintf("if(%s OR %s, NULL, concat(assumeNotNull(%s), assumeNotNull(%s)))", isNullSQL(l), isNullSQL(r), parts[0], parts[1]), k: KindString, null: true}, nil
	}
	return sx{}, unsupported("operator %s", t.Op)
}

func isNullSQL(x sx) string {
	if !x.null {
		return "0"
	}
	return "isNull(" + x.s + ")"
}

func sqlOp(op string) string {
	if op == "==" {
		return "="
	}
	return op
}

// esqlCompare is ES|QL's comparison: null when either side is null or
// multi-valued; strings compare case-sensitively; a string literal meets a
// date-time by being parsed as one.
func (c *exprCompiler) esqlCompare(op string, l, r sx) (sx, error) {
	l, r = c.scalar(l), c.scalar(r)
	if l.k == kindNull || r.k == kindNull {
		return sx{s: "CAST(NULL AS Nullable(UInt8))", k: KindBool, null: true}, nil
	}
	var err error
	if l, r, err = timeLiteral(l, r); err != nil {
		return sx{}, err
	}
	ok := l.text() && r.text() || l.numeric() && r.numeric() || l.k == r.k && (l.k == KindTime || l.k == KindBool)
	if !ok {
		return sx{}, unsupported("comparing %s with %s", l.k, r.k)
	}
	return sx{s: "(" + l.s + " " + sqlOp(op) + " " + r.s + ")", k: KindBool, null: l.null || r.null}, nil
}

// timeLiteral turns a string literal compared with a date-time into one.
func timeLiteral(l, r sx) (sx, sx, error) {
	conv := func(x sx) (sx, error) {
		s, err := strconv.Unquote(`"` + strings.Trim(x.s, "'") + `"`)
		if err != nil {
			return sx{}, unsupported("the date-time literal %s", x.s)
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return sx{}, unsupported("the date-time literal %s", x.s)
		}
		return sx{s: "toInt64(" + strconv.FormatInt(t.UnixNano(), 10) + ")", k: KindTime}, nil
	}
	var err error
	switch {
	case l.k == KindTime && r.k == KindString && strings.HasPrefix(r.s, "'"):
		r, err = conv(r)
	case r.k == KindTime && l.k == KindString && strings.HasPrefix(l.s, "'"):
		l, err = conv(l)
	}
	return l, r, err
}

// splCompare is SPL's comparison: true when any value of one side and
// any value of the other compare, as numbers when both read as numbers,
// else as text (case-sensitive); a null side never compares.
func (c *exprCompiler) splCompare(op string, l, r sx) (sx, error) {
	if l.k == kindNull || r.k == kindNull {
		return sx{s: "0", k: KindBool}, nil
	}
	if l.k == KindStrings && r.k == KindStrings {
		return sx{}, unsupported("comparing two multi-valued fields")
	}
	if l.k == KindStrings || r.k == KindStrings {
		arr, other, flip := l, r, false
		if r.k == KindStrings {
			arr, other, flip = r, l, true
		}
		v := sx{s: "v_", k: KindString}
		a, b := v, other
		if flip {
			a, b = other, v
		}
		one, err := c.splCompare1(op, a, b)
		if err != nil {
			return sx{}, err
		}
		return sx{s: "arrayExists(v_ -> " + one + ", " + arr.s + ")", k: KindBool}, nil
	}
	s, err := c.splCompare1(op, l, r)
	return sx{s: s, k: KindBool}, err
}

func (c *exprCompiler) splCompare1(op string, l, r sx) (string, error) {
	o := sqlOp(op)
	switch {
	case l.numeric() && r.numeric():
		return "ifNull(" + l.s + " " + o + " " + r.s + ", 0)", nil
	case l.k == KindTime && r.k == KindTime:
		return "ifNull(" + l.s + " " + o + " " + r.s + ", 0)", nil
	case l.text() && r.text():
		if isTextLiteral(l) || isTextLiteral(r) {
			// One side cannot be a number: compare as text.
			return "ifNull(" + l.s + " " + o + " " + r.s + ", 0)", nil
		}
		ln, rn := "toFloat64OrNull(assumeNotNull("+l.s+"))", "toFloat64OrNull(assumeNotNull("+r.s+"))"
		return fmt.Sprintf("ifNull(if(isNotNull(%[1]s) AND isNotNull(%[2]s), %[1]s %[5]s %[2]s, %[3]s %[5]s %[4]s), 0)", ln, rn, l.s, r.s, o), nil
	case l.text() && r.numeric() || l.numeric() && r.text():
		txt, num := l, r
		if l.numeric() {
			txt, num = r, l
		}
		n := "toFloat64OrNull(assumeNotNull(" + txt.s + "))"
		a, b := n, "toFloat64("+num.s+")"
		if l.numeric() {
			a, b = b, a
		}
		// A text that is no number compares as text with the number's text.
		return fmt.Sprintf("ifNull(if(isNotNull(%[1]s), %[2]s %[4]s %[3]s, 0), 0)", n, a, b, o), nil
	}
	return "", unsupported("comparing %s with %s", l.k, r.k)
}

// isTextLiteral reports a string literal that does not read as a number.
func isTextLiteral(x sx) bool {
	if !strings.HasPrefix(x.s, "'") {
		return false
	}
	s, err := strconv.Unquote(`"` + strings.Trim(x.s, "'") + `"`)
	if err != nil {
		return false
	}
	_, err = strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err != nil
}

func (c *exprCompiler) arith(op string, l, r sx) (sx, error) {
	l, r = c.scalar(l), c.scalar(r)
	if l.k == kindNull || r.k == kindNull {
		return sqlNull, nil
	}
	if !l.numeric() || !r.numeric() {
		return sx{}, unsupported("%s on %s and %s", op, l.k, r.k)
	}
	k := KindDouble
	if l.k == KindLong && r.k == KindLong {
		k = KindLong
	}
	null := l.null || r.null
	switch op {
	case "+", "-", "*":
		return sx{s: "(" + l.s + " " + op + " " + r.s + ")", k: k, null: null}, nil
	case "/":
		if k == KindLong {
			if c.d != plan.ESQL {
				return sx{}, unsupported("SPL division of integers")
			}
			return sx{s: fmt.Sprintf("if(%s = 0, NULL, intDiv(%s, %s))", r.s, l.s, r.s), k: k, null: true}, nil
		}
		return sx{s: fmt.Sprintf("if(%s = 0, NULL, %s / %s)", r.s, l.s, r.s), k: k, null: true}, nil
	}
	return sx{}, unsupported("operator %s", op)
}

// in is x IN (list) over literals.
func (c *exprCompiler) in(xe plan.Expr, list []plan.Expr, not, fold bool) (sx, error) {
	if fold {
		return sx{}, unsupported("IN~")
	}
	x, err := c.expr(xe)
	if err != nil {
		return sx{}, err
	}
	var items []sx
	for _, e := range list {
		it, err := c.expr(e)
		if err != nil {
			return sx{}, err
		}
		if _, ok := e.(*plan.Literal); !ok {
			return sx{}, unsupported("IN over a non-constant list")
		}
		items = append(items, it)
	}
	if c.d != plan.ESQL {
		// SPL: any value equal to any item, as splCompare; never null.
		var ors []string
		for _, it := range items {
			one, err := c.splCompare("==", x, it)
			if err != nil {
				return sx{}, err
			}
			ors = append(ors, one.s)
		}
		s := "(" + strings.Join(ors, " OR ") + ")"
		if len(ors) == 0 {
			s = "0"
		}
		if not {
			s = "(NOT " + s + ")"
		}
		return sx{s: s, k: KindBool}, nil
	}
	x = c.scalar(x)
	var lits []string
	for _, it := range items {
		if it.k == kindNull {
			continue // x == null is null, never true: it only matters when nothing else matches
		}
		if !(x.text() && it.text() || x.numeric() && it.numeric()) {
			return sx{}, unsupported("IN of %s among %s", x.k, it.k)
		}
		lits = append(lits, it.s)
	}
	op := " IN "
	if not {
		op = " NOT IN "
	}
	if len(lits) != len(items) || len(lits) == 0 {
		return sx{}, unsupported("IN with a null item")
	}
	s := x.s + op + "(" + strings.Join(lits, ", ") + ")"
	if x.null {
		// ClickHouse says NULL IN (...) is 0; ES|QL says null.
		return sx{s: "if(isNull(" + x.s + "), NULL, " + s + ")", k: KindBool, null: true}, nil
	}
	return sx{s: "(" + s + ")", k: KindBool}, nil
}

// likePattern turns an ES|QL LIKE pattern (* and ?, \ escaping) into a
// ClickHouse LIKE pattern (% and _, \ escaping).
func likePattern(p string, fold bool) string {
	if fold {
		p = strings.ToLower(p)
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; ch {
		case '\\':
			if i+1 < len(p) {
				i++
				writeLikeLiteral(&b, p[i])
				continue
			}
			b.WriteString(`\\`)
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		default:
			writeLikeLiteral(&b, ch)
		}
	}
	return b.String()
}

func writeLikeLiteral(b *strings.Builder, ch byte) {
	if ch == '%' || ch == '_' || ch == '\\' {
		b.WriteByte('\\')
	}
	b.WriteByte(ch)
}

func (c *exprCompiler) like(t *plan.Like) (sx, error) {
	if c.d != plan.ESQL {
		return sx{}, unsupported("LIKE in %s", c.d)
	}
	x, err := c.expr(t.X)
	if err != nil {
		return sx{}, err
	}
	x = c.scalar(x)
	if x.k == kindNull {
		return sx{s: "CAST(NULL AS Nullable(UInt8))", k: KindBool, null: true}, nil
	}
	if !x.text() {
		return sx{}, unsupported("LIKE on a %s value", x.k)
	}
	subject := x.s
	if t.Fold {
		subject = "lowerUTF8(" + x.s + ")"
	}
	var ors []string
	for _, p := range t.Patterns {
		if t.Regex {
			if _, err := regexp.Compile(p); err != nil {
				return sx{}, fmt.Errorf("cannot compile RLIKE pattern %q: %w", p, err)
			}
			re := "^(?:" + p + ")$"
			if t.Fold {
				re = "(?i)" + re
			}
			ors = append(ors, "match("+x.s+", "+quoteString(re)+")")
			continue
		}
		ors = append(ors, subject+" LIKE "+quoteString(likePattern(p, t.Fold)))
	}
	s := "(" + strings.Join(ors, " OR ") + ")"
	if t.Not {
		s = "(NOT " + s + ")"
	}
	if x.null {
		s = "if(isNull(" + x.s + "), NULL, " + s + ")"
	}
	return sx{s: s, k: KindBool, null: x.null}, nil
}

// searchCmp is a comparison of an SPL search: field=value matches any
// value of the field, ignoring case, as a whole, * a wildcard; a value
// that is a number also matches numerically. "!=" needs the field.
func (c *exprCompiler) searchCmp(t *plan.SearchCmp) (sx, error) {
	x := c.scope.get(t.Field)
	if x.k == kindNull {
		return sx{s: "0", k: KindBool}, nil
	}
	if t.Op != "=" && t.Op != "!=" {
		return c.splCompare(t.Op, x, sx{s: quoteString(t.Value), k: KindString})
	}
	if t.Op == "=" && t.Value == "*" {
		if x.k == KindStrings {
			return sx{s: "notEmpty(" + x.s + ")", k: KindBool}, nil
		}
		return sx{s: "isNotNull(" + x.s + ")", k: KindBool}, nil
	}
	one := func(v sx) (string, error) {
		var txt string
		switch {
		case v.text():
			txt = v.s
		case v.k == KindLong:
			txt = "toString(" + v.s + ")"
		default:
			return "", unsupported("search on a %s field", v.k)
		}
		var m string
		if strings.ContainsAny(t.Value, "*") {
			m = "lowerUTF8(" + txt + ") LIKE " + quoteString(searchPattern(t.Value))
		} else {
			m = "lowerUTF8(" + txt + ") = " + quoteString(strings.ToLower(t.Value))
		}
		if f, err := strconv.ParseFloat(t.Value, 64); err == nil && !strings.ContainsAny(t.Value, "*") {
			n := "toFloat64OrNull(" + txt + ")"
			if v.k == KindLong {
				n = "toFloat64(" + v.s + ")"
			}
			m = "(" + m + " OR " + n + " = " + strconv.FormatFloat(f, 'g', -1, 64) + ")"
		}
		return m, nil
	}
	var s string
	if x.k == KindStrings {
		m, err := one(sx{s: "v_", k: KindString})
		if err != nil {
			return sx{}, err
		}
		s = "arrayExists(v_ -> " + m + ", " + x.s + ")"
		if t.Op == "!=" {
			s = "(notEmpty(" + x.s + ") AND NOT " + s + ")"
		}
		return sx{s: s, k: KindBool}, nil
	}
	m, err := one(sx{s: "assumeNotNull(" + x.s + ")", k: x.k})
	if err != nil {
		return sx{}, err
	}
	if t.Op == "!=" {
		m = "NOT " + m
	}
	if x.null {
		return sx{s: "(isNotNull(" + x.s + ") AND " + m + ")", k: KindBool}, nil
	}
	return sx{s: "(" + m + ")", k: KindBool}, nil
}

// searchPattern turns a search value with * wildcards into a lower-case
// ClickHouse LIKE pattern.
func searchPattern(v string) string {
	v = strings.ToLower(v)
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '*' {
			b.WriteByte('%')
			continue
		}
		writeLikeLiteral(&b, v[i])
	}
	return b.String()
}
