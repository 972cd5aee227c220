package logs

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/valyala/fastjson"

	"github.com/tripline/tripline/internal/event"
)

// StreamStart places the first byte of a stream inside a larger input, for
// a stream that continues what was read before (the lines appended to a
// growing file). The zero value is the start of an input.
type StreamStart struct {
	// Line is the 1-based line of the stream's first byte; 0 means 1.
	Line int
	// Offset is the offset of the stream's first byte, in decompressed bytes.
	Offset int64
}

// ReadStream reads every record of one stream, gzip or plain, in any format
// Read sniffs, exactly as Read reads one file: origins name the input name
// and count lines and offsets from start, good records go to h with worker
// index 0 (one call at a time), and bad records are counted and sampled in
// Stats without stopping the read. It stops early only when h fails (that
// error is returned) or ctx is done (ctx.Err() is returned). Options.Workers
// and Options.Stdin are ignored.
func ReadStream(ctx context.Context, name string, r io.Reader, start StreamStart, opt Options, h Handler) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	if opt.MaxRecordBytes <= 0 {
		opt.MaxRecordBytes = DefaultMaxRecordBytes
	}
	run := &run{files: []string{name}, opt: opt, h: h}
	stop := context.AfterFunc(ctx, func() { run.stop.Store(true) })
	defer stop()

	w := streamWorkers.Get().(*worker)
	defer func() {
		w.reuse(nil)
		streamWorkers.Put(w)
	}()
	w.reuse(run)
	w.name, w.fileIdx, w.perFile = name, 0, 0
	w.files++
	cr := &countingReader{r: r}
	w.decodeAt(cr, start)
	w.bytes += cr.n
	if w.perFile == 0 {
		w.empty++
	}

	st := Stats{
		Files:   w.files,
		Empty:   w.empty,
		Bytes:   w.bytes,
		Decoded: w.decoded,
		Bad:     w.bad,
		Records: map[event.LogType]int{},
		Skipped: map[event.LogType]int{},
	}
	for s, c := range w.records {
		if c > 0 {
			st.Records[event.LogType(s)] = c
		}
	}
	for s, c := range w.skipped {
		if c > 0 {
			st.Skipped[event.LogType(s)] = c
		}
	}
	for _, s := range w.samples {
		st.BadSamples = append(st.BadSamples, s.p)
	}
	if err := run.failure(); err != nil {
		return st, err
	}
	if run.stop.Load() {
		return st, ctx.Err()
	}
	return st, nil
}

// streamWorkers keeps workers, with their buffers, between ReadStream
// calls: a live source calls it once per chunk.
var streamWorkers = sync.Pool{New: func() any { return newWorker(0, nil) }}

// reuse clears the worker's state and counters for a new run, keeping its
// buffers, decompressor and parser.
func (w *worker) reuse(r *run) {
	br, gz, parser, fixed, buf := w.br, w.gz, w.parser, w.fixed, w.dec.win.buf
	if len(buf) > keepBuffer {
		buf = nil
	}
	br.Reset(nil)
	*w = worker{idx: 0, run: r, br: br, gz: gz, parser: parser, fixed: fixed[:0], samples: w.samples[:0]}
	w.dec.win.buf = buf
}

// decodeAt is decode for a stream that starts at start: it sniffs
// compression and decodes the stream with origins counted from start.
func (w *worker) decodeAt(rd io.Reader, start StreamStart) {
	w.br.Reset(rd)
	var stream io.Reader = w.br
	if magic, _ := w.br.Peek(2); isGzip(magic) {
		var err error
		if w.gz == nil {
			w.gz, err = gzip.NewReader(w.br)
		} else {
			err = w.gz.Reset(w.br)
		}
		if err != nil {
			w.problem(0, start.Offset, fmt.Errorf("cannot read gzip header: %w", err))
			return
		}
		stream = w.gz
	}
	w.dec.reset(stream, w.run.opt.MaxRecordBytes, w)
	w.dec.win.base = start.Offset
	w.dec.win.line = max(start.Line, 1)
	w.dec.run()
	w.decoded += w.dec.win.decoded
	if w.maxParse > keepBuffer {
		w.parser = fastjson.Parser{}
		w.fixed = nil
	}
	w.maxParse = 0
	w.dec.out = nil
}
