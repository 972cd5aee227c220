package plan

import (
	"fmt"

	"github.com/tripline/tripline/internal/event"
)

// Row is what an evaluator reads: column values by slot (slots come from a
// Resolver at compile time) and, while the row is still an event, its raw
// text for SPL's bare search terms (nil after aggregation). Values returned
// are valid as long as the row is.
type Row interface {
	Get(slot int) event.Value
	Raw() []byte
}

// Resolver maps a column name to a slot at compile time. It never fails: a
// name that no row will ever have gets a slot that always reads null.
type Resolver func(name string) int

// Context carries what evaluation needs beyond the row: the query's "now"
// (the tick time on replayed data), in Unix nanoseconds. It also holds the
// evaluated arguments of the function calls in progress, so that calling
// a function does not allocate; a Context is used by one goroutine at a
// time.
type Context struct {
	Now  int64
	args []event.Value
}

// Evaluator computes an expression over one row.
type Evaluator func(ctx *Context, row Row) event.Value

// Func is a scalar function of a dialect.
type Func struct {
	MinArgs, MaxArgs int // MaxArgs < 0: variadic
	// Eval computes the result from evaluated arguments.
	Eval func(ctx *Context, args []event.Value) event.Value
	// Lazy, when set instead of Eval, receives the argument evaluators so
	// that it can evaluate only what it needs (case, if, coalesce).
	Lazy func(ctx *Context, row Row, args []Evaluator) event.Value
}

// AggFunc describes an aggregate function of a dialect: its arity. The
// executor owns the implementation (mergeable state).
type AggFunc struct {
	MinArgs, MaxArgs int
	// Star reports that the function accepts "*" (count(*)).
	Star bool
}

// LookupFunc returns a dialect's scalar function by lower-case name.
func LookupFunc(d Dialect, name string) (*Func, bool) {
	var f *Func
	switch d {
	case ESQL:
		f = esqlFuncs[name]
	case SPL:
		f = splFuncs[name]
	case Sigma:
		f = splFuncs[name]
	}
	return f, f != nil
}

// LookupAgg returns a dialect's aggregate by lower-case name.
func LookupAgg(d Dialect, name string) (AggFunc, bool) {
	var a AggFunc
	var ok bool
	switch d {
	case ESQL:
		a, ok = esqlAggs[name]
	default:
		a, ok = splAggs[name]
	}
	return a, ok
}

var esqlAggs = map[string]AggFunc{
	"count":          {MinArgs: 0, MaxArgs: 1, Star: true},
	"count_distinct": {MinArgs: 1, MaxArgs: 2},
	"min":            {MinArgs: 1, MaxArgs: 1},
	"max":            {MinArgs: 1, MaxArgs: 1},
	"sum":            {MinArgs: 1, MaxArgs: 1},
	"avg":            {MinArgs: 1, MaxArgs: 1},
	"median":         {MinArgs: 1, MaxArgs: 1},
	"values":         {MinArgs: 1, MaxArgs: 1},
	"percentile":     {MinArgs: 2, MaxArgs: 2},
	"earliest":       {MinArgs: 1, MaxArgs: 1},
	"latest":         {MinArgs: 1, MaxArgs: 1},
}

var splAggs = map[string]AggFunc{
	"count":          {MinArgs: 0, MaxArgs: 1},
	"c":              {MinArgs: 0, MaxArgs: 1},
	"dc":             {MinArgs: 1, MaxArgs: 1},
	"distinct_count": {MinArgs: 1, MaxArgs: 1},
	"values":         {MinArgs: 1, MaxArgs: 1},
	"list":           {MinArgs: 1, MaxArgs: 1},
	"min":            {MinArgs: 1, MaxArgs: 1},
	"max":            {MinArgs: 1, MaxArgs: 1},
	"sum":            {MinArgs: 1, MaxArgs: 1},
	"avg":            {MinArgs: 1, MaxArgs: 1},
	"mean":           {MinArgs: 1, MaxArgs: 1},
	"median":         {MinArgs: 1, MaxArgs: 1},
	"earliest":       {MinArgs: 1, MaxArgs: 1},
	"latest":         {MinArgs: 1, MaxArgs: 1},
	"first":          {MinArgs: 1, MaxArgs: 1},
	"last":           {MinArgs: 1, MaxArgs: 1},
	"range":          {MinArgs: 1, MaxArgs: 1},
	"stdev":          {MinArgs: 1, MaxArgs: 1},
}

