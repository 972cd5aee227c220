package spl

import (
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// parseBase parses the base search in src[start:end] and lifts its
// top-level index and sourcetype terms into a From.
func parseBase(src string, start, end int) (*plan.From, plan.Expr, []plan.Node, *syntax.Error) {
	toks, err := lexArgs(src, start, end)
	if err != nil {
		return nil, nil, nil, err
	}
	p := &parser{src: src, toks: toks, end: end}
	e, err := p.searchExpr()
	if err != nil {
		return nil, nil, nil, err
	}
	e, filters, err := p.liftSubsearches(e)
	if err != nil {
		return nil, nil, nil, err
	}
	from, rest := liftFrom(e)
	return from, rest, filters, nil
}

// parseSearchCmd parses the search command later in a pipeline: a filter
// of SearchCmp and SearchTerm predicates. Nothing is lifted; bare * is
// dropped, and so are top-level time modifiers, unless the parser keeps
// them as conditions on _time (p.timeMods, in data model searches).
func parseSearchCmd(p *parser) ([]plan.Node, *syntax.Error) {
	e, err := p.searchExpr()
	if err != nil {
		return nil, err
	}
	e, filters, err := p.liftSubsearches(e)
	if err != nil {
		return nil, err
	}
	var keep []plan.Expr
	for _, c := range dropMatchAll(conjuncts(e, nil)) {
		if !isTimeModifier(c) {
			keep = append(keep, c)
		} else if p.timeMods {
			if tc := timeCond(c.(*plan.SearchCmp)); tc != nil {
				keep = append(keep, tc)
			}
		}
	}
	if e = andOf(keep); e == nil {
		return filters, nil
	}
	return append([]plan.Node{&plan.Where{Cond: e}}, filters...), nil
}

// searchExpr parses a whole search expression; nil when there is none.
// The search command binds NOT, then OR, then AND (implicit or written).
func (p *parser) searchExpr() (plan.Expr, *syntax.Error) {
	if p.eof() {
		return nil, nil
	}
	e, err := p.searchAnd()
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, p.errf(p.peek(), "unexpected %s", describe(p.peek()))
	}
	return e, nil
}

func (p *parser) searchAnd() (plan.Expr, *syntax.Error) {
	e, err := p.searchOr()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind == tkEOF || t.kind == tkRParen {
			return e, nil
		}
		if t.kind == tkWord && t.text == "AND" {
			p.next()
		}
		r, err := p.searchOr()
		if err != nil {
			return nil, err
		}
		e = &plan.Binary{Op: "AND", L: e, R: r}
	}
}

func (p *parser) searchOr() (plan.Expr, *syntax.Error) {
	e, err := p.searchNot()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == tkWord && t.text == "OR"; t = p.peek() {
		p.next()
		r, err := p.searchNot()
		if err != nil {
			return nil, err
		}
		e = &plan.Binary{Op: "OR", L: e, R: r}
	}
	return e, nil
}

func (p *parser) searchNot() (plan.Expr, *syntax.Error) {
	if t := p.peek(); t.kind == tkWord && t.text == "NOT" {
		p.next()
		x, err := p.searchNot()
		if err != nil {
			return nil, err
		}
		return &plan.Unary{Op: "NOT", X: x}, nil
	}
	return p.searchPrimary()
}

func (p *parser) searchPrimary() (plan.Expr, *syntax.Error) {
	t := p.next()
	switch t.kind {
	case tkLParen:
		if p.peek().kind == tkRParen {
			return nil, p.errf(p.peek(), "empty parentheses")
		}
		e, err := p.searchAnd()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tkRParen {
			return nil, p.errf(c, "expected ) to close the ( at %s, found %s", lineCol(p.src, t.pos), describe(c))
		}
		return e, nil
	case tkSub:
		return p.subsearchMark(t)
	case tkString:
		if op := p.peek(); op.kind == tkOp {
			// "user.name"=alice: a quoted field name, as Splunk reads it.
			return p.searchCmp(t)
		}
		return &plan.SearchTerm{Term: t.text}, nil
	case tkWord:
		switch {
		case t.text == "AND" || t.text == "OR":
			return nil, p.errf(t, "expected a search term before %s", t.text)
		}
		if op := p.peek(); op.kind == tkOp {
			return p.searchCmp(t)
		}
		if in := p.peek(); in.kind == tkWord && in.text == "IN" && p.peekAt(1).kind == tkLParen {
			p.next()
			return p.searchIn(t)
		}
		return &plan.SearchTerm{Term: t.text}, nil
	}
	return nil, p.errf(t, "expected a search term, found %s", describe(t))
}

