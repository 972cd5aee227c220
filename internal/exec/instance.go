package exec

import (
	"math"
	"sort"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/scalar"
	"github.com/tripline/tripline/internal/schema"
)

// Instance is one running copy of a Program with its own state: the panes
// of aggregate state (or of buffered rows) keyed by pane index. An Instance
// is not safe for concurrent use; give each worker its own and Merge them.
type Instance struct {
	p         *Program
	paneWidth int64
	panes     map[int64]*pane
	row       streamRow
	sc        statsScratch
	ctx       scalar.Context
	cur       *pane
	curIdx    int64
	curTime   int64
	curEvent  *event.Event
	// win is the window evaluated last, slid to the next one.
	win *window
	// changed lists the panes that took events since the last evaluation.
	changed []int64
	// floor is the first pane index the instance still takes events for:
	// the panes before it went to another instance (see Absorb). late
	// counts the events that arrived for them and were dropped.
	floor int64
	late  int64
	// x counts what passes each stage, in explain mode; nil otherwise.
	x *trace
	// For a sequence: a buffer for join keys, the count of events kept
	// (their arrival order) and of partial sequences dropped.
	keyBuf     []byte
	arrival    int64
	seqDropped int64
	// pending holds the sequences that wait for a trailing missing step's
	// maxspan to pass (see sequence_missing.go).
	pending []*pendingSeq
	// subs run the program's subsearches; env is what the tail may read
	// of the window being evaluated (see winEnv).
	subs []*Instance
	env  *winEnv
}

type pane struct {
	tab  *groupTable
	rows []*tRow
	// seq holds a sequence's records, in arrival order.
	seq []*seqRec
	// changed says the pane is in the instance's changed list.
	changed bool
}

// NewInstance returns empty state whose panes are paneWidth wide, aligned
// on the Unix epoch; a zero width keeps everything in one pane.
func (p *Program) NewInstance(paneWidth time.Duration) *Instance {
	in := &Instance{p: p, paneWidth: int64(paneWidth), panes: map[int64]*pane{}, floor: math.MinInt64}
	in.row.vals = make([]event.Value, p.nslots)
	in.row.stamp = make([]uint32, p.nslots)
	in.subs = p.newSubInstances(paneWidth)
	return in
}

// Program returns the program the instance runs.
func (in *Instance) Program() *Program { return in.p }

// Push runs one event through the stream stage into its pane. Events of
// log types the program does not read are ignored. The event is not kept.
func (in *Instance) Push(ev *event.Event) {
	in.pushSubs(ev)
	if int(ev.LogType) >= len(in.p.own) || !in.p.own[ev.LogType] {
		return
	}
	t := in.p.eventTime(ev)
	idx := int64(0)
	if in.paneWidth > 0 {
		idx = floorDiv(t, in.paneWidth)
	}
	if idx < in.floor {
		in.late++
		return
	}
	if in.x != nil {
		in.x.events++
	}
	in.curIdx, in.curTime, in.curEvent, in.cur = idx, t, ev, nil
	in.row.reset(ev, in.p.getters[ev.LogType])
	in.ctx.Now = t
	if in.p.seq != nil {
		in.pushSeq()
	} else {
		in.run(0)
	}
	in.curEvent = nil
	in.row.ev = nil
}

func (in *Instance) run(i int) {
	steps := in.p.steps
	r := &in.row
	x := in.x
	for ; i < len(steps); i++ {
		s := &steps[i]
		if x != nil {
			x.enterStep(i, &in.ctx, r)
		}
		if s.expand {
			v := r.Get(s.slot)
			if v.Len() <= 1 {
				if x != nil {
					x.steps[i].out++
				}
				continue
			}
			for _, e := range v.Values() {
				if x != nil {
					x.steps[i].out++
				}
				r.set(s.slot, e)
				in.run(i + 1)
			}
			r.set(s.slot, v)
			return
		}
		if !s.op.apply(&in.ctx, r) {
			return
		}
		if x != nil {
			x.steps[i].out++
		}
	}
	in.sink()
}

