package esql

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/aggregate"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/syntax"
	"github.com/tripline/tripline/internal/syntax/kql"
)

// Operator precedence, loosest first:
//
//	OR
//	AND
//	NOT
//	comparison (== != < <= > >= =~), IN, LIKE, RLIKE, IS NULL (not chained)
//	+ -
//	* / %
//	unary - +
//	::type cast
//	primary: literal, time span, column, function call, (expr), [list]

// maxDepth bounds expression nesting so that hostile input cannot exhaust
// the stack.
const maxDepth = 200

func (p *parser) expr() (plan.Expr, *syntax.Error) { return p.or(0) }

func (p *parser) or(depth int) (plan.Expr, *syntax.Error) {
	if depth > maxDepth {
		return nil, p.errorf(p.tok, "expression nested too deeply")
	}
	start := p.tok.start
	l, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.isKeyword("or") {
		p.advance()
		r, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		l = p.mark(&plan.Binary{Op: "OR", L: l, R: r}, start)
	}
	return l, nil
}

func (p *parser) and(depth int) (plan.Expr, *syntax.Error) {
	start := p.tok.start
	l, err := p.not(depth)
	if err != nil {
		return nil, err
	}
	for p.isKeyword("and") {
		p.advance()
		r, err := p.not(depth)
		if err != nil {
			return nil, err
		}
		l = p.mark(&plan.Binary{Op: "AND", L: l, R: r}, start)
	}
	return l, nil
}

func (p *parser) not(depth int) (plan.Expr, *syntax.Error) {
	if p.isKeyword("not") {
		if depth > maxDepth {
			return nil, p.errorf(p.tok, "expression nested too deeply")
		}
		start := p.tok.start
		p.advance()
		x, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		return p.mark(&plan.Unary{Op: "NOT", X: x}, start), nil
	}
	return p.predicate(depth)
}

var comparisons = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true, "=~": true}

// predicate parses a comparison and an optional IN, LIKE, RLIKE or IS NULL
// after it.
func (p *parser) predicate(depth int) (plan.Expr, *syntax.Error) {
	start := p.tok.start
	x, err := p.additive(depth)
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tOp && comparisons[p.tok.text] {
		op := p.tok.text
		p.advance()
		r, err := p.additive(depth)
		if err != nil {
			return nil, err
		}
		x = p.mark(&plan.Binary{Op: op, L: x, R: r}, start)
		if p.tok.kind == tOp && comparisons[p.tok.text] {
			return nil, p.errorf(p.tok, "comparisons cannot be chained; combine them with AND")
		}
	}
	if p.tok.kind == tOp && p.tok.text == ":" {
		m, err := p.match(x)
		if err != nil {
			return nil, err
		}
		return p.mark(m, start), nil
	}
	negated := false
	if p.isKeyword("not") {
		next := p.peek()
		if next.kind == tIdent && (strings.EqualFold(next.text, "in") || strings.EqualFold(next.text, "like") || strings.EqualFold(next.text, "rlike")) {
			p.advance()
			negated = true
		}
	}
	switch {
	case p.isKeyword("in"):
		p.advance()
		if _, err := p.expect(tLParen, "\"(\" after IN"); err != nil {
			return nil, err
		}
		var list []plan.Expr
		for {
			e, err := p.or(depth + 1)
			if err != nil {
				return nil, err
			}
			list = append(list, e)
			if p.tok.kind != tComma {
				break
			}
			p.advance()
		}
		if _, err := p.expect(tRParen, "\",\" or \")\""); err != nil {
			return nil, err
		}
		return p.mark(&plan.In{X: x, List: list, Not: negated}, start), nil
	case p.isKeyword("like"), p.isKeyword("rlike"):
		regex := p.isKeyword("rlike")
		p.advance()
		var pats []string
		pattern := func() *syntax.Error {
			t, err := p.expect(tString, "a pattern string")
			if err != nil {
				return err
			}
			if regex {
				if err := p.checkRegexp(t); err != nil {
					return err
				}
			}
			pats = append(pats, t.text)
			return nil
		}
		if p.tok.kind == tLParen {
			p.advance()
			for {
				if err := pattern(); err != nil {
					return nil, err
				}
				if p.tok.kind != tComma {
					break
				}
				p.advance()
			}
			if _, err := p.expect(tRParen, "\",\" or \")\""); err != nil {
				return nil, err
			}
		} else if err := pattern(); err != nil {
			return nil, err
		}
		return p.mark(&plan.Like{X: x, Patterns: pats, Regex: regex, Not: negated}, start), nil
	case p.isKeyword("is"):
		p.advance()
		not := false
		if p.isKeyword("not") {
			not = true
			p.advance()
		}
		if !p.isKeyword("null") {
			return nil, p.unexpected("NULL")
		}
		p.advance()
		return p.mark(&plan.IsNull{X: x, Not: not}, start), nil
	}
	return x, nil
}

