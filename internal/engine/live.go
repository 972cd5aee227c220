package engine

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/store"
)

// ErrBusy is returned by TryDeliver when the engine cannot take more input
// now; the caller should retry later (HTTP ingest answers 429).
var ErrBusy = errors.New("engine busy: input queue full")

// LiveOptions configure a live engine.
type LiveOptions struct {
	// Lateness is how long after an event's time the engine waits for
	// later-delivered events before evaluating the windows that hold it
	// (CloudTrail delivers minutes late). Default 10 minutes.
	Lateness time.Duration
	// DedupHorizon is how long a record's id is remembered to drop later
	// copies of it; 0 means DefaultDedupHorizon, negative keeps copies.
	DedupHorizon time.Duration
	// StreamIdle is how long an input stream may deliver nothing and still
	// hold back the rules that read its log types; 0 means DefaultStreamIdle.
	StreamIdle time.Duration
	// MaxSkew is how far ahead of the wall clock a record's time may be:
	// records further ahead are rejected and reported, so that one record
	// dated 2099 cannot make everything after it late. 0 means an hour;
	// negative accepts any time.
	MaxSkew time.Duration
	// QueueSize is how many input chunks may wait. Default 64.
	QueueSize int
	// Store keeps alerts, risk and checkpoints. Required.
	Store store.Store
	// OnAlerts receives alerts after they are stored (new or updated);
	// it must not block (notification sinks queue their work).
	OnAlerts func(ctx context.Context, alerts []*alert.Alert)
	// CheckpointEvery is how often state is checkpointed. Default 10s.
	CheckpointEvery time.Duration
	// Retention prunes alerts and risk older than this behind the
	// watermark; 0 keeps everything.
	Retention time.Duration
	Risk      RiskOptions
	Logger    *slog.Logger
	// Now is the wall clock, for live data whose windows close by time
	// passing rather than by later events. Default time.Now.
	Now func() time.Time
	// Observe, when set, is told about what happens, for metrics.
	Observe Observer
	// OpenRecord, when set, reads an evidence record that is not in a
	// local file (an S3 object's, s3://bucket/key) from the start of its
	// stream; nil leaves such evidence without its record.
	OpenRecord func(ctx context.Context, name string) (io.ReadCloser, error)
	// IdleAdvance is how long the input must stay quiet before the wall
	// clock, not only event time, moves the watermark (live data whose
	// windows must close without later events). Default 1 minute.
	IdleAdvance time.Duration
	// CheckpointName names the engine's checkpoint in the store. Engines
	// that share one store (several instances on one PostgreSQL) need
	// names of their own, or one restores another's state and read
	// positions. Default "engine".
	CheckpointName string
	// OnRead, when set, is told after each chunk which source it came from
	// (the chunk's name: a path, an s3:// URL, a spooled body), the event
	// times of its good records, and, for a plain piece of a file (a watched
	// file that grew), its byte range in the file; length is 0 for a
	// compressed or whole object. It feeds the event archive.
	OnRead func(name string, offset, length int64, first, last time.Time, records int)
	// AfterCheckpoint, when set, runs on the engine's goroutine right after
	// each checkpoint is saved, while the sources' positions are exactly
	// those saved: the moment to delete input the checkpoint covers.
	AfterCheckpoint func()
}

// Observer receives the engine's measurements. Every method must be cheap
// and safe for concurrent use.
type Observer interface {
	Events(lt event.LogType, n int)
	Bad(n int)
	LateDropped(n int)
	// Duplicates counts records dropped as copies of one read before.
	Duplicates(n int)
	// FutureRejected counts records rejected for a time too far ahead of
	// the wall clock.
	FutureRejected(n int)
	RuleRun(ruleID string, d time.Duration, err error)
	AlertsRaised(ruleID string, n int)
	QueueDepth(n int)
	Watermark(t time.Time)
}

// Input is one chunk for the live engine: a whole log object, or the new
// lines of a growing file. Commit, if set, runs on the engine's goroutine
// once the chunk is fully processed and before any checkpoint, so a
// source records its read position exactly when the state holds the data.
type Input struct {
	Name string
	// Stream names what delivered the chunk (a watched directory, an S3
	// prefix, an ingest client): each stream keeps a watermark per log
	// type.
	Stream string
	Data   []byte
	Start  logs.StreamStart
	Commit func()
}

