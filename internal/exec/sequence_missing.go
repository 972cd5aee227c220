package exec

import (
	"math"
	"sort"
	"strconv"
)

// Missing-event steps (EQL's ![...]) are decided as Elasticsearch's
// TumblingWindow decides them, once the present steps have matched: an
// event of a missing step, with the sequence's join key,
//   - between two present steps, strictly between their events' times,
//     discards the sequence;
//   - before the first present step (leading), the latest such event L
//     discards it when the last present event is within maxspan of L;
//   - after the last present step (trailing), the earliest such event T
//     discards it when T is within maxspan of the first present event, or,
//     with leading steps too, of L (no L at all: nothing discards it).
//
// A sequence with trailing steps is therefore decided only when its
// deadline (that start plus maxspan) has passed. An evaluation of the
// window [from, to) holds every event before to, so a deadline before to
// decides it there; a later one leaves it pending in the instance, which
// later evaluations (and Finish, at the end of a batch run's data) decide.
// Pending sequences keep their own records, so that evicting the panes of
// their present events loses nothing, and are checkpointed with the panes.
//
// Every check reads all the records the instance holds, not only the
// window's: in hunt that is all the data; in serve it is the window and
// what has arrived since, and an event before the window start, evicted
// already, is not seen, as Elasticsearch's missing-event queries do not
// see events before the rule's look-back.

// pendingSeq is a completed sequence that waits for the deadline of its
// trailing missing steps.
type pendingSeq struct {
	recs []*seqRec
	// panes holds the pane index of each record.
	panes    []int64
	key      string
	last     int64
	deadline int64
}

type missKey struct {
	step int
	key  string
}

// missCheck decides the completed sequences of one evaluation.
type missCheck struct {
	in *Instance
	sp *seqSpec
	to int64
	// times holds, per missing step and join key, the sorted times of the
	// records held that match the step.
	times map[missKey][]int64
	// seen holds the sequences already decided, or left pending, in this
	// evaluation, by identity.
	seen map[string]bool
}

// newMissCheck indexes the records of every pane held by the missing steps
// they match; to is the time up to which the instance holds every event.
func (in *Instance) newMissCheck(to int64) *missCheck {
	sp := in.p.seq
	mc := &missCheck{in: in, sp: sp, to: to, times: map[missKey][]int64{}, seen: map[string]bool{}}
	for _, pn := range in.panes {
		for _, r := range pn.seq {
			m := r.steps & sp.missing
			for q := 0; m != 0; q++ {
				if m&(1<<uint(q)) == 0 {
					continue
				}
				m &^= 1 << uint(q)
				k := missKey{q, r.keyOf(q)}
				mc.times[k] = append(mc.times[k], r.t)
			}
		}
	}
	for _, ts := range mc.times {
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	}
	return mc
}

// any reports whether a missing step of mask has an event with key after
// lo and before hi (at hi too when closed).
func (mc *missCheck) any(mask uint64, key string, lo, hi int64, closed bool) bool {
	for q := 0; mask != 0; q++ {
		if mask&(1<<uint(q)) == 0 {
			continue
		}
		mask &^= 1 << uint(q)
		ts := mc.times[missKey{q, key}]
		i := sort.Search(len(ts), func(i int) bool { return ts[i] > lo })
		if i < len(ts) && (ts[i] < hi || closed && ts[i] == hi) {
			return true
		}
	}
	return false
}

// latestBefore returns the time of the latest event with key of a missing
// step of mask before t.
func (mc *missCheck) latestBefore(mask uint64, key string, t int64) (int64, bool) {
	best, ok := int64(0), false
	for q := 0; mask != 0; q++ {
		if mask&(1<<uint(q)) == 0 {
			continue
		}
		mask &^= 1 << uint(q)
		ts := mc.times[missKey{q, key}]
		i := sort.Search(len(ts), func(i int) bool { return ts[i] >= t })
		if i > 0 && (!ok || ts[i-1] > best) {
			best, ok = ts[i-1], true
		}
	}
	return best, ok
}

