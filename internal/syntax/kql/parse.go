package kql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/syntax"
)

// Parse parses a KQL query over the given index patterns into a plan. An
// empty (or all-blank) query matches every event.
func Parse(src string, indices []string) (*plan.Query, error) {
	from := &plan.From{Indices: append([]string(nil), indices...)}
	p := &parser{src: src}
	srcs, _ := schema.Select(from)
	p.sources = srcs
	q := &plan.Query{Dialect: plan.KQL, Pipeline: []plan.Node{from}}
	p.space()
	if p.eof() {
		return q, nil
	}
	cond, err := p.orQuery("")
	if err != nil {
		return nil, err
	}
	p.space()
	if !p.eof() {
		return nil, p.errAt(p.pos, p.pos+1, "unexpected %s", p.describe())
	}
	q.Pipeline = append(q.Pipeline, &plan.Where{Cond: cond})
	return q, nil
}

// Cond parses a KQL query into the condition Parse would filter with,
// for ES|QL's kql() function; nil matches every event. indices are the
// ES|QL query's index patterns, for field wildcards.
func Cond(src string, indices []string) (plan.Expr, error) {
	q, err := Parse(src, indices)
	if err != nil {
		return nil, err
	}
	for _, n := range q.Pipeline {
		if w, ok := n.(*plan.Where); ok {
			return w.Cond, nil
		}
	}
	return nil, nil
}

type parser struct {
	src     string
	pos     int
	sources []event.LogType
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) errAt(start, end int, format string, args ...any) *syntax.Error {
	if end > len(p.src) {
		end = len(p.src)
	}
	if start > end {
		start = end
	}
	return syntax.Errorf(p.src, syntax.Span{Start: syntax.Pos(start), End: syntax.Pos(end)}, format, args...)
}