// RuleState is a rule's health in a live engine.
type RuleState struct {
	Compiled *Compiled
	Healthy  bool
	LastRun  time.Time
	// RunTime is how long the last run (tick) took to evaluate.
	RunTime   time.Duration
	LastError string
	Alerts    int
	NextTick  time.Time
	// Watermark is the event time up to which the rule's input is
	// complete; Late counts events that came after their windows had been
	// evaluated, and LateHeldBy names the stream the rule was waiting on
	// when the last of them came.
	Watermark  time.Time
	Late       int
	LateHeldBy string
}

// Live runs rules continuously over delivered input: it keeps each rule's
// window state, evaluates a rule's tick once the watermark (latest event
// time minus the lateness) passes it, stores alerts and risk, and
// checkpoints so that a restart loses nothing and duplicates nothing.
type Live struct {
	opt   LiveOptions
	rules []*liveRule
	queue chan item
	log   *slog.Logger

	// State below is owned by the Run goroutine, but for mu-guarded reads.
	// dedup drops copies of records read before.
	dedup *dedup
	// raws remembers evidence records read back for alerts.
	raws     map[string]json.RawMessage
	rawBytes int
	// lateBefore holds, per log type, the earliest time (Unix ns) up to
	// which every rule reading the log type has evaluated: an event before
	// it counts for none of them. Read by Screen from other goroutines.
	lateBefore [event.NumLogTypes]atomic.Int64
	// decoded holds an event's text with its \u escapes decoded, for the
	// prefilters to search.
	decoded    []byte
	mu         sync.Mutex
	marks      *streamMarks
	watermark  time.Time
	positions  func() json.RawMessage
	restoredPS json.RawMessage
	risk       riskState
	lastCkpt   time.Time
	lastInput  time.Time // wall time of the last processed chunk
	late       int
	future     int
	// lastDrop is the wall time a record was last dropped as late or
	// rejected as future; lateLogged, per rule, when that was last logged.
	lastDrop     time.Time
	futureLogged time.Time
}

type item struct {
	in   Input
	done chan error
}

type liveRule struct {
	c       *Compiled
	inst    *exec.Instance
	pre     exec.Prefilter
	al      *alerter
	next    time.Time // next tick to evaluate; zero until the first event
	offset  time.Duration
	healthy bool
	lastRun time.Time
	// took is how long the last tick's evaluation took.
	took    time.Duration
	lastErr string
	alerts  int
	horizon time.Time // panes before this are evicted
	wm      time.Time // the watermark the rule was last evaluated to
	late    int
	lateBy  string
	logged  time.Time // wall time a late event of the rule was last logged
}

type riskState struct {
	rule *rule.Rule
	open map[string]*incident
}

