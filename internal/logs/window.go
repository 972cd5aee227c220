package logs

import (
	"bytes"
	"io"
)

const (
	initialBuffer = 256 << 10
	// keepBuffer is the largest window kept for the next file; a window
	// grown past it for one huge record is dropped.
	keepBuffer = 8 << 20
)

// window holds the stretch of a decompressed stream the decoder is at,
// sliding along it. The unread part is buf[r:w]; bytes before r are
// consumed and may be dropped by the next call to more. It tracks the stream offset and the line of buf[r].
type window struct {
	rd      io.Reader
	buf     []byte
	r, w    int
	base    int64 // stream offset of buf[0]
	line    int   // 1-based line of buf[r]
	err     error // why the stream stopped: io.EOF or a read error
	decoded int64 // bytes read from rd so far
	limit   int   // the window never grows past this
}

func (s *window) reset(rd io.Reader, limit int) {
	if s.buf == nil || len(s.buf) > keepBuffer {
		s.buf = make([]byte, initialBuffer)
	}
	*s = window{rd: rd, buf: s.buf, line: 1, limit: limit}
}

// offset is the stream offset of buf[r].
func (s *window) offset() int64 { return s.base + int64(s.r) }

// avail is the unread part of the window.
func (s *window) avail() []byte { return s.buf[s.r:s.w] }

// advance consumes n unread bytes, counting the lines they end.
func (s *window) advance(n int) {
	s.line += bytes.Count(s.buf[s.r:s.r+n], newline)
	s.r += n
}

var newline = []byte{'\n'}

// more reads more of the stream into the window, keeping the unread bytes
// (their index relative to r does not change, their index in buf may). It
// reports false when nothing more can be read; err then says why.
func (s *window) more() bool {
	if s.err != nil {
		return false
	}
	if s.r > 0 {
		copy(s.buf, s.buf[s.r:s.w])
		s.base += int64(s.r)
		s.w -= s.r
		s.r = 0
	}
	if s.w == len(s.buf) {
		size := 2 * len(s.buf)
		if size > s.limit {
			size = s.limit
		}
		if size <= len(s.buf) {
			panic("BUG: window full at its limit")
		}
		nb := make([]byte, size)
		copy(nb, s.buf[:s.w])
		s.buf = nb
	}
	for range 100 {
		n, err := s.rd.Read(s.buf[s.w:])
		s.w += n
		s.decoded += int64(n)
		if err != nil {
			s.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// ensure tries to have at least n unread bytes and reports whether it has.
func (s *window) ensure(n int) bool {
	for s.w-s.r < n {
		if !s.more() {
			return false
		}
	}
	return true
}
