package spl

import (
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// parseWhere parses "where <expression>".
func parseWhere(p *parser) ([]plan.Node, *syntax.Error) {
	if p.eof() {
		return nil, p.errf(p.peek(), "expected an expression")
	}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, p.errf(p.peek(), "unexpected %s after the expression", describe(p.peek()))
	}
	return []plan.Node{&plan.Where{Cond: e}}, nil
}

// parseEval parses "eval x=expr, y=expr"; later assignments see earlier ones.
func parseEval(p *parser) ([]plan.Node, *syntax.Error) {
	ev := &plan.Eval{}
	for {
		name := p.next()
		if name.kind != tkIdent && name.kind != tkField && name.kind != tkString || name.text == "" {
			return nil, p.errf(name, "expected a field name to assign, found %s", describe(name))
		}
		if eq := p.next(); eq.kind != tkOp || eq.text != "=" {
			return nil, p.errf(eq, "expected = after %q, found %s", name.text, describe(eq))
		}
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		ev.Assigns = append(ev.Assigns, plan.Assign{Name: name.text, Expr: e})
		switch t := p.next(); t.kind {
		case tkEOF:
			return []plan.Node{ev}, nil
		case tkComma:
		default:
			return nil, p.errf(t, "expected , or the end of the command after the expression, found %s", describe(t))
		}
	}
}

// parseBin parses "bin field [as name] span=<span>" (also bucket) into an
// eval of bin(field, span).
func parseBin(p *parser) ([]plan.Node, *syntax.Error) {
	var field, alias string
	var span plan.Expr
	for !p.eof() {
		t := p.peek()
		switch {
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
		case isWord(t, "as") && field != "":
			p.next()
			a, err := p.fieldName("a name after as")
			if err != nil {
				return nil, err
			}
			alias = a.text
		default:
			f, err := p.fieldName("a field name")
			if err != nil {
				return nil, err
			}
			if field != "" {
				return nil, p.errf(f, "bin takes one field, found a second: %q", f.text)
			}
			field = f.text
		}
	}
	if field == "" {
		return nil, p.errf(p.peek(), "expected the field to bin")
	}
	if span == nil {
		return nil, p.errf(p.peek(), "expected span=; only fixed spans are supported")
	}
	if alias == "" {
		alias = field
	}
	call := &plan.Call{Name: "bin", Args: []plan.Expr{&plan.Field{Name: field}, span}}
	return []plan.Node{&plan.Eval{Assigns: []plan.Assign{{Name: alias, Expr: call}}}}, nil
}

// spanUnits maps Splunk's time-span units to a duration, or to months
// when the duration is zero.
var spanUnits = map[string]struct {
	d      time.Duration
	months int
}{
	"ms": {d: time.Millisecond},
	"s":  {d: time.Second}, "sec": {d: time.Second}, "secs": {d: time.Second}, "second": {d: time.Second}, "seconds": {d: time.Second},
	"m": {d: time.Minute}, "min": {d: time.Minute}, "mins": {d: time.Minute}, "minute": {d: time.Minute}, "minutes": {d: time.Minute},
	"h": {d: time.Hour}, "hr": {d: time.Hour}, "hrs": {d: time.Hour}, "hour": {d: time.Hour}, "hours": {d: time.Hour},
	"d": {d: 24 * time.Hour}, "day": {d: 24 * time.Hour}, "days": {d: 24 * time.Hour},
	"w": {d: 7 * 24 * time.Hour}, "week": {d: 7 * 24 * time.Hour}, "weeks": {d: 7 * 24 * time.Hour},
	"mon": {months: 1}, "month": {months: 1}, "months": {months: 1},
	"q": {months: 3}, "qtr": {months: 3}, "qtrs": {months: 3}, "quarter": {months: 3}, "quarters": {months: 3},
	"y": {months: 12}, "yr": {months: 12}, "yrs": {months: 12}, "year": {months: 12}, "years": {months: 12},
}

