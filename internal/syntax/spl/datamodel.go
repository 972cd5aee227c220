package spl

import (
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/syntax"
)

// isDatamodelCommand reports the generating commands that read a data
// model instead of raw events: from (datamodel ...) and datamodel.
func isDatamodelCommand(name string) bool {
	return strings.EqualFold(name, "from") || strings.EqualFold(name, "datamodel")
}

// parseDatamodelQuery parses a query that starts with a data model search:
//
//	| from datamodel Risk.All_Risk | ...
//	| from datamodel:Risk.All_Risk | ...
//	| datamodel Risk All_Risk search | ...
//
// into a From naming the dataset ("Risk.All_Risk"), followed by a Where of
// the dataset's constraint (a CIM data model's tags; the Risk data model
// has none) and the other commands. In such a query the time modifiers of search commands
// (starthoursago=168, earliest=-7d@d) restrict _time relative to now() (see
// timeCond) instead of being dropped: a data model search has no schedule
// to set its time range.
func parseDatamodelQuery(src, name string, nameEnd int, seg segment, rest []segment) (*plan.Query, *syntax.Error) {
	toks, err := lexArgs(src, nameEnd, seg.end)
	if err == nil {
		p := &parser{src: src, toks: toks, end: seg.end}
		var from *plan.From
		if strings.EqualFold(name, "from") {
			from, err = p.fromDatamodel()
		} else {
			from, err = p.datamodelSearch()
		}
		if err == nil {
			q := &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{from}}
			if ds, ok := schema.LookupDataset(from.Datamodel); ok {
				if c := ds.Constraint(); c != nil {
					q.Pipeline = append(q.Pipeline, &plan.Where{Cond: c})
				}
			}
			return parseRest(q, src, rest, true)
		}
	}
	err.Msg = "cannot parse " + strings.ToLower(name) + " command: " + err.Msg
	return nil, err
}

// fromDatamodel reads the arguments of from: "datamodel NAME" or
// "datamodel:NAME" (NAME possibly quoted).
func (p *parser) fromDatamodel() (*plan.From, *syntax.Error) {
	t := p.next()
	var name token
	switch {
	case isWord(t, "datamodel"):
		if p.peek().kind == tkWord && strings.HasPrefix(p.peek().text, ":") {
			n := p.next()
			n.text, n.pos = n.text[1:], n.pos+1
			name = n
			if name.text == "" {
				name = p.next()
			}
		} else {
			name = p.next()
		}
	case t.kind == tkWord && len(t.text) >= len("datamodel:") && strings.EqualFold(t.text[:len("datamodel:")], "datamodel:"):
		name = t
		name.text, name.pos = t.text[len("datamodel:"):], t.pos+len("datamodel:")
		if name.text == "" {
			name = p.next()
		}
	default:
		return nil, p.errf(t, "only a data model can be read: expected datamodel NAME, found %s", describe(t))
	}
	if name.kind != tkWord && name.kind != tkString || name.text == "" {
		return nil, p.errf(name, "expected a data model name, found %s", describe(name))
	}
	if !p.eof() {
		return nil, p.errf(p.peek(), "unexpected %s after the data model name", describe(p.peek()))
	}
	return &plan.From{Datamodel: name.text}, nil
}

// datamodelSearch reads the arguments of datamodel: "MODEL [DATASET]
// search|flat". Without search or flat the command describes the model
// instead of returning events, which tripline does not do.
func (p *parser) datamodelSearch() (*plan.From, *syntax.Error) {
	var words []token
	for !p.eof() {
		t := p.next()
		if t.kind != tkWord && t.kind != tkString {
			return nil, p.errf(t, "unexpected %s", describe(t))
		}
		words = append(words, t)
	}
	if len(words) == 0 {
		return nil, p.errf(p.peek(), "expected a data model name")
	}
	last := words[len(words)-1]
	if len(words) < 2 || !isWord(last, "search") && !isWord(last, "flat") {
		return nil, p.errf(last, "only the search and flat modes are supported: end the command with search")
	}
	words = words[:len(words)-1]
	if len(words) > 2 {
		return nil, p.errf(words[2], "unexpected %s after the dataset name", describe(words[2]))
	}
	name := words[0].text
	if len(words) == 2 {
		name += "." + words[1].text
	}
	return &plan.From{Datamodel: name}, nil
}

// timeUnits are the seconds per unit of the *ago time modifiers.
var timeUnits = map[string]int64{
	"starthoursago": 3600, "startdaysago": 86400, "startminutesago": 60,
	"endhoursago": 3600, "enddaysago": 86400, "endminutesago": 60,
}

// checkTimeModifier returns why a time modifier's value is not one
// timeCond can use, or "".
func checkTimeModifier(c *plan.SearchCmp) string {
	f := strings.ToLower(c.Field)
	if _, ok := timeUnits[f]; ok {
		if n, err := strconv.ParseInt(c.Value, 10, 64); err != nil || n < 0 {
			return f + " needs a whole number, not " + strconv.Quote(c.Value)
		}
		return ""
	}
	if f != "earliest" && f != "latest" {
		return ""
	}
	if _, err := strconv.ParseFloat(c.Value, 64); err == nil || strings.EqualFold(c.Value, "now") {
		return ""
	}
	rt, _ := scalar.Lookup(plan.SPL, "relative_time")
	if rt.Eval(&scalar.Context{}, []event.Value{event.LongValue(0), event.StringValue(c.Value)}).IsNull() {
		return f + " needs epoch seconds, now, or a relative time such as -7d@d, not " + strconv.Quote(c.Value)
	}
	return ""
}

// timeCond turns a checked time modifier into a condition on _time, in
// epoch seconds against now(), the time the query is evaluated at:
//
//	starthoursago=N   _time >= now() - N*3600   (and startdaysago, startminutesago)
//	endhoursago=N     _time < now() - N*3600    (and enddaysago, endminutesago)
//	earliest=X        _time >= X                 X: epoch seconds, now(), or relative_time(now(), "X")
//	latest=X          _time < X
//
// earliest=0 (all time), starttime, endtime and the _index_ modifiers give
// nil: they do not restrict.
func timeCond(c *plan.SearchCmp) plan.Expr {
	f := strings.ToLower(c.Field)
	tm := &plan.Field{Name: "_time"}
	now := &plan.Call{Name: "now"}
	if unit, ok := timeUnits[f]; ok {
		n, _ := strconv.ParseInt(c.Value, 10, 64)
		op := ">="
		if strings.HasPrefix(f, "end") {
			op = "<"
		}
		return &plan.Binary{Op: op, L: tm, R: &plan.Binary{Op: "-", L: now, R: &plan.Literal{Value: event.LongValue(n * unit)}}}
	}
	if f != "earliest" && f != "latest" {
		return nil
	}
	var bound plan.Expr
	if n, err := strconv.ParseInt(c.Value, 10, 64); err == nil {
		if n == 0 && f == "earliest" {
			return nil
		}
		bound = &plan.Literal{Value: event.LongValue(n)}
	} else if x, err := strconv.ParseFloat(c.Value, 64); err == nil {
		bound = &plan.Literal{Value: event.DoubleValue(x)}
	} else if strings.EqualFold(c.Value, "now") {
		bound = now
	} else {
		bound = &plan.Call{Name: "relative_time", Args: []plan.Expr{now, &plan.Literal{Value: event.StringValue(c.Value)}}}
	}
	op := ">="
	if f == "latest" {
		op = "<"
	}
	return &plan.Binary{Op: op, L: tm, R: bound}
}