// NewLive prepares a live engine for the runnable rules.
func NewLive(rules []*Compiled, opt LiveOptions) *Live {
	if opt.Lateness == 0 {
		opt.Lateness = 10 * time.Minute
	}
	if opt.QueueSize <= 0 {
		opt.QueueSize = 64
	}
	if opt.CheckpointEvery == 0 {
		opt.CheckpointEvery = 10 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.IdleAdvance == 0 {
		opt.IdleAdvance = time.Minute
	}
	if opt.MaxSkew == 0 {
		opt.MaxSkew = time.Hour
	}
	if opt.CheckpointName == "" {
		opt.CheckpointName = checkpointName
	}
	opt.Risk = opt.Risk.withDefaults()
	l := &Live{opt: opt, queue: make(chan item, opt.QueueSize), log: opt.Logger, dedup: newDedup(opt.DedupHorizon), raws: map[string]json.RawMessage{},
		marks: newStreamMarks(opt.StreamIdle)}
	if l.log == nil {
		l.log = slog.Default()
	}
	for _, c := range rules {
		if !c.Runnable() {
			continue
		}
		if err := c.Spec.Bounded(); err != nil {
			l.log.Error("rule not run", "rule", c.Rule.ID, "err", err)
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(c.Rule.ID))
		spread := c.Spec.Interval
		if spread > time.Minute {
			spread = time.Minute
		}
		l.rules = append(l.rules, &liveRule{
			c: c, inst: c.Program.NewInstance(c.Spec.PaneWidth()), pre: c.Program.Prefilter(),
			al: newAlerter(c), healthy: true,
			// Spread ticks of different rules so they do not all fire at once.
			offset: time.Duration(h.Sum32()%uint32(spread/time.Second)) * time.Second,
		})
	}
	l.risk = riskState{rule: riskRule(opt.Risk), open: map[string]*incident{}}
	return l
}

// Expect tells the engine that stream will deliver input (a watched
// directory, an S3 prefix): until it does, or stays quiet for the stream
// idle time, rules wait for it rather than evaluate windows its records
// may still fall in.
func (l *Live) Expect(stream string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.marks.expect(stream, l.opt.Now())
}

// CaughtUp tells the engine that stream has delivered everything it has
// for now: until it delivers again it holds no rule back, so that an
// empty or finished directory does not stall the others.
func (l *Live) CaughtUp(stream string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.marks.quiet(stream)
}

// SetPositions gives the engine a function that snapshots the sources'
// read positions; it is called on the engine's goroutine when
// checkpointing, after every Commit of processed input.
func (l *Live) SetPositions(f func() json.RawMessage) { l.positions = f }

// RestoredPositions returns the sources' positions found in the last
// checkpoint (nil on a fresh start), for the sources to resume from.
func (l *Live) RestoredPositions() json.RawMessage { return l.restoredPS }

// Deliver queues a chunk and waits until it is processed (or ctx ends).
// Sources use it, so they advance only past processed input.
func (l *Live) Deliver(ctx context.Context, in Input) error {
	it := item{in: in, done: make(chan error, 1)}
	select {
	case l.queue <- it:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-it.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TryDeliver queues a chunk without waiting; it returns ErrBusy when the
// queue is full. The chunk must be durable before it is offered (HTTP
// ingest spools it first), since the caller does not learn the outcome.
func (l *Live) TryDeliver(in Input) error {
	select {
	case l.queue <- item{in: in}:
		return nil
	default:
		return ErrBusy
	}
}

// QueueDepth is the number of chunks waiting.
func (l *Live) QueueDepth() int { return len(l.queue) }

// Watermark returns the event time up to which windows are complete.
func (l *Live) Watermark() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.watermark
}

// Rules reports every rule's health.
func (l *Live) Rules() []RuleState {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]RuleState, 0, len(l.rules))
	for _, r := range l.rules {
		out = append(out, RuleState{Compiled: r.c, Healthy: r.healthy, LastRun: r.lastRun, RunTime: r.took,
			LastError: r.lastErr, Alerts: r.alerts, NextTick: r.next, Watermark: r.wm, Late: r.late, LateHeldBy: r.lateBy})
	}
	return out
}

// Run processes input until ctx ends, then checkpoints and returns.
func (l *Live) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			// Drain what is queued, so accepted input is not lost on shutdown.
			for {
				select {
				case it := <-l.queue:
					l.process(context.Background(), it)
				default:
					return l.Checkpoint(context.Background())
				}
			}
		case it := <-l.queue:
			l.process(ctx, it)
		case <-tick.C:
			l.advance(ctx)
		}
		if l.opt.Observe != nil {
			l.opt.Observe.QueueDepth(len(l.queue))
		}
		if l.opt.Now().Sub(l.lastCkpt) >= l.opt.CheckpointEvery {
			if err := l.Checkpoint(ctx); err != nil {
				l.log.Error("checkpoint failed", "err", err)
			}
		}
	}
}

func (l *Live) process(ctx context.Context, it item) {
	l.lastInput = l.opt.Now()
	err := l.ingest(ctx, it.in)
	if err == nil && it.in.Commit != nil {
		it.in.Commit()
	}
	if err == nil {
		l.advance(ctx)
	}
	if it.done != nil {
		it.done <- err
	}
}