// searchCmp parses field op value, the field's token read.
func (p *parser) searchCmp(t token) (plan.Expr, *syntax.Error) {
	op := p.next()
	if op.text == "==" {
		return nil, p.errf(op, "use = to compare a field in a search, not ==")
	}
	v := p.next()
	if v.kind != tkWord && v.kind != tkString {
		return nil, p.errf(v, "expected a value after %s%s, found %s", t.text, op.text, describe(v))
	}
	c := &plan.SearchCmp{Field: t.text, Op: op.text, Value: v.text}
	if p.timeMods && isTimeModifier(c) {
		if msg := checkTimeModifier(c); msg != "" {
			return nil, p.errf(v, "%s", msg)
		}
	}
	return c, nil
}

// searchIn parses the list of field IN (a, "b c", d*) into an OR of
// equality comparisons.
func (p *parser) searchIn(field token) (plan.Expr, *syntax.Error) {
	open := p.next()
	var e plan.Expr
	for {
		v := p.next()
		switch v.kind {
		case tkComma:
			continue
		case tkRParen:
			if e == nil {
				return nil, p.errf(v, "empty IN list")
			}
			return e, nil
		case tkWord, tkString:
			c := &plan.SearchCmp{Field: field.text, Op: "=", Value: v.text}
			if e == nil {
				e = c
			} else {
				e = &plan.Binary{Op: "OR", L: e, R: c}
			}
		default:
			return nil, p.errf(v, "expected a value or ) in the IN list opened at %s, found %s", lineCol(p.src, open.pos), describe(v))
		}
	}
}

func lineCol(src string, pos int) string {
	l, c := syntax.LineCol(src, syntax.Pos(pos))
	return strconv.Itoa(l) + ":" + strconv.Itoa(c)
}

// timeModifiers are base-search terms that set the search's time range;
// the rule's schedule sets it instead, so they are dropped.
var timeModifiers = map[string]bool{
	"earliest": true, "latest": true, "starttime": true, "endtime": true,
	"_index_earliest": true, "_index_latest": true,
	"starthoursago": true, "startdaysago": true, "startminutesago": true,
	"endhoursago": true, "enddaysago": true, "endminutesago": true,
}

// isTimeModifier reports a top-level earliest=, latest=, ... term.
func isTimeModifier(e plan.Expr) bool {
	s, ok := e.(*plan.SearchCmp)
	return ok && s.Op == "=" && timeModifiers[strings.ToLower(s.Field)]
}

// liftFrom moves the top-level AND terms index=, sourcetype= (alone or as
// an OR of the same field) into a From; source= and eventtype= terms and
// time modifiers are dropped. The rest is returned as one AND chain.
func liftFrom(e plan.Expr) (*plan.From, plan.Expr) {
	from := &plan.From{}
	var rest []plan.Expr
	for _, c := range dropMatchAll(conjuncts(e, nil)) {
		if field, vals, ok := sourceTerms(c); ok {
			switch field {
			case "index":
				from.Indices = append(from.Indices, vals...)
			case "sourcetype":
				from.Sourcetypes = append(from.Sourcetypes, vals...)
			}
			continue
		}
		if isTimeModifier(c) {
			continue
		}
		rest = append(rest, c)
	}
	return from, andOf(rest)
}

// dropMatchAll removes the bare * terms, which match every event.
func dropMatchAll(es []plan.Expr) []plan.Expr {
	out := es[:0]
	for _, e := range es {
		if t, ok := e.(*plan.SearchTerm); ok && strings.Trim(t.Term, "*") == "" {
			continue
		}
		out = append(out, e)
	}
	return out
}

// andOf joins expressions with AND, left to right; nil for none.
func andOf(es []plan.Expr) plan.Expr {
	var e plan.Expr
	for _, c := range es {
		if e == nil {
			e = c
		} else {
			e = &plan.Binary{Op: "AND", L: e, R: c}
		}
	}
	return e
}

func conjuncts(e plan.Expr, out []plan.Expr) []plan.Expr {
	if e == nil {
		return out
	}
	if b, ok := e.(*plan.Binary); ok && b.Op == "AND" {
		return conjuncts(b.R, conjuncts(b.L, out))
	}
	return append(out, e)
}

// sourceTerms recognises field=value for the data-selecting fields, or an
// OR of such terms on one field, and returns the field (lower case) and
// values.
func sourceTerms(e plan.Expr) (string, []string, bool) {
	switch t := e.(type) {
	case *plan.SearchCmp:
		f := strings.ToLower(t.Field)
		if t.Op != "=" || f != "index" && f != "sourcetype" && f != "source" && f != "eventtype" {
			return "", nil, false
		}
		return f, []string{t.Value}, true
	case *plan.Binary:
		if t.Op != "OR" {
			return "", nil, false
		}
		lf, lv, lok := sourceTerms(t.L)
		rf, rv, rok := sourceTerms(t.R)
		if !lok || !rok || lf != rf {
			return "", nil, false
		}
		return lf, append(lv, rv...), true
	}
	return "", nil, false
}
