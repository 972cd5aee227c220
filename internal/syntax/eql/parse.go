package eql

import (
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// CategoryField is the field an event query's category names.
const CategoryField = "event.category"

// Parse parses an EQL event query, "<category> where <condition>", over the
// given index patterns into a plan: a *plan.From and a *plan.Where. The
// category "any" matches every event; another category adds the test
// event.category == category. A sequence plans as a *plan.From and a
// *plan.Sequence, its missing-event steps (![...]) included.
func Parse(src string, indices []string) (*plan.Query, error) {
	p := &parser{lx: lexer{src: src}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	q := &plan.Query{Dialect: plan.EQL, Pipeline: []plan.Node{&plan.From{Indices: append([]string(nil), indices...)}}}
	if p.isKeyword("sequence") {
		s, err := p.sequence()
		if err != nil {
			return nil, err
		}
		if err := p.end(); err != nil {
			return nil, err
		}
		q.Pipeline = append(q.Pipeline, s.plan())
		return q, nil
	}
	if p.isKeyword("sample") {
		return nil, p.errTok("sample queries are not supported")
	}
	cond, err := p.eventQuery()
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	if cond != nil {
		q.Pipeline = append(q.Pipeline, &plan.Where{Cond: cond})
	}
	return q, nil
}

// Sequence is a parsed "sequence [by keys] [with maxspan=T] [q] ... [until [q]]".
type Sequence struct {
	By      []plan.Expr
	MaxSpan time.Duration
	Steps   []Step
	Until   *Step
}

// Step is one bracketed query of a sequence, with its own join keys.
type Step struct {
	Cond    plan.Expr // nil: every event
	By      []plan.Expr
	Runs    int  // with runs=N: the step repeats N times
	Missing bool // ![...]: no such event between its neighbours
	// at is where the step starts in the query, for errors.
	at, atEnd int
}

// plan turns a parsed sequence into its plan node.
func (s *Sequence) plan() *plan.Sequence {
	n := &plan.Sequence{By: s.By, MaxSpan: s.MaxSpan}
	step := func(st *Step) plan.SeqStep {
		runs := st.Runs
		if runs < 1 {
			runs = 1
		}
		return plan.SeqStep{Cond: st.Cond, By: st.By, Runs: runs, Missing: st.Missing}
	}
	for i := range s.Steps {
		n.Steps = append(n.Steps, step(&s.Steps[i]))
	}
	if s.Until != nil {
		u := step(s.Until)
		n.Until = &u
	}
	return n
}

type parser struct {
	lx  lexer
	tok token
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errTok(format string, args ...any) *syntax.Error {
	end := p.tok.end
	if end == p.tok.start {
		end++
	}
	return p.lx.errAt(p.tok.start, end, format, args...)
}

func (p *parser) describe() string {
	switch p.tok.kind {
	case tEOF:
		return "end of query"
	case tString:
		return "string " + strconv.Quote(p.tok.text)
	}
	return strconv.Quote(p.lx.src[p.tok.start:p.tok.end])
}

func (p *parser) isKeyword(kw string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, kw)
}

func (p *parser) isOp(op string) bool { return p.tok.kind == tOp && p.tok.text == op }

func (p *parser) expectOp(op, doing string) error {
	if !p.isOp(op) {
		return p.errTok("want %q %s, got %s", op, doing, p.describe())
	}
	return p.advance()
}

func (p *parser) end() error {
	if p.isOp("|") {
		return p.errTok("EQL pipes (| head, | tail, ...) are not supported")
	}
	if p.tok.kind != tEOF {
		return p.errTok("unexpected %s after the query", p.describe())
	}
	return nil
}

// tilde reports (and consumes) a "~" written right after the previous
// token: like~, regex~, in~, startsWith~(...).
func (p *parser) tilde(prevEnd int) (bool, error) {
	if p.isOp("~") && p.tok.start == prevEnd {
		return true, p.advance()
	}
	return false, nil
}

// eventQuery: category "where" condition. It returns nil for "any where true".
func (p *parser) eventQuery() (plan.Expr, error) {
	var category string
	switch p.tok.kind {
	case tIdent, tString:
		category = p.tok.text
	default:
		return nil, p.errTok("want an event category (or \"any\") and \"where\", got %s", p.describe())
	}
	catTok := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	if !p.isKeyword("where") {
		return nil, p.errTok("want \"where\" after the event category %q, got %s", catTok.text, p.describe())
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	cond, err := p.or()
	if err != nil {
		return nil, err
	}
	if catTok.kind == tIdent && strings.EqualFold(category, "any") {
		return cond, nil
	}
	test := &plan.Binary{Op: "==", L: &plan.Field{Name: CategoryField}, R: &plan.Literal{Value: event.StringValue(category)}}
	return &plan.Binary{Op: "AND", L: test, R: cond}, nil
}

func (p *parser) or() (plan.Expr, error) { return p.chain(p.keyword("or", "OR"), p.and) }

func (p *parser) and() (plan.Expr, error) { return p.chain(p.keyword("and", "AND"), p.not) }

// chain reads operands joined by operators, left to right: at names the
// plan operator the current token is, if it is one of the chain's.
func (p *parser) chain(at func() (string, bool), operand func() (plan.Expr, error)) (plan.Expr, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for op, ok := at(); ok; op, ok = at() {
		if err := p.advance(); err != nil {
			return nil, err
		}
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = &plan.Binary{Op: op, L: l, R: r}
	}
	return l, nil
}

// keyword matches the keyword word, which the plan writes op.
func (p *parser) keyword(word, op string) func() (string, bool) {
	return func() (string, bool) { return op, p.isKeyword(word) }
}

// ops matches any of the symbols ops, which the plan writes as they are.
func (p *parser) ops(ops ...string) func() (string, bool) {
	return func() (string, bool) {
		for _, op := range ops {
			if p.isOp(op) {
				return op, true
			}
		}
		return "", false
	}
}

func (p *parser) not() (plan.Expr, error) {
	if p.isKeyword("not") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &plan.Unary{Op: "NOT", X: x}, nil
	}
	return p.comparison()
}

var comparisons = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

// comparison: sum [cmp-op sum | ":" constants | like[~] constants |
// regex[~] constants | [not] in[~] (exprs)].
func (p *parser) comparison() (plan.Expr, error) {
	x, err := p.sum()
	if err != nil {
		return nil, err
	}
	switch {
	case p.tok.kind == tOp && comparisons[p.tok.text]:
		op := p.tok.text
		if err := p.advance(); err != nil {
			return nil, err
		}
		y, err := p.sum()
		if err != nil {
			return nil, err
		}
		return &plan.Binary{Op: op, L: x, R: y}, nil
	case p.isOp("="):
		return nil, p.errTok("use == to compare (or : to compare ignoring case)")
	case p.isOp(":"):
		if err := p.advance(); err != nil {
			return nil, err
		}
		vals, err := p.constants(":")
		if err != nil {
			return nil, err
		}
		return insensitiveEq(x, vals), nil
	case p.isKeyword("like"), p.isKeyword("regex"):
		regex := p.isKeyword("regex")
		kw := p.tok
		if err := p.advance(); err != nil {
			return nil, err
		}
		fold, err := p.tilde(kw.end)
		if err != nil {
			return nil, err
		}
		vals, err := p.constants(kw.text)
		if err != nil {
			return nil, err
		}
		pats := make([]string, len(vals))
		for i, v := range vals {
			s, ok := v.Value.Str()
			if !ok {
				return nil, p.lx.errAt(kw.start, kw.end, "%s takes strings", kw.text)
			}
			pats[i] = s
		}
		return &plan.Like{X: x, Patterns: pats, Regex: regex, Fold: fold}, nil
	case p.isKeyword("in"), p.isKeyword("not"):
		not := p.isKeyword("not")
		if not {
			if err := p.advance(); err != nil {
				return nil, err
			}
			if !p.isKeyword("in") {
				return nil, p.errTok("want \"in\" after \"not\" here, got %s", p.describe())
			}
		}
		kw := p.tok
		if err := p.advance(); err != nil {
			return nil, err
		}
		fold, err := p.tilde(kw.end)
		if err != nil {
			return nil, err
		}
		if err := p.expectOp("(", "to open the list after in"); err != nil {
			return nil, err
		}
		var list []plan.Expr
		for {
			e, err := p.sum()
			if err != nil {
				return nil, err
			}
			list = append(list, e)
			if !p.isOp(",") {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		if err := p.expectOp(")", "to close the list"); err != nil {
			return nil, err
		}
		return &plan.In{X: x, List: list, Not: not, Fold: fold}, nil
	}
	return x, nil
}

// insensitiveEq is x : value(s): a case-insensitive whole-value match
// with "*" and "?" wildcards for strings, equality for other constants.
func insensitiveEq(x plan.Expr, vals []*plan.Literal) plan.Expr {
	var pats []string
	var others []plan.Expr
	for _, v := range vals {
		if s, ok := v.Value.Str(); ok {
			pats = append(pats, s)
		} else {
			others = append(others, v)
		}
	}
	var out plan.Expr
	if len(pats) > 0 {
		out = &plan.Like{X: x, Patterns: pats, Fold: true}
	}
	if len(others) > 0 {
		in := &plan.In{X: x, List: others, Fold: true}
		if out == nil {
			return in
		}
		out = &plan.Binary{Op: "OR", L: out, R: in}
	}
	return out
}

// constants: constant | "(" constant ("," constant)* ")".
func (p *parser) constants(op string) ([]*plan.Literal, error) {
	if !p.isOp("(") {
		c, err := p.constant(op)
		if err != nil {
			return nil, err
		}
		return []*plan.Literal{c}, nil
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var out []*plan.Literal
	for {
		c, err := p.constant(op)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		if !p.isOp(",") {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	if err := p.expectOp(")", "to close the list"); err != nil {
		return nil, err
	}
	return out, nil
}

func (p *parser) constant(op string) (*plan.Literal, error) {
	start := p.tok
	e, err := p.unary()
	if err != nil {
		return nil, err
	}
	lit, ok := e.(*plan.Literal)
	if !ok {
		return nil, p.lx.errAt(start.start, p.tok.start, "%s takes constants (strings or numbers), not %s", op, e)
	}
	return lit, nil
}

func (p *parser) sum() (plan.Expr, error) { return p.chain(p.ops("+", "-"), p.product) }

func (p *parser) product() (plan.Expr, error) { return p.chain(p.ops("*", "/", "%"), p.unary) }

func (p *parser) unary() (plan.Expr, error) {
	if p.isOp("-") || p.isOp("+") {
		neg := p.isOp("-")
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		if !neg {
			return x, nil
		}
		if lit, ok := x.(*plan.Literal); ok {
			if n, ok := lit.Value.Long(); ok && lit.Value.Kind() == event.Long {
				return &plan.Literal{Value: event.LongValue(-n)}, nil
			}
			if f, ok := lit.Value.Double(); ok && lit.Value.Kind() == event.Double {
				return &plan.Literal{Value: event.DoubleValue(-f)}, nil
			}
		}
		return &plan.Unary{Op: "-", X: x}, nil
	}
	return p.primary()
}

func (p *parser) primary() (plan.Expr, error) {
	t := p.tok
	switch t.kind {
	case tString:
		return &plan.Literal{Value: event.StringValue(t.text)}, p.advance()
	case tNumber:
		if n, err := strconv.ParseInt(t.text, 10, 64); err == nil {
			return &plan.Literal{Value: event.LongValue(n)}, p.advance()
		}
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.errTok("invalid number %s", t.text)
		}
		return &plan.Literal{Value: event.DoubleValue(f)}, p.advance()
	case tQuoted:
		return &plan.Field{Name: t.text}, p.advance()
	case tOp:
		if t.text == "(" {
			if err := p.advance(); err != nil {
				return nil, err
			}
			x, err := p.or()
			if err != nil {
				return nil, err
			}
			if !p.isOp(")") {
				return nil, p.lx.errAt(t.start, t.end, "unclosed parenthesis: want \")\" before %s", p.describe())
			}
			return x, p.advance()
		}
	case tIdent:
		switch strings.ToLower(t.text) {
		case "true", "false":
			return &plan.Literal{Value: event.BoolValue(strings.EqualFold(t.text, "true"))}, p.advance()
		case "null":
			return &plan.Literal{Value: event.NullValue}, p.advance()
		case "and", "or", "not", "in", "like", "regex", "where", "by", "with", "until":
			return nil, p.errTok("want a value, got the keyword %q", t.text)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		fold, err := p.tilde(t.end)
		if err != nil {
			return nil, err
		}
		if p.isOp("(") {
			// Elastic's rules write blanks before the parenthesis too:
			// stringContains (field, "x").
			return p.call(t, fold)
		}
		if fold {
			return nil, p.lx.errAt(t.start, t.end+1, "\"~\" follows only a function name, like, regex or in")
		}
		if p.isOp("[") && p.tok.start == t.end {
			return nil, p.errTok("array indexes in field names are not supported")
		}
		if strings.HasSuffix(t.text, ".") || strings.Contains(t.text, "..") {
			return nil, p.lx.errAt(t.start, t.end, "invalid field name %q", t.text)
		}
		return &plan.Field{Name: t.text}, nil
	}
	return nil, p.errTok("want a value, a field or a function, got %s", p.describe())
}

// functions are the EQL functions (Elasticsearch EQL function reference)
// and whether each has a case-insensitive "~" form.
var functions = map[string]bool{
	"add": false, "between": true, "cidrmatch": false, "concat": false,
	"divide": false, "endswith": true, "indexof": true, "length": false,
	"modulo": false, "multiply": false, "number": false, "startswith": true,
	"string": false, "stringcontains": true, "substring": false,
	"subtract": false, "wildcard": true,
}

func (p *parser) call(name token, fold bool) (plan.Expr, error) {
	fn := strings.ToLower(name.text)
	insensitive, ok := functions[fn]
	switch {
	case !ok:
		return nil, p.lx.errAt(name.start, name.end, "unknown EQL function %s()", name.text)
	case fold && !insensitive:
		return nil, p.lx.errAt(name.start, name.end+1, "%s() has no case-insensitive (~) form", name.text)
	}
	if fold {
		fn += "~"
	}
	if err := p.advance(); err != nil { // "("
		return nil, err
	}
	var args []plan.Expr
	if !p.isOp(")") {
		for {
			a, err := p.or()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if !p.isOp(",") {
				break
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
	}
	if err := p.expectOp(")", "to close the arguments of "+name.text+"()"); err != nil {
		return nil, err
	}
	if strings.TrimSuffix(fn, "~") == "stringcontains" && len(args) == 2 {
		// Elasticsearch runs stringContains(field, "text") as the
		// wildcard query *text*, so "*" and "?" in the text are wildcards
		// and a backslash escapes (Elastic's rules rely on it:
		// "valuesToAdd=[*]", "principal=\\*").
		f, isField := args[0].(*plan.Field)
		if lit, isLit := args[1].(*plan.Literal); isField && isLit {
			if s, isStr := lit.Value.Str(); isStr {
				return &plan.Like{X: f, Patterns: []string{"*" + s + "*"}, Fold: fold}, nil
			}
		}
	}
	return &plan.Call{Name: fn, Args: args}, nil
}

// sequence: "sequence" [by keys] [with maxspan=T] step+ [until step].
func (p *parser) sequence() (*Sequence, error) {
	seqTok := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	s := &Sequence{}
	for {
		switch {
		case p.isKeyword("by") && s.By == nil:
			keys, err := p.keys()
			if err != nil {
				return nil, err
			}
			s.By = keys
			continue
		case p.isKeyword("with") && s.MaxSpan == 0:
			if err := p.advance(); err != nil {
				return nil, err
			}
			if !p.isKeyword("maxspan") {
				return nil, p.errTok("want maxspan after with, got %s", p.describe())
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
			if err := p.expectOp("=", "after maxspan"); err != nil {
				return nil, err
			}
			d, err := p.span()
			if err != nil {
				return nil, err
			}
			s.MaxSpan = d
			continue
		}
		break
	}
	for p.isOp("[") || p.isOp("!") {
		st, err := p.step()
		if err != nil {
			return nil, err
		}
		s.Steps = append(s.Steps, *st)
	}
	if len(s.Steps) < 2 {
		if len(s.Steps) == 0 {
			return nil, p.errTok("want a bracketed query [ ... ] in the sequence, got %s", p.describe())
		}
		return nil, p.lx.errAt(seqTok.start, seqTok.end, "a sequence needs at least two queries")
	}
	if p.isKeyword("until") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		st, err := p.step()
		if err != nil {
			return nil, err
		}
		if st.Missing {
			return nil, p.lx.errAt(st.at, st.atEnd, "until takes a query, not a missing event (![...])")
		}
		s.Until = st
	}
	// Elasticsearch's syntax reference, "Missing events": missing-event
	// queries may stand first, last or between others, but a sequence
	// needs one query that is not missing, and a maxspan.
	positive := false
	for i := range s.Steps {
		if !s.Steps[i].Missing {
			positive = true
		} else if s.MaxSpan == 0 {
			st := &s.Steps[i]
			return nil, p.lx.errAt(st.at, st.atEnd, "a sequence with missing events (![...]) needs with maxspan=...")
		}
	}
	if !positive {
		return nil, p.lx.errAt(seqTok.start, seqTok.end, "a sequence needs at least one query that is not a missing event (![...])")
	}
	if len(s.By) > 0 || len(s.Steps[0].By) > 0 {
		n := len(s.Steps[0].By)
		for _, st := range s.Steps[1:] {
			if len(st.By) != n {
				return nil, p.lx.errAt(seqTok.start, seqTok.end, "every query of a sequence needs the same number of by keys")
			}
		}
	}
	return s, nil
}

// step: ["!"] "[" eventQuery "]" [by keys] [with runs=N].
func (p *parser) step() (*Step, error) {
	st := &Step{at: p.tok.start, atEnd: p.tok.end}
	if p.isOp("!") {
		bang := p.tok
		st.Missing = true
		if err := p.advance(); err != nil {
			return nil, err
		}
		// "![" is one token in Elasticsearch's grammar.
		if p.isOp("[") && p.tok.start != bang.end {
			return nil, p.lx.errAt(bang.start, p.tok.end, "write a missing event as ![ with no space between ! and [")
		}
		st.atEnd = p.tok.end
	}
	if err := p.expectOp("[", "to open a query of the sequence"); err != nil {
		return nil, err
	}
	cond, err := p.eventQuery()
	if err != nil {
		return nil, err
	}
	st.Cond = cond
	if err := p.expectOp("]", "to close the query"); err != nil {
		return nil, err
	}
	if p.isKeyword("by") {
		keys, err := p.keys()
		if err != nil {
			return nil, err
		}
		st.By = keys
	}
	if p.isKeyword("with") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.isKeyword("runs") {
			return nil, p.errTok("want runs after with, got %s", p.describe())
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if err := p.expectOp("=", "after runs"); err != nil {
			return nil, err
		}
		if p.tok.kind != tNumber {
			return nil, p.errTok("want a number of runs, got %s", p.describe())
		}
		n, err := strconv.Atoi(p.tok.text)
		if err != nil || n < 1 || n > 100 {
			return nil, p.errTok("runs must be from 1 to 100")
		}
		st.Runs = n
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (p *parser) keys() ([]plan.Expr, error) {
	if err := p.advance(); err != nil { // by
		return nil, err
	}
	var out []plan.Expr
	for {
		e, err := p.sum()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		if !p.isOp(",") {
			return out, nil
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
}

// span reads a time span: a number and a unit (ms, s, m, h, d), written
// together (15m) or apart.
func (p *parser) span() (time.Duration, error) {
	if p.tok.kind != tNumber {
		return 0, p.errTok("want a time span such as 15m, got %s", p.describe())
	}
	numTok := p.tok
	n, err := strconv.ParseInt(numTok.text, 10, 64)
	if err != nil || n <= 0 {
		return 0, p.errTok("want a positive whole number, got %s", numTok.text)
	}
	if err := p.advance(); err != nil {
		return 0, err
	}
	units := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	if p.tok.kind != tIdent || units[p.tok.text] == 0 {
		return 0, p.errTok("want a time unit (ms, s, m, h, d) after %s, got %s", numTok.text, p.describe())
	}
	d := time.Duration(n) * units[p.tok.text]
	return d, p.advance()
}
