package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tripline/tripline/internal/logs"
)

// Defaults of DirConfig.
const (
	DefaultDirPollInterval = 2 * time.Second
	DefaultMaxChunk        = 8 << 20
	DefaultPartialAfter    = time.Minute
)

// DirConfig configures a Dir source.
type DirConfig struct {
	// Root is the directory watched, every file below it at any depth
	// (AWS's S3 layouts included), or a single file.
	Root string
	// PollInterval is the time between two looks at the tree; 0 means
	// DefaultDirPollInterval.
	PollInterval time.Duration
	// Positions records what was read; nil means fresh, empty positions.
	Positions *Positions
	// MaxChunk is the most bytes of a growing file delivered in one chunk
	// (a longer line is delivered whole); 0 means DefaultMaxChunk.
	MaxChunk int
	// PartialAfter is how long a growing file must stay unchanged before
	// a last line without its newline is delivered anyway; 0 means
	// DefaultPartialAfter, a negative value never.
	PartialAfter time.Duration
	// Logger receives warnings; nil means slog.Default().
	Logger *slog.Logger
	// CaughtUp, when set, is called after a poll that found nothing new
	// to deliver and nothing waiting to settle: the source has delivered
	// all it has, for now.
	CaughtUp func()
}

// Dir is a source that polls a directory tree. It tells each file's format
// from its first bytes with logs.Sniff, and delivers
//   - a gzip file, or a plain file holding one JSON document (a
//     {"Records":[...]} object or a JSON array), whole and once, after its
//     size and modification time held still for one poll;
//   - any other plain file (JSON objects one per line, or pretty-printed
//     one after another) as it grows: each chunk is the complete lines
//     (complete objects, when pretty-printed) added since the last one.
//
// A file whose inode changes or that shrinks is read again from its start;
// a file renamed within the tree keeps its position. It skips the files
// logs.Expand skips. Keys in Positions are absolute paths, which also name
// the chunks.
//
// Within one poll, files are delivered in the order of the event time their
// paths suggest (see orderTime), not in lexical order, so that a tree laid
// out region by region is read as one time-ordered stream: otherwise the
// first region would move the engine's watermark past the windows that the
// other regions' events belong in. A whole file seen for the first time
// holds back the files ordered after it until the next poll, so that a
// backfill is delivered as one ordered pass once everything held still.
type Dir struct {
	cfg  DirConfig
	root string
	log  *slog.Logger
	now  func() time.Time

	mu      sync.Mutex
	pending map[string]fileState // whole files waiting to hold still
	buf     []byte
}

// fileState is what one poll saw of a file.
type fileState struct {
	size  int64
	mtime time.Time
	inode uint64
}

func (a fileState) same(b fileState) bool {
	return a.size == b.size && a.inode == b.inode && a.mtime.Equal(b.mtime)
}

// NewDir returns a Dir source for cfg.
func NewDir(cfg DirConfig) (*Dir, error) {
	if cfg.Root == "" {
		return nil, errors.New("cannot watch a directory: no path given")
	}
	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("cannot watch directory %s: %w", cfg.Root, err)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultDirPollInterval
	}
	if cfg.Positions == nil {
		cfg.Positions = NewPositions()
	}
	if cfg.MaxChunk <= 0 {
		cfg.MaxChunk = DefaultMaxChunk
	}
	if cfg.PartialAfter == 0 {
		cfg.PartialAfter = DefaultPartialAfter
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Dir{
		cfg:     cfg,
		root:    root,
		log:     cfg.Logger.With("source", "dir", "root", root),
		now:     time.Now,
		pending: map[string]fileState{},
	}, nil
}

// Positions returns the positions the source records into.
func (d *Dir) Positions() *Positions { return d.cfg.Positions }

