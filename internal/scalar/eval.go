package scalar

import (
	"fmt"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
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

// Compile turns an expression into an evaluator for dialect d, resolving
// field names through r. It fails on unknown functions and wrong arity.
// An aggregate is not a scalar function, so it is unknown here: the front
// ends report an aggregate outside stats, with its position, when they
// parse.
func Compile(e plan.Expr, d plan.Dialect, r Resolver) (Evaluator, error) {
	switch t := e.(type) {
	case *plan.Field:
		slot := r(t.Name)
		return func(_ *Context, row Row) event.Value { return row.Get(slot) }, nil
	case *plan.Literal:
		v := t.Value
		return func(*Context, Row) event.Value { return v }, nil
	case *plan.Span:
		return nil, fmt.Errorf("a time span (%s) is only valid as a function argument", t)
	case *plan.Call:
		f, ok := Lookup(d, t.Name)
		if !ok {
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

func compileArgs(es []plan.Expr, d plan.Dialect, r Resolver) ([]Evaluator, error) {
	out := make([]Evaluator, len(es))
	for i, a := range es {
		if s, ok := a.(*plan.Span); ok {
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
func SpanValue(s *plan.Span) event.Value {
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
