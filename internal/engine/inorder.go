package engine

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
)

// inOrder is a hunt that evaluates ticks while it reads. The decode
// workers push records into their own instances of each rule; whenever
// the watermark (the latest record time of the worker furthest behind,
// less the lateness) passes a rule's next window, one worker takes over as
// coordinator: it moves every worker's panes before the watermark into the
// rule's evaluation instance, evaluates the ticks whose windows have
// closed and evicts what no later window needs. A record that arrives for
// a pane already moved means the input is not in time order: the run stops
// with a lateError.
type inOrder struct {
	rules    []*ruleRun
	workers  []*worker
	lateness int64
	dedup    *dedup
	// ctx stops evaluation when the run is interrupted.
	ctx context.Context
	// due is the watermark at which some rule has work; workers compare
	// their latest record with it before trying to coordinate.
	due atomic.Int64
	// wm is the watermark the coordinator last moved to; coord makes one
	// worker at a time the coordinator.
	wm    atomic.Int64
	coord sync.Mutex
}

// ruleRun is one rule's evaluation: the instance that holds the panes
// handed on by the workers, its alerts, and the next tick to evaluate
// (zero until the rule holds data).
type ruleRun struct {
	c    *Compiled
	in   *exec.Instance
	al   *alerter
	next time.Time
	last time.Time
	err  error
	prof *RuleProfile
}

// firstTick is the first tick after the last one evaluated whose window
// holds the pane starting at p.
func (r *ruleRun) firstTick(p time.Time) time.Time {
	spec := r.c.Spec
	t := spec.TickAtOrAfter(p.Add(spec.PaneWidth() + spec.WindowEnd))
	if !r.last.IsZero() && !t.After(r.last) {
		t = r.last.Add(spec.Interval)
	}
	return t
}

// lateError says which record came too late for an in-order read.
type lateError struct {
	origin    event.Origin
	at        time.Time
	watermark time.Time
}

func (e *lateError) Error() string {
	return fmt.Sprintf("%s: a record of %s came after the windows up to %s were evaluated",
		e.origin, e.at.UTC().Format(time.RFC3339), e.watermark.UTC().Format(time.RFC3339))
}

// huntInOrder reads the inputs in time order, evaluating as it goes (see
// inOrder). It returns a *lateError when the input is out of order by more
// than the lateness.
func huntInOrder(ctx context.Context, rules []*Compiled, inputs []string, opt HuntOptions) (*Report, error) {
	workers, readOpt := newWorkers(rules, workerCount(opt), opt)
	readOpt.TimeOrder = true
	readOpt.Idle = func(wi int) { workers[wi].idle.Store(true) }
	o := &inOrder{ctx: ctx, workers: workers, lateness: int64(opt.Lateness), dedup: newDedup(opt.DedupHorizon)}
	if o.lateness <= 0 {
		o.lateness = int64(DefaultHuntLateness)
	}
	o.wm.Store(math.MinInt64)
	o.due.Store(math.MinInt64)
	for _, c := range rules {
		r := &ruleRun{c: c, in: c.Program.NewInstance(c.Spec.PaneWidth()), al: newAlerter(c)}
		if opt.Profile {
			r.prof = &RuleProfile{}
		}
		o.rules = append(o.rules, r)
	}
	stats, err := logs.Read(ctx, inputs, readOpt, o.handle)
	rep := &Report{Read: stats, Duplicates: o.dedup.Dropped()}
	if err != nil {
		return rep, err
	}
	o.advance(math.MaxInt64)
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	for _, r := range o.rules {
		r.finish()
	}
	for i, r := range o.rules {
		rr := report(r.c, i, workers, opt.Profile)
		if rr.Err == nil {
			rr.Err = r.err
		}
		if r.prof != nil {
			rr.Profile.Evaluate, rr.Profile.Largest = r.prof.Evaluate, r.prof.Largest
		}
		rr.DroppedPartials = r.in.Dropped()
		if rr.Err == nil {
			rep.Alerts = append(rep.Alerts, rr.finish(r.al)...)
		}
		rep.Rules = append(rep.Rules, rr)
	}
	return rep, nil
}

// handle feeds one record to its worker's instances, and coordinates when
// the watermark has passed work that is due.
func (o *inOrder) handle(wi int, ev *event.Event) error {
	if o.dedup.repeated(ev) {
		return nil
	}
	w := o.workers[wi]
	w.mu.Lock()
	w.feed(ev)
	late := w.late
	w.mu.Unlock()
	if late {
		return &lateError{origin: ev.Origin, at: ev.Time, watermark: time.Unix(0, o.wm.Load())}
	}
	t := ev.Time.UnixNano()
	if t > w.max.Load() {
		w.max.Store(t)
	}
	if due := o.due.Load(); t-o.lateness >= due {
		// Another worker behind this one may hold the watermark short.
		if wm := o.watermark(); wm >= due && o.coord.TryLock() {
			o.advance(wm)
			o.coord.Unlock()
		}
	}
	return nil
}

