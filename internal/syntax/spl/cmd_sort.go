package spl

import (
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// defaultSortLimit is how many rows Splunk's sort keeps when no count is
// given.
const defaultSortLimit = 10000

// count reads a non-negative integer token.
func (p *parser) count(t token, what string) (int, *syntax.Error) {
	n, err := strconv.Atoi(t.text)
	if t.kind != tkWord || err != nil || n < 0 {
		return 0, p.errf(t, "expected %s (a whole number), found %s", what, describe(t))
	}
	return n, nil
}

// parseSort parses "sort [N] [limit=N] [+|-]field ... [desc]". It emits
// the sort and then a limit: N when given (0: none), else Splunk's 10000.
func parseSort(p *parser) ([]plan.Node, *syntax.Error) {
	limit := defaultSortLimit
	if t := p.peek(); t.kind == tkWord && isDigit(t.text[0]) {
		n, err := p.count(p.next(), "a row count")
		if err != nil {
			return nil, err
		}
		limit = n
	}
	s := &plan.Sort{}
	sign := ""
	for !p.eof() {
		t := p.peek()
		switch {
		case t.kind == tkComma:
			p.next()
			continue
		case p.atOption():
			key, v, err := p.option()
			if err != nil {
				return nil, err
			}
			if key != "limit" {
				return nil, p.errf(t, "unknown option %s=", key)
			}
			if limit, err = p.count(v, "a limit"); err != nil {
				return nil, err
			}
			continue
		case t.kind == tkWord && (t.text == "+" || t.text == "-"):
			if sign != "" {
				return nil, p.errf(t, "expected a field after %s", sign)
			}
			sign = t.text
			p.next()
			continue
		case t.kind == tkWord && (strings.EqualFold(t.text, "d") || strings.EqualFold(t.text, "desc")) && len(s.Keys) > 0 && sign == "" && p.i == len(p.toks)-1:
			p.next()
			for i := range s.Keys {
				s.Keys[i].Desc = !s.Keys[i].Desc
			}
			continue
		}
		p.next()
		if t.kind != tkWord && t.kind != tkString {
			return nil, p.errf(t, "expected a sort field, found %s", describe(t))
		}
		name := t.text
		if t.kind == tkWord && sign == "" && len(name) > 1 && (name[0] == '-' || name[0] == '+') {
			sign, name = name[:1], name[1:]
		}
		if fn := strings.ToLower(name); p.peek().kind == tkLParen && (fn == "num" || fn == "str" || fn == "ip" || fn == "auto") {
			open := p.next()
			f, err := p.fieldName("a field name")
			if err != nil {
				return nil, err
			}
			if c := p.next(); c.kind != tkRParen {
				return nil, p.errf(c, "expected ) to close the ( at %s, found %s", lineCol(p.src, open.pos), describe(c))
			}
			name = f.text
		}
		if strings.Contains(name, "*") {
			return nil, p.errf(t, "wildcard sort fields are not supported")
		}
		s.Keys = append(s.Keys, plan.SortKey{Expr: &plan.Field{Name: name}, Desc: sign == "-"})
		sign = ""
	}
	if sign != "" {
		return nil, p.errf(p.peek(), "expected a field after %s", sign)
	}
	if len(s.Keys) == 0 {
		return nil, p.errf(p.peek(), "expected a field to sort by")
	}
	nodes := []plan.Node{s}
	if limit > 0 {
		nodes = append(nodes, &plan.Limit{N: limit})
	}
	return nodes, nil
}

// parseHead parses "head [N]" and "tail [N]" (default 10; also limit=N).
func parseHead(p *parser, tail bool) ([]plan.Node, *syntax.Error) {
	n := 10
	if p.atOption() {
		key, v, err := p.option()
		if err != nil {
			return nil, err
		}
		if key != "limit" {
			return nil, p.errf(p.toks[p.i-3], "option %s= is not supported", key)
		}
		if n, err = p.count(v, "a row count"); err != nil {
			return nil, err
		}
	} else if !p.eof() {
		var err *syntax.Error
		if n, err = p.count(p.next(), "a row count"); err != nil {
			return nil, err
		}
	}
	if !p.eof() {
		return nil, p.errf(p.peek(), "unexpected %s", describe(p.peek()))
	}
	return []plan.Node{&plan.Limit{N: n, Tail: tail}}, nil
}

// parseDedup parses "dedup [N] fields [consecutive=bool] [keepempty=false]".
func parseDedup(p *parser) ([]plan.Node, *syntax.Error) {
	d := &plan.Dedup{Count: 1}
	if t := p.peek(); t.kind == tkWord && isDigit(t.text[0]) {
		n, err := p.count(p.next(), "a count")
		if err != nil {
			return nil, err
		}
		if n < 1 {
			return nil, p.errf(t, "the dedup count must be at least 1")
		}
		d.Count = n
	}
	for !p.eof() {
		t := p.peek()
		switch {
		case t.kind == tkComma:
			p.next()
		case p.atOption():
			key, v, err := p.option()
			if err != nil {
				return nil, err
			}
			b, ok := boolWord(v.text)
			if !ok {
				return nil, p.errf(v, "expected true or false for %s=, found %s", key, describe(v))
			}
			switch {
			case key == "consecutive":
				d.Consecutive = b
			case (key == "keepempty" || key == "keepevents") && !b:
			default:
				return nil, p.errf(t, "option %s=%s is not supported", key, v.text)
			}
		case isWord(t, "sortby"):
			return nil, p.errf(t, "dedup sortby is not supported")
		default:
			f, err := p.fieldName("a field name")
			if err != nil {
				return nil, err
			}
			if strings.Contains(f.text, "*") {
				return nil, p.errf(f, "wildcard field names are not supported here")
			}
			d.Fields = append(d.Fields, f.text)
		}
	}
	if len(d.Fields) == 0 {
		return nil, p.errf(p.peek(), "expected at least one field name")
	}
	return []plan.Node{d}, nil
}

// boolWord reads Splunk's boolean option values.
func boolWord(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "t", "1", "yes":
		return true, true
	case "false", "f", "0", "no":
		return false, true
	}
	return false, false
}