func (in *Instance) paneFor() *pane {
	if in.cur != nil {
		return in.cur
	}
	pn, ok := in.panes[in.curIdx]
	if !ok {
		pn = &pane{}
		if in.p.stats != nil {
			pn.tab = newGroupTable()
		}
		in.panes[in.curIdx] = pn
	}
	if !pn.changed {
		pn.changed = true
		in.changed = append(in.changed, in.curIdx)
	}
	in.cur = pn
	return pn
}

// clearChanged empties the list of changed panes.
func (in *Instance) clearChanged() {
	for _, idx := range in.changed {
		if pn := in.panes[idx]; pn != nil {
			pn.changed = false
		}
	}
	in.changed = in.changed[:0]
}

func (in *Instance) sink() {
	pn := in.paneFor()
	if in.x != nil {
		in.x.sunk++
	}
	if in.p.stats != nil {
		if in.p.stats.add(pn.tab, &in.sc, &in.ctx, &in.row, in.curTime, in.curEvent, nil) && in.x != nil {
			in.x.grouped++
		}
		return
	}
	m := &meta{}
	m.addEvent(in.curEvent, in.curTime)
	pn.rows = append(pn.rows, in.materialize(m))
}

// materialize copies the visible columns of the current stream row.
func (in *Instance) materialize(m *meta) *tRow {
	p := in.p
	sc := p.tail.scope
	r := newTRow(p.tail.width, m)
	if p.open {
		// The document's fields the tail knows move to their slots; the
		// rest stay in the document, which becomes the row's extra map.
		doc := schema.DocumentWith(p.View, in.curEvent, p.enrich)
		for k, v := range doc {
			if matchAny(p.hidden, k) {
				delete(doc, k)
				continue
			}
			if slot, ok := sc.index[k]; ok {
				r.put(slot, v)
				delete(doc, k)
			}
		}
		if len(doc) > 0 {
			r.extra = doc
		}
	}
	for i, slot := range p.tslots {
		if v := in.row.Get(p.slots[i]); !v.IsNull() {
			r.put(slot, v)
		} else {
			r.del(slot)
		}
	}
	return r
}

// Merge folds another instance's state (of the same program and pane
// width) into this one; o must not be used afterwards.
func (in *Instance) Merge(o *Instance) {
	for idx, op := range o.panes {
		in.mergePane(idx, op)
	}
	if in.x != nil && o.x != nil {
		in.x.merge(o.x)
	}
	in.mergeSubs(o)
	in.pending = append(in.pending, o.pending...)
	o.panes, o.pending = nil, nil
	in.win = nil
	in.clearChanged()
}

// mergePane folds pane op, taken from another instance, into pane idx.
func (in *Instance) mergePane(idx int64, op *pane) *pane {
	op.changed = false
	pn, ok := in.panes[idx]
	switch {
	case !ok:
		in.panes[idx] = op
		pn = op
	case in.p.stats != nil:
		in.p.stats.moveInto(pn.tab, op.tab)
	default:
		pn.rows = append(pn.rows, op.rows...)
		pn.seq = append(pn.seq, op.seq...)
	}
	return pn
}

// Absorb moves the panes of o that end at or before t into in, merging
// panes both hold, so that in can evaluate windows up to t while o goes on
// taking later events. Events o is given afterwards for a time before its
// last pane taken are dropped and counted by o.Late. Both instances run
// the same program with the same pane width; in keeps its window, since
// the panes it takes are later than any it evaluated.
func (in *Instance) Absorb(o *Instance, t time.Time) {
	in.absorbSubs(o, t)
	lim := floorDiv(t.UnixNano(), in.paneWidth)
	if lim <= o.floor {
		return
	}
	for idx, op := range o.panes {
		if idx >= lim {
			continue
		}
		delete(o.panes, idx)
		if pn := in.mergePane(idx, op); !pn.changed {
			pn.changed = true
			in.changed = append(in.changed, idx)
		}
	}
	kept := o.changed[:0]
	for _, idx := range o.changed {
		if idx >= lim {
			kept = append(kept, idx)
		}
	}
	o.changed = kept
	o.floor = lim
}

