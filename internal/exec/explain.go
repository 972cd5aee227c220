package exec

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// Explain mode answers "why did this rule not fire?": an instance counts
// the events and rows that pass each operator of its plan, and remembers
// how close each group came to the threshold of the filter after the
// aggregation. It is off unless asked for, and off it costs a nil check
// per operator and event, no allocation.

// Stage kinds: what a stage's In and Out count.
const (
	// StageStream counts events (rows of the stream: an mv_expand makes
	// more) as they arrive.
	StageStream = "stream"
	// StageStats counts events in and groups out, the groups summed over
	// the windows evaluated.
	StageStats = "stats"
	// StageWindow counts rows in and out summed over the windows evaluated.
	StageWindow = "window"
)

// Explanation says what passed each stage of a program's plan, for the
// events an instance in explain mode was given and the windows it
// evaluated.
type Explanation struct {
	// Events is the number of events of the sources the program reads.
	Events int64   `json:"events"`
	Stages []Stage `json:"stages"`
	// Drop is the index in Stages of the first stage that let nothing
	// through of what it was given, -1 when every stage let some through.
	Drop int `json:"drop"`
	// Windows counts the windows evaluated, WindowsWithRows those that gave
	// result rows, Rows the result rows summed over windows.
	Windows         int64 `json:"windows"`
	WindowsWithRows int64 `json:"windows_with_rows"`
	Rows            int64 `json:"rows"`
	// Near ranks the groups by how close they came to the filter after
	// the aggregation; nil when the plan does not aggregate.
	Near *NearMisses `json:"near_misses,omitempty"`
}

// Stage is what one operator of the plan let through.
type Stage struct {
	// Node is the operator as the plan prints it.
	Node string `json:"node"`
	// Kind is StageStream, StageStats or StageWindow.
	Kind string `json:"kind"`
	// Implicit marks an operator the language adds (ES|QL's LIMIT 1000).
	Implicit bool `json:"implicit,omitempty"`
	// NamesOnly marks a keep, drop or rename of the stream, which only
	// changes the names later operators see: its In is its Out.
	NamesOnly bool  `json:"names_only,omitempty"`
	In        int64 `json:"in"`
	Out       int64 `json:"out"`
	// MaxIn and MaxOut are the most rows of one window (window stages;
	// MaxOut of a stats stage).
	MaxIn  int64 `json:"max_in,omitempty"`
	MaxOut int64 `json:"max_out,omitempty"`
	// Ungrouped counts the events a stats stage dropped because they lack
	// a by-field (Splunk).
	Ungrouped int64 `json:"ungrouped,omitempty"`
	// Terms are the AND terms of a WHERE of more than one, in order.
	Terms []Term `json:"terms,omitempty"`
	// DropsAll says the stage was given events or rows and let none
	// through.
	DropsAll bool `json:"drops_all,omitempty"`
}

// Term is one AND term of a WHERE: Out counts what passed it and every
// term before it (summed over windows, with MaxOut the most of one
// window, in a window stage).
type Term struct {
	Expr     string `json:"expr"`
	Out      int64  `json:"out"`
	MaxOut   int64  `json:"max_out,omitempty"`
	DropsAll bool   `json:"drops_all,omitempty"`
}