// checkRegexp reads an RLIKE pattern as the executor will, a Lucene
// regular expression (scalar.LuceneRegexp), so that a pattern it cannot
// read fails here with its place in the query: at the fault when the
// string token spells the pattern as written, else over the whole token.
func (p *parser) checkRegexp(t token) *syntax.Error {
	_, err := scalar.LuceneRegexp(t.text)
	if err == nil {
		return nil
	}
	sp := t.span()
	var re *scalar.RegexpError
	if errors.As(err, &re) {
		q := 1 // the quotes around the text: "..." or """..."""
		if strings.HasPrefix(p.src[t.start:], `"""`) {
			q = 3
		}
		if p.src[t.start+q:t.end-q] == t.text {
			at := syntax.Pos(t.start + q + re.Pos)
			sp = syntax.Span{Start: at, End: at + 1}
			if int(at) >= t.end-q {
				sp = syntax.Span{Start: syntax.Pos(t.end - q), End: syntax.Pos(t.end)}
			}
		}
		return p.errorSpan(sp, "RLIKE pattern %s is not a Lucene regular expression: %s", clip(t.text), re.Msg)
	}
	return p.errorSpan(sp, "RLIKE pattern %s: %v", clip(t.text), err)
}

func (p *parser) additive(depth int) (plan.Expr, *syntax.Error) {
	start := p.tok.start
	l, err := p.multiplicative(depth)
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		op := p.tok.text
		p.advance()
		r, err := p.multiplicative(depth)
		if err != nil {
			return nil, err
		}
		l = p.mark(&plan.Binary{Op: op, L: l, R: r}, start)
	}
	return l, nil
}

func (p *parser) multiplicative(depth int) (plan.Expr, *syntax.Error) {
	start := p.tok.start
	l, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	for p.isOp("*") || p.isOp("/") || p.isOp("%") {
		op := p.tok.text
		p.advance()
		r, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		l = p.mark(&plan.Binary{Op: op, L: l, R: r}, start)
	}
	return l, nil
}

// unary parses -x and +x; minus on a number or a time span folds into the
// literal.
func (p *parser) unary(depth int) (plan.Expr, *syntax.Error) {
	if !p.isOp("-") && !p.isOp("+") {
		return p.postfixDepth(depth)
	}
	if depth > maxDepth {
		return nil, p.errorf(p.tok, "expression nested too deeply")
	}
	minus := p.isOp("-")
	start := p.tok.start
	p.advance()
	x, err := p.unary(depth + 1)
	if err != nil || !minus {
		return x, err
	}
	return p.mark(negate(x), start), nil
}

func negate(x plan.Expr) plan.Expr {
	switch t := x.(type) {
	case *plan.Literal:
		if n, ok := t.Value.Long(); ok && n != math.MinInt64 {
			return &plan.Literal{Value: event.LongValue(-n)}
		}
		if f, ok := t.Value.Double(); ok {
			return &plan.Literal{Value: event.DoubleValue(-f)}
		}
	case *plan.Span:
		return &plan.Span{D: -t.D, Months: -t.Months}
	}
	return &plan.Unary{Op: "-", X: x}
}

// postfix parses a primary expression with optional ::type casts.
func (p *parser) postfix() (plan.Expr, *syntax.Error) { return p.postfixDepth(0) }

