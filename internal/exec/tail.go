package exec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// proc is one tail-stage operator instance, created per evaluation. push
// passes rows on (or holds them); flush is called once after the last row
// and must flush the next processor.
type proc interface {
	push(ctx *plan.Context, r *tRow)
	flush(ctx *plan.Context)
}

// procMaker builds a fresh processor in front of next.
type procMaker func(next proc) proc

// tailPlan is the compiled tail stage: processor makers in order and the
// final column order (nil when open: columns sorted by name).
type tailPlan struct {
	makers []procMaker
	cols   []string
	scope  *tailScope
}

// tailResolver adapts a tail scope to rowOp compilation: in the tail stage
// defining a name is the same as naming it.
type tailResolver struct{ sc *tailScope }

func (t tailResolver) resolve(name string) int { return t.sc.resolve(name) }
func (t tailResolver) define(name string) int  { return t.sc.resolve(name) }

// compileTail compiles nodes that run over materialized rows. cols is the
// column order coming in (nil when open).
func compileTail(nodes []plan.Node, d plan.Dialect, cols []string) (*tailPlan, error) {
	tp := &tailPlan{scope: newTailScope(), cols: cols}
	res := tailResolver{tp.scope}
	for _, n := range nodes {
		if err := tp.add(n, d, res); err != nil {
			return nil, fmt.Errorf("%s: %w", firstWord(n.String()), err)
		}
	}
	return tp, nil
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i > 0 {
		return s[:i]
	}
	return s
}

