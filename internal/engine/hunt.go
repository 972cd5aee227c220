package engine

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sort"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
)

// HuntOptions configure a batch run.
type HuntOptions struct {
	Workers int
	Stdin   logs.Options
	Logger  *slog.Logger
	// NoPrefilter parses every record, even those no rule could match, so
	// that damage anywhere in the input is reported.
	NoPrefilter bool
	// Profile measures each rule's cost into its RuleReport.Profile.
	Profile bool
}

// RuleProfile is what one rule cost in a run.
type RuleProfile struct {
	// Push is the CPU time spent running events through the rule's stream
	// stage, summed over workers; Evaluate the time spent evaluating its
	// windows.
	Push, Evaluate time.Duration
	// Events is how many events reached the rule.
	Events int64
	// Largest is the most state the rule held: panes, groups summed over
	// panes, and groups of the window kept for sliding.
	Largest exec.StateSize
}

// RuleReport is what one rule did in a run.
type RuleReport struct {
	Compiled *Compiled
	Ticks    int
	Alerts   int
	// Capped counts alerts held back by max alerts per execution.
	Capped int
	// Err is set when the rule failed while running; the others went on.
	Err error
	// Profile is set when the run was asked to measure rules.
	Profile *RuleProfile
}

// Report is the outcome of a hunt.
type Report struct {
	Alerts  []*alert.Alert
	Read    logs.Stats
	Rules   []RuleReport
	Elapsed time.Duration
}

// worker holds one decode worker's instances, one per runnable rule.
type worker struct {
	insts []*exec.Instance
	pres  *prefilters
	memo  recordMemo
	// memoValid says memo belongs to the record the read filter just
	// admitted, which feed is given next.
	memoValid bool
	// failed marks rules that panicked on this worker; they take no more events.
	failed []error
	// prof, when profiling, sums each rule's push time and events.
	prof []RuleProfile
}

// admits reports whether any rule's prefilter passes raw: the read filter.
func (w *worker) admits(raw []byte) bool {
	w.memo.start(len(w.pres.lits))
	w.memoValid = true
	for i := range w.insts {
		if w.failed[i] == nil && w.pres.match(i, raw, &w.memo) {
			return true
		}
	}
	return false
}

// feed gives one event to every rule whose prefilter it passes.
func (w *worker) feed(ev *event.Event) {
	if !w.memoValid {
		w.memo.start(len(w.pres.lits))
	}
	w.memoValid = false
	for i, in := range w.insts {
		if w.failed[i] != nil {
			continue
		}
		if !w.pres.match(i, ev.Raw, &w.memo) {
			continue
		}
		if w.prof == nil {
			w.push(i, in, ev)
			continue
		}
		start := time.Now()
		w.push(i, in, ev)
		w.prof[i].Push += time.Since(start)
		w.prof[i].Events++
	}
}