func (p *parser) postfixDepth(depth int) (plan.Expr, *syntax.Error) {
	start := p.tok.start
	x, err := p.primary(depth)
	if err != nil {
		return nil, err
	}
	for p.isOp("::") {
		p.advance()
		if p.tok.kind != tIdent {
			return nil, p.unexpected("a type name after \"::\"")
		}
		fn, ok := casts[lower(p.tok.text)]
		if !ok {
			return nil, p.errorf(p.tok, "unknown type %s in cast", p.tok.describe(p.src))
		}
		p.advance()
		x = p.mark(&plan.Call{Name: fn, Args: []plan.Expr{x}}, start)
	}
	return x, nil
}

// casts maps the type of x::type to its conversion function.
var casts = map[string]string{
	"bool": "to_boolean", "boolean": "to_boolean",
	"int": "to_integer", "integer": "to_integer",
	"long": "to_long", "double": "to_double", "float": "to_double",
	"unsigned_long": "to_unsigned_long",
	"keyword":       "to_string", "text": "to_string", "string": "to_string",
	"date": "to_datetime", "datetime": "to_datetime", "date_nanos": "to_date_nanos",
	"ip": "to_ip", "version": "to_version",
	"geo_point": "to_geopoint", "geo_shape": "to_geoshape",
	"cartesian_point": "to_cartesianpoint", "cartesian_shape": "to_cartesianshape",
	"date_period": "to_dateperiod", "time_duration": "to_timeduration",
}

// timeUnits maps the units of time-span literals to their length: a fixed
// duration or a number of calendar months. It is the one place ES|QL's
// temporal units are spelled, exactly the names and abbreviations of the
// ES|QL reference ("Time spans: supported temporal units"); case does not
// matter. Spans written as text (to_timeduration, date_trunc's string
// form) are read by timefmt.ParseSpan, which is shared with SPL.
var timeUnits = map[string]plan.Span{
	"millisecond": {D: time.Millisecond}, "milliseconds": {D: time.Millisecond}, "ms": {D: time.Millisecond},
	"second": {D: time.Second}, "seconds": {D: time.Second}, "sec": {D: time.Second}, "s": {D: time.Second},
	"minute": {D: time.Minute}, "minutes": {D: time.Minute}, "min": {D: time.Minute}, "m": {D: time.Minute},
	"hour": {D: time.Hour}, "hours": {D: time.Hour}, "h": {D: time.Hour},
	"day": {D: 24 * time.Hour}, "days": {D: 24 * time.Hour}, "d": {D: 24 * time.Hour},
	"week": {D: 7 * 24 * time.Hour}, "weeks": {D: 7 * 24 * time.Hour}, "w": {D: 7 * 24 * time.Hour},
	"month": {Months: 1}, "months": {Months: 1}, "mo": {Months: 1},
	"quarter": {Months: 3}, "quarters": {Months: 3}, "q": {Months: 3},
	"year": {Months: 12}, "years": {Months: 12}, "yr": {Months: 12}, "y": {Months: 12},
}

func (p *parser) primary(depth int) (plan.Expr, *syntax.Error) {
	start := p.tok.start
	e, err := p.primary1(depth)
	if err != nil {
		return nil, err
	}
	if _, ok := p.at.exprs[e]; !ok {
		p.mark(e, start)
	}
	return e, nil
}

func (p *parser) primary1(depth int) (plan.Expr, *syntax.Error) {
	if depth > maxDepth {
		return nil, p.errorf(p.tok, "expression nested too deeply")
	}
	t := p.tok
	switch t.kind {
	case tInt:
		return p.integer()
	case tDecimal:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, p.errorf(t, "number %s is out of range", t.describe(p.src))
		}
		p.advance()
		if p.tok.kind == tIdent && p.tok.start == t.end || p.tok.kind == tIdent && isUnit(p.tok.text) {
			return nil, p.errorf(token{start: t.start, end: p.tok.end}, "a time span needs a whole number")
		}
		return &plan.Literal{Value: event.DoubleValue(f)}, nil
	case tString:
		p.advance()
		return &plan.Literal{Value: event.StringValue(t.text)}, nil
	case tLParen:
		p.advance()
		e, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "\")\""); err != nil {
			return nil, err
		}
		return e, nil
	case tLBrack:
		return p.list(depth)
	case tQuoted:
		return p.field()
	case tIdent:
		switch lower(t.text) {
		case "true", "false":
			p.advance()
			return &plan.Literal{Value: event.BoolValue(lower(t.text) == "true")}, nil
		case "null":
			p.advance()
			return &plan.Literal{Value: event.NullValue}, nil
		}
		if reserved[lower(t.text)] {
			return nil, p.errorf(t, "expected an expression, found keyword %s", strings.ToUpper(t.text))
		}
		if p.peek().kind == tLParen {
			return p.call(depth)
		}
		return p.field()
	case tOp:
		if t.text == "*" {
			return nil, p.errorf(t, "\"*\" is only valid as the argument of count(*)")
		}
	}
	return nil, p.unexpected("an expression")
}