func (tp *tailPlan) add(n plan.Node, d plan.Dialect, res tailResolver) error {
	names := &tp.scope.names
	switch t := n.(type) {
	case *plan.Where, *plan.Eval, *plan.Extract, *plan.Dissect:
		op, err := compileRowOp(n, d, res)
		if err != nil {
			return err
		}
		tp.makers = append(tp.makers, func(next proc) proc { return &rowProc{op: op, names: names, next: next} })
		switch t := n.(type) {
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
			dis, _ := plan.CompileDissect(t.Pattern, t.AppendSeparator)
			for _, nm := range dis.Names() {
				if nm != "" {
					tp.addCol(nm)
				}
			}
		}
	case *plan.FillNull:
		val, err := plan.Compile(t.Value, d, res.resolve)
		if err != nil {
			return err
		}
		fields := t.Fields
		known := tp.cols
		tp.makers = append(tp.makers, func(next proc) proc {
			return &fillNullProc{fields: fields, known: known, value: val, names: names, next: next}
		})
	case *plan.MvExpand:
		field := t.Field
		tp.makers = append(tp.makers, func(next proc) proc { return &mvExpandProc{field: field, next: next} })
	case *plan.Keep:
		patterns := t.Fields
		if tp.cols != nil {
			tp.cols = selectCols(tp.cols, patterns)
		} else if !hasWildcard(patterns) {
			tp.cols = append([]string(nil), patterns...)
		}
		tp.makers = append(tp.makers, func(next proc) proc { return &keepProc{patterns: patterns, keep: true, next: next} })
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
		tp.makers = append(tp.makers, func(next proc) proc { return &keepProc{patterns: patterns, next: next} })
	case *plan.Rename:
		pairs := t.Pairs
		for _, p := range pairs {
			for i, c := range tp.cols {
				if c == p.From {
					tp.cols[i] = p.To
				}
			}
		}
		tp.makers = append(tp.makers, func(next proc) proc { return &renameProc{pairs: pairs, next: next} })
	case *plan.Stats:
		spec, err := compileStats(t, d, res.resolve)
		if err != nil {
			return err
		}
		if t.Inline {
			for _, a := range spec.aggNames {
				tp.addCol(a)
			}
			tp.makers = append(tp.makers, func(next proc) proc { return &inlineStatsProc{spec: spec, names: names, next: next} })
			return nil
		}
		tp.cols = spec.outCols
		tp.makers = append(tp.makers, func(next proc) proc { return &statsProc{spec: spec, names: names, next: next} })
	case *plan.Sort:
		keys := make([]sortKey, len(t.Keys))
		for i, k := range t.Keys {
			ev, err := plan.Compile(k.Expr, d, res.resolve)
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
		tp.makers = append(tp.makers, func(next proc) proc { return &sortProc{keys: keys, d: d, names: names, next: next} })
	case *plan.Limit:
		n, tail := t.N, t.Tail
		tp.makers = append(tp.makers, func(next proc) proc { return &limitProc{n: n, tail: tail, next: next} })
	case *plan.Dedup:
		fields, count, consec := t.Fields, t.Count, t.Consecutive
		if count < 1 {
			count = 1
		}
		tp.makers = append(tp.makers, func(next proc) proc {
			return &dedupProc{fields: fields, count: count, consecutive: consec, seen: map[string]int{}, next: next}
		})
	default:
		return fmt.Errorf("operator %T is not supported here", n)
	}
	return nil
}

func (tp *tailPlan) addCol(name string) {
	if tp.cols == nil {
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
func (tp *tailPlan) run(ctx *plan.Context, rows []*tRow) []*tRow {
	sink := &collect{}
	var p proc = sink
	for i := len(tp.makers) - 1; i >= 0; i-- {
		p = tp.makers[i](p)
	}
	for _, r := range rows {
		p.push(ctx, r)
	}
	p.flush(ctx)
	return sink.rows
}

type collect struct{ rows []*tRow }

func (c *collect) push(_ *plan.Context, r *tRow) { c.rows = append(c.rows, r) }
func (c *collect) flush(*plan.Context)           {}

type rowProc struct {
	op    rowOp
	names *[]string
	next  proc
}

func (p *rowProc) push(ctx *plan.Context, r *tRow) {
	if p.op.apply(ctx, tableRow{r: r, names: p.names}) {
		p.next.push(ctx, r)
	}
}
func (p *rowProc) flush(ctx *plan.Context) { p.next.flush(ctx) }

type fillNullProc struct {
	fields, known []string
	value         plan.Evaluator
	names         *[]string
	next          proc
}

func (p *fillNullProc) push(ctx *plan.Context, r *tRow) {
	fields := p.fields
	if len(fields) == 0 {
		fields = p.known
	}
	for _, f := range fields {
		if v, ok := r.cols[f]; !ok || v.IsNull() {
			r.cols[f] = p.value(ctx, tableRow{r: r, names: p.names})
		}
	}
	p.next.push(ctx, r)
}
func (p *fillNullProc) flush(ctx *plan.Context) { p.next.flush(ctx) }

type mvExpandProc struct {
	field string
	next  proc
}

func (p *mvExpandProc) push(ctx *plan.Context, r *tRow) {
	v := r.cols[p.field]
	if v.Len() <= 1 {
		p.next.push(ctx, r)
		return
	}
	for _, e := range v.Values() {
		c := &tRow{cols: make(map[string]event.Value, len(r.cols)), meta: r.meta}
		for k, x := range r.cols {
			c.cols[k] = x
		}
		c.cols[p.field] = e
		p.next.push(ctx, c)
	}
}
func (p *mvExpandProc) flush(ctx *plan.Context) { p.next.flush(ctx) }

type keepProc struct {
	patterns []string
	keep     bool
	next     proc
}

func (p *keepProc) push(ctx *plan.Context, r *tRow) {
	for k := range r.cols {
		if p.selects(k, r) != p.keep {
			delete(r.cols, k)
		}
	}
	p.next.push(ctx, r)
}
func (p *keepProc) flush(ctx *plan.Context) { p.next.flush(ctx) }

// selects reports whether a pattern names a column: exactly when a column
// of that very name exists (ES|QL's "COUNT(*)"), else by wildcard.
func (p *keepProc) selects(name string, r *tRow) bool {
	for _, pat := range p.patterns {
		if pat == name {
			return true
		}
		if _, exact := r.cols[pat]; !exact && globMatch(pat, name) {
			return true
		}
	}
	return false
}

type renameProc struct {
	pairs []plan.RenamePair
	next  proc
}

func (p *renameProc) push(ctx *plan.Context, r *tRow) {
	for _, pr := range p.pairs {
		v, ok := r.cols[pr.From]
		delete(r.cols, pr.From)
		delete(r.cols, pr.To)
		if ok {
			r.cols[pr.To] = v
		}
	}
	p.next.push(ctx, r)
}
func (p *renameProc) flush(ctx *plan.Context) { p.next.flush(ctx) }

type statsProc struct {
	spec  *statsSpec
	names *[]string
	tab   *groupTable
	sc    statsScratch
	next  proc
}

func (p *statsProc) push(ctx *plan.Context, r *tRow) {
	if p.tab == nil {
		p.tab = newGroupTable()
	}
	t := int64(0)
	if r.meta != nil {
		t = r.meta.first
	}
	m := r.meta
	if m == nil {
		m = &meta{}
	}
	p.spec.add(p.tab, &p.sc, ctx, tableRow{r: r, names: p.names}, t, nil, m)
}

func (p *statsProc) flush(ctx *plan.Context) {
	if p.tab == nil {
		p.tab = newGroupTable()
	}
	for _, r := range p.spec.rows(p.tab) {
		p.next.push(ctx, r)
	}
	p.next.flush(ctx)
}

type inlineStatsProc struct {
	spec  *statsSpec
	names *[]string
	rows  []*tRow
	next  proc
}

func (p *inlineStatsProc) push(_ *plan.Context, r *tRow) { p.rows = append(p.rows, r) }

func (p *inlineStatsProc) flush(ctx *plan.Context) {
	tab := newGroupTable()
	var sc statsScratch
	for _, r := range p.rows {
		p.spec.add(tab, &sc, ctx, tableRow{r: r, names: p.names}, 0, nil, &meta{})
	}
	results := map[string]*tRow{}
	for _, g := range tab.order {
		var key []byte
		for _, v := range g.keys {
			key = v.Key(key)
		}
		results[string(key)] = p.spec.rows(&groupTable{order: []*group{g}})[0]
	}
	for _, r := range p.rows {
		var key []byte
		skip := false
		for _, k := range p.spec.keys {
			v := k(ctx, tableRow{r: r, names: p.names})
			if v.IsNull() && p.spec.d != plan.ESQL {
				skip = true
			}
			key = v.Key(key)
		}
		if g, ok := results[string(key)]; ok && !skip {
			for _, a := range p.spec.aggNames {
				if v, ok := g.cols[a]; ok {
					r.cols[a] = v
				}
			}
		}
		p.next.push(ctx, r)
	}
	p.next.flush(ctx)
}

type sortKey struct {
	eval       plan.Evaluator
	desc       bool
	nullsFirst bool
}

type sortProc struct {
	keys  []sortKey
	d     plan.Dialect
	names *[]string
	rows  []*tRow
	next  proc
}

func (p *sortProc) push(_ *plan.Context, r *tRow) { p.rows = append(p.rows, r) }

func (p *sortProc) flush(ctx *plan.Context) {
	vals := make([][]event.Value, len(p.rows))
	for i, r := range p.rows {
		vals[i] = make([]event.Value, len(p.keys))
		for j, k := range p.keys {
			v := k.eval(ctx, tableRow{r: r, names: p.names})
			if p.d != plan.ESQL {
				v = splNumber(v)
			}
			vals[i][j] = v
		}
	}
	idx := make([]int, len(p.rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		for j, k := range p.keys {
			c := compareSort(vals[idx[a]][j], vals[idx[b]][j], k)
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
	for _, i := range idx {
		p.next.push(ctx, p.rows[i])
	}
	p.next.flush(ctx)
}

// compareSort orders two key values for one sort key, nulls placed as the
// key says regardless of direction. Multi-values sort by their first value.
func compareSort(a, b event.Value, k sortKey) int {
	an, bn := a.IsNull(), b.IsNull()
	switch {
	case an && bn:
		return 0
	case an:
		if k.nullsFirst {
			return -1
		}
		return 1
	case bn:
		if k.nullsFirst {
			return 1
		}
		return -1
	}
	if a.Kind() == event.Multi {
		a = a.Values()[0]
	}
	if b.Kind() == event.Multi {
		b = b.Values()[0]
	}
	c := event.Order(a, b)
	if k.desc {
		c = -c
	}
	return c
}

type limitProc struct {
	n    int
	tail bool
	seen int
	buf  []*tRow
	next proc
}

func (p *limitProc) push(ctx *plan.Context, r *tRow) {
	if p.tail {
		p.buf = append(p.buf, r)
		if len(p.buf) > p.n {
			p.buf = p.buf[1:]
		}
		return
	}
	if p.seen < p.n {
		p.seen++
		p.next.push(ctx, r)
	}
}

func (p *limitProc) flush(ctx *plan.Context) {
	// Splunk's tail returns the last rows in reverse order.
	for i := len(p.buf) - 1; i >= 0; i-- {
		p.next.push(ctx, p.buf[i])
	}
	p.next.flush(ctx)
}

type dedupProc struct {
	fields      []string
	count       int
	consecutive bool
	seen        map[string]int
	last        string
	next        proc
}

func (p *dedupProc) push(ctx *plan.Context, r *tRow) {
	var key []byte
	for _, f := range p.fields {
		v, ok := r.cols[f]
		if !ok || v.IsNull() {
			return
		}
		key = v.Key(key)
	}
	k := string(key)
	if p.consecutive {
		if k == p.last {
			return
		}
		p.last = k
		p.next.push(ctx, r)
		return
	}
	if p.seen[k] >= p.count {
		return
	}
	p.seen[k]++
	p.next.push(ctx, r)
}
func (p *dedupProc) flush(ctx *plan.Context) { p.next.flush(ctx) }
