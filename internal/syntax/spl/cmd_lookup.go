package spl

import (
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// parseLookup parses
//
//	lookup [local=b] [update=b] TABLE col [AS field] [, ...] [OUTPUT|OUTPUTNEW col [AS field] [, ...]]
//
// (Splunk search reference, lookup). The table is a lookup definition or
// CSV file the user supplies (see internal/lookup).
func parseLookup(p *parser) ([]plan.Node, *syntax.Error) {
	for p.atOption() {
		key, v, err := p.option()
		if err != nil {
			return nil, err
		}
		if key != "local" && key != "update" {
			return nil, p.errf(v, "unknown lookup option %s=", key)
		}
	}
	name, err := p.fieldName("a lookup table name")
	if err != nil {
		return nil, err
	}
	l := &plan.Lookup{Table: name.text}
	out := false
	for !p.eof() {
		t := p.peek()
		if t.kind == tkComma {
			p.next()
			continue
		}
		if t.kind == tkWord && (strings.EqualFold(t.text, "OUTPUT") || strings.EqualFold(t.text, "OUTPUTNEW")) {
			if out {
				return nil, p.errf(t, "%s given twice", t.text)
			}
			p.next()
			out, l.OutputNew = true, strings.EqualFold(t.text, "OUTPUTNEW")
			continue
		}
		f, err := p.lookupField()
		if err != nil {
			return nil, err
		}
		if out {
			l.Output = append(l.Output, f)
		} else {
			l.Match = append(l.Match, f)
		}
	}
	if len(l.Match) == 0 {
		return nil, p.errf(p.peek(), "expected a lookup field after the table name %s", name.text)
	}
	return []plan.Node{l}, nil
}

// lookupField reads "column [AS field]".
func (p *parser) lookupField() (plan.LookupField, *syntax.Error) {
	c, err := p.fieldName("a lookup field")
	if err != nil {
		return plan.LookupField{}, err
	}
	f := plan.LookupField{Column: c.text, Field: c.text}
	if isWord(p.peek(), "as") {
		p.next()
		a, err := p.fieldName("a field name after AS")
		if err != nil {
			return plan.LookupField{}, err
		}
		f.Field = a.text
	}
	return f, nil
}

// parseIPLocation parses "iplocation [prefix=s] [allfields=b] [lang=s]
// field" (Splunk search reference, iplocation).
func parseIPLocation(p *parser) ([]plan.Node, *syntax.Error) {
	l := &plan.IPLocation{}
	for p.atOption() {
		key, v, err := p.option()
		if err != nil {
			return nil, err
		}
		switch key {
		case "prefix":
			l.Prefix = v.text
		case "lang":
			l.Lang = v.text
		case "allfields":
			b, ok := parseBool(v.text)
			if !ok {
				return nil, p.errf(v, "allfields= takes true or false, not %q", v.text)
			}
			l.AllFields = b
		default:
			return nil, p.errf(v, "unknown iplocation option %s=", key)
		}
	}
	f, err := p.fieldName("the IP address field")
	if err != nil {
		return nil, err
	}
	l.Field = f.text
	if !p.eof() {
		return nil, p.errf(p.peek(), "unexpected %s after the field", describe(p.peek()))
	}
	return []plan.Node{l}, nil
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "t", "true", "1", "yes":
		return true, true
	case "f", "false", "0", "no":
		return false, true
	}
	return false, false
}

// inputLookupArgs reads "[append=b] TABLE", options before or after the
// table; "where" and the other options are not supported.
func (p *parser) inputLookupArgs() (name token, appendRows bool, err *syntax.Error) {
	for !p.eof() {
		if !p.atOption() {
			if name.text != "" {
				return token{}, false, p.errf(p.peek(), "unexpected %s after the table name (inputlookup ... where is not supported)", describe(p.peek()))
			}
			if name, err = p.fieldName("a lookup table name"); err != nil {
				return token{}, false, err
			}
			continue
		}
		key, v, err := p.option()
		if err != nil {
			return token{}, false, err
		}
		if key != "append" {
			return token{}, false, p.errf(v, "inputlookup option %s= is not supported", key)
		}
		b, ok := parseBool(v.text)
		if !ok {
			return token{}, false, p.errf(v, "append= takes true or false, not %q", v.text)
		}
		appendRows = b
	}
	if name.text == "" {
		return token{}, false, p.errf(p.peek(), "expected a lookup table name")
	}
	return name, appendRows, nil
}

// parseInputLookup parses inputlookup after the first command: with
// append=true it adds the table's rows after the search's.
func parseInputLookup(p *parser) ([]plan.Node, *syntax.Error) {
	start := p.peek()
	name, appendRows, err := p.inputLookupArgs()
	if err != nil {
		return nil, err
	}
	if !appendRows {
		return nil, p.errf(start, "inputlookup after other commands needs append=true; without it, it must start the search")
	}
	return []plan.Node{&plan.InputLookup{Table: name.text}}, nil
}

// parseInputLookupQuery parses a query that starts with "| inputlookup
// TABLE": it reads the table's rows instead of events.
func parseInputLookupQuery(src string, end int, seg segment, rest []segment) (*plan.Query, *syntax.Error) {
	toks, err := lexArgs(src, end, seg.end)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks, end: seg.end}
	name, _, err := p.inputLookupArgs()
	if err != nil {
		err.Msg = "cannot parse inputlookup command: " + err.Msg
		return nil, err
	}
	q := &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{&plan.From{Lookup: name.text}}}
	return parseRest(q, src, rest, false)
}

// parseOutputLookup parses "outputlookup [options] TABLE". tripline does
// not write lookup tables: the rows pass on (see plan.OutputLookup).
func parseOutputLookup(p *parser) ([]plan.Node, *syntax.Error) {
	o := &plan.OutputLookup{}
	for p.atOption() {
		key, v, err := p.option()
		if err != nil {
			return nil, err
		}
		switch key {
		case "append":
			o.Append, _ = parseBool(v.text)
		case "create_empty", "override_if_empty", "max", "key_field", "allow_updates", "createinapp", "create_context", "output_format":
		default:
			return nil, p.errf(v, "unknown outputlookup option %s=", key)
		}
	}
	name, err := p.fieldName("a lookup table name")
	if err != nil {
		return nil, err
	}
	o.Table = name.text
	if !p.eof() {
		return nil, p.errf(p.peek(), "unexpected %s after the table name", describe(p.peek()))
	}
	return []plan.Node{o}, nil
}

// parseAddInfo parses addinfo, which takes no arguments.
func parseAddInfo(p *parser) ([]plan.Node, *syntax.Error) {
	if !p.eof() {
		return nil, p.errf(p.peek(), "addinfo takes no arguments")
	}
	return []plan.Node{&plan.AddInfo{}}, nil
}

// positiveInt reads a count option.
func (p *parser) positiveInt(v token, key string, zeroOK bool) (int, *syntax.Error) {
	n, err := strconv.Atoi(v.text)
	if err != nil || n < 0 || n == 0 && !zeroOK {
		return 0, p.errf(v, "%s= takes a whole number, not %q", key, v.text)
	}
	return n, nil
}
