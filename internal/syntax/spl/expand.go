package spl

import (
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/syntax"
)

// maxMacroDepth bounds nested macro expansion; deeper nesting is reported
// as an error rather than followed.
const maxMacroDepth = 64

// maxExpandedLen bounds the text one macro call may expand to, so that
// macros calling each other several times cannot blow up.
const maxExpandedLen = 1 << 20

// maxMacroCalls bounds the macro calls one query may expand.
const maxMacroCalls = 10000

// Expand replaces every backtick macro call in src by the macro's
// definition, recursively, and returns the resulting search text. A call
// to a missing macro whose name ends in "_filter" expands to nothing, and
// the pipe that introduced it is dropped with it; any other missing macro,
// an unterminated call or a macro that calls itself is a *syntax.Error at
// the call in src. Backticks inside double-quoted strings are left alone;
// a ```comment``` is removed like a missing filter macro.
func Expand(src string, m *Macros) (string, error) {
	out, _, err := expand(src, m)
	if err != nil {
		return "", err
	}
	return out, nil
}

// piece is a run of expanded text and where it came from in the scanned
// text: verbatim text maps byte for byte, a macro's text maps to the call.
type piece struct {
	text       string
	start, end int
	macro      bool
}

// srcMap maps offsets in expanded text back to the text before expansion.
type srcMap struct {
	pieces []piece
	starts []int // offset of each piece in the expanded text
	total  int
	srcLen int
}

type expandError struct {
	start, end int
	msg        string
}

func expand(src string, m *Macros) (string, *srcMap, error) {
	x := expander{m: m}
	pieces, eerr := x.scan(src, nil)
	if eerr != nil {
		return "", nil, syntax.Errorf(src, syntax.Span{Start: syntax.Pos(eerr.start), End: syntax.Pos(eerr.end)}, "cannot expand macros: %s", eerr.msg)
	}
	sm := &srcMap{pieces: pieces, srcLen: len(src)}
	var b strings.Builder
	for _, p := range pieces {
		sm.starts = append(sm.starts, b.Len())
		b.WriteString(p.text)
	}
	sm.total = b.Len()
	return b.String(), sm, nil
}

// start maps an expanded offset that starts a span.
func (sm *srcMap) start(p int) int {
	for k, pc := range sm.pieces {
		s := sm.starts[k]
		if p >= s && p < s+len(pc.text) {
			if pc.macro {
				return pc.start
			}
			return pc.start + p - s
		}
	}
	return sm.srcLen
}

// end maps an expanded offset that ends a span.
func (sm *srcMap) end(p int) int {
	if p <= 0 {
		return 0
	}
	for k, pc := range sm.pieces {
		s := sm.starts[k]
		if p > s && p <= s+len(pc.text) {
			if pc.macro {
				return pc.end
			}
			return pc.start + p - s
		}
	}
	return sm.srcLen
}

// remap moves an error found in expanded text onto the original source.
func (sm *srcMap) remap(e *syntax.Error, src string) *syntax.Error {
	start := sm.start(int(e.Span.Start))
	end := sm.end(int(e.Span.End))
	if end < start {
		end = start
	}
	return &syntax.Error{Src: src, Span: syntax.Span{Start: syntax.Pos(start), End: syntax.Pos(end)}, Msg: e.Msg}
}

type expander struct {
	m     *Macros
	calls int
}

