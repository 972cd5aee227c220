package esql

import (
	"strings"

	"github.com/tripline/tripline/internal/syntax"
)

// kind is the class of a token.
type kind uint8

const (
	tEOF     kind = iota
	tIdent        // unquoted identifier: letters, digits, "_", "@"
	tQuoted       // backtick-quoted identifier; text is unquoted
	tInt          // integer literal
	tDecimal      // decimal literal
	tString       // string literal; text is unescaped
	tPipe         // |
	tComma        // ,
	tDot          // .
	tLParen       // (
	tRParen       // )
	tLBrack       // [
	tRBrack       // ]
	tLBrace       // {
	tRBrace       // }
	tOp           // operator: == != < <= > >= =~ = + - * / % ::
	tError        // lexical error; text is the message
)

var kindNames = [...]string{
	tEOF: "end of input", tIdent: "identifier", tQuoted: "quoted identifier",
	tInt: "integer", tDecimal: "decimal", tString: "string", tPipe: "|", tComma: ",",
	tDot: ".", tLParen: "(", tRParen: ")", tLBrack: "[", tRBrack: "]", tLBrace: "{", tRBrace: "}", tOp: "operator",
	tError: "error",
}

// token is one lexical token. Start and End are byte offsets of its source.
type token struct {
	kind  kind
	text  string
	start int
	end   int
}

func (t token) span() syntax.Span {
	return syntax.Span{Start: syntax.Pos(t.start), End: syntax.Pos(t.end)}
}

// describe names the token for error messages.
func (t token) describe(src string) string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tError:
		return "invalid input"
	case tString:
		s := src[t.start:t.end]
		if len(s) > 40 {
			s = s[:37] + "..."
		}
		return "string " + s
	case tIdent, tQuoted, tInt, tDecimal, tOp:
		return clip(src[t.start:t.end])
	}
	return "\"" + kindNames[t.kind] + "\""
}

func clip(s string) string {
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return "\"" + s + "\""
}

// lexer scans tokens on demand so that the parser can switch to the raw
// scans that index patterns and column patterns need.
type lexer struct {
	src string
	pos int
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isIdentChar(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_' || c == '@'
}

// skipSpace skips white space and comments. An unterminated block comment
// is returned as an error token.
func (l *lexer) skipSpace() (token, bool) {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			l.pos++
		case strings.HasPrefix(l.src[l.pos:], "//"):
			nl := strings.IndexByte(l.src[l.pos:], '\n')
			if nl < 0 {
				l.pos = len(l.src)
			} else {
				l.pos += nl + 1
			}
		case strings.HasPrefix(l.src[l.pos:], "/*"):
			end := strings.Index(l.src[l.pos+2:], "*/")
			if end < 0 {
				start := l.pos
				l.pos = len(l.src)
				return token{kind: tError, text: "unterminated comment", start: start, end: start + 2}, true
			}
			l.pos += 2 + end + 2
		default:
			return token{}, false
		}
	}
	return token{}, false
}

// next scans the next token.
func (l *lexer) next() token {
	if t, bad := l.skipSpace(); bad {
		return t
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tEOF, start: start, end: start}
	}
	c := l.src[start]
	tok := func(k kind, n int) token {
		l.pos = start + n
		return token{kind: k, text: l.src[start : start+n], start: start, end: start + n}
	}
	switch {
	case isLetter(c) || c == '_' || c == '@':
		n := 1
		for start+n < len(l.src) && isIdentChar(l.src[start+n]) {
			n++
		}
		return tok(tIdent, n)
	case isDigit(c) || c == '.' && start+1 < len(l.src) && isDigit(l.src[start+1]):
		return l.number()
	case c == '"':
		return l.string()
	case c == '`':
		return l.quotedIdent()
	}
	two := ""
	if start+2 <= len(l.src) {
		two = l.src[start : start+2]
	}
	switch two {
	case "==", "!=", "<=", ">=", "=~", "::":
		return tok(tOp, 2)
	}
	switch c {
	case '|':
		return tok(tPipe, 1)
	case ',':
		return tok(tComma, 1)
	case '.':
		return tok(tDot, 1)
	case '(':
		return tok(tLParen, 1)
	case ')':
		return tok(tRParen, 1)
	case '[':
		return tok(tLBrack, 1)
	case ']':
		return tok(tRBrack, 1)
	case '{':
		return tok(tLBrace, 1)
	case '}':
		return tok(tRBrace, 1)
	case '<', '>', '=', '+', '-', '*', '/', '%', ':':
		return tok(tOp, 1)
	}
	n := 1
	for start+n < len(l.src) && l.src[start+n]&0xC0 == 0x80 {
		n++ // keep a multi-byte character whole
	}
	t := tok(tError, n)
	t.text = "unexpected character " + clip(t.text)
	return t
}

