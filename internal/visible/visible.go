// Package visible makes text safe to show on a terminal: control
// characters, which an attacker can put in a user agent, a role session
// name or a prompt to move the cursor, clear the screen or forge a line of
// output, are written as visible escapes instead. It imports the standard
// library only.
package visible

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// String returns s with every control character (newlines and tabs
// included), every Unicode format character that reorders or hides text
// (bidirectional overrides, zero-width joiners), line and paragraph
// separators and every invalid byte written as an escape: \n, \t, \r,
// \x1b, \u202e. Other text, any script, is unchanged.
func String(s string) string {
	if clean(s, false) {
		return s
	}
	var b strings.Builder
	appendEscaped(&b, s, false)
	return b.String()
}

// Writer returns a writer that passes text to w with the characters String
// escapes escaped, but for newlines and tabs: it guards output that lays
// itself out in lines and columns (tables, summaries, logs).
func Writer(w io.Writer) io.Writer { return &writer{w: w} }

type writer struct {
	w       io.Writer
	partial []byte // the start of a UTF-8 sequence split across writes
}

func (v *writer) Write(p []byte) (int, error) {
	n := len(p)
	if len(v.partial) > 0 {
		p = append(v.partial, p...)
		v.partial = nil
	}
	// Hold back an incomplete sequence at the end for the next write.
	if cut := incompleteTail(p); cut > 0 {
		v.partial = append([]byte(nil), p[len(p)-cut:]...)
		p = p[:len(p)-cut]
	}
	s := string(p)
	if clean(s, true) {
		_, err := v.w.Write(p)
		return n, err
	}
	var b strings.Builder
	appendEscaped(&b, s, true)
	_, err := io.WriteString(v.w, b.String())
	return n, err
}

// incompleteTail returns how many bytes at the end of p start a UTF-8
// sequence that the bytes after them could still complete.
func incompleteTail(p []byte) int {
	for i := 1; i <= 3 && i <= len(p); i++ {
		c := p[len(p)-i]
		if c < 0x80 {
			return 0
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(p[len(p)-i:]) {
				return i
			}
			return 0
		}
	}
	return 0
}

// clean reports whether s needs no escape; layout allows newlines and tabs.
func clean(s string, layout bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			continue
		}
		if layout && (c == '\n' || c == '\t') {
			continue
		}
		if c < 0x80 {
			return false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if hidden(r, size) {
			return false
		}
		i += size - 1
	}
	return true
}

func appendEscaped(b *strings.Builder, s string, layout bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
			i++
			continue
		case layout && (c == '\n' || c == '\t'):
			b.WriteByte(c)
			i++
			continue
		case c == '\n':
			b.WriteString(`\n`)
			i++
			continue
		case c == '\t':
			b.WriteString(`\t`)
			i++
			continue
		case c == '\r':
			b.WriteString(`\r`)
			i++
			continue
		case c < 0x80:
			fmt.Fprintf(b, `\x%02x`, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(b, `\x%02x`, c)
		case hidden(r, size):
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
}

// hidden reports whether a decoded rune must not reach a terminal as is:
// an invalid byte, a C1 control, or a format character that reorders,
// joins or hides text.
func hidden(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true
	case r >= 0x80 && r < 0xa0: // C1 controls, CSI among them
		return true
	case r == 0xad, r == 0x061c, r == 0x180e:
		return true
	case r >= 0x200b && r <= 0x200f, r >= 0x2028 && r <= 0x202e, r >= 0x2060 && r <= 0x2069:
		return true
	case r == 0xfeff:
		return true
	}
	return false
}
