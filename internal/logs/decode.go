package logs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// sink receives what a decoder finds: candidate records (JSON text, not yet
// parsed) and problems. record says what became of a record.
type sink interface {
	record(rec []byte, line int, off int64) verdict
	problem(line int, off int64, err error)
	warn(line int, off int64, err error)
}

// verdict is what a sink made of a record.
type verdict uint8

const (
	recordRead   verdict = iota // delivered, skipped unparsed, or reported bad
	recordBroken                // reported: the text is not JSON
	recordStop                  // stop the stream
)

// sniffLookahead is how much of a top-level value the decoder has in its
// window before it sniffs the value's shape; it reads on only while the
// shape is still open (see sniffValue).
const sniffLookahead = 256

var errTruncated = errors.New("unexpected end of input inside record")

// decoder splits one decompressed stream into records. It sniffs the shape
// from content: {"Records":[...]} wrappers, JSON arrays, objects one per
// line, or pretty-printed objects, in any mix. It never stops at a bad
// record; it stops the stream when the structure around the records is
// broken, since nothing after that point can be placed reliably.
type decoder struct {
	win window
	out sink
	max int
	sc  valueScanner
	// layout is how the top-level objects that are not {"Records":[...]}
	// wrappers are laid out, FormatLines or FormatPretty, decided on the
	// first of them; 0 until then.
	layout Format
	// start is how the first record of the array being read began ({ and
	// its first key), to find the next record by after damage.
	start  []byte
	failed bool // a read or structure problem was reported; stop quietly
}

func (d *decoder) reset(rd io.Reader, maxRecord int, out sink) {
	d.win.reset(rd, maxRecord+64<<10)
	d.out = out
	d.max = maxRecord
	d.layout = 0
	d.failed = false
}

// run decodes the whole stream.
func (d *decoder) run() {
	d.win.ensure(3)
	if bytes.HasPrefix(d.win.avail(), byteOrderMark) {
		d.win.r += 3
	}
	for started := false; ; started = true {
		if !d.skipSpace() {
			d.atEnd(false, d.win.line, d.win.offset())
			return
		}
		var ok bool
		switch f, n := d.sniffValue(); f {
		case FormatArray:
			ok = d.array("JSON array")
		case FormatRecords:
			ok = d.wrapper(n)
		case FormatLines, FormatPretty:
			ok = d.object(f)
		default:
			c := d.win.buf[d.win.r]
			if !started {
				d.fail(fmt.Errorf("not a JSON log: starts with %s", quoteByte(c)))
				return
			}
			d.fail(fmt.Errorf("unexpected %s outside any record", quoteByte(c)))
			ok = d.skipLine()
		}
		if !ok {
			return
		}
	}
}

// fail reports a problem at the current position.
func (d *decoder) fail(err error) {
	d.out.problem(d.win.line, d.win.offset(), err)
}

// atEnd reports why the input ended early, if it did: a read error (a
// damaged gzip stream), or the end of input inside a record.
func (d *decoder) atEnd(inRecord bool, line int, off int64) {
	if d.failed {
		return
	}
	switch {
	case d.win.err != nil && d.win.err != io.EOF:
		d.failed = true
		d.out.problem(line, off, fmt.Errorf("cannot read input: %w", d.win.err))
	case inRecord:
		d.failed = true
		d.out.problem(line, off, errTruncated)
	}
}

// skipSpace consumes whitespace and reports whether a byte follows.
func (d *decoder) skipSpace() bool {
	s := &d.win
	for {
		for s.r < s.w {
			switch s.buf[s.r] {
			case '\n':
				s.line++
			case ' ', '\t', '\r':
			default:
				return true
			}
			s.r++
		}
		if !s.more() {
			return false
		}
	}
}

// skipLine consumes the rest of the current line, to resynchronise after
// garbage. It reports whether input remains.
func (d *decoder) skipLine() bool {
	s := &d.win
	for {
		if i := bytes.IndexByte(s.avail(), '\n'); i >= 0 {
			s.advance(i + 1)
			return true
		}
		s.advance(s.w - s.r)
		if !s.more() {
			d.atEnd(false, s.line, s.offset())
			return false
		}
	}
}

// sniffValue tells the shape of the top-level value at the window's start
// (see sniffValue), reading on while what follows could change it.
func (d *decoder) sniffValue() (f Format, n int) {
	s := &d.win
	s.ensure(sniffLookahead)
	for {
		f, n, sure := sniffValue(s.avail())
		if sure || s.w-s.r > d.max || !s.more() {
			return f, n
		}
	}
}

// object reads a top-level object that is not a {"Records":[...]}
// wrapper, laid out as f says, or as the first such object was.
func (d *decoder) object(f Format) bool {
	if d.layout == 0 {
		d.layout = f
	}
	if d.layout == FormatLines {
		return d.line()
	}
	return d.value()
}