// ingest decodes one chunk and pushes its events into every rule.
func (l *Live) ingest(ctx context.Context, in Input) error {
	var rd = bytes.NewReader(in.Data)
	counts := map[event.LogType]int{}
	var first, last time.Time
	n := 0
	st, err := logs.ReadStream(ctx, in.Name, rd, in.Start, logs.Options{}, func(_ int, ev *event.Event) error {
		counts[ev.LogType]++
		if n == 0 || ev.Time.Before(first) {
			first = ev.Time
		}
		if n == 0 || ev.Time.After(last) {
			last = ev.Time
		}
		n++
		l.push(ev, in.Stream)
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", in.Name, err)
	}
	if l.opt.OnRead != nil && n > 0 {
		var length int64
		if !bytes.HasPrefix(in.Data, []byte{0x1f, 0x8b}) {
			length = int64(len(in.Data))
		}
		l.opt.OnRead(in.Name, in.Start.Offset, length, first, last, n)
	}
	if st.Bad > 0 {
		for _, p := range st.BadSamples {
			l.log.Warn("bad record", "at", p.String())
		}
	}
	for _, p := range st.WarningSamples {
		l.log.Warn("input read with a warning", "at", p.String())
	}
	if l.opt.Observe != nil {
		for s, n := range counts {
			l.opt.Observe.Events(s, n)
		}
		if st.Bad > 0 {
			l.opt.Observe.Bad(st.Bad)
		}
	}
	return nil
}

func (l *Live) push(ev *event.Event, stream string) {
	if l.dedup.repeated(ev) {
		if l.opt.Observe != nil {
			l.opt.Observe.Duplicates(1)
		}
		return
	}
	now := l.opt.Now()
	if l.opt.MaxSkew >= 0 && ev.Time.After(now.Add(l.opt.MaxSkew)) {
		l.rejectFuture(ev, now)
		return
	}
	l.mu.Lock()
	l.marks.see(stream, ev.LogType, ev.Time, now)
	l.mu.Unlock()
	raw := ev.Raw
	if text, ok := event.DecodeUnicodeEscapes(l.decoded[:0], raw); ok {
		raw, l.decoded = text, text[:0]
	}
	late := false
	for _, r := range l.rules {
		if r.c.Program.Reads(ev.LogType) && l.offer(r, ev, raw, stream, now) {
			late = true
		}
	}
	if late {
		l.mu.Lock()
		l.late++
		l.lastDrop = now
		l.mu.Unlock()
		if l.opt.Observe != nil {
			l.opt.Observe.LateDropped(1)
		}
	}
}

// offer pushes an event into one rule that reads its log type, and
// reports whether it came too late for the rule.
func (l *Live) offer(r *liveRule, ev *event.Event, raw []byte, stream string, now time.Time) (late bool) {
	if !r.horizon.IsZero() && ev.Time.Before(r.horizon) {
		l.dropLate(r, ev, stream, now)
		return true
	}
	if !r.pre.Empty() && !r.pre.Match(raw) {
		return false
	}
	if r.c.Exceptions().Event(ev) != nil {
		return false
	}
	// The first tick is the first whose window holds an event; until
	// one was evaluated, an earlier event (from a stream running
	// behind) moves it back.
	if first := r.c.Spec.TickAtOrAfter(ev.Time.Add(r.c.Spec.WindowEnd + time.Nanosecond)); r.next.IsZero() || (r.horizon.IsZero() && first.Before(r.next)) {
		r.next = first
	}
	l.safePush(r, ev)
	return false
}

// dropLate counts an event that came after every window of rule r that
// holds it was evaluated, and says so: in the rule's state (the rules API),
// a metric, and a warning logged at most once a minute per rule.
func (l *Live) dropLate(r *liveRule, ev *event.Event, stream string, now time.Time) {
	l.mu.Lock()
	r.late++
	r.lateBy = l.marks.laggard(r.c.Program.Reads, now)
	logIt := now.Sub(r.logged) >= time.Minute
	if logIt {
		r.logged = now
	}
	l.mu.Unlock()
	if logIt {
		l.log.Warn("late event not counted: the rule had already evaluated its windows",
			"rule", r.c.Rule.ID, "event_time", ev.Time, "evaluated_to", r.horizon, "at", ev.Origin.String(),
			"stream", stream, "late_total", r.late, "hint", "raise --lateness, or deliver each stream's logs in time order")
	}
}

// rejectFuture counts a record dated too far ahead of the wall clock.
func (l *Live) rejectFuture(ev *event.Event, now time.Time) {
	l.mu.Lock()
	l.future++
	l.lastDrop = now
	logIt := now.Sub(l.futureLogged) >= time.Minute
	if logIt {
		l.futureLogged = now
	}
	n := l.future
	l.mu.Unlock()
	if l.opt.Observe != nil {
		l.opt.Observe.FutureRejected(1)
	}
	if logIt {
		l.log.Warn("record rejected: its time is ahead of the clock by more than the allowed skew",
			"event_time", ev.Time, "at", ev.Origin.String(), "max_skew", l.opt.MaxSkew, "rejected_total", n)
	}
}

// noteHorizons updates lateBefore from the rules' horizons.
func (l *Live) noteHorizons() {
	for _, lt := range event.LogTypes {
		var min time.Time
		reads := false
		for _, r := range l.rules {
			if !r.c.Program.Reads(lt) {
				continue
			}
			if r.horizon.IsZero() {
				min, reads = time.Time{}, true
				break
			}
			if !reads || r.horizon.Before(min) {
				min, reads = r.horizon, true
			}
		}
		if min.IsZero() {
			l.lateBefore[lt].Store(0)
		} else {
			l.lateBefore[lt].Store(min.UnixNano())
		}
	}
}

// Screen says what the engine would make of ev if it were delivered now:
// a copy of a record it has read (dropped), or a record older than every
// window its rules still evaluate (dropped as late). Ingest uses it to
// answer with counts; it is safe from any goroutine.
func (l *Live) Screen(ev *event.Event) (duplicate, late bool) {
	if l.dedup.seen(ev) {
		return true, false
	}
	if int(ev.LogType) < len(l.lateBefore) {
		if b := l.lateBefore[ev.LogType].Load(); b != 0 && ev.Time.UnixNano() < b {
			return false, true
		}
	}
	return false, false
}

// Degraded returns why the engine's results may be incomplete: events
// dropped as late or rejected as future in the last hour. None means all
// is well.
func (l *Live) Degraded() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lastDrop.IsZero() || l.opt.Now().Sub(l.lastDrop) > time.Hour {
		return nil
	}
	var out []string
	for _, r := range l.rules {
		if r.late > 0 {
			out = append(out, fmt.Sprintf("rule %s: %d events came after their windows were evaluated (waiting on %s)", r.c.Rule.ID, r.late, cmp.Or(r.lateBy, "no stream")))
		}
	}
	if l.future > 0 {
		out = append(out, fmt.Sprintf("%d records rejected for a time more than %s ahead of the clock", l.future, l.opt.MaxSkew))
	}
	return out
}