// watermark is the lateness before the latest record time of the worker
// furthest behind, among those still reading: a worker held up (by a
// large input, or while it coordinates) holds the watermark back rather
// than let the others' progress make its records late.
func (o *inOrder) watermark() int64 {
	wm := int64(math.MaxInt64)
	for _, w := range o.workers {
		if !w.idle.Load() {
			wm = min(wm, w.max.Load())
		}
	}
	if wm == math.MaxInt64 {
		return math.MinInt64
	}
	return wm - o.lateness
}

// advance moves the watermark to wm and evaluates every tick whose window
// ends by it. Each rule takes the workers' panes a tick at a time, so that
// its evaluation instance holds no more than the window being evaluated,
// however far the watermark moved. Only the coordinator, or the reader
// once all workers are done, calls it.
func (o *inOrder) advance(wm int64) {
	if wm <= o.wm.Load() {
		return
	}
	o.wm.Store(wm)
	end := time.Unix(0, wm).UTC()
	due := int64(math.MaxInt64)
	for i, r := range o.rules {
		if o.failed(i) {
			continue
		}
		for r.err == nil {
			if o.ctx.Err() != nil {
				return // interrupted: the caller reports it
			}
			if r.next.IsZero() {
				p, ok := o.firstPane(i, end)
				if !ok {
					break
				}
				r.next = r.firstTick(p)
			}
			step := r.c.Spec.WindowAt(r.next).End
			if step.After(end) {
				step = end
			}
			o.absorb(i, step)
			r.evaluate(step)
			if !step.Before(end) {
				break
			}
		}
		if r.next.IsZero() {
			due = min(due, wm+int64(r.c.Spec.PaneWidth()))
		} else {
			due = min(due, r.c.Spec.WindowAt(r.next).End.UnixNano())
		}
	}
	o.due.Store(due)
}

// absorb moves rule i's panes before t from every worker to its
// evaluation instance.
func (o *inOrder) absorb(i int, t time.Time) {
	r := o.rules[i]
	for _, w := range o.workers {
		w.mu.Lock()
		r.in.Absorb(w.insts[i], t)
		w.mu.Unlock()
	}
}

// firstPane returns the start of rule i's earliest pane before end, in its
// evaluation instance or in a worker's.
func (o *inOrder) firstPane(i int, end time.Time) (time.Time, bool) {
	from := time.Unix(0, math.MinInt64)
	first, ok := o.rules[i].in.FirstPane(from)
	for _, w := range o.workers {
		w.mu.Lock()
		p, found := w.insts[i].FirstPane(from)
		w.mu.Unlock()
		if found && (!ok || p.Before(first)) {
			first, ok = p, true
		}
	}
	return first, ok && first.Before(end)
}

// failed reports whether rule i failed on any worker.
func (o *inOrder) failed(i int) bool {
	for _, w := range o.workers {
		w.mu.Lock()
		f := w.failed[i] != nil
		w.mu.Unlock()
		if f {
			return true
		}
	}
	return false
}

// finish completes, in the last window evaluated, the sequences still
// waiting for a missing event's maxspan to pass when the data ends.
func (r *ruleRun) finish() {
	if r.err != nil || r.last.IsZero() {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			r.err = fmt.Errorf("rule panicked while evaluating: %v\n%s", p, debug.Stack())
		}
	}()
	if res := r.in.Finish(); len(res) > 0 {
		r.al.tick(r.c.Spec.WindowAt(r.last), res)
	}
}

// evaluate runs every tick whose window ends by wm and holds data, in
// order, as the batch replay would, evicting behind it. A panic fails the
// rule alone.
func (r *ruleRun) evaluate(wm time.Time) {
	if r.err != nil {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			r.err = fmt.Errorf("rule panicked while evaluating: %v\n%s", p, debug.Stack())
		}
	}()
	var start time.Time
	if r.prof != nil {
		start = time.Now()
		defer func() { r.prof.Evaluate += time.Since(start) }()
	}
	// advance sets next before calling; a tick whose window holds no pane
	// moves it to the first tick that holds one, or clears it and stops.
	spec := r.c.Spec
	for {
		w := spec.WindowAt(r.next)
		if w.End.After(wm) {
			return
		}
		p, ok := r.in.FirstPane(w.Start)
		if !ok {
			r.next = time.Time{}
			return
		}
		if !p.Before(w.End) {
			r.next = r.firstTick(p)
			continue
		}
		r.al.tick(w, r.in.Evaluate(r.next, w.Start, w.End))
		if r.prof != nil {
			r.prof.Largest = r.prof.Largest.Max(r.in.Size())
		}
		r.last = r.next
		r.next = r.next.Add(spec.Interval)
		horizon := spec.WindowAt(r.next).Start
		r.in.Evict(horizon)
		r.al.forget(horizon)
	}
}
