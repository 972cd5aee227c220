package esql

import (
	"fmt"

	"github.com/tripline/tripline/internal/aggregate"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// Check reports the scalar function calls of an ES|QL plan that the
// function registry (internal/scalar) does not know or that have the wrong
// number of arguments, and "*" used outside count(*). It is separate from
// Parse so that parsing never depends on the scalar functions. The errors
// name the operator and the call; they carry no source position.
func Check(q *plan.Query) []error {
	var errs []error
	check := func(where string, e plan.Expr) {
		plan.Walk(e, func(x plan.Expr) bool {
			switch t := x.(type) {
			case *plan.Star:
				errs = append(errs, fmt.Errorf("cannot check %s: \"*\" is only valid as the argument of count(*)", where))
			case *plan.Call:
				if err := checkCall(t); err != nil {
					errs = append(errs, fmt.Errorf("cannot check %s: %w", where, err))
				}
			}
			return true
		})
	}
	for _, n := range q.Pipeline {
		switch t := n.(type) {
		case *plan.Where:
			check("where", t.Cond)
		case *plan.Eval:
			for _, a := range t.Assigns {
				check("eval "+plan.QuoteName(a.Name), a.Expr)
			}
		case *plan.Stats:
			for _, a := range t.Aggs {
				for _, arg := range a.Args {
					if _, isStar := arg.(*plan.Star); isStar {
						continue // Parse allowed it: the aggregate takes "*"
					}
					check("stats "+plan.QuoteName(a.Name), arg)
				}
			}
			for _, b := range t.By {
				check("stats by "+plan.QuoteName(b.Name), b.Expr)
			}
		case *plan.Sort:
			for _, k := range t.Keys {
				check("sort", k.Expr)
			}
		case *plan.Dissect:
			check("dissect", t.Field)
		case *plan.Extract:
			check(t.Kind, t.Field)
		case *plan.FillNull:
			check("fillnull", t.Value)
		}
	}
	return errs
}

func checkCall(c *plan.Call) error {
	f, ok := scalar.Lookup(plan.ESQL, c.Name)
	if !ok {
		if _, isAgg := aggregate.Lookup(plan.ESQL, c.Name); isAgg {
			return fmt.Errorf("aggregate function %s() is only valid in STATS", c.Name)
		}
		return fmt.Errorf("unknown function %s()", c.Name)
	}
	if len(c.Args) < f.MinArgs || f.MaxArgs >= 0 && len(c.Args) > f.MaxArgs {
		return fmt.Errorf("%s() takes %s, got %d", c.Name, arity(f.MinArgs, f.MaxArgs), len(c.Args))
	}
	return nil
}

// ImplicitLimit is the row limit ES|QL applies to a query that does not
// end in a smaller LIMIT.
const ImplicitLimit = 1000

// WithImplicitLimit returns q with ES|QL's implicit LIMIT 1000 appended,
// unless q already ends in a LIMIT of at most 1000 rows. Parse does not add
// it, so that callers which page through results the way Kibana's rule
// executor does can set their own limit; q itself is not changed.
func WithImplicitLimit(q *plan.Query) *plan.Query {
	if n := len(q.Pipeline); n > 0 {
		if l, ok := q.Pipeline[n-1].(*plan.Limit); ok && !l.Tail && l.N <= ImplicitLimit {
			return q
		}
	}
	out := &plan.Query{Dialect: q.Dialect, Pipeline: make([]plan.Node, 0, len(q.Pipeline)+1)}
	out.Pipeline = append(out.Pipeline, q.Pipeline...)
	out.Pipeline = append(out.Pipeline, &plan.Limit{N: ImplicitLimit})
	return out
}
