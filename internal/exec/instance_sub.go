package exec

import (
	"sort"
	"time"

	"github.com/tripline/tripline/internal/event"
)

// subPrograms are the subsearches of a program (join, append, a
// subsearch in a search), compiled as programs of their own, and the
// lookup table a program reads instead of events ("| inputlookup").
//
// An Instance runs an instance of each subsearch beside its own state: it
// gives them every event it is given, and evaluates them over the same
// window, before its own tail, whose operators read their results (see
// winEnv). A subsearch's state is that of any program over the same look-
// back: it is bounded as the rule's own is.
type subPrograms struct {
	progs []*Program
	// source is the table of a program that reads a lookup table.
	source LookupTable
	// window says the tail reads the window (its bounds or subsearches).
	window bool
}

// add registers a compiled subsearch and returns its index.
func (s *subPrograms) add(p *Program) int {
	s.progs = append(s.progs, p)
	s.window = true
	return len(s.progs) - 1
}

// finish makes the program read the events its subsearches read, and
// widens its prefilter to admit what theirs admit: a record the program's
// own filters reject may still be one a subsearch needs.
func (s *subPrograms) finish(p *Program) {
	for _, sp := range s.progs {
		subReads := false
		for lt := range sp.reads {
			if sp.reads[lt] {
				subReads = true
				if !p.reads[lt] {
					p.reads[lt] = true
					p.LogTypes = append(p.LogTypes, event.LogType(lt))
				}
			}
		}
		if subReads {
			p.pre = orPrefilters(p.pre, sp.pre)
		}
		if len(sp.Warnings) > 0 {
			for _, w := range sp.Warnings {
				p.Warnings = appendNew(p.Warnings, "subsearch: "+w)
			}
		}
	}
}

func appendNew(ws []string, w string) []string {
	for _, x := range ws {
		if x == w {
			return ws
		}
	}
	return append(ws, w)
}

// winEnv is what a tail's operators may read of the window being
// evaluated: its bounds and evaluation time (Unix nanoseconds), and the
// results of the program's subsearches over it, by index.
type winEnv struct {
	from, to, now int64
	paneWidth     int64
	subs          [][]Result
}

// envUser is a processor that reads the window's environment; runPart
// gives it before any row.
type envUser interface{ useEnv(env *winEnv) }

// newSubInstances starts an instance of each subsearch.
func (p *Program) newSubInstances(paneWidth time.Duration) []*Instance {
	var out []*Instance
	for _, sp := range p.sub.progs {
		out = append(out, sp.NewInstance(paneWidth))
	}
	return out
}

// pushSubs gives an event to the subsearches.
func (in *Instance) pushSubs(ev *event.Event) {
	for _, s := range in.subs {
		s.Push(ev)
	}
}

// windowEnv evaluates the subsearches over the window and returns what
// the tail may read of it; nil when the tail reads nothing of it.
func (in *Instance) windowEnv(now, from, to time.Time) *winEnv {
	if !in.p.sub.window {
		return nil
	}
	env := &winEnv{from: from.UnixNano(), to: to.UnixNano(), now: now.UnixNano(), paneWidth: in.paneWidth}
	for _, s := range in.subs {
		env.subs = append(env.subs, s.Evaluate(now, from, to))
	}
	return env
}

// sourceRows returns the rows of the lookup table a program reads; a
// row holds the columns whose cells are not empty.
func (in *Instance) sourceRows() []*tRow {
	t := in.p.sub.source
	if t == nil {
		return nil
	}
	cols := t.Columns()
	sc := in.p.tail.scope
	var rows []*tRow
	for _, cells := range t.Rows() {
		r := newTRow(in.p.tail.width, &meta{})
		for i, c := range cells {
			if c != "" && i < len(cols) {
				r.putName(sc, cols[i], event.StringValue(c))
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// The subsearches' state follows the instance's: merged, absorbed and
// evicted with it, counted in its size.

func (in *Instance) mergeSubs(o *Instance) {
	for i, s := range in.subs {
		if i < len(o.subs) {
			s.Merge(o.subs[i])
		}
	}
}

func (in *Instance) absorbSubs(o *Instance, t time.Time) {
	for i, s := range in.subs {
		if i < len(o.subs) {
			s.Absorb(o.subs[i], t)
		}
	}
}

func (in *Instance) evictSubs(before time.Time) {
	for _, s := range in.subs {
		s.Evict(before)
	}
}

func (in *Instance) subsLate() int64 {
	var n int64
	for _, s := range in.subs {
		n += s.Late()
	}
	return n
}

func (in *Instance) subsGroups() int {
	n := 0
	for _, s := range in.subs {
		n += s.Groups()
	}
	return n
}

// withSubPanes adds the pane starts of the subsearches to starts, sorted
// and once each: a window where only a subsearch has events (an append)
// still has results.
func (in *Instance) withSubPanes(starts []time.Time) []time.Time {
	if len(in.subs) == 0 {
		return starts
	}
	seen := map[time.Time]bool{}
	for _, t := range starts {
		seen[t] = true
	}
	for _, s := range in.subs {
		for _, t := range s.PaneStarts() {
			if !seen[t] {
				seen[t] = true
				starts = append(starts, t)
			}
		}
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	return starts
}

// subFirstPane folds the subsearches' first panes into first.
func (in *Instance) subFirstPane(from, first time.Time, ok bool) (time.Time, bool) {
	for _, s := range in.subs {
		if t, sok := s.FirstPane(from); sok && (!ok || t.Before(first)) {
			first, ok = t, true
		}
	}
	return first, ok
}

// subSpan folds the subsearches' spans into first and last.
func (in *Instance) subSpan(first, last time.Time, ok bool) (time.Time, time.Time, bool) {
	for _, s := range in.subs {
		f, l, sok := s.Span()
		if !sok {
			continue
		}
		if !ok || f.Before(first) {
			first = f
		}
		if !ok || l.After(last) {
			last = l
		}
		ok = true
	}
	return first, last, ok
}

// epochValue renders Unix nanoseconds as SPL epoch seconds.
func epochSeconds(ns int64) event.Value {
	if ns%1e9 == 0 {
		return event.LongValue(ns / 1e9)
	}
	return event.DoubleValue(float64(ns) / 1e9)
}