// Late returns how many events arrived for panes the instance had given
// up to Absorb, and were dropped.
func (in *Instance) Late() int64 { return in.late + in.subsLate() }

// FirstPane returns the start of the earliest pane holding state that
// starts at or after from.
func (in *Instance) FirstPane(from time.Time) (time.Time, bool) {
	lim := floorDiv(from.UnixNano()+in.paneWidth-1, in.paneWidth)
	first, ok := int64(0), false
	for idx := range in.panes {
		if idx >= lim && (!ok || idx < first) {
			first, ok = idx, true
		}
	}
	return in.subFirstPane(from, time.Unix(0, first*in.paneWidth).UTC(), ok)
}

// Span returns the earliest and latest pane start times holding state.
func (in *Instance) Span() (first, last time.Time, ok bool) {
	if len(in.panes) == 0 {
		return in.subSpan(time.Time{}, time.Time{}, false)
	}
	lo, hi := int64(0), int64(0)
	i := 0
	for idx := range in.panes {
		if i == 0 || idx < lo {
			lo = idx
		}
		if i == 0 || idx > hi {
			hi = idx
		}
		i++
	}
	return in.subSpan(time.Unix(0, lo*in.paneWidth).UTC(), time.Unix(0, hi*in.paneWidth).UTC(), true)
}

// PaneStarts returns the start times of the panes holding state, sorted.
func (in *Instance) PaneStarts() []time.Time {
	idx := in.sortedPanes()
	out := make([]time.Time, len(idx))
	for i, x := range idx {
		out[i] = time.Unix(0, x*in.paneWidth).UTC()
	}
	return in.withSubPanes(out)
}

func (in *Instance) sortedPanes() []int64 {
	idx := make([]int64, 0, len(in.panes))
	for k := range in.panes {
		idx = append(idx, k)
	}
	sort.Slice(idx, func(i, j int) bool { return idx[i] < idx[j] })
	return idx
}

// Evict drops panes that start before t; their events can no longer fall
// in any window still to be evaluated.
func (in *Instance) Evict(before time.Time) {
	in.evictSubs(before)
	if in.paneWidth == 0 {
		return
	}
	lim := floorDiv(before.UnixNano(), in.paneWidth)
	for idx := range in.panes {
		if idx < lim {
			delete(in.panes, idx)
		}
	}
}

// StateSize says how much state an instance holds: panes, the groups
// summed over panes (or rows buffered), and the groups of the window kept
// for sliding.
type StateSize struct {
	Panes, PaneGroups, WindowGroups int
}

// Max returns the larger of each figure.
func (s StateSize) Max(o StateSize) StateSize {
	return StateSize{max(s.Panes, o.Panes), max(s.PaneGroups, o.PaneGroups), max(s.WindowGroups, o.WindowGroups)}
}

// Size returns the state the instance holds now.
func (in *Instance) Size() StateSize {
	sz := StateSize{Panes: len(in.panes), PaneGroups: in.Groups()}
	if in.win != nil {
		sz.WindowGroups = len(in.win.groups)
	}
	return sz
}

// Groups is the number of groups (or buffered rows) held, for metrics and
// memory bounds.
func (in *Instance) Groups() int {
	n := 0
	for _, pn := range in.panes {
		if pn.tab != nil {
			n += len(pn.tab.order)
		}
		n += len(pn.rows) + len(pn.seq)
	}
	return n + len(in.pending) + in.subsGroups()
}

// Result is one output row of a window.
type Result struct {
	Columns []string
	Values  []event.Value
	// Count is the number of source events behind the row; First and Last
	// their earliest and latest times; Evidence a few of them.
	Count       int64
	First, Last time.Time
	Evidence    []Evidence
	// PaneCounts counts the events behind the row per pane start (Unix
	// nanoseconds), so results of overlapping windows can be unioned.
	PaneCounts map[int64]int64
}