// Run polls the tree every PollInterval until ctx is done, then returns
// nil. A failed poll is logged and tried again at the next one.
func (d *Dir) Run(ctx context.Context, deliver Deliver) error {
	t := time.NewTicker(d.cfg.PollInterval)
	defer t.Stop()
	for {
		counted, n := caughtUp(deliver)
		err := d.Poll(ctx, counted)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("cannot read the watched directory; trying again", "err", err)
		}
		if err == nil && *n == 0 && d.cfg.CaughtUp != nil && d.settled() {
			d.cfg.CaughtUp()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// settled reports whether no whole file is waiting to hold still.
func (d *Dir) settled() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.pending) == 0
}

// Poll looks at the tree once and delivers what is new, in the order of the
// event times estimated from the paths (see orderTime), then of the paths.
// A whole file seen for the first time ends the poll: it and the files
// ordered after it wait for the next one. Poll stops at the first chunk that
// Deliver fails and returns that error; the chunk is offered again by the
// next poll.
func (d *Dir) Poll(ctx context.Context, deliver Deliver) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	paths, err := d.list()
	if err != nil {
		return err
	}
	current := make(map[string]fileState, len(paths))
	order := make([]ordered, 0, len(paths))
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		current[p] = fileState{size: fi.Size(), mtime: fi.ModTime(), inode: inode(fi)}
		order = append(order, ordered{path: p, at: orderTime(d.rel(p), fi.ModTime())})
	}
	slices.SortFunc(order, func(a, b ordered) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.path, b.path)
	})
	d.forgetVanished(current)
	for p := range d.pending {
		if _, ok := current[p]; !ok {
			delete(d.pending, p)
		}
	}
	for _, o := range order {
		if err := ctx.Err(); err != nil {
			return err
		}
		held, err := d.file(ctx, o.path, current[o.path], deliver)
		if err != nil {
			return fmt.Errorf("cannot deliver %s: %w", o.path, err)
		}
		if held {
			// Later files wait too, but every new whole file is seen now,
			// so that the next poll can deliver them all in order.
			d.notePending(order, current)
			return nil
		}
	}
	return nil
}

// ordered is a file and the event time its path suggests.
type ordered struct {
	path string
	at   time.Time
}

// notePending records the state of every whole file not yet seen, so that
// files held back by Poll need only one more poll to be delivered.
func (d *Dir) notePending(order []ordered, current map[string]fileState) {
	for _, o := range order {
		if _, ok := d.pending[o.path]; ok {
			continue
		}
		if _, known := d.cfg.Positions.Get(o.path); known {
			continue // read before: a change is noticed by the next poll
		}
		if readWhole(d.sniff(o.path)) {
			d.pending[o.path] = current[o.path]
		}
	}
}

// sniff returns the format of the file at path, or logs.FormatEmpty when
// it cannot be read.
func (d *Dir) sniff(path string) logs.Format {
	f, err := os.Open(path)
	if err != nil {
		return logs.FormatEmpty
	}
	defer f.Close()
	format, err := sniffFile(f)
	if err != nil {
		return logs.FormatEmpty
	}
	return format
}

// sniffFile tells the format of f from its first bytes (see logs.Sniff).
func sniffFile(f *os.File) (logs.Format, error) {
	head := make([]byte, logs.SniffLen)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return logs.FormatEmpty, err
	}
	return logs.Sniff(head[:n]), nil
}

// readWhole reports whether a file of format f is delivered whole, once it
// holds still: a compressed stream or one JSON document cannot be cut into
// chunks that decode apart from each other.
func readWhole(f logs.Format) bool {
	return f == logs.FormatGzip || f == logs.FormatRecords || f == logs.FormatArray
}

// rel is path relative to the root, or path itself when the root is the
// file.
func (d *Dir) rel(path string) string {
	if r, err := filepath.Rel(d.root, path); err == nil && r != "." {
		return r
	}
	return path
}

// orderTime estimates the event time of the records in a file from its
// path (see logs.PathTime), or else from its modification time.
func orderTime(path string, mtime time.Time) time.Time {
	if t, ok := logs.PathTime(path); ok {
		return t
	}
	return mtime
}

