package spl

import (
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// parseRename parses "rename a as b, c as d". Renaming a missing field
// removes the target, as Splunk does.
func parseRename(p *parser) ([]plan.Node, *syntax.Error) {
	r := &plan.Rename{MissingRemoves: true}
	for !p.eof() {
		if p.peek().kind == tkComma {
			p.next()
			continue
		}
		from, err := p.fieldName("a field name")
		if err != nil {
			return nil, err
		}
		if next := p.peek(); from.kind == tkString && next.kind == tkWord && next.pos == from.end {
			// "All_Changes".* is one name, All_Changes.*: a quoted part
			// and the bare text right after it join, as drop_dm_object_name
			// called with a quoted argument writes it.
			p.next()
			from.text += next.text
			from.end = next.end
		}
		if as := p.next(); !isWord(as, "as") {
			return nil, p.errf(as, "expected as after %q, found %s", from.text, describe(as))
		}
		to, err := p.fieldName("a new field name after as")
		if err != nil {
			return nil, err
		}
		// Search Reference, "rename": a wildcard in both names renames
		// every field the first matches, its * carried to the second.
		if nf, nt := strings.Count(from.text, "*"), strings.Count(to.text, "*"); nf > 1 || nt > 1 || nf != nt {
			t := from
			if nf <= 1 {
				t = to
			}
			return nil, p.errf(t, "a wildcard rename takes one * in each name")
		}
		r.Pairs = append(r.Pairs, plan.RenamePair{From: from.text, To: to.text})
	}
	if len(r.Pairs) == 0 {
		return nil, p.errf(p.peek(), "expected a field to rename")
	}
	return []plan.Node{r}, nil
}

// parseTable parses "table a b, c*": keep those fields in that order.
func parseTable(p *parser) ([]plan.Node, *syntax.Error) {
	fields, err := p.fieldList(true)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, p.errf(p.peek(), "expected at least one field name")
	}
	return []plan.Node{&plan.Keep{Fields: fields}}, nil
}

// parseFields parses "fields [+|-] a, b": keep (default) or drop fields.
func parseFields(p *parser) ([]plan.Node, *syntax.Error) {
	drop := false
	if t := p.peek(); t.kind == tkWord {
		switch {
		case t.text == "-" || t.text == "+":
			drop = t.text == "-"
			p.next()
		case len(t.text) > 1 && (t.text[0] == '-' || t.text[0] == '+'):
			drop = t.text[0] == '-'
			p.toks[p.i].text = t.text[1:]
		}
	}
	fields, err := p.fieldList(true)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, p.errf(p.peek(), "expected at least one field name")
	}
	if drop {
		return []plan.Node{&plan.Drop{Fields: fields}}, nil
	}
	return []plan.Node{&plan.Keep{Fields: fields}}, nil
}

// parseMvExpand parses "mvexpand field".
func parseMvExpand(p *parser) ([]plan.Node, *syntax.Error) {
	if p.atOption() {
		return nil, p.errf(p.peek(), "option %s= is not supported", p.peek().text)
	}
	f, err := p.fieldName("a field name")
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, p.errf(p.peek(), "unexpected %s: mvexpand takes one field", describe(p.peek()))
	}
	return []plan.Node{&plan.MvExpand{Field: f.text}}, nil
}

// parseFillNull parses "fillnull [value=v] [fields]"; the default value is 0.
func parseFillNull(p *parser) ([]plan.Node, *syntax.Error) {
	fn := &plan.FillNull{Value: &plan.Literal{Value: event.LongValue(0)}}
	for p.atOption() {
		key, v, err := p.option()
		if err != nil {
			return nil, err
		}
		if key != "value" {
			return nil, p.errf(p.toks[p.i-3], "unknown option %s=", key)
		}
		fn.Value = &plan.Literal{Value: valueLiteral(v)}
	}
	fields, err := p.fieldList(false)
	if err != nil {
		return nil, err
	}
	fn.Fields = fields
	return []plan.Node{fn}, nil
}

// valueLiteral reads an option value: a number when a bare word is
// numeric, a string otherwise.
func valueLiteral(t token) event.Value {
	if t.kind == tkWord {
		if n, err := strconv.ParseInt(t.text, 10, 64); err == nil {
			return event.LongValue(n)
		}
		if f, err := strconv.ParseFloat(t.text, 64); err == nil && !strings.ContainsAny(t.text, "xXnN") {
			return event.DoubleValue(f)
		}
	}
	return event.StringValue(t.text)
}
