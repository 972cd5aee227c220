package exec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tripline/tripline/internal/aggregate"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// statsSpec is a compiled Stats node: how to compute keys and aggregate
// arguments from a row, and the output column order of the dialect.
type statsSpec struct {
	d        plan.Dialect
	keyNames []string
	keys     []scalar.Evaluator
	aggNames []string
	aggFns   []*aggregate.Func
	aggArgs  []scalar.Evaluator // nil for count(*)
	aggParam []event.Value
	outCols  []string
	// keySlots and aggSlots place the output columns in the tail's rows.
	keySlots []int
	aggSlots []int // -1 for a wildcard aggregate
	// wild holds, by aggregate, the wildcard ones expanded per event
	// (stats_wild.go); nil when there is none. tscope is the tail scope
	// they write their columns by name into.
	wild   []*wildArg
	tscope *tailScope
}

// bindTail gives the output columns their slots in a tail scope.
func (s *statsSpec) bindTail(sc *tailScope) {
	s.keySlots = make([]int, len(s.keyNames))
	for i, n := range s.keyNames {
		s.keySlots[i] = sc.resolve(n)
	}
	s.aggSlots = make([]int, len(s.aggNames))
	for i, n := range s.aggNames {
		if s.wild != nil && s.wild[i] != nil {
			s.aggSlots[i] = -1
			continue
		}
		s.aggSlots[i] = sc.resolve(n)
	}
	s.tscope = sc
}

func compileStats(s *plan.Stats, d plan.Dialect, resolve scalar.Resolver) (*statsSpec, error) {
	spec := &statsSpec{d: d}
	for _, a := range s.Aggs {
		info, ok := aggregate.Lookup(d, a.Func)
		if !ok {
			return nil, fmt.Errorf("unknown aggregate function %s()", a.Func)
		}
		if len(a.Args) < info.MinArgs || (info.MaxArgs >= 0 && len(a.Args) > info.MaxArgs) {
			return nil, fmt.Errorf("%s() takes %d to %d arguments, got %d", a.Func, info.MinArgs, info.MaxArgs, len(a.Args))
		}
		var arg scalar.Evaluator
		var param event.Value
		if pat, ok := wildAgg(a); ok {
			// Only a stream-stage stats over open events is given one
			// (see expandWildAggs); bindStream completes it.
			if s := spec.wild; len(s) < len(spec.aggNames)+1 {
				spec.wild = append(s, make([]*wildArg, len(spec.aggNames)+1-len(s))...)
			}
			w := &wildArg{fn: a.Func, pattern: pat, prefix: pat[:strings.IndexByte(pat, '*')]}
			if strings.Contains(a.Name, "*") {
				w.as = a.Name
			}
			spec.wild[len(spec.aggNames)] = w
		} else if len(a.Args) > 0 {
			if _, star := a.Args[0].(*plan.Star); !star {
				ev, err := scalar.Compile(a.Args[0], d, resolve)
				if err != nil {
					return nil, fmt.Errorf("in %s: %w", a.Name, err)
				}
				arg = ev
			}
		}
		if len(a.Args) > 1 {
			if lit, ok := a.Args[1].(*plan.Literal); ok {
				param = lit.Value
			}
		}
		spec.aggNames = append(spec.aggNames, a.Name)
		spec.aggFns = append(spec.aggFns, info)
		spec.aggArgs = append(spec.aggArgs, arg)
		spec.aggParam = append(spec.aggParam, param)
	}
	if spec.wild != nil && len(spec.wild) < len(spec.aggNames) {
		spec.wild = append(spec.wild, make([]*wildArg, len(spec.aggNames)-len(spec.wild))...)
	}
	for _, b := range s.By {
		ev, err := scalar.Compile(b.Expr, d, resolve)
		if err != nil {
			return nil, fmt.Errorf("in by %s: %w", b.Name, err)
		}
		spec.keyNames = append(spec.keyNames, b.Name)
		spec.keys = append(spec.keys, ev)
	}
	if d == plan.ESQL {
		spec.outCols = append(append(spec.outCols, spec.aggNames...), spec.keyNames...)
	} else {
		spec.outCols = append(append(spec.outCols, spec.keyNames...), spec.aggNames...)
	}
	return spec, nil
}

