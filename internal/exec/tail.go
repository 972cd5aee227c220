package exec

import (
	"fmt"
	"strings"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// proc is one tail-stage operator instance, created per evaluation. push
// passes rows on (or holds them); flush is called once after the last row
// and must flush the next processor.
type proc interface {
	push(ctx *scalar.Context, r *tRow)
	flush(ctx *scalar.Context)
}

// procMaker builds a fresh processor in front of next.
type procMaker func(next proc) proc

// tailPlan is the compiled tail stage: processor makers in order, the
// final column order (nil when open: columns sorted by name), and the
// tail's slot layout, fixed by finish.
type tailPlan struct {
	makers []procMaker
	stages []stage     // one per maker
	nodes  []plan.Node // the node of each maker
	// prefixLen and cacheable describe the leading operators, once
	// finished: see prefix.
	prefixLen int
	cacheable bool
	cols      []string
	// lead, when cols is nil, holds the columns known to come first, in
	// order (a stats whose wildcard aggregates add columns per group);
	// the others follow sorted by name.
	lead     []string
	scope    *tailScope
	width    int   // slots per row, once finished
	colSlots []int // slot of each of cols
	finishes []func()
	// terms holds, by operator, the AND terms of a WHERE of more than one,
	// compiled one by one for explain mode.
	terms map[int][]scalar.Evaluator
	// rs resolves lookup tables and the GeoIP database, and compiles
	// subsearches, while the tail compiles.
	rs *resources
	// complete and completeLimit run COMPLETION (see Options).
	complete      CompleteFunc
	completeLimit int
}

// bindCompletion gives the tail's COMPLETION processors what they call.
func (tp *tailPlan) bindCompletion(opt Options) {
	tp.complete, tp.completeLimit = opt.Complete, opt.CompleteLimit
	if tp.completeLimit <= 0 {
		tp.completeLimit = DefaultCompleteLimit
	}
}

// tailResolver adapts a tail scope to rowOp compilation: in the tail stage
// defining a name is the same as naming it.
type tailResolver struct{ sc *tailScope }

func (t tailResolver) resolve(name string) int { return t.sc.resolve(name) }
func (t tailResolver) define(name string) int  { return t.sc.resolve(name) }

// compileTail compiles nodes that run over materialized rows. cols is the
// column order coming in (nil when open). The caller resolves any other
// name its rows carry, then calls finish.
func compileTail(nodes []plan.Node, d plan.Dialect, cols []string, rs *resources) (*tailPlan, error) {
	return compileTailLead(nodes, d, cols, nil, rs)
}

// compileTailLead is compileTail for open rows whose leading columns are
// known (lead; see tailPlan.lead).
func compileTailLead(nodes []plan.Node, d plan.Dialect, cols, lead []string, rs *resources) (*tailPlan, error) {
	if cols != nil {
		cols = append(make([]string, 0, len(cols)), cols...)
	}
	if rs == nil {
		rs = &resources{subs: &subPrograms{}}
	}
	tp := &tailPlan{scope: newTailScope(), cols: cols, rs: rs}
	if cols == nil && lead != nil {
		tp.lead = append([]string(nil), lead...)
	}
	for _, c := range cols {
		tp.scope.resolve(c)
	}
	for _, c := range tp.lead {
		tp.scope.resolve(c)
	}
	res := tailResolver{tp.scope}
	for _, n := range nodes {
		if err := tp.add(n, d, res); err != nil {
			return nil, fmt.Errorf("%s: %w", firstWord(n.String()), err)
		}
	}
	return tp, nil
}

// finish fixes the slot layout once every name has been resolved.
func (tp *tailPlan) finish() {
	tp.colSlots = make([]int, len(tp.cols))
	for i, c := range tp.cols {
		tp.colSlots[i] = tp.scope.resolve(c)
	}
	tp.width = len(tp.scope.names)
	for _, f := range tp.finishes {
		f()
	}
	tp.prefixLen, tp.cacheable = tp.prefix()
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i > 0 {
		return s[:i]
	}
	return s
}

// stage says how one tail operator treats the rows it is given, so that a
// sliding window can give it only the rows that changed.
type stage struct {
	// local: what comes out for a row depends on that row alone.
	local bool
	// now: the operator reads now(), so its output changes every tick.
	now bool
	// inline: INLINE STATS (eventstats) whose results do not depend on the
	// order of its rows; it emits rows in the order it was given them.
	inline bool
}

// orderSensitive lists the aggregates whose result depends on row order.
var orderSensitive = map[string]bool{"list": true, "earliest": true, "latest": true, "first": true, "last": true}

func (tp *tailPlan) add(n plan.Node, d plan.Dialect, res tailResolver) error {
	before := len(tp.makers)
	fn, isFill := n.(*plan.FillNull)
	fillOpen := isFill && len(fn.Fields) == 0 && tp.cols == nil
	if err := tp.addNode(n, d, res); err != nil {
		return err
	}
	st := stage{now: usesNow(n)}
	switch t := n.(type) {
	case *plan.Where, *plan.Eval, *plan.Extract, *plan.Dissect, *plan.FillNull, *plan.MvExpand, *plan.Keep, *plan.Drop, *plan.Rename,
		*plan.Lookup, *plan.IPLocation:
		st.local = !fillOpen
	case *plan.Completion:
		// A COMPLETION's answer for a row that did not change is kept
		// from one tick to the next rather than asked again.
		st.local = true
	case *plan.Stats:
		if t.Inline {
			st.inline = true
			for _, a := range t.Aggs {
				st.inline = st.inline && !orderSensitive[a.Func]
			}
		}
	}
	if len(tp.makers) != before+1 {
		return fmt.Errorf("BUG: operator %T made %d processors", n, len(tp.makers)-before)
	}
	tp.stages = append(tp.stages, st)
	tp.nodes = append(tp.nodes, n)
	return nil
}

// prefix returns how many leading operators can be given a window's rows
// in any order (row-local operators and order-free inline stats), and
// whether all of them are row-local and read no now(), so that their
// output for an unchanged row can be kept from one tick to the next.
func (tp *tailPlan) prefix() (n int, cacheable bool) {
	cacheable = true
	for _, st := range tp.stages {
		if !st.local && !st.inline {
			break
		}
		cacheable = cacheable && st.local && !st.now
		n++
	}
	return n, cacheable
}

func (tp *tailPlan) addNode(n plan.Node, d plan.Dialect, res tailResolver) error {
	sc := tp.scope
	switch t := n.(type) {
	case *plan.Where, *plan.Eval, *plan.Extract, *plan.Dissect:
		op, err := compileRowOp(n, d, res)
		if err != nil {
			return err
		}
		tp.makers = append(tp.makers, func(next proc) proc { return &rowProc{op: op, next: next} })
		switch t := n.(type) {
		case *plan.Where:
			terms, err := compileTerms(t.Cond, d, res.resolve)
			if err != nil {
				return err
			}
			if terms != nil {
				if tp.terms == nil {
					tp.terms = map[int][]scalar.Evaluator{}
				}
				tp.terms[len(tp.makers)-1] = terms
			}
		case *plan.Eval:
			for _, a := range t.Assigns {
				tp.addCol(a.Name)
			}
		case *plan.Extract:
			for _, nm := range t.Names {
				if nm != "" {
					tp.addCol(nm)
				}
			}
		case *plan.Dissect:
			dis, _ := scalar.CompileDissect(t.Pattern, t.AppendSeparator)
			for _, nm := range dis.Names() {
				if nm != "" {
					tp.addCol(nm)
				}
			}
		}
	case *plan.FillNull:
		val, err := scalar.Compile(t.Value, d, res.resolve)
		if err != nil {
			return err
		}
		fields := t.Fields
		if len(fields) == 0 && tp.cols == nil {
			// Every field of open rows: those any row of the window has.
			tp.makers = append(tp.makers, func(next proc) proc {
				return &fillAllProc{value: val, sc: sc, next: next}
			})
			return nil
		}
		if len(fields) == 0 {
			fields = tp.cols
		}
		slots := make([]int, len(fields))
		for i, f := range fields {
			slots[i] = sc.resolve(f)
		}
		tp.makers = append(tp.makers, func(next proc) proc {
			return &fillNullProc{slots: slots, value: val, next: next}
		})
	case *plan.MvExpand:
		slot := sc.resolve(t.Field)
		tp.makers = append(tp.makers, func(next proc) proc { return &mvExpandProc{slot: slot, next: next} })
	case *plan.Keep:
		patterns := t.Fields
		if tp.cols != nil {
			tp.cols = selectCols(tp.cols, patterns)
		} else if !hasWildcard(patterns) {
			tp.cols = append([]string(nil), patterns...)
		} else if tp.lead != nil {
			tp.lead = selectCols(tp.lead, patterns)
		}
		ks := tp.keepSpec(patterns, true)
		tp.makers = append(tp.makers, func(next proc) proc { return &keepProc{spec: ks, next: next} })
	case *plan.Drop:
		patterns := t.Fields
		if tp.cols != nil {
			var out []string
			for _, c := range tp.cols {
				if !matchAny(patterns, c) {
					out = append(out, c)
				}
			}
			tp.cols = out
		}
		tp.lead = dropCols(tp.lead, patterns)
		ks := tp.keepSpec(patterns, false)
		tp.makers = append(tp.makers, func(next proc) proc { return &keepProc{spec: ks, next: next} })
	case *plan.Rename:
		for _, p := range t.Pairs {
			if strings.Contains(p.From, "*") {
				return fmt.Errorf("rename %s as %s: wildcard renames after the aggregation are not supported yet", p.From, p.To)
			}
		}
		pairs := make([][2]int, len(t.Pairs))
		if tp.cols != nil {
			tp.cols = append([]string(nil), tp.cols...)
		}
		for i, p := range t.Pairs {
			pairs[i] = [2]int{sc.resolve(p.From), sc.resolve(p.To)}
			for i, c := range tp.cols {
				if c == p.From {
					tp.cols[i] = p.To
				}
			}
			if tp.lead != nil {
				tp.lead = dropCols(tp.lead, []string{p.To})
				for i, c := range tp.lead {
					if c == p.From {
						tp.lead[i] = p.To
					}
				}
			}
		}
		tp.makers = append(tp.makers, func(next proc) proc { return &renameProc{pairs: pairs, next: next} })
	case *plan.Stats:
		t, err := expandWildAggs(t, tp.cols)
		if err != nil {
			return err
		}
		spec, err := compileStats(t, d, res.resolve)
		if err != nil {
			return err
		}
		spec.bindTail(sc)
		if t.Inline {
			for _, a := range spec.aggNames {
				tp.addCol(a)
			}
			tp.makers = append(tp.makers, func(next proc) proc { return &inlineStatsProc{spec: spec, next: next} })
			return nil
		}
		tp.cols, tp.lead = spec.outCols, nil
		tp.makers = append(tp.makers, func(next proc) proc { return &statsProc{spec: spec, width: tp.width, next: next} })
	case *plan.Sort:
		keys := make([]sortKey, len(t.Keys))
		for i, k := range t.Keys {
			ev, err := scalar.Compile(k.Expr, d, res.resolve)
			if err != nil {
				return err
			}
			nullsFirst := k.Desc // ES|QL: nulls last ascending, first descending
			if d != plan.ESQL {
				nullsFirst = !k.Desc // Splunk: nulls sort lowest
			}
			switch k.Nulls {
			case plan.NullsFirst:
				nullsFirst = true
			case plan.NullsLast:
				nullsFirst = false
			}
			keys[i] = sortKey{eval: ev, desc: k.Desc, nullsFirst: nullsFirst}
		}
		tp.makers = append(tp.makers, func(next proc) proc { return &sortProc{keys: keys, d: d, next: next} })
	case *plan.Limit:
		n, tail := t.N, t.Tail
		tp.makers = append(tp.makers, func(next proc) proc { return &limitProc{n: n, tail: tail, next: next} })
	case *plan.Completion:
		prompt, err := scalar.Compile(t.Prompt, d, res.resolve)
		if err != nil {
			return err
		}
		target, id := sc.resolve(t.Target), t.InferenceID
		tp.addCol(t.Target)
		tp.makers = append(tp.makers, func(next proc) proc {
			return &completionProc{prompt: prompt, target: target, id: id,
				complete: tp.complete, limit: tp.completeLimit, next: next}
		})
	case *plan.Dedup:
		count, consec := t.Count, t.Consecutive
		if count < 1 {
			count = 1
		}
		slots := make([]int, len(t.Fields))
		for i, f := range t.Fields {
			slots[i] = sc.resolve(f)
		}
		tp.makers = append(tp.makers, func(next proc) proc {
			return &dedupProc{slots: slots, count: count, consecutive: consec, seen: map[string]int{}, next: next}
		})
	default:
		ok, err := tp.addWindowNode(n, d, res)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("operator %T is not supported here", n)
		}
	}
	return nil
}