// candidate decides a sequence whose present steps have all matched: the
// result when it completes now; nothing when a missing step's event
// discards it, when it is left pending, or when this evaluation has seen
// it already.
func (mc *missCheck) candidate(p *partial, key string, panes map[*seqRec]int64) (Result, bool) {
	id := seqIdentity(p.recs)
	if mc.seen[id] {
		return Result{}, false
	}
	mc.seen[id] = true
	sp := mc.sp
	recs := p.recs
	for j := 1; j < len(recs); j++ {
		if sp.mid[j] != 0 && mc.any(sp.mid[j], key, recs[j-1].t, recs[j].t, false) {
			return Result{}, false
		}
	}
	first, last := recs[0].t, recs[len(recs)-1].t
	lead, hasLead := mc.latestBefore(sp.lead, key, first)
	if sp.trail == 0 {
		if hasLead && last-lead <= sp.maxSpan {
			return Result{}, false
		}
		return mc.in.seqResult(p, panes), true
	}
	start := first
	if sp.lead != 0 {
		if !hasLead {
			// No leading event at all: a maxspan ending at the last
			// present event holds no forbidden event either side.
			return mc.in.seqResult(p, panes), true
		}
		start = lead
	}
	ps := &pendingSeq{recs: recs, key: key, last: last, deadline: start + sp.maxSpan}
	for _, r := range recs {
		ps.panes = append(ps.panes, panes[r])
	}
	if mc.blocked(ps) {
		return Result{}, false
	}
	if ps.deadline < mc.to {
		return mc.in.pendingResult(ps), true
	}
	mc.in.addPending(ps)
	return Result{}, false
}

// blocked reports whether a trailing missing step's event discards ps.
func (mc *missCheck) blocked(ps *pendingSeq) bool {
	return mc.any(mc.sp.trail, ps.key, ps.last, ps.deadline, true)
}

// settle decides the pending sequences whose deadline has passed, adding
// the completed ones to out, and drops the discarded ones.
func (mc *missCheck) settle(out []Result) []Result {
	kept := mc.in.pending[:0]
	for _, ps := range mc.in.pending {
		mc.seen[seqIdentity(ps.recs)] = true
		switch {
		case mc.blocked(ps):
		case ps.deadline < mc.to:
			out = append(out, mc.in.pendingResult(ps))
		default:
			kept = append(kept, ps)
		}
	}
	clear(mc.in.pending[len(kept):])
	mc.in.pending = kept
	return out
}

// addPending keeps ps, dropping the oldest pending sequence of its join key
// when the key holds MaxPartialSequences of them.
func (in *Instance) addPending(ps *pendingSeq) {
	n, oldest := 0, -1
	for i, o := range in.pending {
		if o.key == ps.key {
			n++
			if oldest < 0 {
				oldest = i
			}
		}
	}
	if n >= MaxPartialSequences {
		in.pending = append(in.pending[:oldest], in.pending[oldest+1:]...)
		in.seqDropped++
	}
	in.pending = append(in.pending, ps)
}

func (in *Instance) pendingResult(ps *pendingSeq) Result {
	panes := make(map[*seqRec]int64, len(ps.recs))
	for i, r := range ps.recs {
		panes[r] = ps.panes[i]
	}
	return in.seqResult(&partial{recs: ps.recs}, panes)
}

// seqIdentity names a sequence by its events.
func seqIdentity(recs []*seqRec) string {
	var b []byte
	for _, r := range recs {
		b = append(b, r.ref.file...)
		b = append(b, 0)
		b = strconv.AppendInt(b, r.ref.offset, 10)
		b = append(b, 0)
		b = strconv.AppendInt(b, r.t, 10)
		b = append(b, 0)
		if r.ref.isUUID {
			b = append(b, r.ref.uuid[:]...)
		} else {
			b = append(b, r.ref.id...)
		}
		b = append(b, 0)
	}
	return string(b)
}

// Finish decides, at the end of a batch run's data, the sequences still
// waiting for the maxspan of a trailing missing step to pass: no event of
// the data discards them, so each completes. A live run, whose data goes
// on, never calls it; the sequences wait for later windows instead.
func (in *Instance) Finish() []Result {
	if in.p.seq == nil || len(in.pending) == 0 {
		return nil
	}
	return in.newMissCheck(math.MaxInt64).settle(nil)
}

// Pending returns how many sequences wait for a trailing missing step's
// maxspan to pass.
func (in *Instance) Pending() int { return len(in.pending) }
