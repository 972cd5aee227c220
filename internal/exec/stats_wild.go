package exec

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tripline/tripline/internal/aggregate"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
	"github.com/tripline/tripline/internal/schema"
)

// wildAgg reports whether an aggregate reads a wildcard field
// ("values(requestParameters.*)").
func wildAgg(a plan.Agg) (string, bool) {
	if len(a.Args) != 1 {
		return "", false
	}
	f, ok := a.Args[0].(*plan.Field)
	if !ok || !strings.Contains(f.Name, "*") {
		return "", false
	}
	return f.Name, true
}

// expandWildAggs turns each aggregate over a wildcard field into one per
// column that the wildcard matches, as Splunk's stats does: values(a*) as
// b* gives b<X> = values(a<X>) for each column a<X>, values(a*) without a
// name gives values(a<X>). The by-fields and the columns starting with "_"
// are left out. cols are the columns coming in; nil when they are known
// only per row, which a wildcard aggregate cannot read.
func expandWildAggs(st *plan.Stats, cols []string) (*plan.Stats, error) {
	wild := false
	for _, a := range st.Aggs {
		if _, ok := wildAgg(a); ok {
			wild = true
		}
	}
	if !wild {
		return st, nil
	}
	out := &plan.Stats{By: st.By, Inline: st.Inline}
	for _, a := range st.Aggs {
		pat, ok := wildAgg(a)
		if !ok {
			out.Aggs = append(out.Aggs, a)
			continue
		}
		if cols == nil {
			return nil, fmt.Errorf("%s(%s): a wildcard aggregate needs the fields before it known (by a table, fields or stats command before it); over events, whose fields vary, it is not supported", a.Func, pat)
		}
		for _, c := range cols {
			if strings.HasPrefix(c, "_") || isByField(st, c) {
				continue
			}
			x, ok := wildPart(pat, c)
			if !ok {
				continue
			}
			name := a.Func + "(" + c + ")"
			if strings.Contains(a.Name, "*") {
				name = strings.Replace(a.Name, "*", x, 1)
			}
			out.Aggs = append(out.Aggs, plan.Agg{Name: name, Func: a.Func, Args: []plan.Expr{&plan.Field{Name: c}}})
		}
	}
	if len(out.Aggs) == 0 {
		return nil, fmt.Errorf("no field before the stats command matches its wildcard aggregates")
	}
	return out, nil
}

func isByField(st *plan.Stats, name string) bool {
	for _, b := range st.By {
		if b.Name == name {
			return true
		}
	}
	return false
}

// wildPart matches name against a pattern with one * and returns what the
// * matched.
func wildPart(pattern, name string) (string, bool) {
	i := strings.IndexByte(pattern, '*')
	pre, suf := pattern[:i], pattern[i+1:]
	if strings.Contains(suf, "*") || len(name) < len(pre)+len(suf) || !strings.HasPrefix(name, pre) || !strings.HasSuffix(name, suf) {
		return "", false
	}
	return name[len(pre) : len(name)-len(suf)], true
}

// wildArg is an aggregate over a wildcard field that the stream stage
// expands per event ("values(requestParameters.*) as *"): Splunk's stats
// applies it to each field of the events that the wildcard matches, and
// each becomes an output column of its own, named by the AS pattern with
// the wildcard's part put in (or "func(field)" without AS). Events differ
// in their fields, so the columns are known per group, from its state: a
// wildState holds one state of the aggregate per field met, and merging
// panes gives the union of their fields.
type wildArg struct {
	fn      string // the aggregate's name, for "func(field)"
	pattern string // the field pattern, with one "*"
	prefix  string // what comes before the "*"
	as      string // the AS pattern; "" for "func(field)"
	view    schema.View
	// slots are the stream columns the pattern matches (computed or
	// renamed ones, which the record's own fields do not show), by name.
	slots map[string]int
	// skip holds the by-fields and the patterns removed from the stream
	// (fields - x), which the wildcard does not take.
	by     []string
	hidden []string
	// fixed holds the output names of the other aggregates and by-fields:
	// a field whose output name is one of them gives no column.
	fixed map[string]bool
}

// outName returns the output column of the field f.
func (w *wildArg) outName(f string) string {
	if w.as == "" {
		return w.fn + "(" + f + ")"
	}
	x, _ := wildPart(w.pattern, f)
	return strings.Replace(w.as, "*", x, 1)
}

// takes reports whether the wildcard takes the field name.
func (w *wildArg) takes(name string) bool {
	if strings.HasPrefix(name, "_") || contains(w.by, name) || matchAny(w.hidden, name) {
		return false
	}
	if _, ok := wildPart(w.pattern, name); !ok {
		return false
	}
	return !w.fixed[w.outName(name)]
}