// keepSpec compiles keep (or drop) patterns; the per-slot matches are
// computed by finish, once every slot is known.
func (tp *tailPlan) keepSpec(patterns []string, keep bool) *keepSpec {
	ks := &keepSpec{patterns: patterns, keep: keep, sc: tp.scope}
	for _, p := range patterns {
		ks.patSlots = append(ks.patSlots, tp.scope.resolve(p))
	}
	tp.finishes = append(tp.finishes, func() {
		names := tp.scope.names
		ks.exact = make([]bool, len(names))
		ks.globs = make([][]int, len(names))
		for slot, name := range names {
			for i, p := range patterns {
				switch {
				case p == name:
					ks.exact[slot] = true
				case globMatch(p, name):
					ks.globs[slot] = append(ks.globs[slot], i)
				}
			}
		}
	})
	return ks
}

func (tp *tailPlan) addCol(name string) {
	if tp.cols == nil {
		if tp.lead != nil && !contains(tp.lead, name) {
			tp.lead = append(tp.lead, name)
		}
		return
	}
	for _, c := range tp.cols {
		if c == name {
			return
		}
	}
	tp.cols = append(tp.cols, name)
}

func hasWildcard(ps []string) bool {
	for _, p := range ps {
		if strings.Contains(p, "*") {
			return true
		}
	}
	return false
}