func isUnit(s string) bool {
	_, ok := timeUnits[lower(s)]
	return ok
}

// integer parses an integer literal or a time span ("5 minutes", "1h").
func (p *parser) integer() (plan.Expr, *syntax.Error) {
	t := p.tok
	p.advance()
	if p.tok.kind == tIdent {
		if u, ok := timeUnits[lower(p.tok.text)]; ok {
			n, err := strconv.ParseInt(t.text, 10, 32)
			if err != nil {
				return nil, p.errorf(token{start: t.start, end: p.tok.end}, "time span %s is out of range", clip(p.src[t.start:p.tok.end]))
			}
			p.advance()
			return &plan.Span{D: u.D * time.Duration(n), Months: u.Months * int(n)}, nil
		}
		if p.tok.start == t.end {
			return nil, p.errorf(p.tok, "unknown time unit %s (use ms, s, m, h, d, w, mo, q, y or their long names)", p.tok.describe(p.src))
		}
	}
	n, err := strconv.ParseInt(t.text, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(t.text, 64)
		if ferr != nil || math.IsInf(f, 0) {
			return nil, p.errorf(t, "number %s is out of range", t.describe(p.src))
		}
		return &plan.Literal{Value: event.DoubleValue(f)}, nil
	}
	return &plan.Literal{Value: event.LongValue(n)}, nil
}

// list parses a constant list [a, b, ...] into a multi-valued literal.
func (p *parser) list(depth int) (plan.Expr, *syntax.Error) {
	p.advance()
	var vals []event.Value
	for p.tok.kind != tRBrack {
		start := p.tok
		e, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		lit, ok := e.(*plan.Literal)
		if !ok {
			return nil, p.errorf(token{start: start.start, end: p.prevEnd}, "a list may only hold constants")
		}
		vals = append(vals, lit.Value)
		if p.tok.kind != tComma {
			break
		}
		p.advance()
	}
	if _, err := p.expect(tRBrack, "\",\" or \"]\""); err != nil {
		return nil, err
	}
	return &plan.Literal{Value: event.MultiValue(vals)}, nil
}

// field parses a column reference.
func (p *parser) field() (plan.Expr, *syntax.Error) {
	name, sp, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	if p.aggAllowed && p.aggDepth == 0 {
		p.outer = append(p.outer, fieldRef{name: name, span: sp})
	}
	return &plan.Field{Name: name}, nil
}

