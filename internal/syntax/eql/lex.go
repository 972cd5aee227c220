package eql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/syntax"
)

type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // a name: field, keyword, function or category
	tQuoted         // a backtick-quoted name
	tString         // "..." or """..."""
	tNumber
	tOp // punctuation and operators: == != < <= > >= : ( ) [ ] , + - * / % . =
)

type token struct {
	kind       tokKind
	text       string // the name, the unescaped string, the number or the operator
	start, end int
}

// lexer splits an EQL query into tokens. Blanks and comments (// to the
// end of the line, /* ... */) separate tokens.
type lexer struct {
	src string
	pos int
}

func (l *lexer) errAt(start, end int, format string, args ...any) *syntax.Error {
	if end > len(l.src) {
		end = len(l.src)
	}
	if start > end {
		start = end
	}
	return syntax.Errorf(l.src, syntax.Span{Start: syntax.Pos(start), End: syntax.Pos(end)}, format, args...)
}

func (l *lexer) skip() error {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			l.pos++
		case strings.HasPrefix(l.src[l.pos:], "//"):
			if i := strings.IndexByte(l.src[l.pos:], '\n'); i >= 0 {
				l.pos += i + 1
			} else {
				l.pos = len(l.src)
			}
		case strings.HasPrefix(l.src[l.pos:], "/*"):
			i := strings.Index(l.src[l.pos+2:], "*/")
			if i < 0 {
				return l.errAt(l.pos, l.pos+2, "unterminated comment")
			}
			l.pos += i + 4
		default:
			return nil
		}
	}
	return nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '@' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '.'
}

func (l *lexer) next() (token, error) {
	if err := l.skip(); err != nil {
		return token{}, err
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tEOF, start: start, end: start}, nil
	}
	c := l.src[l.pos]
	switch {
	case isIdentStart(c):
		for l.pos < len(l.src) && isIdentPart(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: tIdent, text: l.src[start:l.pos], start: start, end: l.pos}, nil
	case c >= '0' && c <= '9':
		for l.pos < len(l.src) && (l.src[l.pos] >= '0' && l.src[l.pos] <= '9' || l.src[l.pos] == '.' ||
			l.src[l.pos] == 'e' || l.src[l.pos] == 'E' ||
			(l.src[l.pos] == '-' || l.src[l.pos] == '+') && (l.src[l.pos-1] == 'e' || l.src[l.pos-1] == 'E')) {
			l.pos++
		}
		// A time unit right after a number (maxspan=15m) is read by the
		// parser from the following identifier.
		return token{kind: tNumber, text: l.src[start:l.pos], start: start, end: l.pos}, nil
	case c == '`':
		var b strings.Builder
		l.pos++
		for {
			if l.pos >= len(l.src) {
				return token{}, l.errAt(start, start+1, "unterminated quoted field name")
			}
			if l.src[l.pos] == '`' {
				if l.pos+1 < len(l.src) && l.src[l.pos+1] == '`' {
					b.WriteByte('`')
					l.pos += 2
					continue
				}
				l.pos++
				break
			}
			b.WriteByte(l.src[l.pos])
			l.pos++
		}
		if b.Len() == 0 {
			return token{}, l.errAt(start, l.pos, "empty field name")
		}
		return token{kind: tQuoted, text: b.String(), start: start, end: l.pos}, nil
	case c == '"':
		return l.str()
	case c == '\'':
		return token{}, l.errAt(start, start+1, "strings are written in double quotes in EQL, not single quotes")
	}
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">", ":", "(", ")", "[", "]", ",", "+", "-", "*", "/", "%", "=", "~", "|", "!"} {
		if strings.HasPrefix(l.src[l.pos:], op) {
			l.pos += len(op)
			return token{kind: tOp, text: op, start: start, end: l.pos}, nil
		}
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	return token{}, l.errAt(start, start+utf8.RuneLen(r), "unexpected character %s", strconv.QuoteRune(r))
}

// str reads "..." (with escapes \" \\ \n \r \t \' \/ \b \f \u{X..X}) or
// """...""" (raw: no escapes).
func (l *lexer) str() (token, error) {
	start := l.pos
	if strings.HasPrefix(l.src[l.pos:], `"""`) {
		i := strings.Index(l.src[l.pos+3:], `"""`)
		if i < 0 {
			return token{}, l.errAt(start, start+3, "unterminated raw string")
		}
		text := l.src[l.pos+3 : l.pos+3+i]
		l.pos += i + 6
		return token{kind: tString, text: text, start: start, end: l.pos}, nil
	}
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.src) || l.src[l.pos] == '\n' {
			return token{}, l.errAt(start, start+1, "unterminated string")
		}
		c := l.src[l.pos]
		if c == '"' {
			l.pos++
			return token{kind: tString, text: b.String(), start: start, end: l.pos}, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			l.pos++
			continue
		}
		if l.pos+1 >= len(l.src) {
			return token{}, l.errAt(l.pos, l.pos+1, "unterminated escape")
		}
		e := l.src[l.pos+1]
		switch e {
		case '"', '\\', '\'', '/':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			end := strings.IndexByte(l.src[l.pos:], '}')
			if l.pos+2 >= len(l.src) || l.src[l.pos+2] != '{' || end < 0 {
				return token{}, l.errAt(l.pos, l.pos+2, "want \\u{hex digits}")
			}
			hex := l.src[l.pos+3 : l.pos+end]
			n, err := strconv.ParseUint(hex, 16, 32)
			if err != nil || hex == "" || len(hex) > 8 || !utf8.ValidRune(rune(n)) {
				return token{}, l.errAt(l.pos, l.pos+end+1, "invalid unicode escape")
			}
			b.WriteRune(rune(n))
			l.pos += end + 1
			continue
		default:
			return token{}, l.errAt(l.pos, l.pos+2, "unknown escape \\%c", e)
		}
		l.pos += 2
	}
}
