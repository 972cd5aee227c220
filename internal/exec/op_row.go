package exec

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
	"github.com/tripline/tripline/internal/schema"
)

// rowOp is a per-row operator shared by the stream and tail stages: it may
// set columns and returns whether the row goes on.
type rowOp interface {
	apply(ctx *scalar.Context, r mrow) bool
}

// resolver is what rowOps compile against: a way to read a name and a way
// to define one.
type resolver interface {
	resolve(name string) int
	define(name string) int
}

type whereOp struct {
	cond scalar.Evaluator
	// terms, when set instead of cond, are the AND terms of the
	// condition, and memo their event.Memo slots (-1 for a term that reads
	// more than the record): the same test in several rules
	// (eventSource=bedrock.amazonaws.com) runs once per record.
	terms []scalar.Evaluator
	memo  []int
}

func (w *whereOp) apply(ctx *scalar.Context, r mrow) bool {
	if w.terms == nil {
		return scalar.Truth(w.cond(ctx, r))
	}
	// AND is true only when every term is: stop at the first that is not.
	for i, t := range w.terms {
		if !scalar.Truth(shared(w.memo[i], t, ctx, r)) {
			return false
		}
	}
	return true
}

// shared evaluates ex over r through the record memo's slot, so that rules
// evaluating the same record-only expression share one result; a negative
// slot, or a row that is not a record's, evaluates it directly.
func shared(slot int, ex scalar.Evaluator, ctx *scalar.Context, r mrow) event.Value {
	sr, ok := r.(*streamRow)
	if slot < 0 || !ok || sr.ev == nil {
		return ex(ctx, r)
	}
	m := sr.ev.Memo
	v, ok := m.Get(slot)
	if !ok {
		v = ex(ctx, r)
		m.Put(slot, v)
	}
	return v
}

// memoize splits the condition of w into its AND terms and shares those
// that read only the record through event.Memo, as evalOp.memoize does for
// evals. It changes nothing when no term can be shared.
func (w *whereOp) memoize(cond plan.Expr, view schema.View, d plan.Dialect, r scalar.Resolver, assigned map[string]bool) error {
	terms := plan.Terms(cond, "AND")
	memo := make([]int, len(terms))
	shared := false
	for i, t := range terms {
		memo[i] = -1
		if recordOnly(t, assigned) {
			memo[i] = event.MemoSlot(fmt.Sprintf("where %d %d %s", view, d, t))
			shared = true
		}
	}
	if !shared {
		return nil
	}
	evs := make([]scalar.Evaluator, len(terms))
	for i, t := range terms {
		ev, err := scalar.Compile(t, d, r)
		if err != nil {
			return fmt.Errorf("cannot compile where: %w", err)
		}
		evs[i] = ev
	}
	w.terms, w.memo = evs, memo
	return nil
}

type evalOp struct {
	slots []int
	exprs []scalar.Evaluator
	// memo holds, per assignment, the event.Memo slot its value is shared
	// through, or -1.
	memo []int
}

func (e *evalOp) apply(ctx *scalar.Context, r mrow) bool {
	for i, ex := range e.exprs {
		slot := -1
		if e.memo != nil {
			slot = e.memo[i]
		}
		r.set(e.slots[i], shared(slot, ex, ctx, r))
	}
	return true
}

// memoize shares, through event.Memo, the assignments of e whose value
// depends on nothing but the record: every field they read is the
// record's own (not set by an earlier eval) and they call no function of
// the clock. The key is the expression as written with the view and
// dialect that give its fields and functions their meaning. assigned
// collects the names e sets.
func (e *evalOp) memoize(ev *plan.Eval, view schema.View, d plan.Dialect, assigned map[string]bool) {
	e.memo = make([]int, len(ev.Assigns))
	for i, a := range ev.Assigns {
		e.memo[i] = -1
		if recordOnly(a.Expr, assigned) {
			e.memo[i] = event.MemoSlot(fmt.Sprintf("eval %d %d %s", view, d, a.Expr))
		}
	}
	for _, a := range ev.Assigns {
		assigned[a.Name] = true
	}
}

// recordOnly reports whether x reads only fields of the record that no
// eval has set, and no clock.
func recordOnly(x plan.Expr, assigned map[string]bool) bool {
	ok := true
	plan.Walk(x, func(y plan.Expr) bool {
		switch t := y.(type) {
		case *plan.Field:
			ok = ok && !assigned[t.Name]
		case *plan.SearchCmp:
			ok = ok && !assigned[t.Field] && !strings.ContainsAny(t.Field, "*?")
		case *plan.Match:
			ok = ok && !assigned[t.Field]
		case *plan.Call:
			switch t.Name {
			case "now", "time", "relative_time", "random":
				ok = false
			}
		}
		return ok
	})
	return ok
}

