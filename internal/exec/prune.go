package exec

import (
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// pruner picks, at each tick, the groups of a sliding window that can
// reach the output, when the tail cannot keep its output from one tick to
// the next (it reads now(), or compares rows through INLINE STATS).
//
// It needs a condition that a later WHERE requires (one of its AND terms)
// reading only columns the aggregation made, unchanged on the way, and
// now(). A row that fails it is dropped by that WHERE whatever else
// happens, so only partitions holding a group that passes need to run,
// where a partition is what the INLINE STATS between them group by (a
// subset of the aggregation's keys), or the group itself. Rules that look
// at "the latest slot against its history" become a few partitions a tick
// instead of every group of a day.
type pruner struct {
	// consts computes, once a tick, the columns evals derived from now()
	// and literals alone; derive computes, per group and in order, those
	// derived from the aggregation's columns as well.
	consts, derive []derived
	// cond is every AND term of the WHERE that reads only such columns.
	cond scalar.Evaluator
	// part lists the positions, among the aggregation's keys, of the keys
	// the INLINE STATS partition by; nil when there is none.
	part []int
	// eqKey, when >= 0, is the position of a key that one of the terms
	// requires equal to eqTo, a value fixed for the tick ("slot ==
	// latest_slot"): the window then indexes its groups by that key and
	// looks the candidates up instead of testing every group.
	eqKey int
	eqTo  scalar.Evaluator
}

type derived struct {
	slot int
	eval scalar.Evaluator
}

// compilePruner finds the condition in the first n tail operators; nil
// when there is none.
func compilePruner(s *statsSpec, tp *tailPlan, n int, d plan.Dialect) *pruner {
	made := map[string]bool{}
	for _, k := range s.keyNames {
		made[k] = true
	}
	for _, a := range s.aggNames {
		made[a] = true
	}
	changed := map[string]bool{}
	// pure columns were derived by evals from unchanged columns and now();
	// constant ones from now() and literals alone.
	pure, constant, assigned := map[string]bool{}, map[string]bool{}, map[string]bool{}
	allowed := func(name string) bool { return pure[name] || (made[name] && !changed[name]) }
	isConst := func(name string) bool { return constant[name] }
	pr := &pruner{eqKey: -1}
	foldable := true
	var part []int
	for _, node := range tp.nodes[:n] {
		switch t := node.(type) {
		case *plan.Eval:
			for _, a := range t.Assigns {
				foldable = foldable && !assigned[a.Name]
				assigned[a.Name] = true
				changed[a.Name], pure[a.Name], constant[a.Name] = true, false, false
				if !readsOnly(a.Expr, allowed) {
					continue
				}
				ev, err := scalar.Compile(a.Expr, d, tp.scope.resolve)
				if err != nil {
					return nil
				}
				dv := derived{slot: tp.scope.resolve(a.Name), eval: ev}
				pure[a.Name] = true
				if readsOnly(a.Expr, isConst) {
					constant[a.Name] = true
					pr.consts = append(pr.consts, dv)
				} else {
					pr.derive = append(pr.derive, dv)
				}
			}
		case *plan.Dissect, *plan.Extract, *plan.FillNull, *plan.MvExpand, *plan.Keep, *plan.Drop, *plan.Rename:
			return nil // they can change or remove columns by pattern
		case *plan.Stats:
			if !t.Inline {
				return nil
			}
			var pos []int
			for _, b := range t.By {
				f, ok := b.Expr.(*plan.Field)
				i := indexOf(s.keyNames, b.Name)
				if !ok || f.Name != b.Name || i < 0 || changed[b.Name] {
					return nil
				}
				pos = append(pos, i)
			}
			if part != nil && !sameSet(part, pos) {
				return nil
			}
			part = pos
			if part == nil {
				part = []int{} // one partition: every group
			}
			for _, a := range t.Aggs {
				changed[a.Name], pure[a.Name], constant[a.Name] = true, false, false
			}
		case *plan.Where:
			var terms []plan.Expr
			for _, c := range plan.Terms(t.Cond, "AND") {
				if readsOnly(c, allowed) {
					terms = append(terms, c)
				}
			}
			if len(terms) == 0 {
				continue
			}
			if !foldable {
				// A column assigned twice: evaluate every derivation per
				// group, in order.
				pr.derive = append(pr.consts, pr.derive...)
				pr.consts = nil
			}
			cond := terms[0]
			for _, c := range terms[1:] {
				cond = &plan.Binary{Op: "AND", L: cond, R: c}
			}
			ev, err := scalar.Compile(cond, d, tp.scope.resolve)
			if err != nil {
				return nil
			}
			pr.cond, pr.part = ev, part
			if d == plan.ESQL && foldable {
				pr.findEquality(s, terms, isConst, allowed, tp, d)
			}
			return pr
		default:
			return nil
		}
	}
	return nil
}

// findEquality looks for a term "key == constant" (either way round) on an
// aggregation key that no eval changed.
func (pr *pruner) findEquality(s *statsSpec, terms []plan.Expr, isConst, allowed func(string) bool, tp *tailPlan, d plan.Dialect) {
	for _, c := range terms {
		b, ok := c.(*plan.Binary)
		if !ok || b.Op != "==" {
			continue
		}
		for _, side := range [2][2]plan.Expr{{b.L, b.R}, {b.R, b.L}} {
			f, ok := side[0].(*plan.Field)
			if !ok || !allowed(f.Name) || indexOf(s.keyNames, f.Name) < 0 || !readsOnly(side[1], isConst) {
				continue
			}
			ev, err := scalar.Compile(side[1], d, tp.scope.resolve)
			if err != nil {
				continue
			}
			pr.eqKey, pr.eqTo = indexOf(s.keyNames, f.Name), ev
			return
		}
	}
}

// readsOnly reports whether an expression reads only allowed columns.
func readsOnly(e plan.Expr, allowed func(string) bool) bool {
	ok := true
	plan.Walk(e, func(x plan.Expr) bool {
		switch t := x.(type) {
		case *plan.Field:
			ok = ok && allowed(t.Name)
		case *plan.Star, *plan.SearchTerm, *plan.SearchCmp, *plan.Match:
			ok = false
		}
		return ok
	})
	return ok
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}

func sameSet(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		found := false
		for _, y := range b {
			found = found || x == y
		}
		if !found {
			return false
		}
	}
	return true
}

