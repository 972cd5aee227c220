package exec

import (
	"fmt"
	"sort"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
)

// MaxPartialSequences bounds the partial matches a sequence keeps per join
// key while it evaluates a window, as Elasticsearch bounds its own; the
// oldest is dropped first, and the drops are counted (see Instance.Dropped).
const MaxPartialSequences = 1000

// seqSpec is a compiled sequence: its steps expanded by runs, each with
// the step of the query it came from.
type seqSpec struct {
	maxSpan int64
	// conds and keys are by step of the query; key expressions are the
	// sequence's by, then the step's own.
	conds [][]scalar.Evaluator // nil entry: every event
	keys  [][]scalar.Evaluator
	// order maps each expanded step to its query step.
	order []int
	until []scalar.Evaluator
	// untilKeys is nil without an until.
	untilKeys []scalar.Evaluator
	hasUntil  bool
	// nby is how many keys are the sequence's own; names are their columns.
	nby   int
	names []string
	// The missing-event steps (![...]), as bits over the query steps:
	// before the first present step, after the last, and, per expanded
	// step j > 0, between the present steps j-1 and j.
	missing, lead, trail uint64
	mid                  []uint64
}

func compileSequence(s *plan.Sequence, d plan.Dialect, r scalar.Resolver) (*seqSpec, error) {
	if len(s.Steps) > 64 {
		return nil, fmt.Errorf("sequence: %d steps, at most 64 are run", len(s.Steps))
	}
	sp := &seqSpec{maxSpan: int64(s.MaxSpan), nby: len(s.By)}
	for _, b := range s.By {
		if f, ok := b.(*plan.Field); ok {
			sp.names = append(sp.names, f.Name)
		} else {
			sp.names = append(sp.names, b.String())
		}
	}
	compileStep := func(st *plan.SeqStep) ([]scalar.Evaluator, []scalar.Evaluator, error) {
		var cond []scalar.Evaluator
		if st.Cond != nil {
			c, err := scalar.Compile(st.Cond, d, r)
			if err != nil {
				return nil, nil, err
			}
			cond = []scalar.Evaluator{c}
		}
		var keys []scalar.Evaluator
		for _, k := range append(append([]plan.Expr(nil), s.By...), st.By...) {
			e, err := scalar.Compile(k, d, r)
			if err != nil {
				return nil, nil, err
			}
			keys = append(keys, e)
		}
		return cond, keys, nil
	}
	var gap uint64 // missing steps since the last present one
	for i := range s.Steps {
		cond, keys, err := compileStep(&s.Steps[i])
		if err != nil {
			return nil, fmt.Errorf("sequence step %d: %w", i+1, err)
		}
		sp.conds = append(sp.conds, cond)
		sp.keys = append(sp.keys, keys)
		if s.Steps[i].Missing {
			sp.missing |= 1 << uint(i)
			gap |= 1 << uint(i)
			continue
		}
		for n := max(s.Steps[i].Runs, 1); n > 0; n-- {
			if len(sp.order) == 0 {
				sp.lead, gap = gap, 0
			}
			sp.mid = append(sp.mid, gap)
			gap = 0
			sp.order = append(sp.order, i)
		}
	}
	sp.trail = gap
	if len(sp.order) == 0 {
		return nil, fmt.Errorf("sequence: every step is a missing event; one must be present")
	}
	if sp.missing != 0 && sp.maxSpan <= 0 {
		return nil, fmt.Errorf("sequence: missing-event steps need a maxspan")
	}
	if s.Until != nil {
		cond, keys, err := compileStep(s.Until)
		if err != nil {
			return nil, fmt.Errorf("sequence until: %w", err)
		}
		sp.until, sp.untilKeys, sp.hasUntil = cond, keys, true
	}
	return sp, nil
}

// seqRec is an event a sequence may use, as a pane keeps it: its time,
// arrival, reference, the query steps it matches with its join key under
// each, and whether it matches until.
type seqRec struct {
	t       int64
	arrival int64
	ref     evRef
	steps   uint64   // bit i: matches query step i
	keys    []string // the join key of each matched step, in step order
	until   bool
	ukey    string
	// by holds the values of the sequence's own keys, for the result row.
	by []event.Value
}