// list returns the files below the root; none while the root is missing.
func (d *Dir) list() ([]string, error) {
	if _, err := os.Stat(d.root); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return logs.Expand([]string{d.root})
}

// under reports whether key is a path below (or at) the root.
func (d *Dir) under(key string) bool {
	return key == d.root || strings.HasPrefix(key, d.root+string(filepath.Separator))
}

// forgetVanished moves the position of a file renamed within the tree to
// its new path, and forgets the positions of files that no longer exist.
func (d *Dir) forgetVanished(current map[string]fileState) {
	byInode := map[uint64]string{} // files that moved away from their path
	for key, pos := range d.cfg.Positions.withPrefix(d.root) {
		if !d.under(key) {
			continue
		}
		if st, ok := current[key]; ok {
			if pos.Inode != 0 && st.inode != 0 && st.inode != pos.Inode {
				byInode[pos.Inode] = key // replaced by another file
			}
			continue
		}
		if _, err := os.Lstat(key); !errors.Is(err, fs.ErrNotExist) {
			continue // still there, only skipped or unreadable for now
		}
		if pos.Inode != 0 {
			byInode[pos.Inode] = key
		}
		defer d.cfg.Positions.Delete(key)
	}
	if len(byInode) == 0 {
		return
	}
	for p, st := range current {
		old, ok := byInode[st.inode]
		if !ok {
			continue
		}
		if _, known := d.cfg.Positions.Get(p); known {
			continue
		}
		pos, _ := d.cfg.Positions.Get(old)
		if st.size < pos.Offset || !sameHead(p, pos) {
			continue // not the same file: a new one may reuse a deleted file's inode
		}
		d.cfg.Positions.Set(p, pos)
		delete(byInode, st.inode)
		d.log.Info("file renamed; keeping its position", "from", old, "to", p)
	}
}

// file delivers what is new in one file. It reports held when the file is
// a whole file seen for the first time, which must hold still for a poll
// before it is delivered.
func (d *Dir) file(ctx context.Context, path string, st fileState, deliver Deliver) (held bool, err error) {
	pos, known := d.cfg.Positions.Get(path)
	if known {
		switch {
		case pos.Inode != 0 && st.inode != 0 && pos.Inode != st.inode:
			d.log.Info("file replaced; reading it again from the start", "file", path)
			pos = Position{}
		case st.size < pos.Offset || (pos.Done && st.size < pos.Size):
			d.log.Info("file truncated; reading it again from the start", "file", path)
			pos = Position{}
		case pos.Done && (st.size != pos.Size || !st.mtime.Equal(pos.ModTime)):
			d.log.Info("file rewritten; reading it again", "file", path)
			pos = Position{}
		case pos.Done, pos.Offset == st.size:
			return false, nil
		}
	}
	if st.size == 0 {
		return false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		d.log.Warn("cannot open file; trying again later", "file", path, "err", err)
		return false, nil
	}
	defer f.Close()
	format, err := sniffFile(f)
	if err != nil {
		d.log.Warn("cannot read file; trying again later", "file", path, "err", err)
		return false, nil
	}
	switch {
	case format == logs.FormatEmpty:
		return false, nil
	case readWhole(format):
		return d.whole(ctx, path, f, st, deliver)
	}
	// JSON lines, pretty-printed objects, or text the decoder reports
	// line by line.
	return false, d.lines(ctx, path, f, st, pos, format == logs.FormatPretty, deliver)
}

// Stream names the source's stream: the watched directory.
func (d *Dir) Stream() string { return d.root }

// whole delivers a file whole once it held still since the last poll. It
// reports held when the file was not seen before.
func (d *Dir) whole(ctx context.Context, path string, f *os.File, st fileState, deliver Deliver) (held bool, err error) {
	if prev, ok := d.pending[path]; !ok || !prev.same(st) {
		d.pending[path] = st
		return !ok, nil
	}
	c := Chunk{
		Name:     path,
		Data:     f,
		Key:      path,
		Stream:   d.root,
		Position: Position{Offset: st.size, Size: st.size, ModTime: st.mtime, Inode: st.inode, Done: true, Head: headOf(f, st.size)},
	}
	if err := deliver(ctx, c); err != nil {
		return false, err
	}
	d.cfg.Positions.Set(path, c.Position)
	delete(d.pending, path)
	return false, nil
}

