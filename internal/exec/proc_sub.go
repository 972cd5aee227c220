package exec

import (
	"fmt"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// perWindow reports whether an operator reads the window being evaluated
// (its bounds, its subsearches' results, or a lookup table's rows as
// rows), so that it and what follows run in the tail, per window.
func perWindow(n plan.Node) bool {
	switch n.(type) {
	case *plan.AddInfo, *plan.Join, *plan.Append, *plan.SubsearchFilter, *plan.InputLookup, *plan.OutputLookup:
		return true
	}
	return false
}

// compileSub compiles a subsearch as a program of its own and registers
// it with the program being compiled.
func (rs *resources) compileSub(s *plan.Subsearch) (int, *Program, error) {
	sp, err := Compile(s.Query, rs.opt)
	if err != nil {
		return 0, nil, fmt.Errorf("subsearch: %w", err)
	}
	return rs.subs.add(sp), sp, nil
}

// addWindowNode compiles the tail operators of lookups, subsearches and
// the window's bounds; it reports false for a node it does not know.
func (tp *tailPlan) addWindowNode(n plan.Node, d plan.Dialect, res tailResolver) (bool, error) {
	rs := tp.rs
	switch t := n.(type) {
	case *plan.Lookup:
		op, err := compileLookup(t, res, rs)
		if err != nil {
			return true, err
		}
		for _, f := range lookupOutputs(t, rs) {
			tp.addCol(f)
		}
		tp.makers = append(tp.makers, func(next proc) proc { return &rowProc{op: op, next: next} })
	case *plan.IPLocation:
		op := compileIPLocation(t, res, rs)
		for _, f := range ipLocationNames(t) {
			tp.addCol(f)
		}
		tp.makers = append(tp.makers, func(next proc) proc { return &rowProc{op: op, next: next} })
	case *plan.AddInfo:
		rs.subs.window = true
		slots := [3]int{}
		for i, name := range addInfoFields {
			slots[i] = tp.scope.resolve(name)
			tp.addCol(name)
		}
		tp.makers = append(tp.makers, func(next proc) proc { return &addInfoProc{slots: slots, next: next} })
	case *plan.InputLookup:
		tab := rs.table(t.Table)
		if tab != nil {
			tp.addCols(tab.Columns())
		}
		tp.makers = append(tp.makers, func(next proc) proc { return &inputLookupProc{tab: tab, tp: tp, next: next} })
	case *plan.OutputLookup:
		rs.warn("outputlookup %s: tripline does not write lookup tables; the rows pass on unchanged and the table keeps what the lookup directory holds", t.Table)
		tp.makers = append(tp.makers, func(next proc) proc { return &passProc{next: next} })
	case *plan.Join:
		idx, sp, err := rs.compileSub(t.Sub)
		if err != nil {
			return true, err
		}
		js := &joinSpec{sub: idx, typ: t.Type, max: t.Max, overwrite: t.Overwrite, fields: t.Fields, maxOut: t.Sub.MaxOut}
		for _, f := range t.Fields {
			js.slots = append(js.slots, tp.scope.resolve(f))
		}
		tp.addCols(sp.tail.cols)
		tp.makers = append(tp.makers, func(next proc) proc { return &joinProc{spec: js, tp: tp, next: next} })
	case *plan.Append:
		idx, sp, err := rs.compileSub(t.Sub)
		if err != nil {
			return true, err
		}
		maxOut := t.Sub.MaxOut
		tp.addCols(sp.tail.cols)
		tp.makers = append(tp.makers, func(next proc) proc { return &appendProc{sub: idx, maxOut: maxOut, tp: tp, next: next} })
	case *plan.SubsearchFilter:
		idx, _, err := rs.compileSub(t.Sub)
		if err != nil {
			return true, err
		}
		maxOut := t.Sub.MaxOut
		tp.makers = append(tp.makers, func(next proc) proc {
			return &subFilterProc{sub: idx, maxOut: maxOut, sc: tp.scope, next: next}
		})
	default:
		return false, nil
	}
	return true, nil
}

// addCols adds columns a subsearch or a table brings; unknown ones (nil)
// leave the tail's columns to each row.
func (tp *tailPlan) addCols(cols []string) {
	if cols == nil {
		tp.cols = nil
		return
	}
	for _, c := range cols {
		tp.addCol(c)
	}
}

// resultRow turns a subsearch's result back into a tail row, its
// provenance with it.
func (tp *tailPlan) resultRow(res *Result, env *winEnv) *tRow {
	m := &meta{count: res.Count, first: res.First.UnixNano(), last: res.Last.UnixNano()}
	for _, e := range res.Evidence {
		m.evidence = append(m.evidence, newEvRef(e.Origin, e.ID, e.Time))
	}
	if env != nil && env.paneWidth > 0 {
		for start, n := range res.PaneCounts {
			m.addPane(floorDiv(start, env.paneWidth), n)
		}
	}
	r := newTRow(tp.width, m)
	for i, c := range res.Columns {
		if !res.Values[i].IsNull() {
			r.putName(tp.scope, c, res.Values[i])
		}
	}
	return r
}

// subResults returns the results of subsearch i over the window, at most
// maxOut of them (0: all).
func subResults(env *winEnv, i, maxOut int) []Result {
	if env == nil || i >= len(env.subs) {
		return nil
	}
	rs := env.subs[i]
	if maxOut > 0 && len(rs) > maxOut {
		rs = rs[:maxOut]
	}
	return rs
}

type passProc struct{ next proc }

func (p *passProc) push(ctx *scalar.Context, r *tRow) { p.next.push(ctx, r) }
func (p *passProc) flush(ctx *scalar.Context)         { p.next.flush(ctx) }

// addInfoFields are the fields addinfo sets, in Splunk's names.
var addInfoFields = [3]string{"info_min_time", "info_max_time", "info_search_time"}

// addInfoProc is SPL's addinfo: the window's bounds and the evaluation
// time, in epoch seconds.
type addInfoProc struct {
	slots [3]int
	vals  [3]event.Value
	next  proc
}

func (a *addInfoProc) useEnv(env *winEnv) {
	if env != nil {
		a.vals = [3]event.Value{epochSeconds(env.from), epochSeconds(env.to), epochSeconds(env.now)}
	}
}

func (a *addInfoProc) push(ctx *scalar.Context, r *tRow) {
	for i, s := range a.slots {
		r.put(s, a.vals[i])
	}
	a.next.push(ctx, r)
}

func (a *addInfoProc) flush(ctx *scalar.Context) { a.next.flush(ctx) }

// inputLookupProc passes its rows on, then the table's.
type inputLookupProc struct {
	tab  LookupTable
	tp   *tailPlan
	next proc
}

func (p *inputLookupProc) push(ctx *scalar.Context, r *tRow) { p.next.push(ctx, r) }

func (p *inputLookupProc) flush(ctx *scalar.Context) {
	if p.tab != nil {
		cols := p.tab.Columns()
		for _, cells := range p.tab.Rows() {
			r := newTRow(p.tp.width, &meta{})
			for i, c := range cells {
				if c != "" && i < len(cols) {
					r.putName(p.tp.scope, cols[i], event.StringValue(c))
				}
			}
			p.next.push(ctx, r)
		}
	}
	p.next.flush(ctx)
}

// appendProc passes its rows on, then the subsearch's.
type appendProc struct {
	sub, maxOut int
	tp          *tailPlan
	env         *winEnv
	next        proc
}

func (a *appendProc) useEnv(env *winEnv)                { a.env = env }
func (a *appendProc) push(ctx *scalar.Context, r *tRow) { a.next.push(ctx, r) }

func (a *appendProc) flush(ctx *scalar.Context) {
	rs := subResults(a.env, a.sub, a.maxOut)
	for i := range rs {
		a.next.push(ctx, a.tp.resultRow(&rs[i], a.env))
	}
	a.next.flush(ctx)
}

type joinSpec struct {
	sub       int
	typ       plan.JoinType
	max       int
	overwrite bool
	fields    []string
	slots     []int // of fields, in the tail
	maxOut    int
}

// joinProc is SPL's join: rows matched by the values of the join fields,
// compared as text, exactly.
type joinProc struct {
	spec  *joinSpec
	tp    *tailPlan
	rs    []Result
	index map[string][]int
	key   []byte
	next  proc
}

func (j *joinProc) useEnv(env *winEnv) {
	j.rs = subResults(env, j.spec.sub, j.spec.maxOut)
	j.index = map[string][]int{}
	for i := range j.rs {
		k, ok := j.resultKey(&j.rs[i])
		if ok {
			j.index[k] = append(j.index[k], i)
		}
	}
}

func (j *joinProc) resultKey(res *Result) (string, bool) {
	j.key = j.key[:0]
	for _, f := range j.spec.fields {
		v := res.Get(f)
		if v.IsNull() {
			return "", false
		}
		j.key = append(append(j.key, scalar.SPLText(v)...), 0)
	}
	return string(j.key), true
}

func (j *joinProc) push(ctx *scalar.Context, r *tRow) {
	j.key = j.key[:0]
	found := true
	for _, s := range j.spec.slots {
		if !r.has(s) || r.vals[s].IsNull() {
			found = false
			break
		}
		j.key = append(append(j.key, scalar.SPLText(r.vals[s])...), 0)
	}
	var matches []int
	if found {
		matches = j.index[string(j.key)]
	}
	if j.spec.max > 0 && len(matches) > j.spec.max {
		matches = matches[:j.spec.max]
	}
	if len(matches) == 0 {
		if j.spec.typ == plan.JoinLeft {
			j.next.push(ctx, r)
		}
		return
	}
	for n, i := range matches {
		out := r
		if n < len(matches)-1 {
			out = r.clone(r.meta)
		}
		res := &j.rs[i]
		for c, name := range res.Columns {
			v := res.Values[c]
			if v.IsNull() {
				continue
			}
			if _, has := out.getName(j.tp.scope, name); has && !j.spec.overwrite {
				continue
			}
			out.putName(j.tp.scope, name, v)
		}
		j.next.push(ctx, out)
	}
}

func (j *joinProc) flush(ctx *scalar.Context) { j.next.flush(ctx) }

// subFilterProc keeps the rows that match a row of the subsearch's
// results, as the search command reads a subsearch: field="value" for
// each field of a result row (fields starting with "_" aside), AND-ed,
// the rows OR-ed; values compared as text ignoring case, * a wildcard.
type subFilterProc struct {
	sub, maxOut int
	sc          *tailScope
	m           *subMatcher
	next        proc
}

func (f *subFilterProc) useEnv(env *winEnv) {
	f.m = newSubMatcher(subResults(env, f.sub, f.maxOut))
}

func (f *subFilterProc) push(ctx *scalar.Context, r *tRow) {
	if f.m != nil && f.m.match(f.sc, r) {
		f.next.push(ctx, r)
	}
}

func (f *subFilterProc) flush(ctx *scalar.Context) { f.next.flush(ctx) }

// subMatcher holds a subsearch's results as search conditions: the rows
// with the same fields and no wildcard as a set of keys, the others as
// patterns.
type subMatcher struct {
	groups []*subGroup
}

type subGroup struct {
	fields []string
	keys   map[string]bool
	// wild holds, per result row, per field, the lower-case patterns any
	// of which a value must match.
	wild [][][]string
}

// maxSubKeys caps the keys one result row with multi-valued fields adds.
const maxSubKeys = 1000

func newSubMatcher(rs []Result) *subMatcher {
	m := &subMatcher{}
	bySig := map[string]*subGroup{}
	for i := range rs {
		res := &rs[i]
		var fields []string
		var pats [][]string
		plain := true
		for c, name := range res.Columns {
			v := res.Values[c]
			if strings.HasPrefix(name, "_") || v.IsNull() {
				continue
			}
			var alts []string
			for _, e := range v.Values() {
				s := strings.ToLower(scalar.SPLText(e))
				plain = plain && !strings.Contains(s, "*")
				alts = append(alts, s)
			}
			fields = append(fields, name)
			pats = append(pats, alts)
		}
		if len(fields) == 0 {
			continue
		}
		sig := strings.Join(fields, "\x00")
		g := bySig[sig]
		if g == nil {
			g = &subGroup{fields: fields, keys: map[string]bool{}}
			bySig[sig] = g
			m.groups = append(m.groups, g)
		}
		if !plain {
			g.wild = append(g.wild, pats)
			continue
		}
		eachKey(pats, func(k string) { g.keys[k] = true })
	}
	return m
}

// eachKey calls fn with each combination of one value per field, joined,
// at most maxSubKeys of them.
func eachKey(vals [][]string, fn func(string)) {
	n := 1
	for _, v := range vals {
		n *= len(v)
	}
	var b strings.Builder
	for c := 0; c < n && c < maxSubKeys; c++ {
		b.Reset()
		k := c
		for _, v := range vals {
			b.WriteString(v[k%len(v)])
			b.WriteByte(0)
			k /= len(v)
		}
		fn(b.String())
	}
}

func (m *subMatcher) match(sc *tailScope, r *tRow) bool {
	for _, g := range m.groups {
		vals := make([][]string, len(g.fields))
		missing := false
		for i, f := range g.fields {
			v, ok := r.getName(sc, f)
			if !ok || v.IsNull() {
				missing = true
				break
			}
			for _, e := range v.Values() {
				vals[i] = append(vals[i], strings.ToLower(scalar.SPLText(e)))
			}
		}
		if missing {
			continue
		}
		hit := false
		eachKey(vals, func(k string) { hit = hit || g.keys[k] })
		if hit {
			return true
		}
		for _, pats := range g.wild {
			if rowMatches(pats, vals) {
				return true
			}
		}
	}
	return false
}

// rowMatches reports whether every field has a value matching one of its
// patterns.
func rowMatches(pats, vals [][]string) bool {
	for i, ps := range pats {
		ok := false
		for _, p := range ps {
			for _, v := range vals[i] {
				if globMatch(p, v) {
					ok = true
					break
				}
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