// scan expands the macro calls in text. stack holds the keys of the
// macros being expanded, outermost first.
func (x *expander) scan(text string, stack []string) ([]piece, *expandError) {
	var out []piece
	lit := 0
	flush := func(to int) {
		if to > lit {
			out = append(out, piece{text: text[lit:to], start: lit, end: to})
		}
	}
	inQuote := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case inQuote && c == '\\':
			i++
			continue
		case c == '\\' && i+1 < len(text) && (text[i+1] == '"' || text[i+1] == '\\'):
			i++ // an escaped quote outside a string opens none
			continue
		case c == '"':
			inQuote = !inQuote
			continue
		case inQuote || c != '`':
			continue
		}
		if strings.HasPrefix(text[i:], "```") {
			// A ```comment```: dropped like a missing filter macro.
			k := strings.Index(text[i+3:], "```")
			if k < 0 {
				return nil, &expandError{i, len(text), "unterminated comment: no closing ```"}
			}
			flush(i)
			out, lit = dropFilter(out, text, i+3+k+3)
			i = lit - 1
			continue
		}
		j := strings.IndexByte(text[i+1:], '`')
		if j < 0 {
			return nil, &expandError{i, len(text), "unterminated macro call: no closing backtick"}
		}
		end := i + 1 + j + 1
		name, args, msg := parseCall(text[i+1 : end-1])
		if msg != "" {
			return nil, &expandError{i, end, msg}
		}
		flush(i)
		lit = end
		if x.calls++; x.calls > maxMacroCalls {
			return nil, &expandError{i, end, "too many macro calls (more than " + strconv.Itoa(maxMacroCalls) + ")"}
		}
		mac, ok := x.m.Lookup(name, len(args))
		key := macroKey(name, len(args))
		if !ok {
			if !strings.HasSuffix(name, "_filter") {
				return nil, &expandError{i, end, "unknown macro `" + key + "`"}
			}
			out, lit = dropFilter(out, text, end)
			i = lit - 1
			continue
		}
		for _, k := range stack {
			if k == key {
				return nil, &expandError{i, end, "macro `" + key + "` expands to itself (" + strings.Join(append(stack, key), " -> ") + ")"}
			}
		}
		if len(stack) >= maxMacroDepth {
			return nil, &expandError{i, end, "macros nest too deeply"}
		}
		def := substitute(mac, args)
		inner, ierr := x.scan(def, append(stack[:len(stack):len(stack)], key))
		if ierr != nil {
			return nil, &expandError{i, end, "in macro `" + key + "`: " + ierr.msg}
		}
		var b strings.Builder
		for _, p := range inner {
			b.WriteString(p.text)
		}
		if b.Len() > maxExpandedLen {
			return nil, &expandError{i, end, "macro `" + key + "` expands to more than 1 MiB"}
		}
		out = append(out, piece{text: b.String(), start: i, end: end, macro: true})
		i = end - 1
	}
	flush(len(text))
	return out, nil
}

// dropFilter removes a missing *_filter macro call ending at end: the pipe
// before it goes too when the call was a whole command, so that
// "... | `x_filter`" leaves "...". It returns the pieces and where the
// verbatim text resumes.
func dropFilter(out []piece, text string, end int) ([]piece, int) {
	var b strings.Builder
	for _, p := range out {
		b.WriteString(p.text)
	}
	before := b.String()
	rest := strings.TrimLeft(text[end:], " \t\r\n")
	trimmed := strings.TrimRight(before, " \t\r\n")
	restOK := rest == "" || rest[0] == '|'
	switch {
	case strings.HasSuffix(trimmed, "|") && restOK:
		return truncate(out, len(trimmed)-1), end
	case trimmed == "" && rest != "" && rest[0] == '|':
		return out, len(text) - len(rest) + 1
	}
	return out, end
}

// truncate cuts pieces to n bytes of expanded text.
func truncate(pieces []piece, n int) []piece {
	var out []piece
	for _, p := range pieces {
		if n <= 0 {
			break
		}
		if len(p.text) > n {
			p.text = p.text[:n]
			if !p.macro {
				p.end = p.start + n
			}
		}
		n -= len(p.text)
		out = append(out, p)
	}
	return out
}

// parseCall splits the inside of a macro call, "name" or "name(a, b)", into
// the name and the arguments. msg is non-empty when the call is malformed.
func parseCall(call string) (name string, args []string, msg string) {
	call = strings.TrimSpace(call)
	open := strings.IndexByte(call, '(')
	if open < 0 {
		name = call
	} else {
		if !strings.HasSuffix(call, ")") {
			return "", nil, "malformed macro call: missing ) after the arguments"
		}
		name = strings.TrimSpace(call[:open])
		args = splitArgs(call[open+1 : len(call)-1])
	}
	if name == "" {
		return "", nil, "malformed macro call: no macro name"
	}
	for _, r := range name {
		if !(r == '_' || r == '-' || r == '.' || r == ':' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", nil, "malformed macro call: invalid character " + quoteRune(r) + " in macro name"
		}
	}
	return name, args, ""
}

func quoteRune(r rune) string { return "'" + string(r) + "'" }

// splitArgs splits macro arguments at commas outside double quotes and
// parentheses. An empty argument list gives no arguments.
func splitArgs(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var args []string
	depth, start := 0, 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			args = append(args, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(args, strings.TrimSpace(s[start:]))
}

// substitute replaces $arg$ in a macro's definition by the call's values.
func substitute(mac Macro, args []string) string {
	if len(mac.Args) == 0 {
		return mac.Definition
	}
	pairs := make([]string, 0, 2*len(mac.Args))
	for i, a := range mac.Args {
		pairs = append(pairs, "$"+strings.TrimSpace(a)+"$", args[i])
	}
	return strings.NewReplacer(pairs...).Replace(mac.Definition)
}