func (l *Live) safePush(r *liveRule, ev *event.Event) {
	defer func() {
		if p := recover(); p != nil {
			l.fail(r, fmt.Errorf("rule panicked on %s: %v", ev.Origin, p), debug.Stack())
		}
	}()
	r.inst.Push(ev)
}

func (l *Live) fail(r *liveRule, err error, stack []byte) {
	l.mu.Lock()
	first := r.healthy
	r.healthy, r.lastErr = false, err.Error()
	l.mu.Unlock()
	if first {
		l.log.Error("rule failed", "rule", r.c.Rule.ID, "err", err, "stack", string(stack))
	}
}

// currentWatermark is the latest event time minus the lateness, the
// engine's progress as shown to people; each rule evaluates by its own
// (ruleWatermark). It is zero before any event.
func (l *Live) currentWatermark() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	latest := l.marks.latest()
	if latest.IsZero() {
		return time.Time{}
	}
	l.watermark = l.quietAdvance(latest, l.opt.Now())
	if l.opt.Observe != nil {
		l.opt.Observe.Watermark(l.watermark)
	}
	return l.watermark
}

// ruleWatermark is the event time up to which rule r's windows may be
// evaluated: the lateness before the point its log types' streams are all
// complete to (see streamMarks). l.mu must be held.
func (l *Live) ruleWatermark(r *liveRule, now time.Time) time.Time {
	c := l.marks.complete(r.c.Program.Reads, now)
	if c.IsZero() {
		return time.Time{}
	}
	return l.quietAdvance(c, now)
}

// quietAdvance returns the watermark for input complete up to event time
// c: the lateness before it, or, for live data (c within a day of the wall
// clock), once the input has been quiet for IdleAdvance, the lateness
// before the wall clock, so that windows close without waiting for the
// next event. A backfill that keeps delivering never lets the wall clock
// run ahead of its events, and old data of one kind is not hurried along
// by live data of another. l.mu must be held.
func (l *Live) quietAdvance(c, now time.Time) time.Time {
	wm := c.Add(-l.opt.Lateness)
	quiet := len(l.queue) == 0 && now.Sub(l.lastInput) >= l.opt.IdleAdvance
	if quiet && now.Sub(c) < 24*time.Hour {
		if w := now.Add(-l.opt.Lateness); w.After(wm) {
			return w
		}
	}
	return wm
}

