package archive

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Entry is one source the archive can read again: a watched file, an S3
// object, or an ingested body kept in the archive's own files, with the
// event times it was seen to hold.
type Entry struct {
	// Ref is a local path or an s3://bucket/key URL.
	Ref string `json:"ref"`
	// First and Last bound the event times of the records read from it.
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
	Records int       `json:"records"`
	// Owned says the archive holds the file itself (an ingested body),
	// so retention deletes it; other refs are only forgotten.
	Owned bool `json:"owned,omitempty"`
	// Spans place the records of a plain file read in pieces (a watched
	// file that grows) by byte range, so that a search of one hour reads
	// that hour's bytes; none means the source is read whole.
	Spans []Span `json:"spans,omitempty"`
}

// Span is a byte range of a source and the event times its records hold.
type Span struct {
	Offset int64     `json:"offset"`
	Length int64     `json:"length"`
	First  time.Time `json:"first"`
	Last   time.Time `json:"last"`
}

// spanReach is how much event time one span may cover: pieces of a
// growing file read one after the other join into spans of about an hour,
// so the index grows with hours, not with reads.
const spanReach = time.Hour

// overlaps reports whether the entry may hold events in [from, to); a
// zero bound is open.
func (e *Entry) overlaps(from, to time.Time) bool {
	return (from.IsZero() || !e.Last.Before(from)) && (to.IsZero() || e.First.Before(to))
}

// Archive indexes the sources a serve instance read, by event time, and
// keeps ingested bodies compressed under its directory, partitioned by
// day, until retention removes them. It is safe for concurrent use.
type Archive struct {
	dir       string
	retention time.Duration

	// Problems lists the index lines Open could not read (file:line),
	// for the caller to report.
	Problems []string

	mu      sync.Mutex
	entries map[string]*Entry
	dirty   bool
}

const indexName = "index.jsonl"

// Open opens (creating it) the archive in dir. retention is how long,
// behind the newest event the archive holds, a source stays; 0 keeps
// everything.
func Open(dir string, retention time.Duration) (*Archive, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create archive: %w", err)
	}
	a := &Archive{dir: dir, retention: retention, entries: map[string]*Entry{}}
	f, err := os.Open(filepath.Join(dir, indexName))
	if errors.Is(err, os.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot open archive index: %w", err)
	}
	defer f.Close()
	if err := a.readIndex(f, f.Name()); err != nil {
		return nil, fmt.Errorf("cannot read archive index: %w", err)
	}
	return a, nil
}

// readIndex loads index lines from r (named name in problems): a line
// that is not an entry is reported in Problems and the others load.
func (a *Archive) readIndex(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Ref == "" {
			// Saving renames a whole file, so only a hand edit or a disk
			// fault gets here: the line is reported and the rest loads.
			a.Problems = append(a.Problems, fmt.Sprintf("%s:%d: not an archive entry, skipped", name, line))
			a.dirty = true
			continue
		}
		a.entries[e.Ref] = &e
	}
	return sc.Err()
}

// Dir returns the archive's directory.
func (a *Archive) Dir() string { return a.dir }

// Seen records that records with event times in [first, last] were read
// from ref (a path or s3:// URL). It is called once per chunk read.
func (a *Archive) Seen(ref string, first, last time.Time, records int) {
	a.SeenRange(ref, 0, 0, first, last, records)
}

