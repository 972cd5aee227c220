package sigma

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/event"

	"gopkg.in/yaml.v3"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// condParser reads one condition: or over and over not, parentheses,
// "1 of" / "all of" a name pattern or "them".
type condParser struct {
	p       *parser
	sels    map[string]*yaml.Node
	names   []string
	planned map[string]plan.Expr
	node    *yaml.Node
	toks    []token
	i       int
}

type token struct {
	text  string
	start int // byte offset in the condition's text
}

// parse reads a condition; agg is its aggregation ("| count() > 5"),
// when it has one.
func (c *condParser) parse(n *yaml.Node) (e plan.Expr, agg *aggregation, err error) {
	c.node, c.toks, c.i = n, tokenize(n.Value), 0
	for i, t := range c.toks {
		if t.text == "|" {
			agg, err = c.aggregation(c.toks[i+1:])
			if err != nil {
				return nil, nil, err
			}
			c.toks = c.toks[:i]
			break
		}
	}
	e, err = c.expr()
	return e, agg, err
}

func (c *condParser) expr() (plan.Expr, error) {
	if len(c.toks) == 0 {
		return nil, c.p.errAt(c.node, "empty condition")
	}
	e, err := c.or()
	if err != nil {
		return nil, err
	}
	if c.i < len(c.toks) {
		return nil, c.errAt(c.toks[c.i], "unexpected %q", c.toks[c.i].text)
	}
	return e, nil
}

func tokenize(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == '|' || c == ',':
			out = append(out, token{s[i : i+1], i})
			i++
		case c == '<' || c == '>' || c == '=':
			j := i + 1
			if j < len(s) && s[j] == '=' {
				j++
			}
			out = append(out, token{s[i:j], i})
			i = j
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()|,<>=", rune(s[j])) {
				j++
			}
			out = append(out, token{s[i:j], i})
			i = j
		}
	}
	return out
}

// errAt places an error on a token of a single-line condition.
func (c *condParser) errAt(t token, format string, args ...any) *syntax.Error {
	e := c.p.errAt(c.node, format, args...)
	if !strings.Contains(c.node.Value, "\n") && c.node.Style == 0 {
		// The token's place in the plain scalar, kept inside the text: a
		// value YAML folded differently from its source may be shorter.
		n := syntax.Pos(len(c.p.src))
		e.Span.Start = min(e.Span.Start+syntax.Pos(t.start), n)
		e.Span.End = min(e.Span.Start+syntax.Pos(len(t.text)), n)
	}
	return e
}

func (c *condParser) peek() string {
	if c.i < len(c.toks) {
		return strings.ToLower(c.toks[c.i].text)
	}
	return ""
}

func (c *condParser) or() (plan.Expr, error) {
	l, err := c.and()
	if err != nil {
		return nil, err
	}
	for c.peek() == "or" {
		c.i++
		r, err := c.and()
		if err != nil {
			return nil, err
		}
		l = &plan.Binary{Op: "OR", L: l, R: r}
	}
	return l, nil
}

func (c *condParser) and() (plan.Expr, error) {
	l, err := c.not()
	if err != nil {
		return nil, err
	}
	for c.peek() == "and" {
		c.i++
		r, err := c.not()
		if err != nil {
			return nil, err
		}
		l = &plan.Binary{Op: "AND", L: l, R: r}
	}
	return l, nil
}

func (c *condParser) not() (plan.Expr, error) {
	if c.peek() == "not" {
		c.i++
		x, err := c.not()
		if err != nil {
			return nil, err
		}
		return &plan.Unary{Op: "NOT", X: x}, nil
	}
	return c.primary()
}

func (c *condParser) primary() (plan.Expr, error) {
	if c.i >= len(c.toks) {
		end := token{start: len(c.node.Value)}
		return nil, c.errAt(end, "the condition ends where a selection is expected")
	}
	t := c.toks[c.i]
	switch w := strings.ToLower(t.text); {
	case w == "(":
		c.i++
		e, err := c.or()
		if err != nil {
			return nil, err
		}
		if c.peek() != ")" {
			return nil, c.errAt(t, "this parenthesis is not closed")
		}
		c.i++
		return e, nil
	case w == "1" || w == "any" || w == "all":
		c.i++
		if c.peek() != "of" {
			return nil, c.errAt(t, "%q is followed by \"of\"", t.text)
		}
		c.i++
		if c.i >= len(c.toks) {
			return nil, c.errAt(t, "\"%s of\" names selections: a pattern such as sel* or them", t.text)
		}
		target := c.toks[c.i]
		c.i++
		return c.quantified(t, target, w == "all")
	case w == ")" || w == "and" || w == "or":
		return nil, c.errAt(t, "unexpected %q where a selection is expected", t.text)
	}
	c.i++
	return c.named(t)
}

// named plans a selection by its name, once.
func (c *condParser) named(t token) (plan.Expr, error) {
	if e, ok := c.planned[t.text]; ok {
		return e, nil
	}
	n, ok := c.sels[t.text]
	if !ok {
		return nil, c.errAt(t, "no selection named %q in the detection", t.text)
	}
	e, err := c.p.selection(n)
	if err != nil {
		return nil, err
	}
	c.planned[t.text] = e
	return e, nil
}

