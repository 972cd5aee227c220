// Package syntax holds what the query front ends (esql, spl, sigma) share:
// source positions and the one error type that renders them with a caret.
// It imports nothing of tripline's own.
package syntax

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Pos is a byte offset into a query's source text.
type Pos int

// Span is a half-open byte range [Start, End) of the source.
type Span struct{ Start, End Pos }

// Error is a syntax or planning error at a place in the source. Its
// Error() is one line ("line:col: msg"); Detail() adds the source line and a
// caret under the fault.
type Error struct {
	Src  string // the whole source text
	Span Span
	Msg  string
}

// Errorf builds an Error at span.
func Errorf(src string, span Span, format string, args ...any) *Error {
	return &Error{Src: src, Span: span, Msg: fmt.Sprintf(format, args...)}
}

// LineCol returns the 1-based line and column (in characters) of a position.
func LineCol(src string, p Pos) (line, col int) {
	if int(p) > len(src) {
		p = Pos(len(src))
	}
	line = 1 + strings.Count(src[:p], "\n")
	start := strings.LastIndexByte(src[:p], '\n') + 1
	col = 1 + utf8.RuneCountInString(src[start:p])
	return line, col
}

// Error implements error.
func (e *Error) Error() string {
	line, col := LineCol(e.Src, e.Span.Start)
	return fmt.Sprintf("%d:%d: %s", line, col, e.Msg)
}

// Detail renders the message, the offending source line and a caret (with
// tildes under the rest of the span on that line).
func (e *Error) Detail() string {
	line, col := LineCol(e.Src, e.Span.Start)
	p := int(e.Span.Start)
	if p > len(e.Src) {
		p = len(e.Src)
	}
	start := strings.LastIndexByte(e.Src[:p], '\n') + 1
	end := strings.IndexByte(e.Src[p:], '\n')
	if end < 0 {
		end = len(e.Src)
	} else {
		end += p
	}
	text := strings.ReplaceAll(e.Src[start:end], "\t", " ")
	width := 1
	if e.Span.End > e.Span.Start {
		stop := int(e.Span.End)
		if stop > end {
			stop = end
		}
		if n := utf8.RuneCountInString(e.Src[p:stop]); n > 1 {
			width = n
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d:%d: %s\n", line, col, e.Msg)
	fmt.Fprintf(&b, "  %s\n", text)
	fmt.Fprintf(&b, "  %s^%s", strings.Repeat(" ", col-1), strings.Repeat("~", width-1))
	return b.String()
}