// Get returns the value of a named column, null when absent.
func (r *Result) Get(name string) event.Value {
	for i, c := range r.Columns {
		if c == name {
			return r.Values[i]
		}
	}
	return event.Value{}
}

// Evaluate merges the panes whose start lies in [from, to) and runs the
// tail stage over them with now as the query time. With a zero pane width,
// from and to are ignored and everything is evaluated. Windows of a
// grouping aggregation are slid from the window evaluated before.
func (in *Instance) Evaluate(now, from, to time.Time) []Result {
	if in.x == nil {
		return in.evaluate(now, from, to)
	}
	in.x.beginWindow(from, to)
	res := in.evaluate(now, from, to)
	in.x.endWindow(len(res))
	return res
}

func (in *Instance) evaluate(now, from, to time.Time) []Result {
	if in.p.seq != nil {
		return in.evaluateSeq(from, to)
	}
	ctx := &scalar.Context{Now: now.UnixNano()}
	in.env = in.windowEnv(now, from, to)
	if in.p.sub.source != nil {
		return in.results(ctx, in.sourceRows())
	}
	if s := in.p.stats; s != nil && in.paneWidth > 0 && len(s.keys) > 0 {
		return in.evaluateSliding(ctx, ceilDiv(from.UnixNano(), in.paneWidth), ceilDiv(to.UnixNano(), in.paneWidth))
	}
	var rows []*tRow
	var tab *groupTable
	if in.p.stats != nil {
		tab = newGroupTable()
	}
	for _, idx := range in.sortedPanes() {
		if in.paneWidth > 0 {
			start := idx * in.paneWidth
			if start < from.UnixNano() || start >= to.UnixNano() {
				continue
			}
		}
		pn := in.panes[idx]
		if tab != nil {
			in.p.stats.mergeInto(tab, pn.tab, idx)
			continue
		}
		for _, r := range pn.rows {
			m := r.meta.clone()
			m.addPane(idx, 1)
			rows = append(rows, r.clone(m))
		}
	}
	if tab != nil {
		rows = in.p.stats.rows(tab, in.p.tail.width)
	} else {
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].meta.first < rows[j].meta.first })
	}
	if in.x != nil {
		in.x.input(len(rows))
	}
	return in.results(ctx, rows)
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// results runs the tail over a window's rows and shapes what comes out.
func (in *Instance) results(ctx *scalar.Context, rows []*tRow) []Result {
	out := in.p.tail.runPart(ctx, rows, 0, len(in.p.tail.makers), in.x, in.env)
	if in.x != nil {
		in.x.output(out)
	}
	return in.shape(out)
}

// shape turns the tail's output rows into results.
func (in *Instance) shape(out []*tRow) []Result {
	results := make([]Result, 0, len(out))
	for _, r := range out {
		cols := in.p.columnsOf(r)
		res := Result{Columns: cols, Values: make([]event.Value, len(cols))}
		if in.p.tail.cols != nil {
			for i, slot := range in.p.tail.colSlots {
				res.Values[i] = r.vals[slot]
			}
		} else {
			for i, c := range cols {
				res.Values[i], _ = r.getName(in.p.tail.scope, c)
			}
		}
		if r.meta != nil {
			res.Count = r.meta.count
			res.First = time.Unix(0, r.meta.first).UTC()
			res.Last = time.Unix(0, r.meta.last).UTC()
			res.Evidence = make([]Evidence, len(r.meta.evidence))
			for i, e := range r.meta.evidence {
				res.Evidence[i] = e.evidence()
			}
			res.PaneCounts = make(map[int64]int64, len(r.meta.panes))
			for idx, n := range r.meta.panes {
				res.PaneCounts[idx*in.paneWidth] = n
			}
		}
		results = append(results, res)
	}
	return results
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func sortStrings(ss []string) { sort.Strings(ss) }