// NearMisses ranks the groups of an aggregation, over every window, by
// how close they came to the filter's threshold: Column Op Limit. Without
// a threshold (Op empty, Reason says why) they are ranked by Column, the
// first aggregate, largest first.
type NearMisses struct {
	Column string      `json:"column"`
	Op     string      `json:"op,omitempty"`
	Limit  event.Value `json:"limit"`
	// Filter is the WHERE after the aggregation, if there is one.
	Filter string `json:"filter,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Keys are the aggregation's BY columns.
	Keys   []string    `json:"keys"`
	Groups []NearGroup `json:"groups"`
	// Total is the number of groups seen.
	Total int `json:"total"`
}

// Threshold prints the comparison the groups are ranked against, "" when
// there is none.
func (n *NearMisses) Threshold() string {
	if n.Op == "" {
		return ""
	}
	return n.Column + " " + n.Op + " " + n.Limit.String()
}

// NearGroup is one group and the value of NearMisses.Column in the window
// where it came closest (the first such).
type NearGroup struct {
	Keys  []event.Value `json:"keys"`
	Value event.Value   `json:"value"`
	// Met says the value meets the threshold.
	Met    bool   `json:"met"`
	Window Window `json:"window"`
	// Windows counts the windows the group was in.
	Windows int `json:"windows"`
}

// Window is a half-open range of event time.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Explain puts the instance in explain mode: from then on it counts what
// passes each stage and ranks groups against the threshold, and it
// evaluates every window over all of its groups rather than only those
// that changed, so that the counts are whole. Call it before the first
// Push; instances to be merged must all be in explain mode.
func (in *Instance) Explain() {
	if in.x == nil {
		in.x = newTrace(in.p)
	}
}

// Explanation returns what the instance counted, with the top groups
// nearest the threshold; nil when it is not in explain mode.
func (in *Instance) Explanation(top int) *Explanation {
	x := in.x
	if x == nil {
		return nil
	}
	e := &Explanation{Events: x.events, Drop: -1, Windows: x.windows, WindowsWithRows: x.withRows, Rows: x.rows}
	flowing := x.events // what the stream lets through so far
	for _, l := range in.p.layout {
		st := Stage{Node: l.node.String(), Implicit: l.implicit}
		switch l.at {
		case atScope:
			st.Kind, st.In, st.Out, st.NamesOnly = StageStream, flowing, flowing, true
		case atStep:
			f := x.steps[l.idx]
			st.Kind, st.In, st.Out = StageStream, f.in, f.out
			for j, n := range x.stepTerms[l.idx] {
				st.Terms = append(st.Terms, Term{Out: n, Expr: termText(l.node, j)})
			}
			flowing = f.out
		case atStats:
			st.Kind, st.In, st.Out, st.MaxOut = StageStats, x.sunk, x.given.sum, x.given.max
			st.Ungrouped = x.sunk - x.grouped
		case atTail:
			i, o := x.tail[l.idx], x.tail[l.idx+1]
			st.Kind, st.In, st.Out, st.MaxIn, st.MaxOut = StageWindow, i.sum, o.sum, i.max, o.max
			for j, c := range x.tailTerms[l.idx] {
				st.Terms = append(st.Terms, Term{Out: c.sum, MaxOut: c.max, Expr: termText(l.node, j)})
			}
		}
		before := st.In
		for j := range st.Terms {
			st.Terms[j].DropsAll = before > 0 && st.Terms[j].Out == 0
			before = st.Terms[j].Out
		}
		st.DropsAll = st.In > 0 && st.Out == 0
		if st.DropsAll && e.Drop < 0 {
			e.Drop = len(e.Stages)
		}
		e.Stages = append(e.Stages, st)
	}
	if x.near != nil {
		e.Near = x.nearMisses(top)
	}
	return e
}

// termText prints the j-th AND term of a WHERE.
func termText(n plan.Node, j int) string {
	if w, ok := n.(*plan.Where); ok {
		if ts := plan.Terms(w.Cond, "AND"); j < len(ts) {
			return ts[j].String()
		}
	}
	return "?"
}

// compileTerms compiles the AND terms of a condition one by one, for
// explain mode to count what passes each; nil when there is one term.
func compileTerms(cond plan.Expr, d plan.Dialect, resolve scalar.Resolver) ([]scalar.Evaluator, error) {
	terms := plan.Terms(cond, "AND")
	if len(terms) < 2 {
		return nil, nil
	}
	evs := make([]scalar.Evaluator, len(terms))
	for i, t := range terms {
		ev, err := scalar.Compile(t, d, resolve)
		if err != nil {
			return nil, fmt.Errorf("cannot compile where: %w", err)
		}
		evs[i] = ev
	}
	return evs, nil
}

// trace is an instance's counters in explain mode.
type trace struct {
	p      *Program
	events int64
	// steps counts what enters and leaves each stream step; stepTerms,
	// by step, the events that passed the first j+1 AND terms.
	steps     []flow
	stepTerms map[int][]int64
	// sunk counts the rows that came out of the stream; grouped those of
	// them the aggregation put in a group.
	sunk, grouped int64

	windows, withRows, rows int64
	// given counts the rows each window gave the tail; tail, by position,
	// the rows entering each tail operator and (last) the rows the tail
	// returned; tailTerms, by operator, the rows that passed the first
	// j+1 AND terms. cur and curTerms count the window being evaluated.
	given     winCount
	tail      []winCount
	tailTerms map[int][]winCount
	curInput  int64
	cur       []int64
	curTerms  map[int][]int64
	from, to  time.Time

	near   *nearSpec
	groups map[string]*nearState
	keyBuf []byte
}

type flow struct{ in, out int64 }

// winCount sums a count over windows and keeps the largest.
type winCount struct{ sum, max int64 }

func (c *winCount) add(n int64) {
	c.sum += n
	c.max = max(c.max, n)
}

func newTrace(p *Program) *trace {
	nt := len(p.tail.makers) + 1
	x := &trace{p: p, steps: make([]flow, len(p.steps)), stepTerms: map[int][]int64{},
		tail: make([]winCount, nt), cur: make([]int64, nt),
		tailTerms: map[int][]winCount{}, curTerms: map[int][]int64{}}
	for i, ts := range p.stepTerms {
		x.stepTerms[i] = make([]int64, len(ts))
	}
	for i, ts := range p.tail.terms {
		x.tailTerms[i] = make([]winCount, len(ts))
		x.curTerms[i] = make([]int64, len(ts))
	}
	if x.near = nearFor(p); x.near != nil {
		x.groups = map[string]*nearState{}
	}
	return x
}

// enterStep counts an event entering stream step i, and the AND terms of
// its WHERE that the event passes, in order.
func (x *trace) enterStep(i int, ctx *scalar.Context, r mrow) {
	x.steps[i].in++
	if counts := x.stepTerms[i]; counts != nil {
		for j, t := range x.p.stepTerms[i] {
			if !scalar.Truth(t(ctx, r)) {
				break
			}
			counts[j]++
		}
	}
}

// merge adds another instance's stream counts: merging happens before
// windows are evaluated.
func (x *trace) merge(o *trace) {
	x.events += o.events
	x.sunk += o.sunk
	x.grouped += o.grouped
	for i := range x.steps {
		x.steps[i].in += o.steps[i].in
		x.steps[i].out += o.steps[i].out
	}
	for i, cs := range x.stepTerms {
		for j := range cs {
			cs[j] += o.stepTerms[i][j]
		}
	}
}

func (x *trace) beginWindow(from, to time.Time) {
	x.from, x.to = from, to
	x.curInput = 0
	clear(x.cur)
	for _, cs := range x.curTerms {
		clear(cs)
	}
}

// input counts the rows a window gives the tail.
func (x *trace) input(n int) { x.curInput = int64(n) }

func (x *trace) endWindow(rows int) {
	x.windows++
	if rows > 0 {
		x.withRows++
	}
	x.rows += int64(rows)
	x.given.add(x.curInput)
	for i, n := range x.cur {
		x.tail[i].add(n)
	}
	for i, cs := range x.curTerms {
		for j, n := range cs {
			x.tailTerms[i][j].add(n)
		}
	}
}

// output counts the rows the tail returned for the window being
// evaluated, and shows them to the probe when it looks at the end of the
// tail (an aggregation that is the plan's last operator).
func (x *trace) output(rows []*tRow) {
	end := len(x.cur) - 1
	x.cur[end] = int64(len(rows))
	if x.near != nil && x.near.at == end {
		for _, r := range rows {
			x.observe(r)
		}
	}
}

// tap sits in front of tail operator at in explain mode: it counts the
// rows, the AND terms they pass, and shows them to the near-miss probe.
type tap struct {
	x     *trace
	at    int
	terms []scalar.Evaluator
	next  proc
}

func (t *tap) push(ctx *scalar.Context, r *tRow) {
	x := t.x
	x.cur[t.at]++
	if t.terms != nil {
		counts := x.curTerms[t.at]
		for j, ev := range t.terms {
			if !scalar.Truth(ev(ctx, tableRow{r: r})) {
				break
			}
			counts[j]++
		}
	}
	if x.near != nil && x.near.at == t.at {
		x.observe(r)
	}
	t.next.push(ctx, r)
}

func (t *tap) flush(ctx *scalar.Context) { t.next.flush(ctx) }

// nearSpec says which rows the near-miss probe looks at (those entering
// tail position at) and what it reads from them.
type nearSpec struct {
	at       int
	col      string
	slot     int
	keys     []string
	keySlots []int
	// op and limit are the threshold: col op limit; op is empty when the
	// filter has none, and reason says why.
	op     string
	limit  float64
	limitV event.Value
	filter string
	reason string
}

// nearState is what the probe knows of one group.
type nearState struct {
	keys      []event.Value
	value     event.Value
	closeness float64
	from, to  time.Time
	windows   int
	order     int
}

// nearFor finds the program's first aggregation and the WHERE after it.
// When an AND term of that WHERE compares an aggregate with a number
// (preferring <, <=, >, >= to ==), groups are ranked against it as they
// enter the WHERE; otherwise by the first aggregate as they leave the
// aggregation. nil when the plan does not aggregate.
func nearFor(p *Program) *nearSpec {
	si := -1
	var st *plan.Stats
	for i, l := range p.layout {
		if s, ok := l.node.(*plan.Stats); ok && !s.Inline {
			si, st = i, s
			break
		}
	}
	if st == nil || len(st.Aggs) == 0 {
		return nil
	}
	ns := &nearSpec{col: st.Aggs[0].Name, reason: "no WHERE follows the aggregation: every group is a result"}
	if l := p.layout[si]; l.at == atTail {
		ns.at = l.idx + 1
	}
	for _, b := range st.By {
		ns.keys = append(ns.keys, b.Name)
	}
	aggs := map[string]bool{}
	for _, a := range st.Aggs {
		aggs[a.Name] = true
	}
scan:
	for _, l := range p.layout[si+1:] {
		switch t := l.node.(type) {
		case *plan.Eval:
			for _, a := range t.Assigns {
				delete(aggs, a.Name)
			}
		case *plan.Rename:
			for _, pr := range t.Pairs {
				was := aggs[pr.From]
				delete(aggs, pr.From)
				delete(aggs, pr.To)
				if was {
					aggs[pr.To] = true
				}
			}
		case *plan.Extract:
			for _, n := range t.Names {
				delete(aggs, n)
			}
		case *plan.Stats:
			if !t.Inline {
				break scan
			}
			for _, a := range t.Aggs {
				aggs[a.Name] = true
			}
		case *plan.Where:
			ns.filter = t.String()
			col, op, lim, ok := thresholdOf(t.Cond, aggs)
			if !ok {
				ns.reason = "the filter after the aggregation does not compare an aggregate with a constant"
				break scan
			}
			f, _ := lim.Number()
			ns.at, ns.col, ns.op, ns.limit, ns.limitV, ns.reason = l.idx, col, op, f, lim, ""
			break scan
		}
	}
	sc := p.tail.scope
	ns.slot = slotOf(sc, ns.col)
	for _, k := range ns.keys {
		ns.keySlots = append(ns.keySlots, slotOf(sc, k))
	}
	return ns
}

func slotOf(sc *tailScope, name string) int {
	if i, ok := sc.index[name]; ok {
		return i
	}
	return -1
}

// thresholdOf finds an AND term of cond that compares one of cols with a
// number, and returns it as col op limit.
func thresholdOf(cond plan.Expr, cols map[string]bool) (col, op string, limit event.Value, ok bool) {
	type cmp struct {
		col, op string
		lim     event.Value
	}
	var found []cmp
	for _, t := range plan.Terms(cond, "AND") {
		switch t := t.(type) {
		case *plan.Binary:
			if _, known := flipped[t.Op]; !known {
				continue
			}
			if f, ok := t.L.(*plan.Field); ok && cols[f.Name] {
				if lim, ok := numLiteral(t.R); ok {
					found = append(found, cmp{f.Name, t.Op, lim})
				}
			} else if f, ok := t.R.(*plan.Field); ok && cols[f.Name] {
				if lim, ok := numLiteral(t.L); ok {
					found = append(found, cmp{f.Name, flipped[t.Op], lim})
				}
			}
		case *plan.SearchCmp:
			o := t.Op
			if o == "=" {
				o = "=="
			}
			if _, known := flipped[o]; !known || !cols[t.Field] {
				continue
			}
			if n, err := strconv.ParseFloat(t.Value, 64); err == nil {
				lim := event.DoubleValue(n)
				if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
					lim = event.LongValue(int64(n))
				}
				found = append(found, cmp{t.Field, o, lim})
			}
		}
	}
	// An ordering comparison says more about "how close" than an equality.
	for _, c := range found {
		if c.op != "==" {
			return c.col, c.op, c.lim, true
		}
	}
	if len(found) > 0 {
		return found[0].col, found[0].op, found[0].lim, true
	}
	return "", "", event.Value{}, false
}

// flipped gives the comparison with its sides swapped.
var flipped = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}

func numLiteral(e plan.Expr) (event.Value, bool) {
	l, ok := e.(*plan.Literal)
	if !ok {
		return event.Value{}, false
	}
	_, num := l.Value.Number()
	return l.Value, num
}

// closeness is larger the nearer v comes to meeting the threshold (or,
// without one, the larger v is).
func (ns *nearSpec) closeness(v float64) float64 {
	switch ns.op {
	case "<", "<=":
		return -v
	case "==":
		return -math.Abs(v - ns.limit)
	}
	return v
}

// meets reports whether v meets the threshold.
func (ns *nearSpec) meets(v float64) bool {
	switch ns.op {
	case ">":
		return v > ns.limit
	case ">=":
		return v >= ns.limit
	case "<":
		return v < ns.limit
	case "<=":
		return v <= ns.limit
	case "==":
		return v == ns.limit
	}
	return false
}

// rankOf reads a value as a number to rank by: numbers (Splunk's numeric
// text too), times, and multi-values by how many values they hold.
func rankOf(v event.Value) (float64, bool) {
	v = scalar.SPLNumber(v)
	if f, ok := v.Number(); ok {
		return f, true
	}
	if ns, ok := v.Nanos(); ok {
		return float64(ns), true
	}
	if v.Kind() == event.Multi {
		return float64(v.Len()), true
	}
	return 0, false
}

// observe shows the probe one row of the window being evaluated.
func (x *trace) observe(r *tRow) {
	ns := x.near
	var v event.Value
	if ns.slot >= 0 {
		v = r.vals[ns.slot]
	}
	f, ok := rankOf(v)
	if !ok {
		return
	}
	x.keyBuf = x.keyBuf[:0]
	for _, s := range ns.keySlots {
		var k event.Value
		if s >= 0 {
			k = r.vals[s]
		}
		x.keyBuf = k.Key(x.keyBuf)
	}
	c := ns.closeness(f)
	g := x.groups[string(x.keyBuf)]
	if g == nil {
		g = &nearState{order: len(x.groups), closeness: math.Inf(-1)}
		for _, s := range ns.keySlots {
			var k event.Value
			if s >= 0 {
				k = r.vals[s]
			}
			g.keys = append(g.keys, k)
		}
		x.groups[string(x.keyBuf)] = g
	}
	g.windows++
	if c > g.closeness {
		g.value, g.closeness, g.from, g.to = v, c, x.from, x.to
	}
}

// nearMisses ranks the groups seen, nearest first, and keeps top of them
// (all when top <= 0).
func (x *trace) nearMisses(top int) *NearMisses {
	ns := x.near
	out := &NearMisses{Column: ns.col, Op: ns.op, Filter: ns.filter, Reason: ns.reason,
		Keys: append([]string{}, ns.keys...), Groups: []NearGroup{}, Total: len(x.groups)}
	if ns.op != "" {
		out.Limit = ns.limitV
	}
	all := make([]*nearState, 0, len(x.groups))
	for _, g := range x.groups {
		all = append(all, g)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].closeness != all[j].closeness {
			return all[i].closeness > all[j].closeness
		}
		return all[i].order < all[j].order
	})
	if top > 0 && len(all) > top {
		all = all[:top]
	}
	for _, g := range all {
		f, _ := rankOf(g.value)
		out.Groups = append(out.Groups, NearGroup{Keys: g.keys, Value: g.value, Met: ns.op != "" && ns.meets(f),
			Window: Window{Start: g.from.UTC(), End: g.to.UTC()}, Windows: g.windows})
	}
	return out
}