// keyOf returns the record's join key under query step i, which it matches.
func (r *seqRec) keyOf(i int) string {
	return r.keys[popcount(r.steps&(1<<uint(i)-1))]
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// joinKey evaluates a step's join keys on the current row; ok is false
// when one is null, since a null key joins nothing.
func joinKey(ctx *scalar.Context, r scalar.Row, keys []scalar.Evaluator, buf []byte) ([]byte, bool) {
	buf = buf[:0]
	for _, k := range keys {
		v := k(ctx, r)
		if v.IsNull() {
			return buf, false
		}
		buf = v.Key(buf)
	}
	return buf, true
}

func matches(ctx *scalar.Context, r scalar.Row, cond []scalar.Evaluator) bool {
	return len(cond) == 0 || scalar.Truth(cond[0](ctx, r))
}

// pushSeq keeps the current event as a record when it matches a step or
// until of the sequence.
func (in *Instance) pushSeq() {
	sp := in.p.seq
	r, ctx := &in.row, &in.ctx
	var rec *seqRec
	for i, cond := range sp.conds {
		if !matches(ctx, r, cond) {
			continue
		}
		var ok bool
		in.keyBuf, ok = joinKey(ctx, r, sp.keys[i], in.keyBuf)
		if !ok {
			continue
		}
		if rec == nil {
			rec = &seqRec{}
		}
		rec.steps |= 1 << uint(i)
		rec.keys = append(rec.keys, string(in.keyBuf))
	}
	if sp.hasUntil && matches(ctx, r, sp.until) {
		var ok bool
		if in.keyBuf, ok = joinKey(ctx, r, sp.untilKeys, in.keyBuf); ok {
			if rec == nil {
				rec = &seqRec{}
			}
			rec.until, rec.ukey = true, string(in.keyBuf)
		}
	}
	if rec == nil {
		return
	}
	if in.x != nil {
		in.x.sunk++
	}
	in.arrival++
	rec.t, rec.arrival = in.curTime, in.arrival
	rec.ref = newEvRef(in.curEvent.Origin, in.curEvent.ID, in.curTime)
	if rec.steps != 0 && sp.nby > 0 {
		rec.by = make([]event.Value, sp.nby)
		for j := range rec.by {
			rec.by[j] = sp.keys[firstBit(rec.steps)][j](ctx, r)
		}
	}
	pn := in.paneFor()
	pn.seq = append(pn.seq, rec)
}

func firstBit(x uint64) int {
	for i := 0; i < 64; i++ {
		if x&(1<<uint(i)) != 0 {
			return i
		}
	}
	return -1
}

// partial is a sequence matched up to some step.
type partial struct {
	recs []*seqRec
}

// evaluateSeq runs the sequence over the records of the panes whose start
// lies in [from, to), in event time order (ties by origin, then arrival),
// and returns one result per completed sequence.
func (in *Instance) evaluateSeq(from, to time.Time) []Result {
	sp := in.p.seq
	var recs []*seqRec
	panes := map[*seqRec]int64{}
	for _, idx := range in.sortedPanes() {
		if in.paneWidth > 0 {
			start := idx * in.paneWidth
			if start < from.UnixNano() || start >= to.UnixNano() {
				continue
			}
		}
		for _, r := range in.panes[idx].seq {
			recs = append(recs, r)
			panes[r] = idx
		}
	}
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if a.t != b.t {
			return a.t < b.t
		}
		if a.ref.file != b.ref.file {
			return a.ref.file < b.ref.file
		}
		if a.ref.offset != b.ref.offset {
			return a.ref.offset < b.ref.offset
		}
		return a.arrival < b.arrival
	})
	if in.x != nil {
		in.x.input(len(recs))
	}
	var out []Result
	var mc *missCheck
	if sp.missing != 0 {
		mc = in.newMissCheck(to.UnixNano())
		out = mc.settle(out)
	}
	last := len(sp.order) - 1
	// state holds, per join key, the partial sequences that have matched
	// each expanded step but the last, oldest first.
	state := map[string][][]*partial{}
	for _, r := range recs {
		if r.until {
			delete(state, r.ukey)
		}
		// From the last step back, so that one event does not fill two
		// steps of the same sequence.
		for j := last; j >= 0; j-- {
			q := sp.order[j]
			if r.steps&(1<<uint(q)) == 0 {
				continue
			}
			key := r.keyOf(q)
			st := state[key]
			var p *partial
			if j == 0 {
				p = &partial{}
			} else {
				if st == nil {
					continue
				}
				prev := st[j-1]
				// Expire what is older than maxspan, then take the latest
				// partial and drop those before it, as Elasticsearch does.
				k := 0
				for k < len(prev) && sp.maxSpan > 0 && r.t-prev[k].recs[0].t > sp.maxSpan {
					k++
				}
				prev = prev[k:]
				if len(prev) == 0 {
					st[j-1] = nil
					continue
				}
				p = prev[len(prev)-1]
				st[j-1] = nil
			}
			p.recs = append(p.recs[:len(p.recs):len(p.recs)], r)
			if j == last {
				if sp.missing == 0 {
					out = append(out, in.seqResult(p, panes))
				} else if res, ok := mc.candidate(p, key, panes); ok {
					out = append(out, res)
				}
				continue
			}
			if st == nil {
				st = make([][]*partial, last)
				state[key] = st
			}
			if len(st[j]) >= MaxPartialSequences {
				st[j] = st[j][1:]
				in.seqDropped++
			}
			st[j] = append(st[j], p)
		}
	}
	return out
}

// seqResult shapes a completed sequence: its own join key values as the
// row, its events in order as evidence (the present ones only: a missing
// step has none).
func (in *Instance) seqResult(p *partial, panes map[*seqRec]int64) Result {
	sp := in.p.seq
	first, lastRec := p.recs[0], p.recs[len(p.recs)-1]
	res := Result{Columns: sp.names, Values: make([]event.Value, len(sp.names)),
		Count: int64(len(p.recs)), First: time.Unix(0, first.t).UTC(), Last: time.Unix(0, lastRec.t).UTC(),
		PaneCounts: map[int64]int64{}}
	copy(res.Values, first.by)
	for _, r := range p.recs {
		res.Evidence = append(res.Evidence, r.ref.evidence())
		res.PaneCounts[panes[r]*in.paneWidth]++
	}
	return res
}

// Dropped returns how many partial sequences were dropped because a join
// key held MaxPartialSequences of them.
func (in *Instance) Dropped() int64 { return in.seqDropped }
