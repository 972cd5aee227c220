package logs

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
	"github.com/valyala/fastjson"

	"github.com/tripline/tripline/internal/event"
)

// DefaultMaxRecordBytes is the record size limit when Options leaves it zero.
const DefaultMaxRecordBytes = 64 << 20

// MaxSamples is how many problems Stats keeps as samples.
const MaxSamples = 20

// Options configures Read.
type Options struct {
	// Workers is the number of parallel decode workers; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// Stdin is read for the input "-"; nil means os.Stdin.
	Stdin io.Reader
	// MaxRecordBytes is the largest record accepted; 0 means
	// DefaultMaxRecordBytes. A larger record is reported bad and reading
	// goes on after it.
	MaxRecordBytes int
	// Filter, when set, sees each record's raw text before it is parsed;
	// a record it rejects is counted in Stats.Skipped and neither parsed
	// nor delivered (so damage inside it goes unnoticed beyond what the
	// boundary scan finds). worker is the same index the Handler gets.
	Filter func(worker int, raw []byte) bool
	// TimeOrder reads the inputs in the order of their records' time
	// rather than as given: by the time their paths name (PathTime), else
	// by the time of their first record; stdin comes first. Workers take
	// inputs in that order, so records reach the handler roughly in time
	// order when the inputs do not overlap much in time.
	TimeOrder bool
	// Idle, when set, is called once by each worker when it has no input
	// left to read, after its last Handler call.
	Idle func(worker int)
	// Progress, when set, is kept up to date as the read goes, for a
	// display to poll.
	Progress *Progress
	// Open, when set, opens inputs named by a URL (s3://bucket/key), which
	// are otherwise an error; local paths are always opened directly.
	Open func(ctx context.Context, name string) (io.ReadCloser, error)
}

// IsURL reports whether an input names a remote object (scheme://...)
// rather than a local path.
func IsURL(name string) bool {
	i := strings.Index(name, "://")
	return i > 0 && !strings.ContainsAny(name[:i], `/\.`)
}

// Progress is how far a read has got, safe to read while it runs. Sizes
// are as stored (compressed files count their compressed bytes); standard
// input's size is unknown and counts only as it is read.
type Progress struct {
	Files, FilesDone atomic.Int64
	Bytes, BytesRead atomic.Int64
	// Records counts the records of the inputs read to their end.
	Records atomic.Int64
}

// Handler receives each good record. worker is in [0, Workers); calls with
// the same worker index never overlap, calls with different indexes may run
// concurrently. ev, its Raw bytes and its Doc are valid only until the
// handler returns: a handler that keeps anything copies it. A non-nil error
// stops the whole read and is returned by Read.
type Handler func(worker int, ev *event.Event) error

// Stats sums up a read.
type Stats struct {
	// Files is the number of inputs opened, stdin included.
	Files int
	// Empty is the number of inputs that held no record, good or bad.
	Empty int
	// Bytes is the number of bytes read from the inputs, compressed as stored.
	Bytes int64
	// Decoded is the number of bytes after decompression.
	Decoded int64
	// Records counts the good records by log type.
	Records map[event.LogType]int
	// Skipped counts records Options.Filter rejected unparsed, by the
	// log type their text suggests.
	Skipped map[event.LogType]int
	// Bad counts problems: bad records and inputs that could not be read
	// to their end.
	Bad int
	// BadSamples holds the first MaxSamples problems in input order.
	BadSamples []Problem
	// Warnings counts what was read but deserves a look: an input with no
	// records in it (empty, {"Records": null}), a directory with no log
	// files, text that is not UTF-8 (replaced with U+FFFD).
	Warnings int
	// WarningSamples holds the first MaxSamples warnings in input order.
	WarningSamples []Problem
}

// Total is the number of good records of all log types.
func (s Stats) Total() int {
	n := 0
	for _, c := range s.Records {
		n += c
	}
	return n
}

// Seen is the number of records read: the good ones and those the
// filter skipped unparsed.
func (s Stats) Seen() int {
	n := s.Total()
	for _, c := range s.Skipped {
		n += c
	}
	return n
}

// Problem is one bad record or damaged input: where, and what is wrong.
type Problem struct {
	Origin event.Origin
	Err    error
}

// String renders the problem as "file:line (byte N): message", the byte
// offset in the decompressed stream telling records on one line apart, or
// "file: message" for a problem with the input as a whole (one that could
// not be opened).
func (p Problem) String() string {
	o := p.Origin
	switch {
	case o.Line == 0 && o.Offset == 0:
		return o.File + ": " + p.Err.Error()
	case o.Line > 0 && o.Offset > 0:
		return o.String() + " (byte " + strconv.FormatInt(o.Offset, 10) + "): " + p.Err.Error()
	}
	return o.String() + ": " + p.Err.Error()
}