func selectCols(cols, patterns []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range patterns {
		if !strings.Contains(p, "*") || contains(cols, p) {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
			continue
		}
		for _, c := range cols {
			if !seen[c] && globMatch(p, c) {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// run pushes rows through a fresh instance of the tail stage and returns
// what comes out.
func (tp *tailPlan) run(ctx *scalar.Context, rows []*tRow) []*tRow {
	return tp.runPart(ctx, rows, 0, len(tp.makers), nil, nil)
}

// runPart pushes rows through fresh instances of operators [from, to).
// x, when not nil, counts the rows entering each of them. env is what the
// operators may read of the window (nil when none reads it).
func (tp *tailPlan) runPart(ctx *scalar.Context, rows []*tRow, from, to int, x *trace, env *winEnv) []*tRow {
	sink := &collect{}
	var p proc = sink
	for i := to - 1; i >= from; i-- {
		p = tp.makers[i](p)
		if u, ok := p.(envUser); ok {
			u.useEnv(env)
		}
		if x != nil {
			p = &tap{x: x, at: i, terms: tp.terms[i], next: p}
		}
	}
	for _, r := range rows {
		p.push(ctx, r)
	}
	p.flush(ctx)
	return sink.rows
}

type collect struct{ rows []*tRow }

func (c *collect) push(_ *scalar.Context, r *tRow) { c.rows = append(c.rows, r) }
func (c *collect) flush(*scalar.Context)           {}

// selects reports whether a pattern names a column: exactly when a column
// of that very name exists (ES|QL's "COUNT(*)"), else by wildcard.
// compareSort orders two key values for one sort key, nulls placed as the
// key says regardless of direction. Multi-values sort by their first value.

// dropCols returns cols without the names the patterns match; nil stays
// nil.
func dropCols(cols, patterns []string) []string {
	if cols == nil {
		return nil
	}
	out := []string{}
	for _, c := range cols {
		if !matchAny(patterns, c) {
			out = append(out, c)
		}
	}
	return out
}

// leadFirst orders a row's columns (sorted) with the lead ones first, in
// their order, a lead pattern standing for the columns it matches; without
// a lead it returns cols.
func leadFirst(lead, cols []string) []string {
	if lead == nil {
		return cols
	}
	out := make([]string, 0, len(cols))
	placed := make(map[string]bool, len(cols))
	for _, c := range lead {
		if !strings.Contains(c, "*") {
			if contains(cols, c) && !placed[c] {
				placed[c] = true
				out = append(out, c)
			}
			continue
		}
		// A wildcard aggregate's place: the columns it made, by name.
		for _, x := range cols {
			if !placed[x] && !contains(lead, x) && globMatch(c, x) {
				placed[x] = true
				out = append(out, x)
			}
		}
	}
	for _, c := range cols {
		if !placed[c] {
			out = append(out, c)
		}
	}
	return out
}
