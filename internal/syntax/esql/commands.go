package esql

import (
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// metadataFields are the METADATA fields FROM accepts.
var metadataFields = map[string]bool{
	"_id": true, "_index": true, "_version": true, "_score": true,
	"_source": true, "_ignored": true, "_index_mode": true,
}

// from parses FROM pattern[, pattern...] [METADATA field[, field...]].
func (p *parser) from() (plan.Node, *syntax.Error) {
	f := &plan.From{}
	for {
		// Index patterns have their own lexical rules (logs-*, remote:idx):
		// scan the current token again in that mode.
		p.lx.pos = p.tok.start
		p.tok = p.lx.sourcePattern()
		switch p.tok.kind {
		case tIdent:
		case tString:
			if strings.TrimSpace(p.tok.text) == "" {
				return nil, p.errorf(p.tok, "an index pattern cannot be empty")
			}
		default:
			return nil, p.unexpected("an index pattern")
		}
		f.Indices = append(f.Indices, p.tok.text)
		p.indices = f.Indices
		p.advance()
		if p.tok.kind != tComma {
			break
		}
		p.advance()
	}
	if !p.isKeyword("metadata") {
		return f, nil
	}
	p.advance()
	for {
		if p.tok.kind != tIdent && p.tok.kind != tQuoted {
			return nil, p.unexpected("a metadata field such as _id")
		}
		if !metadataFields[p.tok.text] {
			return nil, p.errorf(p.tok, "unknown metadata field %s (known: _id, _index, _version, _score, _source, _ignored, _index_mode)", p.tok.describe(p.src))
		}
		f.Metadata = append(f.Metadata, p.tok.text)
		p.advance()
		if p.tok.kind != tComma {
			return f, nil
		}
		p.advance()
	}
}

// where parses WHERE condition.
func (p *parser) where() (plan.Node, *syntax.Error) {
	cond, err := p.expr()
	if err != nil {
		return nil, err
	}
	return &plan.Where{Cond: cond}, nil
}

// eval parses EVAL [name =] expr, ...
func (p *parser) eval() (plan.Node, *syntax.Error) {
	e := &plan.Eval{}
	for {
		a, _, err := p.namedExpr()
		if err != nil {
			return nil, err
		}
		e.Assigns = append(e.Assigns, a)
		if p.tok.kind != tComma {
			return e, nil
		}
		p.advance()
	}
}

// namedExpr parses "name = expr" or a bare expression. A bare field keeps
// its name; any other bare expression is named by its source text, exactly
// as written, as ES|QL does ("count(*)", "a + 1").
func (p *parser) namedExpr() (plan.Assign, syntax.Span, *syntax.Error) {
	start := p.tok.start
	name, ok, err := p.assignTarget()
	if err != nil {
		return plan.Assign{}, syntax.Span{}, err
	}
	exprStart := p.tok.start
	e, err := p.expr()
	if err != nil {
		return plan.Assign{}, syntax.Span{}, err
	}
	sp := syntax.Span{Start: syntax.Pos(start), End: syntax.Pos(p.prevEnd)}
	if ok {
		return plan.Assign{Name: name, Expr: e}, sp, nil
	}
	if f, isField := e.(*plan.Field); isField {
		return plan.Assign{Name: f.Name, Expr: e}, sp, nil
	}
	return plan.Assign{Name: p.src[exprStart:p.prevEnd], Expr: e}, sp, nil
}

// assignTarget consumes "name =" when the input starts with it.
func (p *parser) assignTarget() (string, bool, *syntax.Error) {
	if p.tok.kind != tQuoted && (p.tok.kind != tIdent || reserved[strings.ToLower(p.tok.text)]) {
		return "", false, nil
	}
	s := p.save()
	name, _, err := p.qualifiedName()
	if err == nil && p.isOp("=") {
		p.advance()
		return name, true, nil
	}
	p.restore(s)
	return "", false, nil
}

// qualifiedName parses a column name: parts joined by dots, each part an
// identifier or a backtick-quoted name (a.b, @timestamp, `a b`.c).
func (p *parser) qualifiedName() (string, syntax.Span, *syntax.Error) {
	if p.tok.kind != tIdent && p.tok.kind != tQuoted {
		return "", syntax.Span{}, p.unexpected("a column name")
	}
	start := p.tok.start
	var b strings.Builder
	b.WriteString(p.tok.text)
	p.advance()
	for p.tok.kind == tDot && p.tok.start == p.prevEnd {
		p.advance()
		if (p.tok.kind != tIdent && p.tok.kind != tQuoted) || p.tok.start != p.prevEnd {
			return "", syntax.Span{}, p.unexpected("a name part after \".\"")
		}
		b.WriteByte('.')
		b.WriteString(p.tok.text)
		p.advance()
	}
	return b.String(), syntax.Span{Start: syntax.Pos(start), End: syntax.Pos(p.prevEnd)}, nil
}

// columnPattern parses a KEEP/DROP name that may hold "*" wildcards
// (user.*, *_id, *). The pieces of one pattern are written without spaces.
func (p *parser) columnPattern() (string, syntax.Span, *syntax.Error) {
	if p.tok.kind != tIdent && p.tok.kind != tQuoted && !p.isOp("*") {
		return "", syntax.Span{}, p.unexpected("a column name or pattern")
	}
	start := p.tok.start
	var b strings.Builder
	for {
		switch {
		case p.tok.kind == tIdent, p.tok.kind == tQuoted, p.tok.kind == tInt, p.isOp("*"):
			b.WriteString(p.tok.text)
		case p.tok.kind == tDot:
			b.WriteByte('.')
		default:
			return "", syntax.Span{}, p.unexpected("a column name or pattern")
		}
		p.advance()
		adjacent := p.tok.start == p.prevEnd
		if !adjacent || !(p.tok.kind == tIdent || p.tok.kind == tQuoted || p.tok.kind == tInt || p.tok.kind == tDot || p.isOp("*")) {
			break
		}
	}
	s := b.String()
	if strings.HasSuffix(s, ".") || strings.HasPrefix(s, ".") || strings.Contains(s, "..") {
		return "", syntax.Span{}, p.errorSpan(p.span(start), "malformed column name %s", clip(s))
	}
	return s, p.span(start), nil
}

// keepDrop parses KEEP or DROP with a list of names and patterns.
func (p *parser) keepDrop(keep bool) (plan.Node, *syntax.Error) {
	var names []string
	var sps []syntax.Span
	for {
		n, sp, err := p.columnPattern()
		if err != nil {
			return nil, err
		}
		names = append(names, n)
		sps = append(sps, sp)
		if p.tok.kind != tComma {
			break
		}
		p.advance()
	}
	var n plan.Node = &plan.Drop{Fields: names}
	if keep {
		n = &plan.Keep{Fields: names}
	}
	p.at.names[n] = sps
	return n, nil
}

// rename parses RENAME old AS new, ... and the newer RENAME new = old.
func (p *parser) rename() (plan.Node, *syntax.Error) {
	r := &plan.Rename{}
	var sps []syntax.Span
	for {
		to, isAssign, err := p.assignTarget()
		if err != nil {
			return nil, err
		}
		from, fromSpan, err := p.qualifiedName()
		if err != nil {
			return nil, err
		}
		sps = append(sps, fromSpan)
		if !isAssign {
			if !p.isKeyword("as") {
				return nil, p.unexpected("AS")
			}
			p.advance()
			if to, _, err = p.qualifiedName(); err != nil {
				return nil, err
			}
		}
		r.Pairs = append(r.Pairs, plan.RenamePair{From: from, To: to})
		if p.tok.kind != tComma {
			p.at.names[r] = sps
			return r, nil
		}
		p.advance()
	}
}

// sort parses SORT expr [ASC|DESC] [NULLS FIRST|LAST], ...
func (p *parser) sort() (plan.Node, *syntax.Error) {
	s := &plan.Sort{}
	for {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		k := plan.SortKey{Expr: e}
		switch {
		case p.isKeyword("asc"):
			p.advance()
		case p.isKeyword("desc"):
			k.Desc = true
			p.advance()
		}
		if p.isKeyword("nulls") {
			p.advance()
			switch {
			case p.isKeyword("first"):
				k.Nulls = plan.NullsFirst
			case p.isKeyword("last"):
				k.Nulls = plan.NullsLast
			default:
				return nil, p.unexpected("FIRST or LAST")
			}
			p.advance()
		}
		s.Keys = append(s.Keys, k)
		if p.tok.kind != tComma {
			return s, nil
		}
		p.advance()
	}
}

// limit parses LIMIT n.
func (p *parser) limit() (plan.Node, *syntax.Error) {
	if p.tok.kind != tInt {
		return nil, p.unexpected("a whole number")
	}
	n, err := strconv.Atoi(p.tok.text)
	if err != nil || n > 1<<31-1 {
		return nil, p.errorf(p.tok, "limit %s is too large", p.tok.text)
	}
	p.advance()
	return &plan.Limit{N: n}, nil
}

// mvExpand parses MV_EXPAND column.
func (p *parser) mvExpand() (plan.Node, *syntax.Error) {
	name, sp, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	m := &plan.MvExpand{Field: name}
	p.at.names[m] = []syntax.Span{sp}
	return m, nil
}

// dissect parses DISSECT input "pattern" [APPEND_SEPARATOR = "sep"].
func (p *parser) dissect() (plan.Node, *syntax.Error) {
	field, err := p.postfix()
	if err != nil {
		return nil, err
	}
	patTok, err := p.expect(tString, "a dissect pattern string")
	if err != nil {
		return nil, err
	}
	if msg := checkDissect(patTok.text); msg != "" {
		return nil, p.errorf(patTok, "%s", msg)
	}
	d := &plan.Dissect{Field: field, Pattern: patTok.text}
	for p.tok.kind == tIdent && p.peek().kind == tOp && p.peek().text == "=" {
		opt := p.tok
		if !strings.EqualFold(opt.text, "append_separator") {
			return nil, p.errorf(opt, "unknown option %s (known: APPEND_SEPARATOR)", opt.describe(p.src))
		}
		p.advance()
		p.advance()
		sep, err := p.expect(tString, "a separator string")
		if err != nil {
			return nil, err
		}
		d.AppendSeparator = sep.text
		if p.tok.kind != tComma {
			break
		}
		p.advance()
	}
	return d, nil
}

// checkDissect reports what is wrong with a dissect pattern, or "".
func checkDissect(pat string) string {
	keys := 0
	for i := 0; i < len(pat); {
		j := strings.Index(pat[i:], "%{")
		if j < 0 {
			break
		}
		i += j + 2
		k := strings.IndexByte(pat[i:], '}')
		if k < 0 {
			return "unterminated %{ in dissect pattern"
		}
		i += k + 1
		keys++
	}
	if keys == 0 {
		return "a dissect pattern needs at least one %{key}"
	}
	return ""
}

// grok parses GROK input "pattern". A typed capture (%{NUMBER:n:int})
// becomes a conversion in an EVAL after the extraction.
func (p *parser) grok() ([]plan.Node, *syntax.Error) {
	field, err := p.postfix()
	if err != nil {
		return nil, err
	}
	patTok, err := p.expect(tString, "a grok pattern string")
	if err != nil {
		return nil, err
	}
	g, gerr := translateGrok(patTok.text)
	if gerr != nil {
		return nil, p.errorf(patTok, "%v", gerr)
	}
	nodes := []plan.Node{&plan.Extract{Field: field, Kind: "grok", Pattern: patTok.text, Regex: g.regex, Names: g.names}}
	var conv []plan.Assign
	for i, t := range g.types {
		if fn := grokTypes[t]; fn != "" {
			n := g.names[i]
			conv = append(conv, plan.Assign{Name: n, Expr: &plan.Call{Name: fn, Args: []plan.Expr{&plan.Field{Name: n}}}})
		}
	}
	if len(conv) > 0 {
		nodes = append(nodes, &plan.Eval{Assigns: conv})
	}
	return nodes, nil
}