// quantified plans "1 of x*" (any) or "all of x*" over the selections the
// pattern names; "them" names every one but those starting with _.
func (c *condParser) quantified(q, target token, all bool) (plan.Expr, error) {
	var out plan.Expr
	found := false
	for _, name := range c.names {
		if target.text == "them" {
			if strings.HasPrefix(name, "_") {
				continue
			}
		} else if ok, _ := path.Match(target.text, name); !ok {
			continue
		}
		found = true
		e, err := c.named(token{text: name, start: target.start})
		if err != nil {
			return nil, err
		}
		if all {
			out = and(out, e)
		} else {
			out = or(out, e)
		}
	}
	if !found {
		return nil, c.errAt(target, "%q names no selection of the detection", target.text)
	}
	return out, nil
}

// aggregation is the old Sigma aggregation of a condition:
// "| count([field]) [by group] op n", read as the event_count (count()) or
// value_count (count(field)) correlation it stands for.
type aggregation struct {
	field, by, op string
	n             float64
	// near lists the conditions that must each have an event in the
	// timeframe as well as the main one ("| near a and b"): the temporal
	// correlation, in any order.
	near []plan.Expr
}

// aggregation reads the tokens after "|".
func (c *condParser) aggregation(toks []token) (*aggregation, error) {
	at := func(i int) token {
		if i < len(toks) {
			return toks[i]
		}
		end := len(c.node.Value)
		return token{start: end}
	}
	if len(toks) == 0 {
		return nil, c.errAt(at(0), "an aggregation follows |")
	}
	switch w := strings.ToLower(toks[0].text); w {
	case "near":
		return c.nearAggregation(toks)
	case "count":
	default:
		return nil, c.errAt(toks[0], "the %s aggregation is not run yet (count and near are)", w)
	}
	a := &aggregation{}
	i := 1
	if at(i).text != "(" {
		return nil, c.errAt(at(i), "count takes parentheses: count() or count(field)")
	}
	i++
	if t := at(i); t.text != ")" && t.text != "" {
		a.field = t.text
		i++
	}
	if at(i).text != ")" {
		return nil, c.errAt(at(i), "count takes one field at most")
	}
	i++
	if strings.EqualFold(at(i).text, "by") {
		i++
		if at(i).text == "" {
			return nil, c.errAt(at(i), "by names a field")
		}
		a.by = at(i).text
		i++
	}
	switch op := at(i).text; op {
	case ">", ">=", "<", "<=", "=":
		a.op = op
	default:
		return nil, c.errAt(at(i), "count is compared with >, >=, <, <= or =")
	}
	i++
	n, err := strconv.ParseFloat(at(i).text, 64)
	if err != nil {
		return nil, c.errAt(at(i), "count is compared with a number")
	}
	a.n = n
	if i+1 < len(toks) {
		return nil, c.errAt(toks[i+1], "unexpected %q after the aggregation", toks[i+1].text)
	}
	return a, nil
}

// nearAggregation reads "near a and b ...": each operand is a condition
// of its own (not, parentheses and "1 of" allowed), and only "and" joins
// them.
func (c *condParser) nearAggregation(toks []token) (*aggregation, error) {
	saved, savedI := c.toks, c.i
	defer func() { c.toks, c.i = saved, savedI }()
	c.toks, c.i = toks[1:], 0
	a := &aggregation{}
	for {
		e, err := c.not()
		if err != nil {
			return nil, err
		}
		a.near = append(a.near, e)
		if c.peek() != "and" {
			break
		}
		c.i++
	}
	if c.i < len(c.toks) {
		return nil, c.errAt(c.toks[c.i], "near joins its conditions with and alone, not %q", c.toks[c.i].text)
	}
	return a, nil
}

// plan adds the aggregation to a pipeline: the events counted, or their
// distinct values of field, by group, kept when the count compares true.
func (a *aggregation) plan(main plan.Expr) []plan.Node {
	if a.near != nil {
		return a.nearPlan(main)
	}
	agg := plan.Agg{Name: "count", Func: "count"}
	if a.field != "" {
		agg = plan.Agg{Name: "count", Func: "dc", Args: []plan.Expr{&plan.Field{Name: a.field}}}
	}
	st := &plan.Stats{Aggs: []plan.Agg{agg}}
	if a.by != "" {
		st.By = []plan.Assign{{Name: a.by, Expr: &plan.Field{Name: a.by}}}
	}
	op := a.op
	if op == "=" {
		op = "=="
	}
	return []plan.Node{st, &plan.Where{Cond: &plan.Binary{Op: op, L: &plan.Field{Name: "count"},
		R: &plan.Literal{Value: event.DoubleValue(a.n)}}}}
}

// nearPlan keeps the events of the main condition and of each near one,
// counts each condition's events over the window, and passes when every
// count is above zero.
func (a *aggregation) nearPlan(main plan.Expr) []plan.Node {
	conds := append([]plan.Expr{main}, a.near...)
	var any, all plan.Expr
	ev := &plan.Eval{}
	st := &plan.Stats{}
	one := &plan.Literal{Value: event.LongValue(1)}
	zero := &plan.Literal{Value: event.LongValue(0)}
	for i, c := range conds {
		any = or(any, c)
		mark, n := fmt.Sprintf("near_%d", i), fmt.Sprintf("near_%d_events", i)
		ev.Assigns = append(ev.Assigns, plan.Assign{Name: mark, Expr: &plan.Call{Name: "if", Args: []plan.Expr{c, one, zero}}})
		st.Aggs = append(st.Aggs, plan.Agg{Name: n, Func: "sum", Args: []plan.Expr{&plan.Field{Name: mark}}})
		all = and(all, &plan.Binary{Op: ">", L: &plan.Field{Name: n}, R: zero})
	}
	return []plan.Node{&plan.Where{Cond: any}, ev, st, &plan.Where{Cond: all}}
}