// call parses name(args). Aggregates are checked here: only in STATS,
// never nested, with the right number of arguments.
func (p *parser) call(depth int) (plan.Expr, *syntax.Error) {
	nameTok := p.tok
	name := lower(nameTok.text)
	p.advance() // name
	p.advance() // (
	agg, isAgg := aggregate.Lookup(plan.ESQL, name)
	if isAgg {
		switch {
		case !p.aggAllowed:
			return nil, p.errorf(nameTok, "aggregate function %s() is only valid in STATS", name)
		case p.aggDepth > 0:
			return nil, p.errorf(nameTok, "aggregate function %s() cannot be used inside another aggregate", name)
		}
		p.sawAgg = true
		p.aggDepth++
		defer func() { p.aggDepth-- }()
	}
	var args []plan.Expr
	var spans []syntax.Span
	var opts *options
	if p.tok.kind != tRParen {
		for {
			if p.tok.kind == tLBrace {
				var err *syntax.Error
				if opts, err = p.optionMap(depth); err != nil {
					return nil, err
				}
				if p.tok.kind == tComma {
					return nil, p.errorf(p.tok, "a map of options must be the last argument")
				}
				break
			}
			start := p.tok.start
			e, err := p.argument(depth, isAgg && agg.Star)
			if err != nil {
				return nil, err
			}
			args = append(args, e)
			spans = append(spans, syntax.Span{Start: syntax.Pos(start), End: syntax.Pos(p.prevEnd)})
			if p.tok.kind != tComma {
				break
			}
			p.advance()
		}
	}
	if _, err := p.expect(tRParen, "\",\" or \")\""); err != nil {
		return nil, err
	}
	if opts != nil && name != "match" {
		return nil, p.errorSpan(opts.span, "%s() takes no map of options", name)
	}
	if isAgg {
		if len(args) < agg.MinArgs || agg.MaxArgs >= 0 && len(args) > agg.MaxArgs {
			return nil, p.errorf(token{start: nameTok.start, end: p.prevEnd}, "%s() takes %s, got %d", name, arity(agg.MinArgs, agg.MaxArgs), len(args))
		}
		return p.aggCall(name, args, spans)
	}
	switch name {
	case "kql":
		cond, err := p.kql(nameTok, args)
		if err == nil {
			p.at.opaque[cond] = true
		}
		return cond, err
	case "match":
		return p.matchCall(nameTok, args, spans, opts)
	}
	return &plan.Call{Name: name, Args: args}, nil
}

// options is a map of function options, {"name": constant, ...} (ES|QL
// reference, "function named parameters").
type options struct {
	entries []option
	span    syntax.Span
}

type option struct {
	name                string
	value               event.Value
	nameSpan, valueSpan syntax.Span
}

// optionMap parses {"name": constant, ...}; no name may come twice.
func (p *parser) optionMap(depth int) (*options, *syntax.Error) {
	o := &options{span: p.tok.span()}
	p.advance() // {
	seen := map[string]bool{}
	for p.tok.kind != tRBrace {
		key, err := p.expect(tString, "an option name string")
		if err != nil {
			return nil, err
		}
		if seen[key.text] {
			return nil, p.errorf(key, "option %s is given twice", clip(key.text))
		}
		seen[key.text] = true
		if !p.isOp(":") {
			return nil, p.unexpected("\":\" after the option name")
		}
		p.advance()
		start := p.tok.start
		e, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		sp := syntax.Span{Start: syntax.Pos(start), End: syntax.Pos(p.prevEnd)}
		lit, ok := e.(*plan.Literal)
		if !ok {
			return nil, p.errorSpan(sp, "the value of option %s must be a constant", clip(key.text))
		}
		o.entries = append(o.entries, option{name: key.text, value: lit.Value, nameSpan: key.span(), valueSpan: sp})
		if p.tok.kind != tComma {
			break
		}
		p.advance()
	}
	end, err := p.expect(tRBrace, "\",\" or \"}\"")
	if err != nil {
		return nil, err
	}
	o.span.End = syntax.Pos(end.end)
	return o, nil
}

// aggCall writes an aggregate call as its state reads it, since the
// executor evaluates an aggregate's first argument per row and hands its
// state the second only when constant: FIRST(value, sort) and
// LAST(value, sort) read $keyed(value, sort), keeping the sort key as the
// second argument; TOP(field, limit[, order]) reads its limit and order
// as one constant list [limit, "asc"|"desc"].
func (p *parser) aggCall(name string, args []plan.Expr, spans []syntax.Span) (plan.Expr, *syntax.Error) {
	switch name {
	case "first", "last":
		keyed := &plan.Call{Name: "$keyed", Args: []plan.Expr{args[0], args[1]}}
		return &plan.Call{Name: name, Args: []plan.Expr{keyed, args[1]}}, nil
	case "top":
		lit, _ := args[1].(*plan.Literal)
		var n int64
		if lit != nil {
			n, _ = lit.Value.Long()
		}
		if n <= 0 {
			return nil, p.errorSpan(spans[1], "top()'s limit must be a positive whole number")
		}
		order := "asc"
		if len(args) == 3 {
			lit, _ := args[2].(*plan.Literal)
			var s string
			if lit != nil {
				s, _ = lit.Value.Str()
			}
			order = lower(s)
			if order != "asc" && order != "desc" {
				return nil, p.errorSpan(spans[2], "top()'s order must be \"asc\" or \"desc\"")
			}
		}
		param := event.MultiValue([]event.Value{event.LongValue(n), event.StringValue(order)})
		return &plan.Call{Name: name, Args: []plan.Expr{args[0], &plan.Literal{Value: param}}}, nil
	}
	return &plan.Call{Name: name, Args: args}, nil
}