// Read reads every record of the inputs (see Expand) and passes the good
// ones to h, in parallel over files. Bad records and damaged inputs are
// counted and sampled in Stats and never stop the read; it stops early only
// when h fails (that error is returned) or ctx is done (ctx.Err() is
// returned). An input that Expand cannot resolve is an error before any
// reading.
func Read(ctx context.Context, inputs []string, opt Options, h Handler) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	files, emptyDirs, err := expand(inputs, opt.Open != nil)
	if err != nil {
		return Stats{}, err
	}
	if opt.MaxRecordBytes <= 0 {
		opt.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if opt.Stdin == nil {
		opt.Stdin = os.Stdin
	}
	if opt.TimeOrder {
		files = timeOrder(ctx, files, opt)
	}
	if p := opt.Progress; p != nil {
		var size int64
		for _, f := range files {
			if st, err := os.Stat(f); err == nil && f != "-" && !IsURL(f) {
				size += st.Size()
			}
		}
		p.Files.Store(int64(len(files)))
		p.Bytes.Store(size)
		p.FilesDone.Store(0)
		p.BytesRead.Store(0)
		p.Records.Store(0)
	}
	n := opt.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	n = max(1, min(n, len(files)))

	r := &run{ctx: ctx, files: files, opt: opt, h: h}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			r.stop.Store(true)
		case <-done:
		}
	}()

	workers := make([]*worker, n)
	var wg sync.WaitGroup
	for i := range workers {
		w := newWorker(i, r)
		workers[i] = w
		wg.Go(w.loop)
	}
	wg.Wait()

	st := Stats{Records: map[event.LogType]int{}, Skipped: map[event.LogType]int{}}
	var samples, warnings []sample
	for _, w := range workers {
		st.Files += w.files
		st.Empty += w.empty
		st.Bytes += w.bytes
		st.Decoded += w.decoded
		st.Bad += w.bad
		for s, c := range w.skipped {
			if c > 0 {
				st.Skipped[event.LogType(s)] += c
			}
		}
		for s, c := range w.records {
			if c > 0 {
				st.Records[event.LogType(s)] += c
			}
		}
		samples = append(samples, w.samples...)
		st.Warnings += w.warnings
		warnings = append(warnings, w.warnSamples...)
	}
	st.BadSamples = firstSamples(samples)
	st.Warnings += len(emptyDirs)
	for _, d := range emptyDirs {
		warnings = append(warnings, sample{file: -1, p: Problem{Origin: event.Origin{File: d}, Err: errNoLogFiles}})
	}
	st.WarningSamples = firstSamples(warnings)
	if err := r.failure(); err != nil {
		return st, err
	}
	if r.stop.Load() {
		return st, ctx.Err()
	}
	return st, nil
}

// run is the state the workers of one Read share.
type run struct {
	ctx   context.Context
	files []string
	opt   Options
	h     Handler
	next  atomic.Int64
	stop  atomic.Bool
	mu    sync.Mutex
	err   error
}

func (r *run) fail(err error) {
	r.mu.Lock()
	if r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
	r.stop.Store(true)
}

func (r *run) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// sample is a problem with the index of its input, for ordering.
type sample struct {
	file int
	p    Problem
}

// worker reads whole inputs, one at a time, with buffers reused across
// records and inputs.
type worker struct {
	idx      int
	run      *run
	dec      decoder
	parser   fastjson.Parser
	ev       event.Event
	strs     event.Interner
	memo     event.Memo
	br       *bufio.Reader
	gz       *gzip.Reader
	fixed    []byte // a record with invalid UTF-8 replaced
	inNested bool   // delivering the records of a nested "Records" array
	warned   bool   // the input being read had a warning
	// warnedUTF8 says the input being read had text that is not UTF-8.
	warnedUTF8 bool

	// The input being read.
	name     string
	fileIdx  int
	perFile  int // records and problems in this input
	maxParse int // largest record parsed by parser

	// Counters, summed by Read.
	files, empty, bad int
	bytes, decoded    int64
	records           [256]int
	skipped           [256]int
	samples           []sample
	warnings          int
	warnSamples       []sample
}

var _ sink = (*worker)(nil)

func newWorker(idx int, r *run) *worker {
	return &worker{idx: idx, run: r, br: bufio.NewReaderSize(nil, 64<<10)}
}

func (w *worker) loop() {
	if idle := w.run.opt.Idle; idle != nil {
		defer idle(w.idx)
	}
	for !w.run.stop.Load() {
		i := int(w.run.next.Add(1) - 1)
		if i >= len(w.run.files) {
			return
		}
		w.readInput(i, w.run.files[i])
	}
}

// readInput opens and decodes one input.
func (w *worker) readInput(i int, name string) {
	w.name, w.fileIdx, w.perFile = name, i, 0
	var rd io.Reader
	switch {
	case name == "-":
		rd = w.run.opt.Stdin
	case IsURL(name) && w.run.opt.Open != nil:
		rc, err := w.run.opt.Open(w.run.ctx, name)
		if err != nil {
			w.problem(0, 0, fmt.Errorf("cannot open input: %w", err))
			return
		}
		defer rc.Close()
		rd = rc
	default:
		f, err := os.Open(name)
		if err != nil {
			w.problem(0, 0, fmt.Errorf("cannot open input: %w", err))
			return
		}
		defer f.Close()
		rd = f
	}
	w.files++
	w.warned, w.warnedUTF8 = false, false
	cr := &countingReader{r: rd}
	if p := w.run.opt.Progress; p != nil {
		cr.progress = &p.BytesRead
		defer func() {
			p.FilesDone.Add(1)
			p.Records.Add(int64(w.perFile))
		}()
	}
	w.decode(cr)
	w.bytes += cr.n
	if w.perFile == 0 {
		w.empty++
		if !w.warned {
			w.warn(0, 0, errNoRecords)
		}
	}
}

