package spl

import (
	"strings"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// Splunk's limits on the rows a subsearch gives (limits.conf): 10,000 for
// a subsearch in a search ([subsearch] maxout), 50,000 for join and
// append (their subsearch_maxout and maxout).
const (
	searchMaxOut = 10000
	joinMaxOut   = 50000
	appendMaxOut = 50000
)

// generating are the commands that start a search of their own, which a
// subsearch may name without a pipe before them; tripline runs none of
// these but inputlookup there.
var generating = map[string]bool{"summary": true, "makeresults": true, "rest": true, "metadata": true,
	"loadjob": true, "savedsearch": true, "dbinspect": true, "eventcount": true, "tstats": true, "datamodel": true}

// subMark is a subsearch found in a search expression, where a
// placeholder term stands for it until liftSubsearches takes it out.
type subMark struct {
	sub *plan.Subsearch
	tok token
}

// parseSubsearch parses the query a [subsearch] token holds.
func (p *parser) parseSubsearch(t token, maxOut int) (*plan.Subsearch, *syntax.Error) {
	if strings.TrimSpace(t.text) == "" {
		return nil, p.errf(t, "empty subsearch")
	}
	lo, hi := t.pos+1, t.end-1
	var q *plan.Query
	var err *syntax.Error
	// A subsearch's first word names a generating command as if a pipe
	// came before it ("[inputlookup users]").
	seg := segment{start: lo, end: hi, pipe: -1}
	if name, _, end := commandName(p.src, seg); strings.EqualFold(name, "inputlookup") && (end == hi || isSpace(p.src[end])) {
		segs, serr := splitPipeline(p.src, end, hi)
		if serr != nil {
			return nil, serr
		}
		segs[0].start = end
		q, err = parseInputLookupQuery(p.src, end, segs[0], segs[1:])
	} else if generating[strings.ToLower(name)] && (end == hi || isSpace(p.src[end])) {
		i := lo
		for isSpace(p.src[i]) {
			i++
		}
		return nil, syntax.Errorf(p.src, syntax.Span{Start: syntax.Pos(i), End: syntax.Pos(end)}, "unsupported command %q", name)
	} else {
		q, err = parseQuery(p.src, lo, hi)
	}
	if err != nil {
		return nil, err
	}
	return &plan.Subsearch{Query: q, MaxOut: maxOut}, nil
}

// subsearchMark parses a subsearch in a search expression and returns the
// placeholder that stands for it.
func (p *parser) subsearchMark(t token) (plan.Expr, *syntax.Error) {
	sub, err := p.parseSubsearch(t, searchMaxOut)
	if err != nil {
		return nil, err
	}
	mark := &plan.SearchTerm{Term: "[subsearch]"}
	if p.subs == nil {
		p.subs = map[*plan.SearchTerm]subMark{}
	}
	p.subs[mark] = subMark{sub: sub, tok: t}
	return mark, nil
}

// liftSubsearches takes the subsearches AND-ed with the rest of a search
// expression out of it, as filters that run after it. A subsearch under OR
// or NOT is an error: its rows would have to be matched inside the
// expression, per event, which tripline does not do.
func (p *parser) liftSubsearches(e plan.Expr) (plan.Expr, []plan.Node, *syntax.Error) {
	if len(p.subs) == 0 {
		return e, nil, nil
	}
	var keep []plan.Expr
	var filters []plan.Node
	for _, c := range conjuncts(e, nil) {
		if t, ok := c.(*plan.SearchTerm); ok {
			if m, ok := p.subs[t]; ok {
				filters = append(filters, &plan.SubsearchFilter{Sub: m.sub})
				delete(p.subs, t)
				continue
			}
		}
		keep = append(keep, c)
	}
	for _, m := range p.subs {
		return nil, nil, p.errf(m.tok, "a subsearch under OR or NOT is not supported: only a subsearch AND-ed with the rest of the search")
	}
	return andOf(keep), filters, nil
}

// parseJoin parses
//
//	join [type=inner|left|outer] [max=N] [overwrite=b] [usetime=b] [earlier=b] field, ... [subsearch]
//
// (Splunk search reference, join). Without fields, Splunk joins on every
// field the two sides share; tripline needs them named.
func parseJoin(p *parser) ([]plan.Node, *syntax.Error) {
	j := &plan.Join{Max: 1, Overwrite: true}
	var fields []string
	var sub *plan.Subsearch
	for !p.eof() {
		t := p.peek()
		switch {
		case t.kind == tkComma:
			p.next()
		case t.kind == tkSub:
			p.next()
			if !p.eof() {
				return nil, p.errf(p.peek(), "unexpected %s after the subsearch", describe(p.peek()))
			}
			s, err := p.parseSubsearch(t, joinMaxOut)
			if err != nil {
				return nil, err
			}
			sub = s
		case p.atOption():
			key, v, err := p.option()
			if err != nil {
				return nil, err
			}
			switch key {
			case "type":
				switch strings.ToLower(v.text) {
				case "inner":
					j.Type = plan.JoinInner
				case "left", "outer":
					j.Type = plan.JoinLeft
				default:
					return nil, p.errf(v, "type= takes inner, left or outer, not %q", v.text)
				}
			case "max":
				n, err := p.positiveInt(v, key, true)
				if err != nil {
					return nil, err
				}
				j.Max = n
			case "overwrite":
				b, ok := parseBool(v.text)
				if !ok {
					return nil, p.errf(v, "overwrite= takes true or false, not %q", v.text)
				}
				j.Overwrite = b
			case "usetime", "earlier":
				if b, _ := parseBool(v.text); b {
					return nil, p.errf(v, "join %s=true is not supported", key)
				}
			default:
				return nil, p.errf(v, "join option %s= is not supported", key)
			}
		default:
			f, err := p.fieldName("a join field or a [subsearch]")
			if err != nil {
				return nil, err
			}
			fields = append(fields, f.text)
		}
	}
	if sub == nil {
		return nil, p.errf(p.peek(), "expected a [subsearch] to join")
	}
	if len(fields) == 0 {
		return nil, p.errf(p.peek(), "join needs its fields named: tripline does not join on every shared field")
	}
	j.Fields, j.Sub = fields, sub
	return []plan.Node{j}, nil
}

// parseAppend parses "append [maxout=N] [maxtime=N] [timeout=N]
// [extendtimerange=b] [subsearch]".
func parseAppend(p *parser) ([]plan.Node, *syntax.Error) {
	maxOut := appendMaxOut
	for p.atOption() {
		key, v, err := p.option()
		if err != nil {
			return nil, err
		}
		switch key {
		case "maxout":
			n, err := p.positiveInt(v, key, false)
			if err != nil {
				return nil, err
			}
			maxOut = n
		case "maxtime", "timeout", "extendtimerange":
		default:
			return nil, p.errf(v, "append option %s= is not supported", key)
		}
	}
	t := p.next()
	if t.kind != tkSub {
		return nil, p.errf(t, "expected a [subsearch] to append, found %s", describe(t))
	}
	if !p.eof() {
		return nil, p.errf(p.peek(), "unexpected %s after the subsearch", describe(p.peek()))
	}
	sub, err := p.parseSubsearch(t, maxOut)
	if err != nil {
		return nil, err
	}
	return []plan.Node{&plan.Append{Sub: sub}}, nil
}

// parseReturn parses "return [N] field | alias=field ...": the first N
// rows (default 1) with those fields, renamed. $field (values without
// their field) is not supported.
func parseReturn(p *parser) ([]plan.Node, *syntax.Error) {
	n := 1
	if t := p.peek(); t.kind == tkWord && isAllDigits(t.text) {
		p.next()
		c, err := p.positiveInt(t, "return", false)
		if err != nil {
			return nil, err
		}
		n = c
	}
	var keep []string
	rename := &plan.Rename{MissingRemoves: true}
	for !p.eof() {
		if p.peek().kind == tkComma {
			p.next()
			continue
		}
		if p.atOption() {
			alias := p.next()
			p.next()
			f, err := p.fieldName("a field after =")
			if err != nil {
				return nil, err
			}
			rename.Pairs = append(rename.Pairs, plan.RenamePair{From: f.text, To: alias.text})
			keep = append(keep, alias.text)
			continue
		}
		f, err := p.fieldName("a field to return")
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(f.text, "$") {
			return nil, p.errf(f, "return $field (values without their field names) is not supported")
		}
		keep = append(keep, f.text)
	}
	if len(keep) == 0 {
		return nil, p.errf(p.peek(), "expected the fields to return")
	}
	out := []plan.Node{&plan.Limit{N: n}}
	if len(rename.Pairs) > 0 {
		out = append(out, rename)
	}
	return append(out, &plan.Keep{Fields: keep}), nil
}

// parseFormat parses format: its default output is how tripline reads a
// subsearch's rows anyway; maxresults=N keeps the first N rows. Other
// separators than Splunk's defaults are not supported.
func parseFormat(p *parser) ([]plan.Node, *syntax.Error) {
	var out []plan.Node
	for p.atOption() {
		key, v, err := p.option()
		if err != nil {
			return nil, err
		}
		switch key {
		case "maxresults":
			n, err := p.positiveInt(v, key, true)
			if err != nil {
				return nil, err
			}
			if n > 0 {
				out = append(out, &plan.Limit{N: n})
			}
		case "mvsep", "emptystr":
		default:
			return nil, p.errf(v, "format option %s= is not supported", key)
		}
	}
	if !p.eof() {
		return nil, p.errf(p.peek(), "format with custom row and column separators is not supported")
	}
	return out, nil
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
