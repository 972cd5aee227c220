package spl

import (
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// parseStats parses stats (and eventstats when inline):
//
//	stats count min(_time) as firstTime values(x) by a b, c
//
// An aggregate without "as" is named as Splunk names it: the function as
// written, with its argument in parentheses ("count", "values(errorCode)").
func parseStats(p *parser, inline bool) ([]plan.Node, *syntax.Error) {
	st := &plan.Stats{Inline: inline}
	for !p.eof() {
		t := p.peek()
		if t.kind == tkComma {
			p.next()
			continue
		}
		if isWord(t, "by") {
			break
		}
		agg, err := p.aggregate()
		if err != nil {
			return nil, err
		}
		st.Aggs = append(st.Aggs, agg)
	}
	if len(st.Aggs) == 0 {
		return nil, p.errf(p.peek(), "expected at least one aggregate function")
	}
	if by := p.peek(); isWord(by, "by") {
		p.next()
		fields, err := p.fieldList(false)
		if err != nil {
			return nil, err
		}
		if len(fields) == 0 {
			return nil, p.errf(by, "expected field names after by")
		}
		for _, f := range fields {
			st.By = append(st.By, plan.Assign{Name: f, Expr: &plan.Field{Name: f}})
		}
	}
	return []plan.Node{st}, nil
}

// aggregate parses one aggregate: "count", "values(x)", "min(_time) as
// firstTime". Without "as" it is named as Splunk names it: the function as
// written, with its argument in parentheses ("values(errorCode)").
func (p *parser) aggregate() (plan.Agg, *syntax.Error) {
	t := p.peek()
	if t.kind != tkWord {
		return plan.Agg{}, p.errf(t, "expected an aggregate function, found %s", describe(t))
	}
	if p.atOption() {
		return plan.Agg{}, p.errf(t, "option %s= is not supported", t.text)
	}
	p.next()
	fn, ok := aggFuncs[strings.ToLower(t.text)]
	if !ok {
		return plan.Agg{}, p.errf(t, "unknown aggregate function %s", t.text)
	}
	agg := plan.Agg{Name: t.text, Func: fn}
	if p.peek().kind == tkLParen {
		open := p.next()
		arg := p.next()
		if (arg.kind == tkWord || arg.kind == tkString) && isWord(arg, "eval") && p.peek().kind == tkLParen {
			x, err := p.evalArg(fn)
			if err != nil {
				return plan.Agg{}, err
			}
			if c := p.next(); c.kind != tkRParen {
				return plan.Agg{}, p.errf(c, "expected ) to close the ( at %s, found %s", lineCol(p.src, open.pos), describe(c))
			}
			agg.Args = []plan.Expr{x}
			agg.Name = p.src[t.pos:p.toks[p.i-1].end]
			return p.aggAlias(agg)
		}
		if arg.kind != tkWord && arg.kind != tkString || arg.text == "" {
			return plan.Agg{}, p.errf(arg, "expected a field name in %s(), found %s", t.text, describe(arg))
		}
		if strings.Count(arg.text, "*") > 1 {
			return plan.Agg{}, p.errf(arg, "a wildcard field name in an aggregate may hold one * only")
		}
		if c := p.next(); c.kind != tkRParen {
			return plan.Agg{}, p.errf(c, "expected ) to close the ( at %s, found %s", lineCol(p.src, open.pos), describe(c))
		}
		agg.Args = []plan.Expr{&plan.Field{Name: arg.text}}
		agg.Name = t.text + "(" + arg.text + ")"
	} else if fn != "count" {
		return plan.Agg{}, p.errf(t, "%s needs a field: %s(field)", t.text, t.text)
	}
	return p.aggAlias(agg)
}

// aggAlias reads an aggregate's "as name", if any.
func (p *parser) aggAlias(agg plan.Agg) (plan.Agg, *syntax.Error) {
	if isWord(p.peek(), "as") {
		p.next()
		alias, err := p.fieldName("a name after as")
		if err != nil {
			return plan.Agg{}, err
		}
		agg.Name = alias.text
	}
	return agg, nil
}

// evalArg parses the eval(expression) argument of an aggregate, its
// "eval" read: the expression is read as eval reads it, from the text
// between the parentheses. For count and dc, a condition counts the rows
// where it is true (Splunk's count(eval(x="a"))): it becomes if(cond, 1,
// null()).
func (p *parser) evalArg(fn string) (plan.Expr, *syntax.Error) {
	open := p.next()
	closeAt := matchParen(p.src, open.pos, p.end)
	if closeAt < 0 {
		return nil, p.errf(open, "expected ) to close the ( of eval")
	}
	toks, err := lexExpr(p.src, open.pos+1, closeAt)
	if err != nil {
		return nil, err
	}
	sub := &parser{src: p.src, toks: toks, end: closeAt}
	if sub.eof() {
		return nil, p.errf(open, "expected an expression in eval()")
	}
	x, err := sub.expr()
	if err != nil {
		return nil, err
	}
	if !sub.eof() {
		return nil, sub.errf(sub.peek(), "unexpected %s after the expression", describe(sub.peek()))
	}
	for !p.eof() && p.peek().pos < closeAt {
		p.next()
	}
	if c := p.next(); c.kind != tkRParen || c.pos != closeAt {
		return nil, p.errf(c, "expected ) to close eval(")
	}
	if (fn == "count" || fn == "dc") && isCondition(x) {
		x = &plan.Call{Name: "if", Args: []plan.Expr{x, &plan.Literal{Value: event.LongValue(1)}, &plan.Literal{}}}
	}
	return x, nil
}

// matchParen returns the offset of the ) that closes the ( at src[i],
// skipping strings; -1 when there is none before end.
func matchParen(src string, i, end int) int {
	depth := 0
	for j := i; j < end; j++ {
		switch src[j] {
		case '"', '\'':
			q := src[j]
			for j++; j < end && src[j] != q; j++ {
				if src[j] == '\\' {
					j++
				}
			}
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// isCondition reports whether an expression is a test: a comparison, a
// logical operator, or a function that returns true or false.
func isCondition(x plan.Expr) bool {
	switch t := x.(type) {
	case *plan.Binary:
		switch t.Op {
		case "==", "=", "!=", "<", "<=", ">", ">=", "AND", "OR", "XOR":
			return true
		}
	case *plan.Unary:
		return t.Op == "NOT"
	case *plan.Like, *plan.In, *plan.IsNull:
		return true
	case *plan.Call:
		switch t.Name {
		case "like", "match", "isnull", "isnotnull", "cidrmatch", "searchmatch", "isnum", "isstr", "isint", "isbool", "in", "true", "false":
			return true
		}
	}
	return false
}