// wrapper reads a {"Records": [...]} object whose prefix is n bytes long.
func (d *decoder) wrapper(n int) bool {
	s := &d.win
	s.advance(n)
	if !d.skipSpace() {
		d.atEnd(false, s.line, s.offset())
		if !d.failed {
			d.fail(errors.New(`unexpected end of input after "Records":`))
		}
		return false
	}
	switch s.buf[s.r] {
	case '[':
		if !d.array(`"Records" array`) {
			return false
		}
	case 'n':
		if !s.ensure(4) || !bytes.HasPrefix(s.avail(), []byte("null")) {
			d.fail(errors.New(`"Records" is neither an array nor null`))
			return false
		}
		d.out.warn(s.line, s.offset(), errors.New(`"Records" is null: no records here`))
		s.advance(4)
	default:
		d.fail(errors.New(`"Records" is neither an array nor null`))
		return false
	}
	if !d.skipSpace() {
		d.atEnd(false, s.line, s.offset())
		if !d.failed {
			d.fail(errors.New(`unexpected end of input: "Records" object not closed`))
		}
		return false
	}
	switch c := s.buf[s.r]; c {
	case '}':
		s.advance(1)
		return true
	case ',':
		// Other members after the array: skip them with the scanner, as if
		// it had already entered the object.
		line, off := s.line, s.offset()
		s.advance(1)
		d.sc = valueScanner{depth: 1}
		end, st := d.span()
		switch st {
		case spanDone:
			s.advance(end)
			return true
		case spanOversize:
			return true
		}
		d.atEnd(true, line, off)
		return false
	default:
		d.fail(fmt.Errorf(`unexpected %s after the "Records" array`, quoteByte(c)))
		return false
	}
}

// array reads a JSON array of records starting at '['. A bad element is
// reported and skipped. A break in the array itself (a stray bracket, a
// missing comma, garbage, a record whose string never closes) is reported
// where it starts, and reading resumes at the next record, found by the
// text its first record began with ({"eventVersion": in CloudTrail), so
// that one damaged record does not cost the rest of the file.
func (d *decoder) array(what string) bool {
	s := &d.win
	line, off := s.line, s.offset()
	s.advance(1)
	outer := d.start
	defer func() { d.start = outer }()
	d.start = nil // how this array's first record began
	// A comma comes before every record but the first, and but one that
	// reading resumed at.
	for first := true; ; {
		if !d.skipSpace() {
			d.atEnd(false, line, off)
			if !d.failed {
				d.failed = true
				d.out.problem(line, off, fmt.Errorf("unexpected end of input: %s not closed", what))
			}
			return false
		}
		c := s.buf[s.r]
		if c == ']' {
			s.advance(1)
			return true
		}
		if !first {
			if c != ',' {
				if d.resume(d.start, 0, fmt.Errorf("unexpected %s in %s: want ',' or ']' after a record", quoteByte(c), what), nil) {
					first = true
					continue
				}
				return false
			}
			s.advance(1)
			if !d.skipSpace() {
				continue // reported above on the next round
			}
			if c = s.buf[s.r]; c == ']' { // tolerate a trailing comma
				s.advance(1)
				return true
			}
		}
		if !validStart(c) {
			if d.resume(d.start, 0, fmt.Errorf("unexpected %s in %s: want a record", quoteByte(c), what), nil) {
				first = true
				continue
			}
			return false
		}
		if d.start == nil {
			d.start = recordStart(s)
		}
		first = false
		switch d.element() {
		case elementStop:
			return false
		case elementUnclosed:
			// The record runs to the end of input: resume at the next
			// record that starts inside it, if one does.
			if !d.resume(d.start, 1, errUnclosed, errTruncated) {
				return false
			}
			first = true
		case elementResumed:
			first = true
		}
	}
}

var errUnclosed = errors.New("record not closed before the next one starts")

// recordStart returns how the record at the window's start begins: '{',
// its first key and the colon, when that is short enough to recognise
// the next record by; nil otherwise.
func recordStart(s *window) []byte {
	s.ensure(64)
	b := s.avail()
	if len(b) < 2 || b[0] != '{' || b[1] != '"' {
		return nil
	}
	end := bytes.IndexByte(b[2:min(len(b), 64)], '"')
	if end < 0 || 2+end+1 >= len(b) || b[2+end+1] != ':' {
		return nil
	}
	return append([]byte(nil), b[:2+end+2]...)
}

// resume reports err at the window's start, then skips to the next
// occurrence of start at least from bytes on. It reports whether one was
// found; when not, the rest of the input is consumed and err reported
// with lost, when set, in its place.
func (d *decoder) resume(start []byte, from int, err, lost error) bool {
	s := &d.win
	line, off := s.line, s.offset()
	if start == nil {
		start = []byte(`{"eventVersion":`)
	}
	for {
		if i := indexFrom(s.avail(), start, from); i >= 0 {
			if skipped := s.offset() + int64(i) - off; skipped > 0 {
				err = fmt.Errorf("%w; skipped %d bytes to the next record", err, skipped)
			} else {
				err = fmt.Errorf("%w; reading on from the record there", err)
			}
			d.out.problem(line, off, err)
			s.advance(i)
			return true
		}
		// Keep what could be the start of a match across the read.
		if keep := len(start) - 1; s.w-s.r-from > keep {
			s.advance(s.w - s.r - keep)
			from = 0
		}
		if !s.more() {
			if s.err != nil && s.err != io.EOF {
				err = fmt.Errorf("cannot read input: %w", s.err)
			} else if lost != nil {
				err = lost
			}
			d.failed = true
			d.out.problem(line, off, err)
			return false
		}
	}
}

