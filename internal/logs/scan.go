package logs

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/tripline/tripline/internal/event"
)

// valueScanner finds where a JSON value ends without parsing it. It only
// tracks strings (with escapes) and bracket depth, so it is cheap and can be
// fed the value in pieces as the input arrives; the parser that reads the
// value later is the one that validates it. A mismatched bracket is counted
// like a matching one: the value still ends somewhere and fails to parse.
type valueScanner struct {
	depth  int
	inStr  bool
	esc    bool
	scalar bool // a number or literal: ends at the first delimiter
}

// structural marks the bytes the scanner stops at outside strings.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// delimiter marks the bytes that end a number or a literal.
var delimiter = [256]bool{',': true, ']': true, '}': true, ' ': true, '\t': true, '\n': true, '\r': true}

// reset prepares the scanner for a value whose first byte is c.
func (s *valueScanner) reset(c byte) {
	*s = valueScanner{}
	switch c {
	case '{', '[', '"':
	default:
		s.scalar = true
	}
}

// scan reads the next piece of the value and returns the index in b just
// past the value's end, or -1 when the value goes on past b.
func (s *valueScanner) scan(b []byte) int {
	if s.scalar {
		for i, c := range b {
			if delimiter[c] {
				return i
			}
		}
		return -1
	}
	i := 0
	for i < len(b) {
		if s.inStr {
			if s.esc {
				s.esc = false
				i++
				continue
			}
			i += stringRun(b[i:])
			if i == len(b) {
				return -1
			}
			if b[i] == '\\' {
				s.esc = true
				i++
				continue
			}
			s.inStr = false
			i++
			if s.depth == 0 {
				return i
			}
			continue
		}
		for i < len(b) && !structural[b[i]] {
			i++
		}
		if i == len(b) {
			return -1
		}
		switch b[i] {
		case '"':
			s.inStr = true
		case '{', '[':
			s.depth++
		default: // '}' or ']'
			s.depth--
			if s.depth <= 0 {
				return i + 1
			}
		}
		i++
	}
	return -1
}

// validStart reports whether c can begin a JSON value.
func validStart(c byte) bool {
	switch c {
	case '{', '[', '"', '-', 't', 'f', 'n':
		return true
	}
	return c >= '0' && c <= '9'
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// memberValue returns the index in obj, a complete JSON object, where the
// value of its top-level member key starts, or -1. The key is compared as
// written, without unescaping.
func memberValue(obj []byte, key string) int {
	var sc valueScanner
	i := 1
	skip := func() {
		for i < len(obj) && isSpace(obj[i]) {
			i++
		}
	}
	for {
		skip()
		if i >= len(obj) || obj[i] != '"' {
			return -1
		}
		sc.reset('"')
		k := sc.scan(obj[i:])
		if k < 0 {
			return -1
		}
		name := obj[i+1 : i+k-1]
		i += k
		skip()
		if i >= len(obj) || obj[i] != ':' {
			return -1
		}
		i++
		skip()
		if i >= len(obj) {
			return -1
		}
		if keyIs(name, key) {
			return i
		}
		sc.reset(obj[i])
		k = sc.scan(obj[i:])
		if k < 0 {
			return -1
		}
		i += k
		skip()
		if i >= len(obj) || obj[i] != ',' {
			return -1
		}
		i++
	}
}

const (
	ones   = 0x0101010101010101
	highs  = 0x8080808080808080
	quotes = '"' * ones
	slashs = '\\' * ones
)

// stringRun returns the length of the prefix of b, inside a JSON string,
// that holds neither '"' nor '\\': eight bytes at a time.
func stringRun(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ quotes
		e := x ^ slashs
		// A byte of q or e is zero where b has '"' or '\\'; the lowest
		// flagged byte is exact (borrows only flag bytes above a zero).
		m := ((q-ones)&^q | (e-ones)&^e) & highs
		if m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '"' || b[i] == '\\' {
			break
		}
	}
	return i
}

// keyIs reports whether a JSON key, its body as written between the
// quotes, is key once its escapes are decoded: "Record\u0073" is
// "Records".
func keyIs(name []byte, key string) bool {
	if bytes.IndexByte(name, '\\') < 0 {
		return string(name) == key
	}
	var buf [64]byte
	text, ok := event.AppendUnescaped(buf[:0], name)
	return ok && string(text) == key
}
