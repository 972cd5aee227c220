package spl

import (
	"strings"

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
			return plan.Agg{}, p.errf(arg, "eval() inside an aggregate is not supported")
		}
		if arg.kind != tkWord && arg.kind != tkString || arg.text == "" {
			return plan.Agg{}, p.errf(arg, "expected a field name in %s(), found %s", t.text, describe(arg))
		}
		if strings.Contains(arg.text, "*") {
			return plan.Agg{}, p.errf(arg, "wildcard field names are not supported in aggregates")
		}
		if c := p.next(); c.kind != tkRParen {
			return plan.Agg{}, p.errf(c, "expected ) to close the ( at %s, found %s", lineCol(p.src, open.pos), describe(c))
		}
		agg.Args = []plan.Expr{&plan.Field{Name: arg.text}}
		agg.Name = t.text + "(" + arg.text + ")"
	} else if fn != "count" {
		return plan.Agg{}, p.errf(t, "%s needs a field: %s(field)", t.text, t.text)
	}
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