// Outcomes of span.
const (
	spanDone     = iota // the value ends at the returned index
	spanOversize        // the value was too large; reported and consumed
	spanEnd             // the input ended inside the value
)

// span finds the end of the value at the window's start with d.sc, which
// the caller has set up. For an oversize value it reports the problem and
// consumes the value.
func (d *decoder) span() (int, int) {
	s := &d.win
	line, off := s.line, s.offset()
	scanned := 0
	for {
		if k := d.sc.scan(s.buf[s.r+scanned : s.w]); k >= 0 {
			end := scanned + k
			if end > d.max {
				d.out.problem(line, off, d.tooLarge())
				s.advance(end)
				return 0, spanOversize
			}
			return end, spanDone
		}
		scanned = s.w - s.r
		if scanned > d.max {
			d.out.problem(line, off, d.tooLarge())
			return 0, d.discard()
		}
		if !s.more() {
			if d.sc.scalar && s.err == io.EOF {
				return s.w - s.r, spanDone
			}
			return 0, spanEnd
		}
	}
}

// discard consumes the rest of an oversize value without keeping it.
func (d *decoder) discard() int {
	s := &d.win
	for {
		s.advance(s.w - s.r)
		if !s.more() {
			if d.sc.scalar && s.err == io.EOF {
				return spanOversize
			}
			d.atEnd(false, s.line, s.offset())
			d.failed = true
			return spanEnd
		}
		if k := d.sc.scan(s.avail()); k >= 0 {
			s.advance(k)
			return spanOversize
		}
	}
}

func (d *decoder) tooLarge() error {
	return fmt.Errorf("record larger than %d bytes", d.max)
}

// value reads one JSON value at the window's start as a record.
func (d *decoder) value() bool {
	switch d.element() {
	case elementUnclosed:
		d.atEnd(true, d.win.line, d.win.offset())
		return false
	case elementStop:
		return false
	}
	return true
}

// Outcomes of element.
const (
	elementRead     = iota // delivered, or reported and consumed
	elementUnclosed        // the input ends inside it; nothing consumed
	elementStop            // the stream stops
	elementResumed         // broken; the window is at a record it held
)

// element reads one JSON value at the window's start as a record.
func (d *decoder) element() int {
	s := &d.win
	line, off := s.line, s.offset()
	d.sc.reset(s.buf[s.r])
	end, st := d.span()
	switch st {
	case spanOversize:
		if d.failed {
			return elementStop
		}
		return elementRead
	case spanEnd:
		if s.err != nil && s.err != io.EOF {
			d.atEnd(true, line, off)
			return elementStop
		}
		return elementUnclosed
	}
	rec := s.buf[s.r : s.r+end]
	switch d.out.record(rec, line, off) {
	case recordStop:
		return elementStop
	case recordBroken:
		if d.start != nil {
			// Broken text that holds the start of a record past its own
			// start has likely swallowed the records after it (a closing
			// brace or quote missing): read on from there.
			if i := bytes.Index(rec[1:], d.start); i >= 0 {
				s.advance(1 + i)
				return elementResumed
			}
		}
	}
	s.advance(end)
	return elementRead
}

// line reads the rest of the current line as a record.
func (d *decoder) line() bool {
	s := &d.win
	line, off := s.line, s.offset()
	scanned := 0
	end := -1
	for end < 0 {
		if k := bytes.IndexByte(s.buf[s.r+scanned:s.w], '\n'); k >= 0 {
			end = scanned + k
			break
		}
		scanned = s.w - s.r
		if scanned > d.max {
			d.out.problem(line, off, d.tooLarge())
			return d.skipLine()
		}
		if !s.more() {
			if s.err != io.EOF {
				d.atEnd(true, line, off)
				return false
			}
			end = s.w - s.r
		}
	}
	rec := s.buf[s.r : s.r+end]
	for len(rec) > 0 && isSpace(rec[len(rec)-1]) {
		rec = rec[:len(rec)-1]
	}
	if len(rec) > 0 && rec[len(rec)-1] == ',' { // objects listed one per line with commas
		rec = rec[:len(rec)-1]
	}
	if len(rec) > d.max {
		d.out.problem(line, off, d.tooLarge())
		s.advance(end)
		return true
	}
	ok := d.out.record(rec, line, off) != recordStop
	s.advance(end)
	return ok
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// indexFrom returns the index in b of the first sep at or after from, or -1.
func indexFrom(b, sep []byte, from int) int {
	if from > len(b) {
		return -1
	}
	if i := bytes.Index(b[from:], sep); i >= 0 {
		return from + i
	}
	return -1
}