// number scans an integer or a decimal: 12, 1.5, .5, 1e3, 1.5E-3.
func (l *lexer) number() token {
	start := l.pos
	p := start
	digits := func() {
		for p < len(l.src) && isDigit(l.src[p]) {
			p++
		}
	}
	digits()
	k := tInt
	if p < len(l.src) && l.src[p] == '.' && p+1 < len(l.src) && isDigit(l.src[p+1]) {
		k = tDecimal
		p++
		digits()
	} else if p < len(l.src) && l.src[p] == '.' && (p+1 == len(l.src) || !isIdentChar(l.src[p+1]) && l.src[p+1] != '`') {
		k = tDecimal // "1." is a decimal
		p++
	}
	if p < len(l.src) && (l.src[p] == 'e' || l.src[p] == 'E') {
		q := p + 1
		if q < len(l.src) && (l.src[q] == '+' || l.src[q] == '-') {
			q++
		}
		if q < len(l.src) && isDigit(l.src[q]) {
			k = tDecimal
			p = q
			digits()
		}
	}
	l.pos = p
	return token{kind: k, text: l.src[start:p], start: start, end: p}
}

// string scans "..." (escapes \t \n \r \" \\, no raw line breaks) or
// """...""" (no escapes, may span lines).
func (l *lexer) string() token {
	start := l.pos
	if strings.HasPrefix(l.src[start:], `"""`) {
		end := strings.Index(l.src[start+3:], `"""`)
		if end < 0 {
			l.pos = len(l.src)
			return token{kind: tError, text: "unterminated string", start: start, end: start + 3}
		}
		p := start + 3 + end + 3
		// As in ES|QL, up to two more quotes belong to the content: """a""""" is `a""`.
		for i := 0; i < 2 && p < len(l.src) && l.src[p] == '"'; i++ {
			p++
		}
		l.pos = p
		return token{kind: tString, text: l.src[start+3 : p-3], start: start, end: p}
	}
	var b strings.Builder
	p := start + 1
	for p < len(l.src) {
		c := l.src[p]
		switch c {
		case '"':
			l.pos = p + 1
			return token{kind: tString, text: b.String(), start: start, end: p + 1}
		case '\n', '\r':
			l.pos = p
			return token{kind: tError, text: "unterminated string", start: start, end: p}
		case '\\':
			if p+1 >= len(l.src) {
				l.pos = len(l.src)
				return token{kind: tError, text: "unterminated string", start: start, end: p + 1}
			}
			switch l.src[p+1] {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case '"':
				b.WriteByte('"')
			case '\\':
				b.WriteByte('\\')
			default:
				l.pos = p + 2
				return token{kind: tError, text: "invalid escape sequence " + clip(l.src[p:p+2]) + ` in string (use \\ for a backslash)`, start: p, end: p + 2}
			}
			p += 2
		default:
			b.WriteByte(c)
			p++
		}
	}
	l.pos = len(l.src)
	return token{kind: tError, text: "unterminated string", start: start, end: len(l.src)}
}

// quotedIdent scans `name`, where two backticks in a row stand for one.
func (l *lexer) quotedIdent() token {
	start := l.pos
	var b strings.Builder
	p := start + 1
	for p < len(l.src) {
		if l.src[p] == '`' {
			if p+1 < len(l.src) && l.src[p+1] == '`' {
				b.WriteByte('`')
				p += 2
				continue
			}
			l.pos = p + 1
			return token{kind: tQuoted, text: b.String(), start: start, end: p + 1}
		}
		b.WriteByte(l.src[p])
		p++
	}
	l.pos = len(l.src)
	return token{kind: tError, text: "unterminated quoted identifier", start: start, end: start + 1}
}

// sourcePattern scans an unquoted index pattern such as
// logs-aws.cloudtrail-*, -logs-excluded* or remote:logs-*. It stops at
// white space, a comment, "|", ",", quotes, brackets and parentheses.
func (l *lexer) sourcePattern() token {
	if t, bad := l.skipSpace(); bad {
		return t
	}
	start := l.pos
	p := start
	for p < len(l.src) {
		c := l.src[p]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '|' || c == ',' || c == '"' ||
			c == '`' || c == '(' || c == ')' || c == '[' || c == ']' || c == '=' {
			break
		}
		if c == '/' && p+1 < len(l.src) && (l.src[p+1] == '/' || l.src[p+1] == '*') {
			break
		}
		p++
	}
	l.pos = p
	if p == start {
		return l.next()
	}
	return token{kind: tIdent, text: l.src[start:p], start: start, end: p}
}