// partKey encodes the partition a group belongs to into b.
func (pr *pruner) partKey(b []byte, keys []event.Value) []byte {
	for _, i := range pr.part {
		b = keys[i].Key(b)
	}
	return b
}

// pick returns the groups of the partitions that hold a group passing the
// condition at this tick.
func (pr *pruner) pick(ctx *scalar.Context, w *window, s *statsSpec, width int) []*wgroup {
	scratch := newTRow(width, nil)
	row := tableRow{r: scratch}
	for _, dv := range pr.consts {
		row.set(dv.slot, dv.eval(ctx, row))
	}
	candidates := w.list
	if pr.eqKey >= 0 {
		if c, ok := w.lookup(pr.eqTo(ctx, row)); ok {
			candidates = c
		}
	}
	var out []*wgroup
	var parts map[string]bool
	for _, wg := range candidates {
		if pr.part != nil && parts[wg.part] {
			continue
		}
		fillRow(scratch, s, wg)
		for _, dv := range pr.derive {
			row.set(dv.slot, dv.eval(ctx, row))
		}
		v := pr.cond(ctx, row)
		if b, ok := v.Bool(); !ok || !b {
			continue
		}
		if pr.part == nil {
			out = append(out, wg)
			continue
		}
		if parts == nil {
			parts = map[string]bool{}
		}
		parts[wg.part] = true
		out = append(out, w.parts[wg.part]...)
	}
	return out
}

// fillRow writes a group's keys and aggregate results into a row, over
// whatever another group left there; a null stays absent.
func fillRow(r *tRow, s *statsSpec, wg *wgroup) {
	for _, slot := range s.keySlots {
		r.vals[slot] = event.Value{}
	}
	for _, slot := range s.aggSlots {
		if slot >= 0 {
			r.vals[slot] = event.Value{}
		}
	}
	for i, slot := range s.keySlots {
		if !wg.keys[i].IsNull() {
			r.vals[slot] = wg.keys[i]
		}
	}
	for j, slot := range s.aggSlots {
		if v := wg.res[j]; slot >= 0 && !v.IsNull() {
			r.vals[slot] = v
		}
	}
	if s.wild != nil {
		s.fillWild(r, wg.aggs)
	}
}