// argument parses one function argument; a lone "*" is valid only when
// star is set (count(*)).
func (p *parser) argument(depth int, star bool) (plan.Expr, *syntax.Error) {
	if p.isOp("*") {
		if next := p.peek(); next.kind == tRParen || next.kind == tComma {
			if !star {
				return nil, p.errorf(p.tok, "\"*\" is only valid as the argument of count(*)")
			}
			p.advance()
			return &plan.Star{}, nil
		}
	}
	return p.or(depth + 1)
}

func arity(min, max int) string {
	switch {
	case max < 0:
		return "at least " + strconv.Itoa(min) + " argument" + plural(min)
	case min == max:
		return strconv.Itoa(min) + " argument" + plural(min)
	}
	return strconv.Itoa(min) + " to " + strconv.Itoa(max) + " arguments"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// reserved words cannot start an expression or name a column unquoted.
var reserved = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "like": true, "rlike": true,
	"is": true, "by": true, "as": true,
}

func lower(s string) string { return strings.ToLower(s) }

// kql plans kql("query"): the KQL query, read by the KQL front end over
// the FROM's index patterns, as a condition in place of the call.
func (p *parser) kql(nameTok token, args []plan.Expr) (plan.Expr, *syntax.Error) {
	at := token{start: nameTok.start, end: p.prevEnd}
	if len(args) != 1 {
		return nil, p.errorf(at, "kql() takes one query string, got %d arguments", len(args))
	}
	lit, ok := args[0].(*plan.Literal)
	text, isStr := "", false
	if ok {
		text, isStr = lit.Value.Str()
	}
	if !isStr {
		return nil, p.errorf(at, "kql() takes a constant query string")
	}
	cond, err := kql.Cond(text, p.indices)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return nil, p.errorf(at, "in the KQL query: %s", se.Error())
		}
		return nil, p.errorf(at, "in the KQL query: %v", err)
	}
	if cond == nil {
		return &plan.Literal{Value: event.BoolValue(true)}, nil
	}
	return cond, nil
}

// matchField returns the field a match tests: a column, possibly cast to
// a string (MATCH(field::STRING, ...)), which a match on the field's
// values is already.
func matchField(x plan.Expr) (*plan.Field, bool) {
	if c, ok := x.(*plan.Call); ok && c.Name == "to_string" && len(c.Args) == 1 {
		x = c.Args[0]
	}
	f, ok := x.(*plan.Field)
	return f, ok
}

// match parses field : "query", the match operator (ES|QL reference,
// "Search functions: MATCH operator"): on a text field the query's terms,
// any of them; on other fields the whole value.
func (p *parser) match(x plan.Expr) (plan.Expr, *syntax.Error) {
	colon := p.tok
	f, ok := matchField(x)
	if !ok {
		return nil, p.errorf(colon, "the match operator : takes a field on its left")
	}
	p.advance()
	v := p.tok
	var value string
	switch v.kind {
	case tString:
		value = v.text
	case tInt, tDecimal:
		value = v.text
	default:
		return nil, p.errorf(v, "the match operator : takes a constant string or number on its right")
	}
	p.advance()
	field, text := schema.TextField(f.Name)
	return &plan.Match{Field: field, Op: ":", Value: value, Text: text}, nil
}