// Compile turns an expression into an evaluator for dialect d, resolving
// field names through r. It fails on unknown functions and wrong arity;
// aggregates are not scalar expressions and fail here too.
func Compile(e Expr, d Dialect, r Resolver) (Evaluator, error) {
	switch t := e.(type) {
	case *Field:
		slot := r(t.Name)
		return func(_ *Context, row Row) event.Value { return row.Get(slot) }, nil
	case *Literal:
		v := t.Value
		return func(*Context, Row) event.Value { return v }, nil
	case *Span:
		return nil, fmt.Errorf("a time span (%s) is only valid as a function argument", t)
	case *Call:
		f, ok := LookupFunc(d, t.Name)
		if !ok {
			if _, isAgg := LookupAgg(d, t.Name); isAgg {
				return nil, fmt.Errorf("aggregate function %s() is only valid in stats", t.Name)
			}
			return nil, fmt.Errorf("unknown function %s()", t.Name)
		}
		if len(t.Args) < f.MinArgs || (f.MaxArgs >= 0 && len(t.Args) > f.MaxArgs) {
			return nil, fmt.Errorf("%s() takes %s, got %d", t.Name, arity(f.MinArgs, f.MaxArgs), len(t.Args))
		}
		args, err := compileArgs(t.Args, d, r)
		if err != nil {
			return nil, fmt.Errorf("in %s(): %w", t.Name, err)
		}
		if f.Lazy != nil {
			lazy := f.Lazy
			return func(ctx *Context, row Row) event.Value { return lazy(ctx, row, args) }, nil
		}
		eval := f.Eval
		return func(ctx *Context, row Row) event.Value {
			// The arguments take the next len(args) values of the
			// context's stack; calls inside them stack above. A stack
			// that grows leaves this call its old array, which is fine:
			// each call uses only its own slice.
			top, n := len(ctx.args), len(args)
			if cap(ctx.args)-top < n {
				grown := make([]event.Value, top, 2*(top+n))
				copy(grown, ctx.args)
				ctx.args = grown
			}
			ctx.args = ctx.args[:top+n]
			vals := ctx.args[top : top+n : top+n]
			for i, a := range args {
				vals[i] = a(ctx, row)
			}
			v := eval(ctx, vals)
			clear(vals)
			ctx.args = ctx.args[:top]
			return v
		}, nil
	}
	return compileOperator(e, d, r)
}

func compileArgs(es []Expr, d Dialect, r Resolver) ([]Evaluator, error) {
	out := make([]Evaluator, len(es))
	for i, a := range es {
		if s, ok := a.(*Span); ok {
			v := SpanValue(s)
			out[i] = func(*Context, Row) event.Value { return v }
			continue
		}
		ev, err := Compile(a, d, r)
		if err != nil {
			return nil, err
		}
		out[i] = ev
	}
	return out, nil
}

// SpanValue encodes a span as a value for function arguments: a fixed
// duration is a Long of nanoseconds; a calendar span is the string
// "<n>mo" (months).
func SpanValue(s *Span) event.Value {
	if s.Months != 0 {
		return event.StringValue(fmt.Sprintf("%dmo", s.Months))
	}
	return event.LongValue(int64(s.D))
}

func arity(min, max int) string {
	switch {
	case max < 0:
		return fmt.Sprintf("at least %d arguments", min)
	case min == max:
		return fmt.Sprintf("%d arguments", min)
	}
	return fmt.Sprintf("%d to %d arguments", min, max)
}

// Truth reports whether a condition's value keeps a row: only boolean true.
func Truth(v event.Value) bool {
	b, ok := v.Bool()
	return ok && b
}
