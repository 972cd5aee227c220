package spl

import (
	"strings"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/syntax"
)

// tstatsOptions are the options tstats accepts before its aggregates. Only
// prestats changes what tripline does; the others tune how Splunk reads
// its index-time summaries, and tripline always reads the events
// themselves: summariesonly=true still sees every event.
var tstatsOptions = map[string]bool{
	"prestats": true, "summariesonly": true, "allow_old_summaries": true, "fillnull_value": true,
	"chunk_size": true, "local": true, "append": true, "include_reduced_buckets": true,
}

// parseTstatsQuery parses a query that starts with tstats:
//
//	| tstats [options] aggregates [from datamodel=MODEL[.DATASET]] [where SEARCH] [by FIELDS [span=S]] | ...
//
// It plans as the events of the data model dataset (a From naming it and
// a Where holding the dataset's constraint and the where clause), an Eval
// binning _time when span= is given, and a Stats of the aggregates by the
// fields: a row whose by-field is missing is dropped, as stats does (the
// CIM data models give "unknown" for fields an event lacks, so few are).
// With prestats=true the Stats is left out: the stats command that
// follows aggregates the events itself, which gives what it would give
// over tstats' partial results. The rest of the pipeline follows, with the
// search command's time modifiers dropped as in any scheduled search.
func parseTstatsQuery(src string, nameEnd int, seg segment, rest []segment) (*plan.Query, *syntax.Error) {
	toks, err := lexArgs(src, nameEnd, seg.end)
	if err == nil {
		p := &parser{src: src, toks: toks, end: seg.end}
		var nodes []plan.Node
		if nodes, err = p.tstats(); err == nil {
			q := &plan.Query{Dialect: plan.SPL, Pipeline: nodes}
			return parseRest(q, src, rest, false)
		}
	}
	err.Msg = "cannot parse tstats command: " + err.Msg
	return nil, err
}

func (p *parser) tstats() ([]plan.Node, *syntax.Error) {
	prestats := false
	st := &plan.Stats{}
	for p.atOption() {
		t := p.peek()
		key, v, err := p.option()
		if err != nil {
			return nil, err
		}
		if !tstatsOptions[key] {
			return nil, p.errf(t, "unknown option %s=", key)
		}
		if key == "prestats" {
			prestats = isTrue(v.text)
		}
	}
	for !p.eof() {
		t := p.peek()
		if t.kind == tkComma {
			p.next()
			continue
		}
		if isWord(t, "by") || isWord(t, "where") || isWord(t, "from") {
			break
		}
		agg, err := p.aggregate()
		if err != nil {
			return nil, err
		}
		st.Aggs = append(st.Aggs, agg)
	}
	if len(st.Aggs) == 0 && !prestats {
		return nil, p.errf(p.peek(), "expected at least one aggregate function")
	}
	from := &plan.From{}
	var ds *schema.Dataset
	if isWord(p.peek(), "from") {
		p.next()
		name, err := p.tstatsDatamodel()
		if err != nil {
			return nil, err
		}
		from.Datamodel = name.text
		ds, _ = schema.LookupDataset(name.text)
	}
	var cond plan.Expr
	if isWord(p.peek(), "where") {
		p.next()
		var err *syntax.Error
		if cond, ds, err = p.tstatsWhere(ds); err != nil {
			return nil, err
		}
	}
	if from.Datamodel == "" {
		// tstats over indexes reads their index-time fields: index= and
		// sourcetype= select the logs as in a base search.
		from, cond = liftFrom(cond)
	}
	if ds != nil {
		if c := ds.Constraint(); c != nil {
			cond = andOf(append([]plan.Expr{c}, conjuncts(cond, nil)...))
		}
	}
	nodes := []plan.Node{from}
	if cond != nil {
		nodes = append(nodes, &plan.Where{Cond: cond})
	}
	var span plan.Expr
	if by := p.peek(); isWord(by, "by") {
		p.next()
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
				if key != "span" {
					return nil, p.errf(t, "option %s= is not supported", key)
				}
				if span, err = p.span(v); err != nil {
					return nil, err
				}
			default:
				f, err := p.fieldName("a field name")
				if err != nil {
					return nil, err
				}
				if strings.Contains(f.text, "*") {
					return nil, p.errf(f, "wildcard field names are not supported here")
				}
				st.By = append(st.By, plan.Assign{Name: f.text, Expr: &plan.Field{Name: f.text}})
			}
		}
		if len(st.By) == 0 {
			return nil, p.errf(by, "expected field names after by")
		}
	}
	if !p.eof() {
		return nil, p.errf(p.peek(), "unexpected %s", describe(p.peek()))
	}
	if span != nil {
		// span= buckets _time, as bin _time span=S before stats would.
		nodes = append(nodes, &plan.Eval{Assigns: []plan.Assign{{Name: "_time",
			Expr: &plan.Call{Name: "bin", Args: []plan.Expr{&plan.Field{Name: "_time"}, span}}}}})
	}
	if !prestats {
		nodes = append(nodes, st)
	}
	return nodes, nil
}

