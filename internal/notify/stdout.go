package notify

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/tripline/tripline/internal/alert"
)

// Stdout writes one encoded alert per line to a writer. Writes are
// serialised, so lines from concurrent Sends never interleave. Send writes
// before returning; put it behind a Router to keep a stalled reader from
// holding detection up.
type Stdout struct {
	mu     sync.Mutex
	w      io.Writer
	format string
	buf    []byte
	closed bool
	sent   atomic.Uint64
	failed atomic.Uint64
}

var _ StatsSink = (*Stdout)(nil)

// NewStdout returns a sink writing alerts to w in the named format.
func NewStdout(w io.Writer, format string) (*Stdout, error) {
	if err := checkFormat(format); err != nil {
		return nil, fmt.Errorf("cannot create stdout sink: %w", err)
	}
	return &Stdout{w: w, format: format}, nil
}

// Name implements Sink.
func (s *Stdout) Name() string { return "stdout" }

// Send implements Sink: it writes the alert and a newline in one Write.
func (s *Stdout) Send(ctx context.Context, a *alert.Alert) error {
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
	if s.closed {
		return ErrClosed
	}
	s.buf = append(append(s.buf[:0], line...), '\n')
	if _, err := s.w.Write(s.buf); err != nil {
		s.failed.Add(1)
		return fmt.Errorf("cannot write alert %s to stdout: %w", a.ID, err)
	}
	s.sent.Add(1)
	return nil
}

// Close implements Sink. It does not close the writer.
func (s *Stdout) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}

// Stats implements StatsSink.
func (s *Stdout) Stats() Stats {
	return Stats{Sent: s.sent.Load(), Failed: s.failed.Load()}
}