// advance evaluates every rule tick its watermark has passed.
func (l *Live) advance(ctx context.Context) {
	if l.currentWatermark().IsZero() {
		return
	}
	now := l.opt.Now()
	// The rules of raw logs first: their alerts' risk feeds the rules
	// that read risk (risklive.go), which run after.
	for _, riskOnly := range []bool{false, true} {
		if changed := l.runDue(now, riskOnly); len(changed) > 0 {
			l.emit(ctx, changed)
		}
	}
	if l.opt.Retention > 0 {
		// Pruning is cheap when nothing is old; do it with ticks.
		if _, err := l.opt.Store.Prune(ctx, l.Watermark().Add(-l.opt.Retention)); err != nil {
			l.log.Error("prune failed", "err", err)
		}
	}
}

// runTick evaluates one tick of a rule and moves it to the next.
func (l *Live) runTick(r *liveRule) (out []*alert.Alert) {
	t := r.next
	w := r.c.Spec.WindowAt(t)
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			l.fail(r, fmt.Errorf("rule panicked evaluating %s: %v", t.Format(time.RFC3339), p), debug.Stack())
			out = nil
		}
		took := time.Since(start)
		l.mu.Lock()
		r.lastRun, r.took = t, took
		r.next = t.Add(r.c.Spec.Interval)
		l.mu.Unlock()
		if l.opt.Observe != nil {
			l.opt.Observe.RuleRun(r.c.Rule.ID, took, nil)
		}
	}()
	touched := r.al.tick(w, r.inst.Evaluate(t, w.Start, w.End))
	for _, a := range touched {
		render(r.c, a)
	}
	// Panes wholly before the next window can go, and so can episodes that
	// can no longer continue.
	nextStart := r.c.Spec.WindowAt(t.Add(r.c.Spec.Interval)).Start
	r.inst.Evict(nextStart)
	r.horizon = nextStart
	l.noteHorizons()
	r.al.evict(nextStart)
	l.mu.Lock()
	r.alerts += countNew(touched)
	if !r.healthy && r.lastErr != "" {
		r.healthy, r.lastErr = true, ""
	}
	l.mu.Unlock()
	if l.opt.Observe != nil && len(touched) > 0 {
		l.opt.Observe.AlertsRaised(r.c.Rule.ID, countNew(touched))
	}
	return touched
}

func countNew(as []*alert.Alert) int {
	n := 0
	for _, a := range as {
		if a.Matches == 1 {
			n++
		}
	}
	return n
}

// maxEvidenceBytes bounds one evidence record kept with an alert, and
// maxEvidenceCache the records remembered for alerts still changing.
const (
	maxEvidenceBytes = 64 << 10
	maxEvidenceCache = 32 << 20
)

// evidenceRaw returns the source record an evidence entry points at, read
// from its file while the file is there (a watched file, a spooled ingest
// body, an S3 object through OpenRecord) and remembered, so that an alert
// updated later keeps it. Standard input, and files gone, give nil.
func (l *Live) evidenceRaw(e alert.Evidence) json.RawMessage {
	key := e.File + "\x00" + strconv.FormatInt(e.Offset, 10)
	if raw, ok := l.raws[key]; ok {
		return raw
	}
	var rec []byte
	var err error
	switch {
	case e.File == "-":
		return nil
	case strings.HasPrefix(e.File, "s3://"):
		if l.opt.OpenRecord == nil {
			return nil
		}
		rec, err = l.recordFrom(e)
	default:
		rec, err = logs.RecordAt(e.File, e.Offset, maxEvidenceBytes)
	}
	if err != nil || !utf8.Valid(rec) || !json.Valid(rec) {
		rec = nil
	}
	if l.rawBytes+len(rec) > maxEvidenceCache {
		// A cache: alerts already stored keep their records.
		clear(l.raws)
		l.rawBytes = 0
	}
	l.raws[key] = rec
	l.rawBytes += len(key) + len(rec)
	return rec
}

// evidenceTimeout bounds reading one evidence record from S3: the engine
// waits for it.
const evidenceTimeout = 10 * time.Second

// recordFrom reads an evidence record through OpenRecord.
func (l *Live) recordFrom(e alert.Evidence) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), evidenceTimeout)
	defer cancel()
	rc, err := l.opt.OpenRecord(ctx, e.File)
	if err != nil {
		l.log.Warn("evidence record not read", "file", e.File, "err", err)
		return nil, err
	}
	defer rc.Close()
	return logs.ReadRecord(rc, e.Offset, maxEvidenceBytes)
}