// tstatsDatamodel reads "datamodel=NAME" (or "datamodel:NAME") after from.
func (p *parser) tstatsDatamodel() (token, *syntax.Error) {
	t := p.next()
	switch {
	case isWord(t, "datamodel") && p.peek().kind == tkOp && p.peek().text == "=":
		p.next()
		t = p.next()
	case t.kind == tkWord && len(t.text) > len("datamodel:") && strings.EqualFold(t.text[:len("datamodel:")], "datamodel:"):
		t.text, t.pos = t.text[len("datamodel:"):], t.pos+len("datamodel:")
	default:
		return t, p.errf(t, "only a data model can be read: expected datamodel=NAME, found %s", describe(t))
	}
	if t.kind != tkWord && t.kind != tkString || t.text == "" {
		return t, p.errf(t, "expected a data model name, found %s", describe(t))
	}
	return t, nil
}

// tstatsWhere parses the where clause, up to a by at its top level, as a
// search. A nodename=DATASET term selects a child dataset of ds and is
// replaced by that dataset's constraint (returned as the new ds); time
// modifiers are dropped, as in a base search.
func (p *parser) tstatsWhere(ds *schema.Dataset) (plan.Expr, *schema.Dataset, *syntax.Error) {
	end := len(p.toks)
	depth := 0
	for k := p.i; k < len(p.toks); k++ {
		t := p.toks[k]
		switch {
		case t.kind == tkLParen:
			depth++
		case t.kind == tkRParen:
			depth--
		case t.kind == tkOp:
			k++ // the value after an operator is never the by
		case depth == 0 && isWord(t, "by"):
			end = k
		}
		if end < len(p.toks) {
			break
		}
	}
	if end == p.i {
		return nil, nil, p.errf(p.peek(), "expected a search after where")
	}
	sub := &parser{src: p.src, toks: p.toks[p.i:end], end: p.end}
	if end < len(p.toks) {
		sub.end = p.toks[end].pos
	}
	e, err := sub.searchExpr()
	if err != nil {
		return nil, nil, err
	}
	p.i = end
	var keep []plan.Expr
	for _, c := range dropMatchAll(conjuncts(e, nil)) {
		if isTimeModifier(c) {
			continue
		}
		if sc, ok := c.(*plan.SearchCmp); ok && strings.EqualFold(sc.Field, "nodename") {
			if ds == nil {
				return nil, nil, sub.errf(tokenAt(sub.toks, sc.Value), "nodename= needs from datamodel=")
			}
			child, ok := ds.Child(sc.Value)
			if !ok {
				return nil, nil, sub.errf(tokenAt(sub.toks, sc.Value), "data model %s has no dataset %q", ds.Model, sc.Value)
			}
			ds = child
			continue
		}
		keep = append(keep, c)
	}
	return andOf(keep), ds, nil
}

// tokenAt returns the first token whose text is s, for error spans.
func tokenAt(toks []token, s string) token {
	for _, t := range toks {
		if t.text == s {
			return t
		}
	}
	return toks[len(toks)-1]
}

// isTrue reads an SPL boolean option value.
func isTrue(s string) bool {
	switch strings.ToLower(s) {
	case "t", "true", "1", "yes":
		return true
	}
	return false
}
