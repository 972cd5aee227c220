package notify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/tripline/tripline/internal/alert"
)

// File appends one encoded alert per line to a file and rotates it by
// size: when the next line would take the file past maxBytes, path becomes
// path.1, path.1 becomes path.2, and so on up to path.<keep>; older files
// are removed. A line is never split across files, so every file holds
// complete lines; a line longer than maxBytes gets a file of its own.
type File struct {
	mu       sync.Mutex
	path     string
	format   string
	maxBytes int64
	keep     int
	f        *os.File
	size     int64
	buf      []byte
	sent     atomic.Uint64
	failed   atomic.Uint64
}

var _ StatsSink = (*File)(nil)

// NewFile opens (or creates) path for appending alerts in the named format.
// maxBytes <= 0 turns rotation off; keep is the number of rotated files
// kept beside path (0 keeps none: the file starts over).
func NewFile(path, format string, maxBytes int64, keep int) (*File, error) {
	if err := checkFormat(format); err != nil {
		return nil, fmt.Errorf("cannot create file sink %s: %w", path, err)
	}
	if path == "" {
		return nil, fmt.Errorf("cannot create file sink: no path")
	}
	if keep < 0 {
		keep = 0
	}
	s := &File{path: path, format: format, maxBytes: maxBytes, keep: keep}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("cannot create file sink %s: %w", path, err)
		}
	}
	if err := s.open(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *File) open() error {
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("cannot open alert file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("cannot open alert file: %w", err)
	}
	s.f, s.size = f, st.Size()
	return nil
}

// Name implements Sink.
func (s *File) Name() string { return "file:" + s.path }

// Send implements Sink: it writes the alert and a newline in one Write,
// rotating first when the line would not fit.
func (s *File) Send(ctx context.Context, a *alert.Alert) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	line, err := Encode(s.format, a)
	if err != nil {
		s.failed.Add(1)
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return ErrClosed
	}
	s.buf = append(append(s.buf[:0], line...), '\n')
	if s.maxBytes > 0 && s.size > 0 && s.size+int64(len(s.buf)) > s.maxBytes {
		if err := s.rotate(); err != nil {
			s.failed.Add(1)
			return err
		}
	}
	n, err := s.f.Write(s.buf)
	s.size += int64(n)
	if err != nil {
		s.failed.Add(1)
		return fmt.Errorf("cannot write alert %s to %s: %w", a.ID, s.path, err)
	}
	s.sent.Add(1)
	return nil
}

// rotate shifts path.i to path.i+1 (dropping the oldest), path to path.1,
// and opens a fresh path. When shifting fails the file is reopened as it
// is, so later alerts still land somewhere. It holds s.mu.
func (s *File) rotate() error {
	err := s.f.Close()
	s.f = nil
	if err == nil {
		err = s.shift()
	}
	if oerr := s.open(); oerr != nil {
		return oerr
	}
	if err != nil {
		return fmt.Errorf("cannot rotate %s: %w", s.path, err)
	}
	return nil
}

func (s *File) shift() error {
	if s.keep == 0 {
		if err := os.Remove(s.path); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	if err := os.Remove(s.rotated(s.keep)); err != nil && !os.IsNotExist(err) {
		return err
	}
	for i := s.keep - 1; i >= 1; i-- {
		if err := os.Rename(s.rotated(i), s.rotated(i+1)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return os.Rename(s.path, s.rotated(1))
}

func (s *File) rotated(i int) string { return s.path + "." + strconv.Itoa(i) }

// Close implements Sink: it syncs and closes the file.
func (s *File) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Sync()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	if err != nil {
		return fmt.Errorf("cannot close alert file %s: %w", s.path, err)
	}
	return nil
}

// Stats implements StatsSink.
func (s *File) Stats() Stats {
	return Stats{Sent: s.sent.Load(), Failed: s.failed.Load()}
}
