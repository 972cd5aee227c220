package esql

import (
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// spans records where the parts of a plan were written, so that the checks
// that run on the plan after parsing (verify.go) report errors with the
// place in the query. The plan itself holds no positions; parts the parser
// makes up (the hidden columns of a STATS expression, a GROK conversion)
// have no span of their own and are reported at the nearest part that has.
type spans struct {
	exprs map[plan.Expr]syntax.Span
	nodes map[plan.Node]syntax.Span
	// names holds, per KEEP, DROP, RENAME and MV_EXPAND, the span of each
	// name it lists (for RENAME, the old name's), in order.
	names map[plan.Node][]syntax.Span
	// aggs holds the span of each aggregate call of a STATS, in order.
	aggs map[*plan.Stats][]syntax.Span
	// opaque marks conditions read from another language (kql()), whose
	// fields follow that language's rules: never checked here.
	opaque map[plan.Expr]bool
}

func newSpans() *spans {
	return &spans{
		exprs:  map[plan.Expr]syntax.Span{},
		nodes:  map[plan.Node]syntax.Span{},
		names:  map[plan.Node][]syntax.Span{},
		aggs:   map[*plan.Stats][]syntax.Span{},
		opaque: map[plan.Expr]bool{},
	}
}

// spanOr returns where e was written, or sp when the parser made e up.
func (s *spans) spanOr(e plan.Expr, sp syntax.Span) syntax.Span {
	if at, ok := s.exprs[e]; ok {
		return at
	}
	return sp
}
