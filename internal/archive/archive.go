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
}

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
	if records <= 0 || ref == "" || ref == "-" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.entries[ref]
	if !ok {
		a.entries[ref] = &Entry{Ref: ref, First: first.UTC(), Last: last.UTC(), Records: records}
		a.dirty = true
		return
	}
	if first.Before(e.First) {
		e.First = first.UTC()
	}
	if last.After(e.Last) {
		e.Last = last.UTC()
	}
	e.Records += records
	a.dirty = true
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
	moved.Ref, moved.Owned = dst, true
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

// Refs returns the refs of Sources(from, to], the range a drilldown
// gives, to include both ends.
func (a *Archive) Refs(from, to time.Time) []string {
	if !to.IsZero() {
		to = to.Add(time.Nanosecond)
	}
	var refs []string
	for _, e := range a.Sources(from, to) {
		refs = append(refs, e.Ref)
	}
	return refs
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
