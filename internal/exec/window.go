package exec

import (
	"slices"
	"sort"

	"github.com/tripline/tripline/internal/aggregate"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// window is the state of the window an Instance evaluated last: every
// group of its panes, with the group's aggregates merged over those panes.
// The next window is reached by folding in the panes that enter it and
// taking back the panes that leave it, so a tick costs the groups that
// changed, not every group times every pane of the look-back. Aggregates
// that cannot be taken back exactly (min, max, ...) merge the group's
// remaining panes again, for that group alone.
type window struct {
	lo, hi int64 // the pane indices [lo, hi) it holds
	// panes are the panes it holds, kept here so that a pane the instance
	// evicted can still be taken back when it leaves.
	panes  map[int64]*pane
	groups map[string]*wgroup
	// list holds the groups in a stable order, so that evaluation does not
	// depend on map iteration.
	list  []*wgroup
	dirty []*wgroup
	// out holds the groups whose cached tail output is not empty, when the
	// tail's leading operators are cacheable.
	out map[*wgroup]struct{}
	// pr picks the groups to run, when the tail has a pruning condition;
	// parts then holds the groups of each of its partitions.
	pr    *pruner
	parts map[string][]*wgroup
	// eq indexes the groups by the value of the pruner's equality key, and
	// eqKinds counts those values by kind.
	eq      map[string][]*wgroup
	eqKinds map[event.Kind]int
	keyBuf  []byte
	slab    rowSlab
}

// wgroup is one group of a window.
type wgroup struct {
	keys []event.Value
	key  string
	aggs []aggregate.State
	// panes lists, ascending, the panes of the window that hold the group,
	// and pgs the group's state in each.
	panes []int64
	pgs   []*group
	// first is the group's position in its first pane: with panes[0] it
	// gives the order in which merging the panes from scratch meets groups.
	first int
	at    int // index in window.list
	dirty bool
	// stale says the aggregates must be merged again from the panes;
	// staleAggs marks (by index, below 64) the ones that could not take a
	// leaving pane back, which alone are merged again.
	stale     bool
	staleAggs uint64
	// shared says aggs are those of the group's only pane, not a copy: a
	// group held by one pane (every group keyed by a time bucket as wide
	// as a pane, and most sparse ones) costs no second set of aggregates.
	shared bool
	res    []event.Value // aggregate results, valid when not dirty
	out    []*tRow       // the tail prefix's output, when cacheable
	// splKeys are the keys as Splunk sorts them (numbers where they read
	// as numbers), computed once.
	splKeys []event.Value
	meta    *meta  // the merged provenance, once a row of the group is output
	part    string // the pruner's partition
	partAt  int    // index in window.parts[part]
	eqAt    int    // index in window.eq under its key's value
}

func newWindow(lo int64, pr *pruner) *window {
	return &window{lo: lo, hi: lo, panes: map[int64]*pane{}, groups: map[string]*wgroup{},
		out: map[*wgroup]struct{}{}, pr: pr, parts: map[string][]*wgroup{},
		eq: map[string][]*wgroup{}, eqKinds: map[event.Kind]int{}}
}

// indexed reports whether the window indexes groups by an equality key.
func (w *window) indexed() bool { return w.pr != nil && w.pr.eqKey >= 0 }

// lookup returns the groups whose equality key equals v, and false when
// the index cannot answer for v's kind and every group must be tested.
func (w *window) lookup(v event.Value) ([]*wgroup, bool) {
	switch v.Kind() {
	case event.Null, event.Multi:
		return nil, true // "==" gives null: nothing passes
	case event.Long, event.String, event.Time, event.Bool:
		if len(w.eqKinds) == 1 && w.eqKinds[v.Kind()] > 0 {
			return w.eq[string(v.Key(nil))], true
		}
	}
	return nil, false
}

// sliceAdd and sliceRemove keep groups in a map of slices, each group
// knowing its place.
func sliceAdd(m map[string][]*wgroup, k string, wg *wgroup, at *int) {
	*at = len(m[k])
	m[k] = append(m[k], wg)
}

func sliceRemove(m map[string][]*wgroup, k string, at int, place func(*wgroup) *int) {
	if ps := swapRemove(m[k], at, place); len(ps) == 0 {
		delete(m, k)
	} else {
		m[k] = ps
	}
}

// swapRemove removes the group at index at by moving the last one into
// its place, whose index place gives.
func swapRemove(ps []*wgroup, at int, place func(*wgroup) *int) []*wgroup {
	last := ps[len(ps)-1]
	ps[at] = last
	*place(last) = at
	ps[len(ps)-1] = nil
	return ps[:len(ps)-1]
}

// touch marks a group as changed in this tick.
func (w *window) touch(wg *wgroup) {
	if !wg.dirty {
		wg.dirty = true
		w.dirty = append(w.dirty, wg)
	}
}

// group returns the window's group for a pane's group, creating it.
func (w *window) group(s *statsSpec, g *group) *wgroup {
	if wg, ok := w.groups[g.key]; ok {
		return wg
	}
	wg := &wgroup{keys: g.keys, key: g.key, at: len(w.list)}
	if s.d != plan.ESQL {
		wg.splKeys = make([]event.Value, len(g.keys))
		for i, k := range g.keys {
			wg.splKeys[i] = scalar.SPLNumber(k)
		}
	}
	w.groups[g.key] = wg
	w.list = append(w.list, wg)
	if w.pr != nil {
		if w.pr.part != nil {
			// The groups of a partition share one copy of its key.
			w.keyBuf = w.pr.partKey(w.keyBuf[:0], g.keys)
			if ps := w.parts[string(w.keyBuf)]; len(ps) > 0 {
				wg.part = ps[0].part
			} else {
				wg.part = string(w.keyBuf)
			}
		}
		sliceAdd(w.parts, wg.part, wg, &wg.partAt)
	}
	if w.indexed() {
		k := g.keys[w.pr.eqKey]
		sliceAdd(w.eq, string(k.Key(nil)), wg, &wg.eqAt)
		w.eqKinds[k.Kind()]++
	}
	return wg
}

// remove forgets a group that no pane of the window holds any more.
func (w *window) remove(wg *wgroup) {
	delete(w.groups, wg.key)
	delete(w.out, wg)
	w.list = swapRemove(w.list, wg.at, func(o *wgroup) *int { return &o.at })
	if w.pr != nil {
		sliceRemove(w.parts, wg.part, wg.partAt, func(o *wgroup) *int { return &o.partAt })
	}
	if w.indexed() {
		k := wg.keys[w.pr.eqKey]
		sliceRemove(w.eq, string(k.Key(nil)), wg.eqAt, func(o *wgroup) *int { return &o.eqAt })
		if w.eqKinds[k.Kind()]--; w.eqKinds[k.Kind()] == 0 {
			delete(w.eqKinds, k.Kind())
		}
	}
}

// insertPane adds a pane index and the group's state there to the
// group's ascending lists, once.
func (wg *wgroup) insertPane(idx int64, g *group) {
	i := sort.Search(len(wg.panes), func(i int) bool { return wg.panes[i] >= idx })
	if i < len(wg.panes) && wg.panes[i] == idx {
		return
	}
	wg.panes = slices.Insert(wg.panes, i, idx)
	wg.pgs = slices.Insert(wg.pgs, i, g)
}

// slide moves the window to the panes [lo, hi). changed lists panes whose
// state changed since the last slide (late events).
func (w *window) slide(s *statsSpec, panes map[int64]*pane, changed []int64, lo, hi int64) {
	// A pane that changed while in the window has to be merged again for
	// each of its groups: what it held when it entered is gone.
	for _, idx := range changed {
		if idx >= w.lo && idx < w.hi {
			w.enter(s, idx, panes[idx], true)
		}
	}
	for idx := w.lo; idx < lo && idx < w.hi; idx++ {
		pn := w.panes[idx]
		if pn == nil {
			continue
		}
		delete(w.panes, idx)
		for _, g := range pn.tab.order {
			wg := w.groups[g.key]
			if wg == nil || len(wg.panes) == 0 || wg.panes[0] != idx {
				panic("BUG: a leaving pane is not the first of its group")
			}
			wg.panes, wg.pgs = wg.panes[1:], wg.pgs[1:]
			w.touch(wg)
			switch {
			case len(wg.panes) == 0:
				wg.aggs, wg.shared, wg.stale, wg.staleAggs = nil, false, false, 0
			case len(wg.panes) == 1:
				// Share the remaining pane's state rather than take this
				// pane's back from a copy.
				wg.stale = true
			case !wg.stale:
				for j, a := range wg.aggs {
					if j < 64 && wg.staleAggs&(1<<j) != 0 {
						continue
					}
					if !a.Sub(g.aggs[j]) {
						if j >= 64 {
							wg.stale = true
							break
						}
						wg.staleAggs |= 1 << j
					}
				}
			}
		}
	}
	for idx := max(w.hi, lo); idx < hi; idx++ {
		w.enter(s, idx, panes[idx], false)
	}
	w.lo, w.hi = lo, hi
}

// enter folds a pane into the window's groups. A late pane, one that
// changed while in the window, marks its groups for a merge from scratch.
func (w *window) enter(s *statsSpec, idx int64, pn *pane, late bool) {
	if pn == nil || pn.tab == nil {
		return
	}
	w.panes[idx] = pn
	for _, g := range pn.tab.order {
		wg := w.group(s, g)
		w.touch(wg)
		// The pane's copy of the keys gives way to the window's, which all
		// the group's panes share.
		g.keys, g.key = wg.keys, wg.key
		if late {
			wg.insertPane(idx, g)
			wg.stale = true
			continue
		}
		wg.panes = append(wg.panes, idx)
		wg.pgs = append(wg.pgs, g)
		wg.dropOldEvidence()
		switch {
		case wg.stale:
		case len(wg.panes) == 1:
			wg.aggs, wg.shared = g.aggs, true
		case wg.shared:
			// A second pane: the group needs aggregates of its own.
			own := s.newAggs()
			for j, a := range own {
				a.Merge(wg.aggs[j])
				a.Merge(g.aggs[j])
			}
			wg.aggs, wg.shared = own, false
		default:
			for j, a := range wg.aggs {
				a.Merge(g.aggs[j])
			}
		}
	}
	pn.tab.seal()
}

// dropOldEvidence forgets the evidence of the group's older panes once its
// newer panes hold maxEvidence events: a result cites the latest events
// of its window, and the window only slides forward, so those refs could
// never be cited again. A group alive over a long look-back then holds a
// few refs, not a few per pane.
func (wg *wgroup) dropOldEvidence() {
	n := 0
	for i := len(wg.pgs) - 1; i >= 0; i-- {
		m := &wg.pgs[i].meta
		if n < maxEvidence {
			n += len(m.evidence)
			continue
		}
		if m.evidence == nil {
			return // dropped when an earlier pane entered
		}
		m.evidence = nil
	}
}

// remerge returns aggregate j of the group merged afresh from its panes.
func (wg *wgroup) remerge(s *statsSpec, j int) aggregate.State {
	a := s.newAgg(j)
	for _, pg := range wg.pgs {
		a.Merge(pg.aggs[j])
	}
	return a
}

// settle brings the changed groups up to date and returns the ones still
// in the window.
func (w *window) settle(s *statsSpec) []*wgroup {
	live := w.dirty[:0]
	for _, wg := range w.dirty {
		wg.dirty = false
		if len(wg.panes) == 0 {
			w.remove(wg)
			continue
		}
		switch {
		case wg.stale && len(wg.panes) == 1:
			wg.aggs, wg.shared = wg.pgs[0].aggs, true
		case wg.stale:
			// The aggregates may be the pane's that the group shared:
			// merge into a slice of its own.
			wg.aggs, wg.shared = make([]aggregate.State, len(s.aggFns)), false
			for j := range wg.aggs {
				wg.aggs[j] = wg.remerge(s, j)
			}
		case wg.staleAggs != 0:
			// Only the aggregates that could not take a pane back (the
			// minimum whose pane left) are merged again.
			for j := range wg.aggs {
				if j < 64 && wg.staleAggs&(1<<j) != 0 {
					wg.aggs[j] = wg.remerge(s, j)
				}
			}
		}
		wg.stale, wg.staleAggs = false, 0
		wg.first = wg.pgs[0].pos
		wg.meta = nil
		if wg.res == nil {
			wg.res = make([]event.Value, len(wg.aggs))
		}
		for j, a := range wg.aggs {
			wg.res[j] = a.Result()
		}
		live = append(live, wg)
	}
	w.dirty = w.dirty[:0]
	return live
}

// ensureMeta merges the provenance of the group's panes, which only rows
// that reach the output need.
func (w *window) ensureMeta(wg *wgroup) {
	if wg.meta != nil {
		return
	}
	wg.meta = &meta{}
	for i, idx := range wg.panes {
		pg := wg.pgs[i]
		wg.meta.merge(&pg.meta)
		wg.meta.addPane(idx, pg.meta.count)
	}
}

// rowsOf renders groups as tail rows width slots wide.
func (w *window) rowsOf(s *statsSpec, groups []*wgroup, width int) []*tRow {
	out := w.slab.take(len(groups), width)
	for gi, wg := range groups {
		r := out[gi]
		r.grp = wg // its provenance is merged only if it survives the tail's filters
		fillRow(r, s, wg)
	}
	return out
}

// before reports whether group a comes before group b in the order a
// merge of the window's panes from scratch gives: Splunk sorts groups by
// their keys, ES|QL keeps them in the order first met.
func (s *statsSpec) before(a, b *wgroup) bool {
	if a.splKeys != nil {
		for k := range a.splKeys {
			if c := event.Order(a.splKeys[k], b.splKeys[k]); c != 0 {
				return c < 0
			}
		}
	}
	if a.panes[0] != b.panes[0] {
		return a.panes[0] < b.panes[0]
	}
	return a.first < b.first
}

// evaluateSliding evaluates the window of panes [lo, hi) by sliding the
// kept window to it. The tail's leading operators that may see rows in any
// order run first, over the changed groups alone when their output can be
// kept; what they let through is put in the order a merge from scratch
// gives and runs through the rest of the tail.
func (in *Instance) evaluateSliding(ctx *scalar.Context, lo, hi int64) []Result {
	s, tp := in.p.stats, in.p.tail
	w := in.win
	if w == nil || lo < w.lo || hi < w.hi || lo >= w.hi {
		w = newWindow(lo, in.p.prune)
		in.win = w
	}
	w.slide(s, in.panes, in.changed, lo, hi)
	in.clearChanged()
	changed := w.settle(s)
	n, cacheable := tp.prefixLen, tp.cacheable
	x := in.x
	if x != nil {
		// Explain mode counts what every operator does with every group of
		// the window: no output kept from the tick before, no pruning.
		cacheable = false
		x.input(len(w.list))
	}
	var survivors []*tRow
	if cacheable {
		for _, wg := range changed {
			wg.out = wg.out[:0]
		}
		for _, r := range tp.runPart(ctx, w.rowsOf(s, changed, tp.width), 0, n, nil, in.env) {
			r.grp.out = append(r.grp.out, r.clone(r.meta)) // not the batch's slab
		}
		for _, wg := range changed {
			if len(wg.out) > 0 {
				w.out[wg] = struct{}{}
			} else {
				delete(w.out, wg)
			}
		}
		for wg := range w.out {
			for _, r := range wg.out {
				survivors = append(survivors, r.clone(r.meta))
			}
		}
	} else {
		groups := w.list
		if w.pr != nil && x == nil {
			groups = w.pr.pick(ctx, w, s, tp.width)
		}
		survivors = tp.runPart(ctx, w.rowsOf(s, groups, tp.width), 0, n, x, in.env)
	}
	sort.SliceStable(survivors, func(i, j int) bool {
		a, b := survivors[i].grp, survivors[j].grp
		if a == b {
			return false
		}
		return s.before(a, b)
	})
	for _, r := range survivors {
		w.ensureMeta(r.grp)
		r.meta = r.grp.meta
	}
	out := tp.runPart(ctx, survivors, n, len(tp.makers), x, in.env)
	if x != nil {
		x.output(out)
	}
	return in.shape(out)
}