// decode sniffs compression and decodes one stream from its start.
func (w *worker) decode(rd io.Reader) { w.decodeAt(rd, StreamStart{}) }

// record parses, classifies and delivers one candidate record.
func (w *worker) record(rec []byte, line int, off int64) verdict {
	if w.run.stop.Load() {
		return recordStop
	}
	w.perFile++
	if f := w.run.opt.Filter; f != nil && !w.inNested && !f(w.idx, rec) {
		w.skipped[sniffLogType(rec)]++
		return recordRead
	}
	if !utf8.Valid(rec) {
		if !w.warnedUTF8 {
			w.warnedUTF8 = true
			w.warn(line, off, errNotUTF8)
		}
		w.fixed = appendValidUTF8(w.fixed[:0], rec)
		rec = w.fixed
	}
	w.maxParse = max(w.maxParse, len(rec))
	doc, err := w.parser.ParseBytes(rec)
	if err != nil {
		w.problem(line, off, fmt.Errorf("cannot parse record: %w", err))
		return recordBroken
	}
	o, err := doc.Object()
	if err != nil {
		w.problem(line, off, fmt.Errorf("record is a JSON %s, not an object", doc.Type()))
		return recordRead
	}
	lt, t, id, err := classify(o)
	if err == errUnknownType && !w.inNested {
		if v := memberValue(rec, "Records"); v >= 0 && rec[v] == '[' {
			if !w.nested(rec, v, line, off) {
				return recordStop
			}
			return recordRead
		}
	}
	if err != nil {
		w.problem(line, off, err)
		return recordRead
	}
	w.records[lt]++
	w.ev = event.Event{
		LogType: lt,
		Time:    t,
		Origin:  event.Origin{File: w.name, Line: line, Offset: off},
		ID:      string(id),
		Raw:     rec,
		Doc:     doc,
		Strings: &w.strs,
		Memo:    &w.memo,
	}
	w.memo.Next()
	if err := w.run.h(w.idx, &w.ev); err != nil {
		w.run.fail(err)
		return recordStop
	}
	return recordRead
}

// sniffLogType guesses a record's log type from its text, for counting
// records that were never parsed.
func sniffLogType(rec []byte) event.LogType {
	switch {
	case bytes.Contains(rec, []byte(`"eventSource"`)):
		return event.CloudTrail
	case bytes.Contains(rec, []byte(`"modelId"`)):
		return event.BedrockInvocation
	}
	return event.UnknownLogType
}

// nested delivers the elements of the "Records" array at rec[v:], in an
// object whose first key was not "Records", with their own origins.
func (w *worker) nested(rec []byte, v, line int, off int64) bool {
	w.perFile--
	w.inNested = true
	defer func() { w.inNested = false }()
	var d decoder
	d.reset(bytes.NewReader(rec[v:]), w.run.opt.MaxRecordBytes, w)
	d.win.base = off + int64(v)
	d.win.line = line + bytes.Count(rec[:v], newline)
	d.win.ensure(1)
	d.array(`"Records" array`)
	return !w.run.stop.Load()
}

// warn records a warning about the current input.
func (w *worker) warn(line int, off int64, err error) {
	w.warned = true
	w.warnings++
	if len(w.warnSamples) < MaxSamples {
		w.warnSamples = append(w.warnSamples, sample{
			file: w.fileIdx,
			p:    Problem{Origin: event.Origin{File: w.name, Line: line, Offset: off}, Err: err},
		})
	}
}

// problem records a problem in the current input.
func (w *worker) problem(line int, off int64, err error) {
	w.perFile++
	w.bad++
	if len(w.samples) < MaxSamples {
		w.samples = append(w.samples, sample{
			file: w.fileIdx,
			p:    Problem{Origin: event.Origin{File: w.name, Line: line, Offset: off}, Err: err},
		})
	}
}

type countingReader struct {
	r        io.Reader
	n        int64
	progress *atomic.Int64 // also counts here, when set
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.progress != nil {
		c.progress.Add(int64(n))
	}
	return n, err
}

var (
	errNoRecords  = errors.New("holds no records")
	errNotUTF8    = errors.New("text is not UTF-8; invalid bytes read as U+FFFD (first here)")
	errNoLogFiles = errors.New("directory holds no log files")
)

// firstSamples returns the first MaxSamples samples in input order.
func firstSamples(samples []sample) []Problem {
	slices.SortStableFunc(samples, func(a, b sample) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.p.Origin.Offset, b.p.Origin.Offset))
	})
	var out []Problem
	for i := 0; i < len(samples) && i < MaxSamples; i++ {
		out = append(out, samples[i].p)
	}
	return out
}
