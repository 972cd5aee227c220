package spl

import (
	"regexp"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// parseRex parses `rex [field=f] [max_match=1] "regex"` into an Extract.
// The regex is unanchored, as in Splunk; named groups become columns.
func parseRex(p *parser) ([]plan.Node, *syntax.Error) {
	field := "_raw"
	var pat *token
	for !p.eof() {
		t := p.peek()
		if p.atOption() {
			key, v, err := p.option()
			if err != nil {
				return nil, err
			}
			switch {
			case key == "field":
				field = v.text
			case key == "max_match" && v.text == "1":
			case key == "mode" && strings.EqualFold(v.text, "sed"):
				return nil, p.errf(t, "mode=sed is not supported")
			default:
				return nil, p.errf(t, "option %s=%s is not supported", key, v.text)
			}
			continue
		}
		p.next()
		if t.kind != tkString || pat != nil {
			return nil, p.errf(t, "expected the regular expression as one quoted string, found %s", describe(t))
		}
		pat = &t
	}
	if pat == nil {
		return nil, p.errf(p.peek(), "expected a quoted regular expression")
	}
	re, names, err := p.convertRegex(*pat)
	if err != nil {
		return nil, err
	}
	return []plan.Node{&plan.Extract{Field: &plan.Field{Name: field}, Kind: "rex", Pattern: pat.text, Regex: re, Names: names}}, nil
}

// parseRegex parses `regex field="re"`, `regex field!="re"` or
// `regex "re"` (on _raw) into a filter on match().
func parseRegex(p *parser) ([]plan.Node, *syntax.Error) {
	field, negate := "_raw", false
	if t := p.peek(); t.kind == tkWord {
		op := p.peekAt(1)
		if op.kind != tkOp || op.text != "=" && op.text != "!=" {
			return nil, p.errf(op, "expected = or != after %q, found %s", t.text, describe(op))
		}
		p.next()
		p.next()
		field, negate = t.text, op.text == "!="
	}
	pat := p.next()
	if pat.kind != tkString {
		return nil, p.errf(pat, "expected a quoted regular expression, found %s", describe(pat))
	}
	if !p.eof() {
		return nil, p.errf(p.peek(), "unexpected %s", describe(p.peek()))
	}
	if _, err := regexp.Compile(pat.text); err != nil {
		return nil, p.errf(pat, "cannot compile regular expression: %v", err)
	}
	var cond plan.Expr = &plan.Call{Name: "match", Args: []plan.Expr{&plan.Field{Name: field}, &plan.Literal{Value: event.StringValue(pat.text)}}}
	if negate {
		cond = &plan.Unary{Op: "NOT", X: cond}
	}
	return []plan.Node{&plan.Where{Cond: cond}}, nil
}

// convertRegex turns a PCRE-style rex pattern into RE2 with unnamed
// groups: group i of the result is Names[i-1] ("" for an unnamed group).
func (p *parser) convertRegex(t token) (string, []string, *syntax.Error) {
	pat := t.text
	var b strings.Builder
	var names []string
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch c {
		case '\\':
			b.WriteByte(c)
			if i+1 < len(pat) {
				i++
				b.WriteByte(pat[i])
			}
		case '[':
			j := classEnd(pat, i)
			b.WriteString(pat[i:j])
			i = j - 1
		case '(':
			rest := pat[i+1:]
			if !strings.HasPrefix(rest, "?") {
				names = append(names, "")
				b.WriteByte('(')
				continue
			}
			var name string
			var skip int
			switch {
			case strings.HasPrefix(rest, "?<=") || strings.HasPrefix(rest, "?<!") ||
				strings.HasPrefix(rest, "?=") || strings.HasPrefix(rest, "?!"):
				return "", nil, p.errf(t, "cannot use rex pattern: lookaround assertions are not supported")
			case strings.HasPrefix(rest, "?>") || strings.HasPrefix(rest, "?#") || strings.HasPrefix(rest, "?|"):
				return "", nil, p.errf(t, "cannot use rex pattern: (%s is not supported", rest[:2])
			case strings.HasPrefix(rest, "?P<"):
				name, skip = groupName(rest[3:], '>'), 3
			case strings.HasPrefix(rest, "?<"):
				name, skip = groupName(rest[2:], '>'), 2
			case strings.HasPrefix(rest, "?'"):
				name, skip = groupName(rest[2:], '\''), 2
			default:
				b.WriteByte('(')
				continue
			}
			if name == "" {
				return "", nil, p.errf(t, "cannot use rex pattern: malformed group name")
			}
			names = append(names, name)
			b.WriteByte('(')
			i += skip + len(name) + 1
		default:
			b.WriteByte(c)
		}
	}
	re := b.String()
	if _, err := regexp.Compile(re); err != nil {
		return "", nil, p.errf(t, "cannot compile rex pattern: %v", err)
	}
	if len(names) == 0 || !hasName(names) {
		return "", nil, p.errf(t, "rex pattern has no named group (?<name>...) to extract")
	}
	return re, names, nil
}

func hasName(names []string) bool {
	for _, n := range names {
		if n != "" {
			return true
		}
	}
	return false
}

// groupName reads a group name up to the closing delimiter; "" when the
// name is empty, malformed or unterminated.
func groupName(s string, closer byte) string {
	j := strings.IndexByte(s, closer)
	if j <= 0 {
		return ""
	}
	name := s[:j]
	for k := 0; k < len(name); k++ {
		c := name[k]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || k > 0 && c >= '0' && c <= '9') {
			return ""
		}
	}
	return name
}

// classEnd returns the offset after the character class that opens at
// pat[i] == '['; len(pat) when it is not closed (the compiler reports it).
func classEnd(pat string, i int) int {
	j := i + 1
	if j < len(pat) && pat[j] == '^' {
		j++
	}
	if j < len(pat) && pat[j] == ']' {
		j++
	}
	for j < len(pat) {
		switch pat[j] {
		case '\\':
			j += 2
			continue
		case '[':
			if j+1 < len(pat) && pat[j+1] == ':' {
				if k := strings.Index(pat[j:], ":]"); k >= 0 {
					j += k + 2
					continue
				}
			}
		case ']':
			return j + 1
		}
		j++
	}
	return len(pat)
}