// emit stores alerts, adds their risk, raises risk incidents, and hands
// everything to OnAlerts.
func (l *Live) emit(ctx context.Context, alerts []*alert.Alert) {
	for _, a := range alerts {
		for i := range a.Evidence {
			if a.Evidence[i].Raw == nil {
				a.Evidence[i].Raw = l.evidenceRaw(a.Evidence[i])
			}
		}
	}
	// Copies, so that later updates of open alerts do not race with sinks.
	out := make([]*alert.Alert, 0, len(alerts))
	for _, a := range alerts {
		out = append(out, cloneAlert(a))
	}
	if err := l.opt.Store.Upsert(ctx, out); err != nil {
		l.log.Error("cannot store alerts", "err", err)
	}
	var risk []store.RiskEvent
	byRule := map[string]*Compiled{}
	for _, r := range l.rules {
		byRule[r.c.Rule.ID] = r.c
	}
	for _, a := range out {
		if c := byRule[a.Rule.ID]; c != nil && addsRisk(c) {
			risk = append(risk, RiskEvents(c.Rule, a)...)
		}
	}
	if len(risk) > 0 {
		if err := l.opt.Store.AddRisk(ctx, risk); err != nil {
			l.log.Error("cannot store risk", "err", err)
		}
		l.feedRisk(risk)
		if !l.opt.Risk.Disabled {
			out = append(out, l.riskIncidents(ctx, risk)...)
		}
	}
	if l.opt.OnAlerts != nil {
		l.opt.OnAlerts(ctx, out)
	}
}