// describe names what is at the current position, for error messages.
func (p *parser) describe() string {
	if p.eof() {
		return "end of query"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return strconv.QuoteRune(r)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// space skips blanks and reports whether there were any.
func (p *parser) space() bool {
	start := p.pos
	for !p.eof() && isSpace(p.src[p.pos]) {
		p.pos++
	}
	return p.pos > start
}

// keywordAt reports whether the keyword kw (or, and) stands at i as Kibana
// reads it: blanks, the word in any case, blanks (or the end). It returns the position
// after the trailing blanks.
func (p *parser) keywordAt(i int, kw string) (int, bool) {
	j := i
	for j < len(p.src) && isSpace(p.src[j]) {
		j++
	}
	if j == i || j+len(kw) > len(p.src) || !strings.EqualFold(p.src[j:j+len(kw)], kw) {
		return 0, false
	}
	k := j + len(kw)
	if k < len(p.src) && !isSpace(p.src[k]) {
		return 0, false // a word that starts with the keyword
	}
	// A keyword at the end of the query is a dangling operator, reported
	// by what follows it, not a value.
	for k < len(p.src) && isSpace(p.src[k]) {
		k++
	}
	return k, true
}

// notAt reports whether "not" followed by blanks stands at i, and where
// what it negates starts.
func (p *parser) notAt(i int) (int, bool) {
	if i+3 >= len(p.src) || !strings.EqualFold(p.src[i:i+3], "not") || !isSpace(p.src[i+3]) {
		return 0, false
	}
	k := i + 3
	for k < len(p.src) && isSpace(p.src[k]) {
		k++
	}
	return k, true
}

// orQuery: andQuery (or andQuery)*. prefix is the field path of the
// enclosing field:{ ... } blocks.
func (p *parser) orQuery(prefix string) (plan.Expr, error) {
	return p.chain(prefix, "or", "OR", p.andQuery)
}

// andQuery: notQuery (and notQuery)*.
func (p *parser) andQuery(prefix string) (plan.Expr, error) {
	return p.chain(prefix, "and", "AND", p.notQuery)
}

// chain reads operands joined by a keyword, left to right.
func (p *parser) chain(prefix, word, op string, operand func(string) (plan.Expr, error)) (plan.Expr, error) {
	l, err := operand(prefix)
	if err != nil {
		return nil, err
	}
	for {
		next, ok := p.keywordAt(p.pos, word)
		if !ok {
			return l, nil
		}
		p.pos = next
		r, err := operand(prefix)
		if err != nil {
			return nil, err
		}
		l = &plan.Binary{Op: op, L: l, R: r}
	}
}

func (p *parser) notQuery(prefix string) (plan.Expr, error) {
	if next, ok := p.notAt(p.pos); ok {
		p.pos = next
		x, err := p.subQuery(prefix)
		if err != nil {
			return nil, err
		}
		return &plan.Unary{Op: "NOT", X: x}, nil
	}
	return p.subQuery(prefix)
}

// subQuery: "(" orQuery ")" | field ":" "{" orQuery "}" | expression.
func (p *parser) subQuery(prefix string) (plan.Expr, error) {
	if !p.eof() && p.src[p.pos] == '(' {
		open := p.pos
		p.pos++
		p.space()
		x, err := p.orQuery(prefix)
		if err != nil {
			return nil, err
		}
		p.space()
		if p.eof() || p.src[p.pos] != ')' {
			return nil, p.errAt(open, open+1, "unclosed parenthesis: want \")\" before %s", p.describe())
		}
		p.pos++
		return x, nil
	}
	return p.expression(prefix)
}

// expression: field (range-op literal | ":" ( "{" orQuery "}" | values )).
func (p *parser) expression(prefix string) (plan.Expr, error) {
	start := p.pos
	lit, err := p.literal()
	if err != nil {
		return nil, err
	}
	if lit == nil {
		return nil, p.errAt(p.pos, p.pos+1, "want a field, \"(\" or \"not\", got %s", p.describe())
	}
	p.space()
	if p.eof() || !strings.ContainsRune(":<>", rune(p.src[p.pos])) {
		if lit.text == "*" && lit.wildcard {
			// A bare "*" matches every document (Kibana's match_all).
			return &plan.Literal{Value: event.BoolValue(true)}, nil
		}
		return nil, p.errAt(start, lit.end, "a value without a field (a search of every field) is not supported; write field:value")
	}
	field := lit.fieldName()
	if prefix != "" {
		field = prefix + "." + field
	}
	fieldSpan := [2]int{start, lit.end}
	if field == "" {
		return nil, p.errAt(start, lit.end, "empty field name")
	}
	switch c := p.src[p.pos]; c {
	case '<', '>':
		op := string(c)
		p.pos++
		if !p.eof() && p.src[p.pos] == '=' {
			op += "="
			p.pos++
		}
		p.space()
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, p.errAt(p.pos, p.pos+1, "want a value after %s, got %s", op, p.describe())
		}
		if v.wildcard {
			return nil, p.errAt(v.start, v.end, "a range bound cannot hold a wildcard")
		}
		return p.leaf(field, fieldSpan, op, v)
	}
	// ':'
	p.pos++
	p.space()
	if !p.eof() && p.src[p.pos] == '{' {
		if lit.wildcard {
			return nil, p.errAt(start, lit.end, "a nested query needs a field name without wildcards")
		}
		open := p.pos
		p.pos++
		p.space()
		x, err := p.orQuery(field)
		if err != nil {
			return nil, err
		}
		p.space()
		if p.eof() || p.src[p.pos] != '}' {
			return nil, p.errAt(open, open+1, "unclosed nested query: want \"}\" before %s", p.describe())
		}
		p.pos++
		return x, nil
	}
	return p.listOfValues(field, fieldSpan)
}

// listOfValues: "(" orValues ")" | value.
func (p *parser) listOfValues(field string, fspan [2]int) (plan.Expr, error) {
	if !p.eof() && p.src[p.pos] == '(' {
		open := p.pos
		p.pos++
		p.space()
		x, err := p.orValues(field, fspan)
		if err != nil {
			return nil, err
		}
		p.space()
		if p.eof() || p.src[p.pos] != ')' {
			return nil, p.errAt(open, open+1, "unclosed list of values: want \")\" before %s", p.describe())
		}
		p.pos++
		return x, nil
	}
	v, err := p.literal()
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, p.errAt(p.pos, p.pos+1, "want a value, got %s", p.describe())
	}
	return p.leaf(field, fspan, ":", v)
}

