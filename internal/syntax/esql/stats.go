package esql

import (
	"strconv"

	"github.com/tripline/tripline/internal/event"

	"github.com/tripline/tripline/internal/aggregate"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// stats parses [INLINE] STATS [agg, ...] [BY key, ...].
//
// An aggregate is "name = f(args)" or a bare "f(args)" named by its source
// text. An expression over aggregates ("max(a) - min(a)", "round(avg(x),
// 2)") is split: its aggregates are computed under hidden names ($agg0,
// ...), an EVAL computes the expression, and a KEEP restores the ES|QL
// column order (aggregates, then keys) and drops the hidden columns. For
// INLINE STATS a DROP removes the hidden columns instead.
func (p *parser) stats(inline bool) ([]plan.Node, *syntax.Error) {
	s := &plan.Stats{Inline: inline}
	var (
		outNames  []string      // output aggregate names, in order
		compounds []plan.Assign // expressions over hidden aggregates
		hidden    []string
		outer     []fieldRef // fields read outside any aggregate
	)
	if !p.isKeyword("by") && p.tok.kind != tEOF && p.tok.kind != tPipe {
		for {
			p.aggAllowed, p.sawAgg, p.outer = true, false, nil
			a, sp, err := p.namedExpr()
			p.aggAllowed = false
			if err != nil {
				return nil, err
			}
			if p.isKeyword("where") {
				// A filtered aggregate (ES|QL reference, "STATS ... WHERE"):
				// its aggregates see only the rows the condition keeps;
				// groups are still made by every row.
				p.advance()
				cond, err := p.expr()
				if err != nil {
					return nil, err
				}
				a.Expr = p.filterAggs(a.Expr, cond)
			}
			if c, ok := a.Expr.(*plan.Call); ok && isAgg(c.Name) {
				s.Aggs = append(s.Aggs, plan.Agg{Name: a.Name, Func: c.Name, Args: c.Args})
				p.at.aggs[s] = append(p.at.aggs[s], p.at.spanOr(c, sp))
			} else if !p.sawAgg {
				return nil, p.errorSpan(sp, "expected an aggregate function such as count(*), found %s", clip(p.src[sp.Start:sp.End]))
			} else {
				e := p.liftAggs(a.Expr, s, &hidden, sp)
				compounds = append(compounds, plan.Assign{Name: a.Name, Expr: e})
				outer = append(outer, p.outer...)
			}
			outNames = append(outNames, a.Name)
			if p.tok.kind != tComma {
				break
			}
			p.advance()
		}
	}
	if p.isKeyword("by") {
		p.advance()
		for {
			a, _, err := p.namedExpr()
			if err != nil {
				return nil, err
			}
			s.By = append(s.By, a)
			if p.tok.kind != tComma {
				break
			}
			p.advance()
		}
	}
	if len(s.Aggs) == 0 && len(s.By) == 0 {
		return nil, p.unexpected("an aggregate or BY")
	}
	nodes := []plan.Node{s}
	if len(compounds) == 0 {
		return nodes, nil
	}
	keys := map[string]bool{}
	for _, b := range s.By {
		keys[b.Name] = true
	}
	for _, f := range outer {
		if !keys[f.name] {
			return nil, p.errorSpan(f.span, "column %s must be inside an aggregate function or be a BY key", plan.QuoteName(f.name))
		}
	}
	nodes = append(nodes, &plan.Eval{Assigns: compounds})
	if inline {
		return append(nodes, &plan.Drop{Fields: hidden}), nil
	}
	keep := append([]string(nil), outNames...)
	for _, b := range s.By {
		keep = append(keep, b.Name)
	}
	return append(nodes, &plan.Keep{Fields: keep}), nil
}

// filterAggs makes each aggregate in e read its first argument only where
// cond is true: count(*) counts the rows that pass, the others see null
// elsewhere, which aggregates skip.
func (p *parser) filterAggs(e, cond plan.Expr) plan.Expr {
	null := &plan.Literal{}
	return p.mapExpr(e, func(x plan.Expr) (plan.Expr, bool) {
		c, ok := x.(*plan.Call)
		if !ok || !isAgg(c.Name) || len(c.Args) == 0 {
			return nil, false
		}
		args := append([]plan.Expr(nil), c.Args...)
		arg := args[0]
		if _, star := arg.(*plan.Star); star {
			arg = &plan.Literal{Value: event.BoolValue(true)}
		}
		args[0] = &plan.Call{Name: "case", Args: []plan.Expr{cond, arg, null}}
		return &plan.Call{Name: c.Name, Args: args}, true
	})
}

// isAgg reports whether name is an ES|QL aggregate function.
func isAgg(name string) bool {
	_, ok := aggregate.Lookup(plan.ESQL, name)
	return ok
}

// liftAggs replaces each aggregate call in e by a hidden column that s
// computes, and returns the rewritten expression.
func (p *parser) liftAggs(e plan.Expr, s *plan.Stats, hidden *[]string, sp syntax.Span) plan.Expr {
	return p.mapExpr(e, func(x plan.Expr) (plan.Expr, bool) {
		c, ok := x.(*plan.Call)
		if !ok || !isAgg(c.Name) {
			return nil, false
		}
		name := "$agg" + strconv.Itoa(p.hidden)
		p.hidden++
		s.Aggs = append(s.Aggs, plan.Agg{Name: name, Func: c.Name, Args: c.Args})
		p.at.aggs[s] = append(p.at.aggs[s], p.at.spanOr(c, sp))
		*hidden = append(*hidden, name)
		return &plan.Field{Name: name}, true
	})
}

// mapExpr rebuilds e bottom-up, replacing every sub-expression for which fn
// returns true (without descending into it). A rebuilt expression keeps
// the place in the query of the one it replaces.
func (p *parser) mapExpr(e plan.Expr, fn func(plan.Expr) (plan.Expr, bool)) plan.Expr {
	out := p.mapExpr1(e, fn)
	if sp, ok := p.at.exprs[e]; ok {
		if _, has := p.at.exprs[out]; !has {
			p.at.exprs[out] = sp
		}
	}
	return out
}

func (p *parser) mapExpr1(e plan.Expr, fn func(plan.Expr) (plan.Expr, bool)) plan.Expr {
	if r, ok := fn(e); ok {
		return r
	}
	mapExpr := p.mapExpr
	switch t := e.(type) {
	case *plan.Unary:
		return &plan.Unary{Op: t.Op, X: mapExpr(t.X, fn)}
	case *plan.Binary:
		return &plan.Binary{Op: t.Op, L: mapExpr(t.L, fn), R: mapExpr(t.R, fn)}
	case *plan.Call:
		args := make([]plan.Expr, len(t.Args))
		for i, a := range t.Args {
			args[i] = mapExpr(a, fn)
		}
		return &plan.Call{Name: t.Name, Args: args}
	case *plan.In:
		list := make([]plan.Expr, len(t.List))
		for i, a := range t.List {
			list[i] = mapExpr(a, fn)
		}
		return &plan.In{X: mapExpr(t.X, fn), List: list, Not: t.Not}
	case *plan.Like:
		return &plan.Like{X: mapExpr(t.X, fn), Patterns: t.Patterns, Regex: t.Regex, Not: t.Not}
	case *plan.IsNull:
		return &plan.IsNull{X: mapExpr(t.X, fn), Not: t.Not}
	}
	return e
}