// riskIncidents checks the entities that just gained risk against the
// threshold over the risk window.
func (l *Live) riskIncidents(ctx context.Context, added []store.RiskEvent) []*alert.Alert {
	entities := map[string]time.Time{}
	for _, e := range added {
		if !e.Threat && e.Time.After(entities[e.Entity]) {
			entities[e.Entity] = e.Time
		}
	}
	names := make([]string, 0, len(entities))
	for n := range entities {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []*alert.Alert
	for _, ent := range names {
		t := entities[ent]
		evs, err := l.opt.Store.RiskEvents(ctx, store.RiskFilter{Since: t.Add(-l.opt.Risk.Window), Until: t.Add(time.Nanosecond), Entities: []string{ent}})
		if err != nil {
			l.log.Error("cannot read risk", "err", err)
			continue
		}
		open := l.risk.open[ent]
		if open != nil && t.Sub(open.last) > l.opt.Risk.Window {
			open = nil
		}
		a := riskIncident(l.opt.Risk, l.risk.rule, ent, evs, t, open)
		if a == nil {
			continue
		}
		l.risk.open[ent] = &incident{a: a, last: t}
		out = append(out, cloneAlert(a))
	}
	if len(out) > 0 {
		if err := l.opt.Store.Upsert(ctx, out); err != nil {
			l.log.Error("cannot store risk incidents", "err", err)
		}
	}
	return out
}

// checkpoint is what a restart needs: every rule's window state and open
// episodes, the watermark, open risk incidents and the sources' positions.
type checkpoint struct {
	Version  int                  `json:"version"`
	MaxEvent time.Time            `json:"max_event"`
	Streams  map[string]time.Time `json:"streams,omitempty"`
	// Seen holds the ids of records read within the dedup horizon, so
	// that a copy delivered after a restart is still recognised.
	Seen      []byte                    `json:"seen,omitempty"`
	Rules     map[string]ruleCheckpoint `json:"rules"`
	Incidents map[string]incidentCkpt   `json:"incidents,omitempty"`
	Positions json.RawMessage           `json:"positions,omitempty"`
}

type ruleCheckpoint struct {
	Next     time.Time     `json:"next"`
	Horizon  time.Time     `json:"horizon"`
	State    []byte        `json:"state"`
	Episodes []episodeCkpt `json:"episodes,omitempty"`
	Alerts   int           `json:"alerts"`
}

type episodeCkpt struct {
	Key     []byte          `json:"key"`
	AlertID string          `json:"alert_id"`
	LastEnd time.Time       `json:"last_end"`
	Panes   map[int64]int64 `json:"panes"`
}

type incidentCkpt struct {
	AlertID string    `json:"alert_id"`
	Last    time.Time `json:"last"`
}

// checkpointName is the default of LiveOptions.CheckpointName.
const checkpointName = "engine"

// Checkpoint saves the engine's state and the sources' positions in one
// write, so that they always agree.
func (l *Live) Checkpoint(ctx context.Context) error {
	l.lastCkpt = l.opt.Now()
	ck := checkpoint{Version: 1, MaxEvent: l.marks.latest(), Streams: l.marks.save(), Seen: l.dedup.snapshot(), Rules: map[string]ruleCheckpoint{}, Incidents: map[string]incidentCkpt{}}
	for _, r := range l.rules {
		rc := ruleCheckpoint{Next: r.next, Horizon: r.horizon, State: r.inst.Snapshot(), Alerts: r.alerts}
		for k, ep := range r.al.open {
			rc.Episodes = append(rc.Episodes, episodeCkpt{Key: []byte(k), AlertID: ep.a.ID, LastEnd: ep.lastEnd, Panes: ep.panes})
		}
		sort.Slice(rc.Episodes, func(i, j int) bool { return rc.Episodes[i].AlertID < rc.Episodes[j].AlertID })
		ck.Rules[r.c.Rule.ID] = rc
	}
	for ent, inc := range l.risk.open {
		ck.Incidents[ent] = incidentCkpt{AlertID: inc.a.ID, Last: inc.last}
	}
	if l.positions != nil {
		ck.Positions = l.positions()
	}
	data, err := json.Marshal(ck)
	if err != nil {
		return fmt.Errorf("cannot encode checkpoint: %w", err)
	}
	if err := l.opt.Store.PutCheckpoint(ctx, l.opt.CheckpointName, data); err != nil {
		return fmt.Errorf("cannot save checkpoint: %w", err)
	}
	if l.opt.AfterCheckpoint != nil {
		l.opt.AfterCheckpoint()
	}
	return nil
}

// Restore loads the last checkpoint, if any. Rules whose state cannot be
// restored (their schedule or query changed) start afresh, with a warning.
func (l *Live) Restore(ctx context.Context) error {
	data, err := l.opt.Store.GetCheckpoint(ctx, l.opt.CheckpointName)
	if err != nil {
		return fmt.Errorf("cannot read checkpoint: %w", err)
	}
	if data == nil {
		return nil
	}
	var ck checkpoint
	if err := json.Unmarshal(data, &ck); err != nil {
		return fmt.Errorf("cannot decode checkpoint: %w", err)
	}
	l.restoredPS = ck.Positions
	if ck.Streams == nil && !ck.MaxEvent.IsZero() {
		// A checkpoint from before streams had marks of their own.
		ck.Streams = map[string]time.Time{}
		for _, lt := range event.LogTypes {
			ck.Streams[lt.String()+" "] = ck.MaxEvent
		}
	}
	l.marks.restore(ck.Streams, l.opt.Now())
	if err := l.dedup.restore(ck.Seen); err != nil {
		l.log.Warn("ids of records read before the restart not restored; copies of them will count", "err", err)
	}
	for _, r := range l.rules {
		rc, ok := ck.Rules[r.c.Rule.ID]
		if !ok {
			continue
		}
		if err := r.inst.Restore(rc.State); err != nil {
			l.log.Warn("rule state not restored; it starts afresh", "rule", r.c.Rule.ID, "err", err)
			continue
		}
		r.next, r.horizon, r.alerts = rc.Next, rc.Horizon, rc.Alerts
		for _, ep := range rc.Episodes {
			a, _, err := l.opt.Store.Get(ctx, ep.AlertID)
			if err != nil {
				l.log.Warn("open alert not found; its episode restarts", "alert", ep.AlertID, "err", err)
				continue
			}
			panes := ep.Panes
			if panes == nil {
				panes = map[int64]int64{}
			}
			r.al.open[string(ep.Key)] = &episode{a: a, lastEnd: ep.LastEnd, panes: panes}
		}
	}
	for ent, inc := range ck.Incidents {
		if a, _, err := l.opt.Store.Get(ctx, inc.AlertID); err == nil {
			l.risk.open[ent] = &incident{a: a, last: inc.Last}
		}
	}
	return nil
}

// cloneAlert copies an alert deeply enough that the engine may go on
// updating the original.
func cloneAlert(a *alert.Alert) *alert.Alert {
	c := *a
	c.Group = append(alert.Fields(nil), a.Group...)
	c.Row = append(alert.Fields(nil), a.Row...)
	c.Evidence = append([]alert.Evidence(nil), a.Evidence...)
	c.Drilldowns = append([]alert.Drilldown(nil), a.Drilldowns...)
	return &c
}