// extractOp sets one column per regular-expression group; on no match the
// columns are left alone (rex) or set to null (grok, as ES|QL does).
type extractOp struct {
	src      scalar.Evaluator
	re       *regexp.Regexp
	slots    []int // by group, -1 to skip
	nullMiss bool
}

func (x *extractOp) apply(ctx *scalar.Context, r mrow) bool {
	s, ok := x.src(ctx, r).Str()
	var m []int
	if ok {
		m = x.re.FindStringSubmatchIndex(s)
	}
	for i, slot := range x.slots {
		if slot < 0 {
			continue
		}
		switch {
		case m != nil && m[2*(i+1)] >= 0:
			r.set(slot, event.StringValue(s[m[2*(i+1)]:m[2*(i+1)+1]]))
		case m != nil || x.nullMiss:
			r.set(slot, event.Value{})
		}
	}
	return true
}

type dissectOp struct {
	src   scalar.Evaluator
	d     *scalar.Dissector
	slots []int
	buf   []event.Value
}

func (d *dissectOp) apply(ctx *scalar.Context, r mrow) bool {
	s, ok := d.src(ctx, r).Str()
	if cap(d.buf) < len(d.slots) {
		d.buf = make([]event.Value, len(d.slots))
	}
	buf := d.buf[:len(d.slots)]
	matched := ok && d.d.Parse(s, buf)
	for i, slot := range d.slots {
		if slot < 0 {
			continue
		}
		if matched {
			r.set(slot, buf[i])
		} else {
			r.set(slot, event.Value{})
		}
	}
	return true
}

type fillNullOp struct {
	slots []int
	value scalar.Evaluator
}

func (f *fillNullOp) apply(ctx *scalar.Context, r mrow) bool {
	for _, s := range f.slots {
		if r.Get(s).IsNull() {
			r.set(s, f.value(ctx, r))
		}
	}
	return true
}

// compileRowOp compiles the per-row nodes. It returns nil, nil for nodes
// that are not per-row.
func compileRowOp(n plan.Node, d plan.Dialect, sc resolver) (rowOp, error) {
	switch t := n.(type) {
	case *plan.Where:
		ev, err := scalar.Compile(t.Cond, d, sc.resolve)
		if err != nil {
			return nil, fmt.Errorf("cannot compile where: %w", err)
		}
		return &whereOp{cond: ev}, nil
	case *plan.Eval:
		op := &evalOp{}
		for _, a := range t.Assigns {
			ev, err := scalar.Compile(a.Expr, d, sc.resolve)
			if err != nil {
				return nil, fmt.Errorf("cannot compile eval %s: %w", a.Name, err)
			}
			op.exprs = append(op.exprs, ev)
			op.slots = append(op.slots, sc.define(a.Name))
		}
		return op, nil
	case *plan.Extract:
		src, err := scalar.Compile(t.Field, d, sc.resolve)
		if err != nil {
			return nil, fmt.Errorf("cannot compile %s: %w", t.Kind, err)
		}
		re, err := regexp.Compile(t.Regex)
		if err != nil {
			return nil, fmt.Errorf("cannot compile %s pattern: %w", t.Kind, err)
		}
		op := &extractOp{src: src, re: re, nullMiss: t.Kind != "rex"}
		for _, name := range t.Names {
			if name == "" {
				op.slots = append(op.slots, -1)
				continue
			}
			op.slots = append(op.slots, sc.define(name))
		}
		for len(op.slots) < re.NumSubexp() {
			op.slots = append(op.slots, -1)
		}
		return op, nil
	case *plan.Dissect:
		src, err := scalar.Compile(t.Field, d, sc.resolve)
		if err != nil {
			return nil, fmt.Errorf("cannot compile dissect: %w", err)
		}
		dis, err := scalar.CompileDissect(t.Pattern, t.AppendSeparator)
		if err != nil {
			return nil, fmt.Errorf("cannot compile dissect pattern: %w", err)
		}
		op := &dissectOp{src: src, d: dis}
		for _, name := range dis.Names() {
			if name == "" {
				op.slots = append(op.slots, -1)
				continue
			}
			op.slots = append(op.slots, sc.define(name))
		}
		return op, nil
	}
	return nil, nil
}