// lines delivers the complete lines of a growing file past pos, in chunks
// of at most MaxChunk bytes unless one line is longer.
func (d *Dir) lines(ctx context.Context, path string, f *os.File, st fileState, pos Position, pretty bool, deliver Deliver) error {
	maxLine := d.cfg.MaxChunk + logs.DefaultMaxRecordBytes
	for pos.Offset < st.size {
		remaining := st.size - pos.Offset
		limit := d.cfg.MaxChunk
		var chunk []byte
		for {
			n := int(min(remaining, int64(limit)))
			if cap(d.buf) < n {
				d.buf = make([]byte, n)
			}
			buf := d.buf[:n]
			got, err := f.ReadAt(buf, pos.Offset)
			if err != nil && err != io.EOF {
				d.log.Warn("cannot read file; trying again later", "file", path, "err", err)
				return nil
			}
			buf = buf[:got]
			if cut := boundary(buf, pretty); cut > 0 {
				chunk = buf[:cut]
				break
			}
			if int64(got) < remaining && limit < maxLine {
				limit = min(2*limit, maxLine) // one line longer than the chunk
				continue
			}
			if int64(got) < remaining || (d.cfg.PartialAfter >= 0 && d.now().Sub(st.mtime) >= d.cfg.PartialAfter) {
				chunk = buf // a line too long to hold, or an unfinished last line long left alone
			}
			break
		}
		if len(chunk) == 0 {
			return nil
		}
		next := Position{
			Offset:  pos.Offset + int64(len(chunk)),
			Lines:   pos.Lines + bytes.Count(chunk, []byte{'\n'}),
			Size:    st.size,
			ModTime: st.mtime,
			Inode:   st.inode,
		}
		next.Head = headOf(f, next.Offset)
		c := Chunk{
			Name:     path,
			Stream:   d.root,
			Data:     bytes.NewReader(chunk),
			Start:    logs.StreamStart{Line: pos.Lines + 1, Offset: pos.Offset},
			Key:      path,
			Position: next,
		}
		if err := deliver(ctx, c); err != nil {
			return err
		}
		d.cfg.Positions.Set(path, next)
		pos = next
	}
	if cap(d.buf) > d.cfg.MaxChunk {
		d.buf = nil // grown for one huge line
	}
	return nil
}

// boundary returns the length of the prefix of b that holds complete
// records: up to the last newline, or for pretty-printed objects up to the
// last line that closes a top-level object ("}" at the start of a line).
// It returns 0 when b holds none.
func boundary(b []byte, pretty bool) int {
	end := bytes.LastIndexByte(b, '\n')
	if !pretty {
		return end + 1
	}
	for end >= 0 {
		start := bytes.LastIndexByte(b[:end], '\n') + 1
		if line := bytes.TrimRight(b[start:end], " \t\r,"); string(line) == "}" {
			return end + 1
		}
		end = start - 1
	}
	return 0
}

// headLen is how many leading bytes of a file Position.Head covers.
const headLen = 4096

// headOf hashes the first min(headLen, n) bytes of f, without moving its
// read offset; 0 when they cannot be read.
func headOf(f *os.File, n int64) uint64 {
	n = min(n, headLen)
	buf := make([]byte, n)
	if got, err := f.ReadAt(buf, 0); int64(got) != n && err != nil {
		return 0
	}
	h := fnv.New64a()
	h.Write(buf)
	return h.Sum64() | 1 // never 0, which means "unknown"
}

// sameHead reports whether the file at path starts as the file that pos
// was recorded for; positions without a head (older checkpoints) match.
func sameHead(path string, pos Position) bool {
	if pos.Head == 0 {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return headOf(f, pos.Offset) == pos.Head
}