func (p *parser) orValues(field string, fspan [2]int) (plan.Expr, error) {
	l, err := p.andValues(field, fspan)
	if err != nil {
		return nil, err
	}
	for {
		next, ok := p.keywordAt(p.pos, "or")
		if !ok {
			return l, nil
		}
		p.pos = next
		r, err := p.andValues(field, fspan)
		if err != nil {
			return nil, err
		}
		l = &plan.Binary{Op: "OR", L: l, R: r}
	}
}

func (p *parser) andValues(field string, fspan [2]int) (plan.Expr, error) {
	l, err := p.notValues(field, fspan)
	if err != nil {
		return nil, err
	}
	for {
		next, ok := p.keywordAt(p.pos, "and")
		if !ok {
			return l, nil
		}
		p.pos = next
		r, err := p.notValues(field, fspan)
		if err != nil {
			return nil, err
		}
		l = &plan.Binary{Op: "AND", L: l, R: r}
	}
}

func (p *parser) notValues(field string, fspan [2]int) (plan.Expr, error) {
	if next, ok := p.notAt(p.pos); ok {
		p.pos = next
		x, err := p.listOfValues(field, fspan)
		if err != nil {
			return nil, err
		}
		return &plan.Unary{Op: "NOT", X: x}, nil
	}
	return p.listOfValues(field, fspan)
}

// leaf builds the test of one field and value; a field name with
// wildcards becomes the OR of the test over every field it names.
func (p *parser) leaf(field string, fspan [2]int, op string, v *literal) (plan.Expr, error) {
	m := plan.Match{Op: op, Value: v.text, Wildcard: v.wildcard, Phrase: v.quoted}
	if !strings.Contains(field, "*") {
		return p.match(field, m), nil
	}
	names := p.expandField(field)
	if len(names) == 0 {
		// Kibana queries no field, and so matches nothing.
		return &plan.Literal{Value: event.BoolValue(false)}, nil
	}
	var out plan.Expr
	for _, n := range names {
		x := p.match(n, m)
		if out == nil {
			out = x
		} else {
			out = &plan.Binary{Op: "OR", L: out, R: x}
		}
	}
	return out, nil
}

func (p *parser) match(field string, m plan.Match) plan.Expr {
	m.Field, m.Text = schema.TextField(field)
	if m.Text && m.Wildcard && m.Value == "*" {
		m.Text = false // exists
	}
	return &m
}