// Hunt reads the inputs once, feeding every runnable rule, then replays
// each rule's schedule over the data's time range and returns the alerts.
func Hunt(ctx context.Context, rules []*Compiled, inputs []string, opt HuntOptions) (*Report, error) {
	start := time.Now()
	logger := opt.Logger
	if logger == nil {
		logger = slog.Default()
	}
	var runnable []*Compiled
	for _, c := range rules {
		if c.Runnable() {
			runnable = append(runnable, c)
		}
	}
	n := opt.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	var pres []exec.Prefilter
	for _, c := range runnable {
		pres = append(pres, c.Program.Prefilter())
	}
	shared := newPrefilters(pres)
	workers := make([]*worker, n)
	for i := range workers {
		w := &worker{failed: make([]error, len(runnable)), pres: shared}
		if opt.Profile {
			w.prof = make([]RuleProfile, len(runnable))
		}
		for _, c := range runnable {
			w.insts = append(w.insts, c.Program.NewInstance(c.Spec.PaneWidth()))
		}
		workers[i] = w
	}
	readOpt := opt.Stdin
	readOpt.Workers = n
	if !opt.NoPrefilter && len(runnable) > 0 {
		all := true
		for i := range runnable {
			all = all && !shared.empty(i)
		}
		if all {
			readOpt.Filter = func(wi int, raw []byte) bool { return workers[wi].admits(raw) }
		}
	}
	stats, err := logs.Read(ctx, inputs, readOpt, func(wi int, ev *event.Event) error {
		workers[wi].feed(ev)
		return nil
	})
	rep := &Report{Read: stats}
	if err != nil {
		return rep, err
	}
	for i, c := range runnable {
		merged := workers[0].insts[i]
		var ruleErr error
		for _, w := range workers {
			if w.failed[i] != nil && ruleErr == nil {
				ruleErr = w.failed[i]
			}
		}
		for _, w := range workers[1:] {
			merged.Merge(w.insts[i])
		}
		rr := RuleReport{Compiled: c, Err: ruleErr}
		var prof *RuleProfile
		if opt.Profile {
			prof = &RuleProfile{}
			for _, w := range workers {
				prof.Push += w.prof[i].Push
				prof.Events += w.prof[i].Events
			}
			rr.Profile = prof
		}
		if ruleErr == nil {
			al, err := replay(c, merged, prof)
			if err != nil {
				rr.Err = err
				logger.Error("rule failed", "rule", c.Rule.ID, "err", err)
			} else {
				alerts := al.finish()
				rr.Ticks, rr.Alerts, rr.Capped = al.Ticks, len(alerts), al.Capped
				rep.Alerts = append(rep.Alerts, alerts...)
			}
		}
		rep.Rules = append(rep.Rules, rr)
	}
	for _, c := range rules {
		if !c.Runnable() {
			rep.Rules = append(rep.Rules, RuleReport{Compiled: c})
		}
	}
	sort.SliceStable(rep.Alerts, func(i, j int) bool { return rep.Alerts[i].Timestamp.Before(rep.Alerts[j].Timestamp) })
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// push runs one event through one rule, turning a panic into the rule's
// failure so that the other rules go on.
func (w *worker) push(i int, in *exec.Instance, ev *event.Event) {
	defer func() {
		if r := recover(); r != nil {
			w.failed[i] = fmt.Errorf("rule panicked on %s: %v\n%s", ev.Origin, r, debug.Stack())
		}
	}()
	in.Push(ev)
}

// replay evaluates every tick whose window holds data, in order; prof,
// when not nil, takes the time it spent and the most state it held.
func replay(c *Compiled, in *exec.Instance, prof *RuleProfile) (al *alerter, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rule panicked while evaluating: %v\n%s", r, debug.Stack())
		}
	}()
	start := time.Now()
	al = newAlerter(c)
	width := c.Spec.PaneWidth()
	for _, t := range c.Spec.TicksCovering(in.PaneStarts(), width) {
		w := c.Spec.WindowAt(t)
		al.tick(w, in.Evaluate(t, w.Start, w.End))
		if prof != nil {
			prof.Largest = prof.Largest.Max(in.Size())
		}
	}
	if prof != nil {
		prof.Evaluate = time.Since(start)
	}
	return al, nil
}

// Query runs one ad hoc query over the inputs as a single window and
// returns its rows.
func Query(ctx context.Context, c *Compiled, inputs []string, opt HuntOptions) ([]exec.Result, logs.Stats, error) {
	n := opt.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	insts := make([]*exec.Instance, n)
	for i := range insts {
		insts[i] = c.Program.NewInstance(0)
	}
	readOpt := opt.Stdin
	readOpt.Workers = n
	stats, err := logs.Read(ctx, inputs, readOpt, func(wi int, ev *event.Event) error {
		insts[wi].Push(ev)
		return nil
	})
	if err != nil {
		return nil, stats, err
	}
	for _, in := range insts[1:] {
		insts[0].Merge(in)
	}
	now := time.Now()
	return insts[0].Evaluate(now, time.Time{}, now), stats, nil
}
