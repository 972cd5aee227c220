package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/schedule"
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
	// Lateness is how far behind the latest record read a record may come
	// and still be evaluated in order; 0 means DefaultHuntLateness. Input
	// later than that is read again with all state kept.
	Lateness time.Duration
	// DedupHorizon is how long a record's id is remembered to drop later
	// copies of it; 0 means DefaultDedupHorizon, negative keeps copies.
	DedupHorizon time.Duration
	// Progress, when set, follows the read, for a display to poll.
	Progress *logs.Progress
	// From and To, when set, bound the event times a Query reads (To
	// included): a drilldown or search of an archive reads whole sources,
	// whose records may reach outside the range asked.
	From, To time.Time

	// capture, when set, keeps the input's risk records for the
	// risk-reading rules (see riskrules.go).
	capture *riskCapture
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
	// DroppedPartials counts, for an EQL sequence, the partial sequences
	// dropped because a join key held exec.MaxPartialSequences of them,
	// summed over the windows evaluated.
	DroppedPartials int64
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
	// Unordered, when set, says that the input was not in time order, at
	// which record, and so was read a second time holding all state.
	Unordered string
	// Duplicates counts records dropped as copies of one read before.
	Duplicates int64
}

// worker holds one decode worker's instances, one per runnable rule.
type worker struct {
	insts []*exec.Instance
	exc   []*exception.Matcher // per rule; nil entries apply none
	pres  *prefilters
	memo  recordMemo
	// decoded holds a record's text with its \u escapes decoded, for the
	// prefilters to search.
	decoded []byte
	// failed marks rules that panicked on this worker; they take no more events.
	failed []error
	// prof, when profiling, sums each rule's push time and events.
	prof []RuleProfile
	// capture keeps risk records for the risk-reading rules; nil when
	// there is none.
	capture *riskCapture

	// For reading in time order: mu guards the instances against the
	// goroutine that takes their finished panes; max is the latest record
	// time fed, in Unix nanoseconds; late is set when a rule was given a
	// record for a time it had already handed on; idle says the worker
	// has no input left.
	mu   sync.Mutex
	max  atomic.Int64
	idle atomic.Bool
	late bool
}

// admits reports whether any rule's prefilter passes raw: the read filter.
func (w *worker) admits(raw []byte) bool {
	if text, ok := event.DecodeUnicodeEscapes(w.decoded[:0], raw); ok {
		raw, w.decoded = text, text[:0]
	}
	w.memo.start(len(w.pres.lits))
	for _, i := range w.pres.order {
		if w.failed[i] == nil && w.pres.match(i, raw, &w.memo) {
			return true
		}
	}
	return false
}

// feed gives one event to every rule that reads its log type. The read
// filter has parsed the record because some rule's literals are in it;
// for the other rules, their own filters over the parsed record (whose
// fields the rules share through the record memo) cost less than searching
// its text for each of their literals.
func (w *worker) feed(ev *event.Event) {
	if w.capture != nil && ev.LogType == event.Risk {
		w.capture.add(ev)
	}
	for i, in := range w.insts {
		if w.failed[i] != nil || !in.Program().Reads(ev.LogType) || w.exc[i].Event(ev) != nil {
			continue
		}
		if w.prof == nil {
			w.push(i, in, ev)
		} else {
			start := time.Now()
			w.push(i, in, ev)
			w.prof[i].Push += time.Since(start)
			w.prof[i].Events++
		}
		if in.Late() > 0 {
			w.late = true
		}
	}
}

// DefaultHuntLateness is how far behind the latest record read a record
// may come and still count, when HuntOptions leaves Lateness zero.
const DefaultHuntLateness = time.Hour