// SeenRange is Seen for a piece of a plain file: the length bytes at
// offset. A length of 0 means the source was read whole.
func (a *Archive) SeenRange(ref string, offset, length int64, first, last time.Time, records int) {
	if records <= 0 || ref == "" || ref == "-" {
		return
	}
	first, last = first.UTC(), last.UTC()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.dirty = true
	e, ok := a.entries[ref]
	if !ok {
		e = &Entry{Ref: ref, First: first, Last: last, Records: records}
		if length > 0 {
			e.Spans = []Span{{Offset: offset, Length: length, First: first, Last: last}}
		}
		a.entries[ref] = e
		return
	}
	if first.Before(e.First) {
		e.First = first
	}
	if last.After(e.Last) {
		e.Last = last
	}
	e.Records += records
	switch {
	case length == 0:
		e.Spans = nil // read whole now: searches read it whole
	case len(e.Spans) == 0:
		// Known whole already; a later piece changes nothing.
	default:
		sp := &e.Spans[len(e.Spans)-1]
		lo, hi := minTime(sp.First, first), maxTime(sp.Last, last)
		if sp.Offset+sp.Length == offset && hi.Sub(lo) <= spanReach {
			sp.Length += length
			sp.First, sp.Last = lo, hi
			return
		}
		e.Spans = append(e.Spans, Span{Offset: offset, Length: length, First: first, Last: last})
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Adopt moves an ingested body, read to its end, into the archive's own
// files: compressed, under the day of its first event. Its entry follows
// it. A body the archive never saw records from is left alone (false).
func (a *Archive) Adopt(path string) (bool, error) {
	a.mu.Lock()
	e, ok := a.entries[path]
	a.mu.Unlock()
	if !ok {
		return false, nil
	}
	day := e.First.UTC().Format("2006-01-02")
	name := filepath.Base(path)
	if !strings.HasSuffix(name, ".gz") {
		name += ".gz"
	}
	dst := filepath.Join(a.dir, day, name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return false, fmt.Errorf("cannot archive %s: %w", path, err)
	}
	if err := compressTo(path, dst); err != nil {
		return false, fmt.Errorf("cannot archive %s: %w", path, err)
	}
	a.mu.Lock()
	delete(a.entries, path)
	moved := *e
	moved.Ref, moved.Owned, moved.Spans = dst, true, nil // compressed now: read whole
	a.entries[dst] = &moved
	a.dirty = true
	a.mu.Unlock()
	// The index must name the new file before the old one goes: a crash
	// in between leaves a body that is both spooled and archived, never
	// one that is neither.
	if err := a.Save(); err != nil {
		return false, err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return true, fmt.Errorf("archived %s but cannot remove it: %w", path, err)
	}
	return true, nil
}

// compressTo writes src to dst gzip-compressed (as it is when src already
// is), durably, through a temporary file.
func compressTo(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	br := bufio.NewReader(in)
	head, _ := br.Peek(2)
	if bytes.Equal(head, []byte{0x1f, 0x8b}) {
		_, err = io.Copy(out, br)
	} else {
		zw := gzip.NewWriter(out)
		if _, err = io.Copy(zw, br); err == nil {
			err = zw.Close()
		}
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}

// Sources returns the entries that may hold events in [from, to), oldest
// first; zero bounds are open.
func (a *Archive) Sources(from, to time.Time) []Entry {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Entry
	for _, e := range a.entries {
		if e.overlaps(from, to) {
			out = append(out, *e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].First.Equal(out[j].First) {
			return out[i].First.Before(out[j].First)
		}
		return out[i].Ref < out[j].Ref
	})
	return out
}

// Refs returns what a search of (from, to] reads, the range a drilldown
// gives, to include both ends: the refs of Sources, and for a file read in
// pieces only the pieces of the range, as range refs (see OpenRange).
func (a *Archive) Refs(from, to time.Time) []string {
	if !to.IsZero() {
		to = to.Add(time.Nanosecond)
	}
	var refs []string
	for _, e := range a.Sources(from, to) {
		if len(e.Spans) == 0 {
			refs = append(refs, e.Ref)
			continue
		}
		for _, sp := range e.Spans {
			in := Entry{First: sp.First, Last: sp.Last}
			if in.overlaps(from, to) {
				refs = append(refs, RangeRef(e.Ref, sp.Offset, sp.Length))
			}
		}
	}
	return refs
}

// rangeScheme starts a range ref: range://OFFSET+LENGTH/PATH.
const rangeScheme = "range://"

// RangeRef names length bytes at offset of the file at path, for a read
// through OpenRange.
func RangeRef(path string, offset, length int64) string {
	return fmt.Sprintf("%s%d+%d/%s", rangeScheme, offset, length, path)
}

// IsRange reports whether a ref names a range of a file.
func IsRange(ref string) bool { return strings.HasPrefix(ref, rangeScheme) }

// OpenRange opens the bytes a range ref names.
func OpenRange(ref string) (io.ReadCloser, error) {
	rest, ok := strings.CutPrefix(ref, rangeScheme)
	where, path, ok2 := strings.Cut(rest, "/")
	offText, lenText, ok3 := strings.Cut(where, "+")
	off, err1 := strconv.ParseInt(offText, 10, 64)
	n, err2 := strconv.ParseInt(lenText, 10, 64)
	if !ok || !ok2 || !ok3 || err1 != nil || err2 != nil || off < 0 || n < 0 {
		return nil, fmt.Errorf("%q is not a range of a file", ref)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, off, n), f}, nil
}

// Prune forgets the sources whose newest event is older than the
// retention behind the newest event the archive holds, deleting the
// archive's own files among them. Event time, not the wall clock, decides,
// so replayed logs from last year are kept as long as live ones. It returns
// how many entries went.
func (a *Archive) Prune() (int, error) {
	if a.retention <= 0 {
		return 0, nil
	}
	a.mu.Lock()
	var newest time.Time
	for _, e := range a.entries {
		if e.Last.After(newest) {
			newest = e.Last
		}
	}
	cut := newest.Add(-a.retention)
	var gone []Entry
	for ref, e := range a.entries {
		if e.Last.Before(cut) {
			gone = append(gone, *e)
			delete(a.entries, ref)
			a.dirty = true
		}
	}
	a.mu.Unlock()
	if len(gone) == 0 {
		return 0, nil
	}
	if err := a.Save(); err != nil {
		return 0, err
	}
	var errs []error
	for _, e := range gone {
		if !e.Owned {
			continue
		}
		if err := os.Remove(e.Ref); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
		os.Remove(filepath.Dir(e.Ref)) // the day's directory, once empty
	}
	return len(gone), errors.Join(errs...)
}

// Save writes the index if it changed, atomically.
func (a *Archive) Save() error {
	a.mu.Lock()
	if !a.dirty {
		a.mu.Unlock()
		return nil
	}
	refs := make([]string, 0, len(a.entries))
	for ref := range a.entries {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, ref := range refs {
		if err := enc.Encode(a.entries[ref]); err != nil {
			a.mu.Unlock()
			return err
		}
	}
	a.dirty = false
	a.mu.Unlock()
	path := filepath.Join(a.dir, indexName)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err == nil {
		_, err = f.Write(buf.Bytes())
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		a.mu.Lock()
		a.dirty = true
		a.mu.Unlock()
		return fmt.Errorf("cannot save archive index: %w", err)
	}
	return nil
}