// group is the state of one group: its key values, aggregate states and
// provenance.
type group struct {
	keys []event.Value
	key  string // the encoded keys: the group's identity in a table
	aggs []aggregate.State
	meta meta
	pos  int // index in its table's order
}

// groupTable holds the groups of one pane (or one tail stats run) in
// first-seen order. A pane's table is indexed by key while it takes
// events; once its groups are in a window, which reaches them directly,
// the index is dropped (seal) and rebuilt only if a late event comes.
type groupTable struct {
	groups map[string]*group
	order  []*group
}

func newGroupTable() *groupTable { return &groupTable{groups: map[string]*group{}} }

// find returns the group with the encoded key k.
func (t *groupTable) find(k []byte) (*group, bool) {
	if t.groups == nil {
		t.reindex()
	}
	g, ok := t.groups[string(k)]
	return g, ok
}

func (t *groupTable) findString(k string) (*group, bool) {
	if t.groups == nil {
		t.reindex()
	}
	g, ok := t.groups[k]
	return g, ok
}

// insert adds a new group at the end of the table's order.
func (t *groupTable) insert(g *group) {
	if t.groups == nil {
		t.reindex()
	}
	g.pos = len(t.order)
	t.groups[g.key] = g
	t.order = append(t.order, g)
}

// seal drops the index; find and insert rebuild it.
func (t *groupTable) seal() { t.groups = nil }

func (t *groupTable) reindex() {
	t.groups = make(map[string]*group, len(t.order))
	for _, g := range t.order {
		t.groups[g.key] = g
	}
}

// newAggs returns fresh aggregate states for one group.
func (s *statsSpec) newAggs() []aggregate.State {
	aggs := make([]aggregate.State, len(s.aggFns))
	for j := range s.aggFns {
		aggs[j] = s.newAgg(j)
	}
	return aggs
}

// newAgg returns fresh state for aggregate j.
func (s *statsSpec) newAgg(j int) aggregate.State {
	if s.wild != nil && s.wild[j] != nil {
		return newWildState(s.aggFns[j], s.aggParam[j])
	}
	return s.aggFns[j].New(s.aggArgs[j] == nil, s.aggParam[j])
}

// statsScratch is per-instance scratch space, so that adding a row does
// not allocate once its groups exist.
type statsScratch struct {
	keyVals [][]event.Value
	single  []event.Value // backing for keys with one value
	args    []event.Value
	combo   []event.Value
	key     []byte
	// wnames and wvals hold, by wildcard aggregate, the row's fields it
	// takes.
	wnames [][]string
	wvals  [][]event.Value
}

// add folds one row into the table. ev (stream stage) or m (tail stage)
// gives the row's provenance. It reports whether the row went into a
// group: Splunk drops a row that lacks a by-field.
func (s *statsSpec) add(tab *groupTable, sc *statsScratch, ctx *scalar.Context, r scalar.Row, t int64, ev *event.Event, m *meta) bool {
	if cap(sc.keyVals) < len(s.keys) {
		sc.keyVals = make([][]event.Value, len(s.keys))
		sc.combo = make([]event.Value, len(s.keys))
		sc.single = make([]event.Value, len(s.keys))
	}
	sc.keyVals = sc.keyVals[:len(s.keys)]
	for i, k := range s.keys {
		v := k(ctx, r)
		if v.IsNull() && s.d != plan.ESQL {
			return false // Splunk drops events that lack a by-field
		}
		if v.Len() <= 1 {
			// A null ES|QL key is a group of its own.
			sc.single[i] = v
			sc.keyVals[i] = sc.single[i : i+1]
			continue
		}
		sc.keyVals[i] = v.Values()
	}
	sc.args = sc.args[:0]
	for _, a := range s.aggArgs {
		if a == nil {
			sc.args = append(sc.args, event.Value{})
			continue
		}
		sc.args = append(sc.args, a(ctx, r))
	}
	if s.wild != nil {
		if len(sc.wnames) < len(s.wild) {
			sc.wnames = make([][]string, len(s.wild))
			sc.wvals = make([][]event.Value, len(s.wild))
		}
		for j, w := range s.wild {
			if w != nil {
				sc.wnames[j], sc.wvals[j] = w.collect(r, sc.wnames[j][:0], sc.wvals[j][:0])
			}
		}
	}
	s.addCombos(tab, sc, 0, t, ev, m)
	return true
}