// Hunt reads the inputs once, in the time order their names or first
// records suggest, evaluating each rule's ticks as the data passes them and
// dropping the state no later window needs, so that memory holds the live
// groups of the look-back rather than the whole range. Input whose records
// come later than the lateness behind others already read cannot be
// evaluated that way: Hunt then reads it again holding all state, which
// gives the same alerts at the cost of memory, and says so in
// Report.Unordered. Standard input, which cannot be read twice, is always
// read holding all state.
func Hunt(ctx context.Context, rules []*Compiled, inputs []string, opt HuntOptions) (*Report, error) {
	start := time.Now()
	logger := opt.Logger
	if logger == nil {
		logger = slog.Default()
	}
	var runnable, riskRules []*Compiled
	var refused []RuleReport
	for _, c := range rules {
		if !c.Runnable() {
			continue
		}
		if err := c.Spec.Bounded(); err != nil {
			refused = append(refused, RuleReport{Compiled: c, Err: err})
			continue
		}
		if readsRiskOnly(c) {
			// They read the risk the others' alerts add: they run after.
			riskRules = append(riskRules, c)
			continue
		}
		runnable = append(runnable, c)
	}
	if len(riskRules) > 0 {
		opt.capture = &riskCapture{}
	}
	var rep *Report
	var err error
	if slices.Contains(inputs, "-") {
		// Standard input cannot be read a second time, should it turn out
		// not to be in time order: hold all state from the start.
		rep, err = huntAll(ctx, runnable, inputs, opt)
	} else {
		rep, err = huntInOrder(ctx, runnable, inputs, opt)
	}
	var late *lateError
	if errors.As(err, &late) {
		logger.Info("input is not in time order; reading it again with all state kept", "late", late.Error())
		if opt.capture != nil {
			opt.capture = &riskCapture{}
		}
		rep, err = huntAll(ctx, runnable, inputs, opt)
		if rep != nil {
			rep.Unordered = late.Error()
		}
	}
	if err != nil {
		return rep, err
	}
	if len(riskRules) > 0 {
		reps, alerts, err := huntRisk(ctx, riskRules, runnable, rep.Alerts, opt.capture.recs, opt)
		if err != nil {
			return rep, err
		}
		rep.Rules = append(rep.Rules, reps...)
		rep.Alerts = append(rep.Alerts, alerts...)
	}
	rep.Rules = append(rep.Rules, refused...)
	for _, rr := range rep.Rules {
		if rr.Err != nil {
			logger.Error("rule failed", "rule", rr.Compiled.Rule.ID, "err", rr.Err)
		}
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

// newWorkers gives each of n decode workers its own instance of every
// rule, and returns the read options that filter records by the rules'
// prefilters.
func newWorkers(rules []*Compiled, n int, opt HuntOptions) ([]*worker, logs.Options) {
	var pres []exec.Prefilter
	for _, c := range rules {
		pres = append(pres, c.Program.Prefilter())
	}
	shared := newPrefilters(pres)
	workers := make([]*worker, n)
	for i := range workers {
		w := &worker{failed: make([]error, len(rules)), pres: shared, capture: opt.capture}
		if opt.Profile {
			w.prof = make([]RuleProfile, len(rules))
		}
		for _, c := range rules {
			w.insts = append(w.insts, c.Program.NewInstance(c.Spec.PaneWidth()))
			w.exc = append(w.exc, c.Exceptions())
		}
		workers[i] = w
	}
	readOpt := opt.Stdin
	readOpt.Workers = n
	readOpt.Progress = opt.Progress
	if !opt.NoPrefilter && len(rules) > 0 {
		all := true
		for i := range rules {
			all = all && !shared.empty(i)
		}
		if all && opt.capture != nil {
			// The risk-reading rules, which run later, read risk records.
			readOpt.Filter = func(wi int, raw []byte) bool { return workers[wi].admits(raw) || hasRiskMarker(raw) }
		} else if all {
			readOpt.Filter = func(wi int, raw []byte) bool { return workers[wi].admits(raw) }
		}
	}
	return workers, readOpt
}

func workerCount(opt HuntOptions) int {
	if opt.Workers > 0 {
		return opt.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// report sums what the workers measured of rule i and the first failure
// any of them met.
func report(c *Compiled, i int, workers []*worker, profile bool) RuleReport {
	rr := RuleReport{Compiled: c}
	for _, w := range workers {
		if w.failed[i] != nil && rr.Err == nil {
			rr.Err = w.failed[i]
		}
	}
	if profile {
		rr.Profile = &RuleProfile{}
		for _, w := range workers {
			rr.Profile.Push += w.prof[i].Push
			rr.Profile.Events += w.prof[i].Events
		}
	}
	return rr
}

// finish renders the alerts of a rule that ran to its end and counts them
// into its report.
func (rr *RuleReport) finish(al *alerter) []*alert.Alert {
	alerts := al.finish()
	rr.Ticks, rr.Alerts, rr.Capped = al.Ticks, len(alerts), al.Capped
	return alerts
}

// huntAll reads all of the inputs, in any order, into state that keeps
// every pane, then replays each rule's schedule over the data's range.
func huntAll(ctx context.Context, rules []*Compiled, inputs []string, opt HuntOptions) (*Report, error) {
	workers, readOpt := newWorkers(rules, workerCount(opt), opt)
	seen := newDedup(opt.DedupHorizon)
	stats, err := logs.Read(ctx, inputs, readOpt, func(wi int, ev *event.Event) error {
		if !seen.repeated(ev) {
			workers[wi].feed(ev)
		}
		return nil
	})
	rep := &Report{Read: stats, Duplicates: seen.Dropped()}
	if err != nil {
		return rep, err
	}
	for i, c := range rules {
		merged := workers[0].insts[i]
		for _, w := range workers[1:] {
			merged.Merge(w.insts[i])
		}
		rr := report(c, i, workers, opt.Profile)
		if rr.Err == nil {
			al, err := replay(ctx, c, merged, rr.Profile)
			rr.DroppedPartials = merged.Dropped()
			if err != nil {
				rr.Err = err
			} else {
				rep.Alerts = append(rep.Alerts, rr.finish(al)...)
			}
		}
		rep.Rules = append(rep.Rules, rr)
	}
	return rep, ctx.Err()
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
func replay(ctx context.Context, c *Compiled, in *exec.Instance, prof *RuleProfile) (al *alerter, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rule panicked while evaluating: %v\n%s", r, debug.Stack())
		}
	}()
	start := time.Now()
	al = newAlerter(c)
	width := c.Spec.PaneWidth()
	var w schedule.Window
	for _, t := range c.Spec.TicksCovering(in.PaneStarts(), width) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		w = c.Spec.WindowAt(t)
		al.tick(w, in.Evaluate(t, w.Start, w.End))
		if prof != nil {
			prof.Largest = prof.Largest.Max(in.Size())
		}
	}
	// The data ends here: a sequence still waiting for a missing event's
	// maxspan to pass completes, in the last window.
	if res := in.Finish(); len(res) > 0 {
		al.tick(w, res)
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
	readOpt.Progress = opt.Progress
	stats, err := logs.Read(ctx, inputs, readOpt, func(wi int, ev *event.Event) error {
		if (!opt.From.IsZero() && ev.Time.Before(opt.From)) || (!opt.To.IsZero() && ev.Time.After(opt.To)) {
			return nil
		}
		insts[wi].Push(ev)
		return nil
	})
	if err != nil {
		return nil, stats, err
	}
	for _, in := range insts[1:] {
		insts[0].Merge(in)
	}
	// now() in the query is the end of the range asked, so that a search
	// of last month's archive reads as it would have then.
	now := time.Now()
	if !opt.To.IsZero() {
		now = opt.To
	}
	res := insts[0].Evaluate(now, time.Time{}, now.Add(time.Nanosecond))
	return append(res, insts[0].Finish()...), stats, nil
}
