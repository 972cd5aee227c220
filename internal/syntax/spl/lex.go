package spl

import (
	"strings"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/syntax"
)

// tokKind is the kind of a token.
type tokKind uint8

const (
	tkEOF    tokKind = iota
	tkWord           // search/argument mode: a bare run of characters
	tkIdent          // expression mode: a field or function name
	tkNumber         // expression mode: a number
	tkString         // "double-quoted"; text is the unescaped value
	tkField          // expression mode: 'single-quoted' field name
	tkOp             // an operator: = == != < <= > >= and, in expressions, + - * / % . && !
	tkLParen
	tkRParen
	tkComma
	tkSub // search/argument mode: a [subsearch]; text is what the brackets hold
)

// token is one lexeme; pos and end are byte offsets into the expanded
// query text.
type token struct {
	kind     tokKind
	text     string
	pos, end int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lexString reads a double-quoted string starting at src[i] == '"'. Only
// \" and \\ are escapes, as in SPL; other backslashes are kept (regular
// expressions rely on it). It returns the value and the offset after the
// closing quote.
func lexString(src string, i, end int) (string, int, *syntax.Error) {
	var b strings.Builder
	for j := i + 1; j < end; j++ {
		c := src[j]
		switch {
		case c == '\\' && j+1 < end && (src[j+1] == '"' || src[j+1] == '\\'):
			b.WriteByte(src[j+1])
			j++
		case c == '"':
			return b.String(), j + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, syntax.Errorf(src, syntax.Span{Start: syntax.Pos(i), End: syntax.Pos(end)}, "unterminated string")
}

// lexArgs tokenizes src[start:end] the way search terms and command
// arguments are written: words run until white space or one of ( ) , " =
// < > and !=; in a word, \" is a quote character and \\ a backslash.
func lexArgs(src string, start, end int) ([]token, *syntax.Error) {
	var toks []token
	i := start
	for i < end {
		c := src[i]
		switch {
		case isSpace(c):
			i++
		case c == '"':
			s, next, err := lexString(src, i, end)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tkString, s, i, next})
			i = next
		case c == '[' && opensTerm(src, start, i):
			close, err := closeBracket(src, i, end)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tkSub, src[i+1 : close], i, close + 1})
			i = close + 1
		case c == '(':
			toks = append(toks, token{tkLParen, "(", i, i + 1})
			i++
		case c == ')':
			toks = append(toks, token{tkRParen, ")", i, i + 1})
			i++
		case c == ',':
			toks = append(toks, token{tkComma, ",", i, i + 1})
			i++
		case c == '=' || c == '<' || c == '>' || c == '!' && i+1 < end && src[i+1] == '=':
			n := 1
			if i+1 < end && src[i+1] == '=' {
				n = 2
			}
			toks = append(toks, token{tkOp, src[i : i+n], i, i + n})
			i += n
		default:
			j := i
			escaped := false
			for j < end {
				d := src[j]
				if d == '\\' && j+1 < end && (src[j+1] == '"' || src[j+1] == '\\') {
					escaped = true
					j += 2
					continue
				}
				if isSpace(d) || strings.IndexByte(`"(),=<>`, d) >= 0 || d == '!' && j+1 < end && src[j+1] == '=' {
					break
				}
				j++
			}
			text := src[i:j]
			if escaped {
				// \" in a bare word is a quote character, \\ a backslash.
				text = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(text)
			}
			toks = append(toks, token{tkWord, text, i, j})
			i = j
		}
	}
	return toks, nil
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '@' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '{' || c == '}'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lexExpr tokenizes src[start:end] as an eval/where expression.
func lexExpr(src string, start, end int) ([]token, *syntax.Error) {
	var toks []token
	i := start
	for i < end {
		c := src[i]
		switch {
		case isSpace(c):
			i++
		case c == '"':
			s, next, err := lexString(src, i, end)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tkString, s, i, next})
			i = next
		case c == '\'':
			j := strings.IndexByte(src[i+1:end], '\'')
			if j < 0 {
				return nil, syntax.Errorf(src, syntax.Span{Start: syntax.Pos(i), End: syntax.Pos(end)}, "unterminated quoted field name")
			}
			toks = append(toks, token{tkField, src[i+1 : i+1+j], i, i + 2 + j})
			i += 2 + j
		case isDigit(c) || c == '.' && i+1 < end && isDigit(src[i+1]):
			j := i
			for j < end && isDigit(src[j]) {
				j++
			}
			if j+1 < end && src[j] == '.' && isDigit(src[j+1]) || j < end && src[j] == '.' && j == i {
				j++
				for j < end && isDigit(src[j]) {
					j++
				}
			}
			if j+1 < end && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < end && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < end && isDigit(src[k]) {
					for k < end && isDigit(src[k]) {
						k++
					}
					j = k
				}
			}
			if j < end && isIdentStart(src[j]) {
				return nil, syntax.Errorf(src, syntax.Span{Start: syntax.Pos(i), End: syntax.Pos(j + 1)}, "malformed number %q", src[i:j+1])
			}
			toks = append(toks, token{tkNumber, src[i:j], i, j})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < end {
				d := src[j]
				if isIdentPart(d) || d == '.' && j+1 < end && isIdentPart(src[j+1]) {
					j++
					continue
				}
				break
			}
			toks = append(toks, token{tkIdent, src[i:j], i, j})
			i = j
		case c == '(':
			toks = append(toks, token{tkLParen, "(", i, i + 1})
			i++
		case c == ')':
			toks = append(toks, token{tkRParen, ")", i, i + 1})
			i++
		case c == ',':
			toks = append(toks, token{tkComma, ",", i, i + 1})
			i++
		default:
			op := ""
			for _, o := range []string{"==", "!=", "<=", ">=", "&&", "=", "<", ">", "+", "-", "*", "/", "%", ".", "!"} {
				if strings.HasPrefix(src[i:end], o) {
					op = o
					break
				}
			}
			if op == "" {
				r, size := utf8.DecodeRuneInString(src[i:end])
				return nil, syntax.Errorf(src, syntax.Span{Start: syntax.Pos(i), End: syntax.Pos(i + size)}, "unexpected character %q", r)
			}
			toks = append(toks, token{tkOp, op, i, i + len(op)})
			i += len(op)
		}
	}
	return toks, nil
}

// closeBracket returns the offset of the ] that closes the [ at src[i],
// skipping strings and nested subsearches.
func closeBracket(src string, i, end int) (int, *syntax.Error) {
	depth := 0
	for j := i; j < end; j++ {
		switch c := src[j]; {
		case c == '\\' && j+1 < end:
			j++
		case c == '"':
			_, next, err := lexString(src, j, end)
			if err != nil {
				return 0, err
			}
			j = next - 1
		case c == '[' && opensTerm(src, i, j):
			depth++
		case c == ']':
			depth--
			if depth == 0 {
				return j, nil
			}
		}
	}
	return 0, syntax.Errorf(src, syntax.Span{Start: syntax.Pos(i), End: syntax.Pos(i + 1)}, "unterminated subsearch: [ without ]")
}