// matchCall plans MATCH(field, query[, {options}]), the full-text
// function (ES|QL reference, "MATCH"), as the match operator ":" is
// planned, with the match query options tripline honours:
//
//	fuzziness             0, 1, 2 or "AUTO[:low,high]": terms (a keyword's
//	                      whole value) within that many edits match
//	prefix_length         leading characters a fuzzy term keeps
//	fuzzy_transpositions  false counts a swap of two characters as two edits
//	operator              "OR" (any term, the default) or "AND" (every term)
//	max_expansions        accepted: it caps how many of an index's terms a
//	                      fuzzy term expands to, and one event is matched
//	                      at a time here
//	boost, lenient        accepted: they change scores and errors, not
//	                      which rows match
func (p *parser) matchCall(nameTok token, args []plan.Expr, spans []syntax.Span, opts *options) (plan.Expr, *syntax.Error) {
	if len(args) != 2 {
		return nil, p.errorf(token{start: nameTok.start, end: p.prevEnd},
			"match() takes a field, a query and optionally a map of options, got %d arguments", len(args))
	}
	f, ok := matchField(args[0])
	if !ok {
		return nil, p.errorSpan(spans[0], "match() takes a field as its first argument")
	}
	lit, ok := args[1].(*plan.Literal)
	var value string
	if ok {
		switch lit.Value.Kind() {
		case event.String:
			value, _ = lit.Value.Str()
		case event.Long, event.Double, event.Bool:
			value = lit.Value.String()
		default:
			ok = false
		}
	}
	if !ok {
		return nil, p.errorSpan(spans[1], "match() takes a constant string, number or boolean as its query")
	}
	field, text := schema.TextField(f.Name)
	m := &plan.Match{Field: field, Op: ":", Value: value, Text: text}
	if opts != nil {
		if err := p.matchOptions(m, opts); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// matchOptions sets a match's options from its map.
func (p *parser) matchOptions(m *plan.Match, o *options) *syntax.Error {
	for _, e := range o.entries {
		bad := func(want string) *syntax.Error {
			return p.errorSpan(e.valueSpan, "match() option %s takes %s", clip(e.name), want)
		}
		n, isLong := e.value.Long()
		b, isBool := e.value.Bool()
		str, isStr := e.value.Str()
		_, isNum := e.value.Number()
		switch e.name {
		case "fuzziness":
			if isLong {
				str, isStr = strconv.FormatInt(n, 10), true
			}
			if !isStr {
				return bad("0, 1, 2 or \"AUTO\"")
			}
			canon, err := scalar.ParseFuzziness(str)
			if err != nil {
				return p.errorSpan(e.valueSpan, "match() option \"fuzziness\": %v", err)
			}
			m.Fuzziness = canon
		case "prefix_length":
			if !isLong || n < 0 || n > math.MaxInt32 {
				return bad("a whole number of characters, 0 or more")
			}
			m.PrefixLength = int(n)
		case "fuzzy_transpositions":
			if !isBool {
				return bad("true or false")
			}
			m.NoTranspositions = !b
		case "operator":
			switch {
			case isStr && strings.EqualFold(str, "and"):
				m.All = true
			case isStr && strings.EqualFold(str, "or"):
				m.All = false
			default:
				return bad("\"OR\" or \"AND\"")
			}
		case "max_expansions":
			if !isLong || n <= 0 {
				return bad("a positive whole number")
			}
		case "boost":
			if !isNum {
				return bad("a number")
			}
		case "lenient":
			if !isBool {
				return bad("true or false")
			}
		case "analyzer", "auto_generate_synonyms_phrase_query", "fuzzy_rewrite", "minimum_should_match", "zero_terms_query":
			return p.errorSpan(e.nameSpan, "match() option %s is not supported", clip(e.name))
		default:
			return p.errorSpan(e.nameSpan, "unknown match() option %s (known: boost, fuzziness, fuzzy_transpositions, lenient, max_expansions, operator, prefix_length)", clip(e.name))
		}
	}
	if m.Fuzziness == "" || m.Fuzziness == "0" {
		// No edits: a plain match, whatever the other fuzzy options say.
		m.Fuzziness, m.PrefixLength, m.NoTranspositions = "", 0, false
		return nil
	}
	m.Op = "~"
	return nil
}