// collect appends the fields of the stream row that the wildcard takes,
// with their values, to names and vals.
func (w *wildArg) collect(r scalar.Row, names []string, vals []event.Value) ([]string, []event.Value) {
	sr, ok := r.(*streamRow)
	if !ok || sr.ev == nil {
		return names, vals
	}
	doc := schema.DocumentUnder(w.view, sr.ev, w.prefix)
	for name, slot := range w.slots {
		if v := sr.Get(slot); !v.IsNull() {
			doc[name] = v
		} else {
			delete(doc, name)
		}
	}
	for name, v := range doc {
		if w.takes(name) {
			names = append(names, name)
			vals = append(vals, v)
		}
	}
	return names, vals
}

// bindStream completes the wildcard aggregates of a stream-stage stats
// over an open scope: the columns computed before it, and what the
// wildcards may not take.
func (s *statsSpec) bindStream(st *plan.Stats, sc *streamScope, view schema.View) {
	if s.wild == nil {
		return
	}
	fixed := map[string]bool{}
	for _, k := range s.keyNames {
		fixed[k] = true
	}
	for j, n := range s.aggNames {
		if s.wild[j] == nil {
			fixed[n] = true
		}
	}
	var by []string
	for _, b := range st.By {
		by = append(by, b.Name)
	}
	for _, w := range s.wild {
		if w == nil {
			continue
		}
		w.view, w.by, w.hidden, w.fixed = view, by, append([]string(nil), sc.hidden...), fixed
		w.slots = map[string]int{}
		for name, slot := range sc.slotOf {
			if _, ok := wildPart(w.pattern, name); ok {
				w.slots[name] = slot
			}
		}
	}
}

// hasWild reports whether some aggregate expands a wildcard per event.
func (s *statsSpec) hasWild() bool { return s.wild != nil }

// fillWild writes a group's wildcard aggregates into a row, one column
// per field, as the row's scope names them.
func (s *statsSpec) fillWild(r *tRow, aggs []aggregate.State) {
	for j, w := range s.wild {
		if w == nil {
			continue
		}
		ws := aggs[j].(*wildState)
		for _, f := range ws.names {
			if v := ws.states[f].Result(); !v.IsNull() {
				r.putName(s.tscope, w.outName(f), v)
			}
		}
	}
}

// wildState is the state of a wildcard aggregate for one group: a state
// of the aggregate for each field the wildcard took, by field name. Sub
// always reports false: taking a pane back field by field could fail half
// way, so a window merges its remaining panes instead.
type wildState struct {
	fn     *aggregate.Func
	param  event.Value
	names  []string // sorted
	states map[string]aggregate.State
}

var _ aggregate.State = (*wildState)(nil)

func newWildState(fn *aggregate.Func, param event.Value) *wildState {
	return &wildState{fn: fn, param: param, states: map[string]aggregate.State{}}
}

// field returns the state of field f, creating it.
func (w *wildState) field(f string) aggregate.State {
	st, ok := w.states[f]
	if !ok {
		st = w.fn.New(false, w.param)
		w.states[f] = st
		i := sort.SearchStrings(w.names, f)
		w.names = slices.Insert(w.names, i, f)
	}
	return st
}

// addFields folds in one row's fields.
func (w *wildState) addFields(names []string, vals []event.Value, t int64) {
	for i, f := range names {
		w.field(f).Add(vals[i], t)
	}
}

// Add implements aggregate.State; a wildcard aggregate takes its rows
// through addFields.
func (w *wildState) Add(event.Value, int64) { panic("BUG: wildcard aggregate given one value") }

// Merge implements aggregate.State.
func (w *wildState) Merge(o aggregate.State) {
	ow := o.(*wildState)
	for _, f := range ow.names {
		w.field(f).Merge(ow.states[f])
	}
}

// Sub implements aggregate.State.
func (w *wildState) Sub(aggregate.State) bool { return false }

// Result implements aggregate.State: the columns are written by fillWild.
func (w *wildState) Result() event.Value { return event.Value{} }

// Encode implements aggregate.State.
func (w *wildState) Encode(e *aggregate.Encoder) {
	e.Uvarint(uint64(len(w.names)))
	for _, f := range w.names {
		e.Str(f)
		w.states[f].Encode(e)
	}
}

// Decode implements aggregate.State.
func (w *wildState) Decode(d *aggregate.Decoder) {
	for n := d.Count(); n > 0 && d.Err() == nil; n-- {
		w.field(d.Str()).Decode(d)
	}
}