// expandField lists the fields of the sources' ECS views that a field
// name with "*" wildcards names, sorted.
func (p *parser) expandField(pattern string) []string {
	seen := map[string]bool{}
	var out []string
	for _, src := range p.sources {
		for _, f := range schema.Fields(schema.ECS, src) {
			if !seen[f] && schema.Glob(pattern, f) {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	sortStrings(out)
	return out
}

func sortStrings(ss []string) {
	for i := 1; i < len(ss); i++ {
		for j := i; j > 0 && ss[j] < ss[j-1]; j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
}

// literal is a quoted string or an unquoted run of characters. With
// wildcard set, text is a wildcard pattern in which "*" is a wildcard and
// "\*" and "\\" are a literal star and backslash; else text is the value.
type literal struct {
	text       string
	quoted     bool
	wildcard   bool
	start, end int
}

// fieldName is the literal as a field name: wildcards stay "*".
func (l *literal) fieldName() string {
	if !l.wildcard {
		return l.text
	}
	var b strings.Builder
	for i := 0; i < len(l.text); i++ {
		if l.text[i] == '\\' && i+1 < len(l.text) {
			i++
		}
		b.WriteByte(l.text[i])
	}
	return b.String()
}

// specials are the characters an unquoted literal holds only escaped.
const specials = `\():<>"*{}`

// literal reads a literal at the current position, or returns nil when
// none starts there.
func (p *parser) literal() (*literal, error) {
	if p.eof() {
		return nil, nil
	}
	if p.src[p.pos] == '"' {
		return p.quoted()
	}
	return p.unquoted()
}

func (p *parser) quoted() (*literal, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for {
		if p.eof() {
			return nil, p.errAt(start, start+1, "unterminated quoted string")
		}
		c := p.src[p.pos]
		switch c {
		case '"':
			p.pos++
			return &literal{text: b.String(), quoted: true, start: start, end: p.pos}, nil
		case '\\':
			if p.pos+1 >= len(p.src) {
				return nil, p.errAt(p.pos, p.pos+1, "unterminated escape")
			}
			switch e := p.src[p.pos+1]; e {
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'n':
				b.WriteByte('\n')
			case '\\', '"':
				b.WriteByte(e)
			case 'u':
				r, n, err := p.unicodeEscape(p.pos)
				if err != nil {
					return nil, err
				}
				b.WriteRune(r)
				p.pos += n
				continue
			default:
				// Kibana keeps an unknown escape's backslash in a quoted string.
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			p.pos += 2
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

// unicodeEscape reads \uXXXX at i; it returns the rune and the length.
func (p *parser) unicodeEscape(i int) (rune, int, error) {
	if i+6 > len(p.src) {
		return 0, 0, p.errAt(i, len(p.src), "want four hex digits after \\u")
	}
	n, err := strconv.ParseUint(p.src[i+2:i+6], 16, 32)
	if err != nil {
		return 0, 0, p.errAt(i, i+6, "want four hex digits after \\u")
	}
	return rune(n), 6, nil
}

func (p *parser) unquoted() (*literal, error) {
	start := p.pos
	var b strings.Builder // the value, escapes resolved
	var pat strings.Builder
	wild := false
	for !p.eof() {
		c := p.src[p.pos]
		if isSpace(c) {
			if _, ok := p.keywordAt(p.pos, "or"); ok {
				break
			}
			if _, ok := p.keywordAt(p.pos, "and"); ok {
				break
			}
		}
		if c == '\\' {
			if p.pos+1 >= len(p.src) {
				return nil, p.errAt(p.pos, p.pos+1, "unterminated escape")
			}
			e := p.src[p.pos+1]
			var lit string
			n := 2
			switch {
			case e == 't':
				lit = "\t"
			case e == 'r':
				lit = "\r"
			case e == 'n':
				lit = "\n"
			case e == 'u':
				r, m, err := p.unicodeEscape(p.pos)
				if err != nil {
					return nil, err
				}
				lit, n = string(r), m
			case strings.IndexByte(specials, e) >= 0:
				lit = string(e)
			default:
				kw := p.escapedKeyword(p.pos + 1)
				if kw == "" {
					return nil, p.errAt(p.pos, p.pos+2, "unknown escape \\%c: escape only special characters %s, whitespace (\\t \\r \\n), \\u and keywords", e, specials)
				}
				lit, n = kw, 1+len(kw)
			}
			b.WriteString(lit)
			for i := 0; i < len(lit); i++ {
				if lit[i] == '*' || lit[i] == '\\' {
					pat.WriteByte('\\')
				}
				pat.WriteByte(lit[i])
			}
			p.pos += n
			continue
		}
		if c == '*' {
			wild = true
			b.WriteByte('*')
			pat.WriteByte('*')
			p.pos++
			continue
		}
		if strings.IndexByte(specials, c) >= 0 {
			break
		}
		if p.pos > start && isSpace(p.src[p.pos-1]) {
			if _, ok := p.notAt(p.pos); ok {
				break
			}
		}
		b.WriteByte(c)
		pat.WriteByte(c)
		p.pos++
	}
	if p.pos == start {
		return nil, nil
	}
	// Surrounding blanks are not part of the value; a trailing escaped
	// blank is (it was written out, not skipped).
	end := p.pos
	raw := p.src[start:end]
	trimmed := strings.TrimRight(raw, " \t\r\n")
	cut := len(raw) - len(trimmed)
	p.pos = end - cut
	val, pv := b.String(), pat.String()
	val = val[:len(val)-cut]
	pv = pv[:len(pv)-cut]
	if wild {
		return &literal{text: pv, wildcard: true, start: start, end: p.pos}, nil
	}
	return &literal{text: val, start: start, end: p.pos}, nil
}

// escapedKeyword returns the keyword (or, and, not, as written) at i.
func (p *parser) escapedKeyword(i int) string {
	for _, kw := range []string{"and", "not", "or"} {
		if i+len(kw) <= len(p.src) && strings.EqualFold(p.src[i:i+len(kw)], kw) {
			return p.src[i : i+len(kw)]
		}
	}
	return ""
}