// span reads a bin span: "1h", "5m", "1mon"; a bare number is a numeric
// bucket width.
func (p *parser) span(t token) (plan.Expr, *syntax.Error) {
	s := t.text
	i := 0
	for i < len(s) && (isDigit(s[i]) || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.ToLower(s[i:])
	if num == "" || t.kind != tkWord {
		return nil, p.errf(t, "expected a span such as 1h or 5m, found %s", describe(t))
	}
	if unit == "" {
		v := numberValue(num)
		if f, ok := v.Number(); !ok || f <= 0 {
			return nil, p.errf(t, "the span must be positive")
		}
		return &plan.Literal{Value: v}, nil
	}
	u, ok := spanUnits[unit]
	if !ok {
		return nil, p.errf(t, "unknown span unit %q", s[i:])
	}
	if u.months != 0 {
		n, err := strconv.Atoi(num)
		if err != nil || n <= 0 {
			return nil, p.errf(t, "a calendar span needs a positive whole number, found %q", num)
		}
		return &plan.Span{Months: n * u.months}, nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f <= 0 || f*float64(u.d) > float64(1<<62) {
		return nil, p.errf(t, "invalid span %q", s)
	}
	return &plan.Span{D: time.Duration(f * float64(u.d))}, nil
}

// defaultTimeFormat is convert's timeformat when none is given.
const defaultTimeFormat = "%m/%d/%Y %H:%M:%S"

// parseConvert parses "convert [timeformat=fmt] ctime(f) [as g] ...":
// ctime becomes strftime(f, fmt) and mktime strptime(f, fmt).
func parseConvert(p *parser) ([]plan.Node, *syntax.Error) {
	format := defaultTimeFormat
	ev := &plan.Eval{}
	for !p.eof() {
		t := p.peek()
		if t.kind == tkComma {
			p.next()
			continue
		}
		if p.atOption() {
			key, v, err := p.option()
			if err != nil {
				return nil, err
			}
			if key != "timeformat" {
				return nil, p.errf(t, "option %s= is not supported", key)
			}
			format = v.text
			continue
		}
		fn := p.next()
		if fn.kind != tkWord {
			return nil, p.errf(fn, "expected a conversion such as ctime(field), found %s", describe(fn))
		}
		var call string
		switch strings.ToLower(fn.text) {
		case "ctime":
			call = "strftime"
		case "mktime":
			call = "strptime"
		default:
			return nil, p.errf(fn, "conversion %s() is not supported", fn.text)
		}
		open := p.next()
		if open.kind != tkLParen {
			return nil, p.errf(open, "expected ( after %s, found %s", fn.text, describe(open))
		}
		f, err := p.fieldName("a field name")
		if err != nil {
			return nil, err
		}
		if strings.Contains(f.text, "*") {
			return nil, p.errf(f, "wildcard field names are not supported here")
		}
		if c := p.next(); c.kind != tkRParen {
			return nil, p.errf(c, "expected ) to close the ( at %s, found %s", lineCol(p.src, open.pos), describe(c))
		}
		name := f.text
		if isWord(p.peek(), "as") {
			p.next()
			a, err := p.fieldName("a name after as")
			if err != nil {
				return nil, err
			}
			name = a.text
		}
		ev.Assigns = append(ev.Assigns, plan.Assign{Name: name, Expr: &plan.Call{
			Name: call,
			Args: []plan.Expr{&plan.Field{Name: f.text}, &plan.Literal{Value: event.StringValue(format)}},
		}})
	}
	if len(ev.Assigns) == 0 {
		return nil, p.errf(p.peek(), "expected a conversion such as ctime(field)")
	}
	return []plan.Node{ev}, nil
}

// parseSpath parses "spath [input=f] [output=g] [path=]p" into an eval of
// spath(f, p). A bare spath is nothing: JSON fields are already there.
// "spath input=f" without a path extracts the fields of the JSON in f that
// the rest of the pipeline reads (see extractReferenced).
func parseSpath(p *parser) ([]plan.Node, *syntax.Error) {
	input, output, path := "_raw", "", ""
	var inputTok token
	for !p.eof() {
		t := p.peek()
		if p.atOption() {
			key, v, err := p.option()
			if err != nil {
				return nil, err
			}
			switch key {
			case "input":
				input, inputTok = v.text, t
			case "output":
				output = v.text
			case "path":
				path = v.text
			default:
				return nil, p.errf(t, "option %s= is not supported", key)
			}
			continue
		}
		p.next()
		if t.kind != tkWord && t.kind != tkString || path != "" {
			return nil, p.errf(t, "unexpected %s", describe(t))
		}
		path = t.text
	}
	if path == "" {
		if output != "" {
			return nil, p.errf(p.peek(), "output= needs a path")
		}
		if input == "_raw" {
			return nil, nil
		}
		if p.pipe == nil {
			return nil, p.errf(inputTok, "BUG: spath parsed outside a pipeline")
		}
		// Every field of the JSON in input: filled in by extractReferenced
		// once the rest of the pipeline is known.
		ev := &plan.Eval{}
		p.pipe.spathAll[ev] = input
		return []plan.Node{ev}, nil
	}
	if output == "" {
		output = path
	}
	call := &plan.Call{Name: "spath", Args: []plan.Expr{&plan.Field{Name: input}, &plan.Literal{Value: event.StringValue(path)}}}
	return []plan.Node{&plan.Eval{Assigns: []plan.Assign{{Name: output, Expr: call}}}}, nil
}