// addCombos puts the row in one group per combination of key values, so a
// multi-valued key counts the row once under each value.
func (s *statsSpec) addCombos(tab *groupTable, sc *statsScratch, i int, t int64, ev *event.Event, m *meta) {
	if i < len(s.keys) {
		for _, v := range sc.keyVals[i] {
			sc.combo[i] = v
			s.addCombos(tab, sc, i+1, t, ev, m)
		}
		return
	}
	sc.key = sc.key[:0]
	for _, v := range sc.combo[:len(s.keys)] {
		sc.key = v.Key(sc.key)
	}
	g, ok := tab.find(sc.key)
	if !ok {
		g = &group{keys: append([]event.Value(nil), sc.combo[:len(s.keys)]...), key: string(sc.key), aggs: s.newAggs()}
		tab.insert(g)
	}
	for j, a := range g.aggs {
		if s.wild != nil && s.wild[j] != nil {
			a.(*wildState).addFields(sc.wnames[j], sc.wvals[j], t)
			continue
		}
		a.Add(sc.args[j], t)
	}
	if ev != nil {
		g.meta.addEvent(ev, t)
	} else {
		g.meta.merge(m)
	}
}

// mergeInto folds src into dst, group by group. A pane index >= 0 records
// each group's count under that pane.
// moveInto merges src's groups into dst as mergeInto does, but takes over
// the groups dst lacks rather than copying them: src must not be used
// afterwards.
func (s *statsSpec) moveInto(dst, src *groupTable) {
	for _, g := range src.order {
		d, ok := dst.findString(g.key)
		if !ok {
			dst.insert(g)
			continue
		}
		for j, a := range d.aggs {
			a.Merge(g.aggs[j])
		}
		d.meta.merge(&g.meta)
	}
	src.order, src.groups = nil, nil
}

func (s *statsSpec) mergeInto(dst, src *groupTable, paneIdx int64) {
	for _, g := range src.order {
		d, ok := dst.findString(g.key)
		if !ok {
			d = &group{keys: g.keys, key: g.key, aggs: s.newAggs()}
			dst.insert(d)
		}
		for j, a := range d.aggs {
			a.Merge(g.aggs[j])
		}
		d.meta.merge(&g.meta)
		if paneIdx >= 0 {
			d.meta.addPane(paneIdx, g.meta.count)
		}
	}
}

// rows renders the groups as tail rows width slots wide. ES|QL's STATS
// without BY over no rows still gives one row. The rows take the groups'
// provenance: the table must not be used afterwards.
func (s *statsSpec) rows(tab *groupTable, width int) []*tRow {
	if len(tab.order) == 0 && len(s.keys) == 0 {
		tab.order = append(tab.order, &group{aggs: s.newAggs()})
	}
	groups := tab.order
	if s.d != plan.ESQL && len(s.keys) > 0 {
		// Splunk returns stats groups sorted by their by-field values.
		groups = append([]*group(nil), groups...)
		sort.SliceStable(groups, func(i, j int) bool {
			for k := range s.keys {
				if c := event.Order(scalar.SPLNumber(groups[i].keys[k]), scalar.SPLNumber(groups[j].keys[k])); c != 0 {
					return c < 0
				}
			}
			return false
		})
	}
	out := newRows(len(groups), width)
	for gi, g := range groups {
		r := out[gi]
		r.meta = &g.meta
		for i, slot := range s.keySlots {
			if !g.keys[i].IsNull() {
				r.vals[slot] = g.keys[i]
			}
		}
		for j, slot := range s.aggSlots {
			if v := g.aggs[j].Result(); slot >= 0 && !v.IsNull() {
				r.vals[slot] = v
			}
		}
		if s.wild != nil {
			s.fillWild(r, g.aggs)
		}
	}
	return out
}
