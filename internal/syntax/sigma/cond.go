package sigma

import (
	"path"
	"strings"

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

func (c *condParser) parse(n *yaml.Node) (plan.Expr, error) {
	c.node, c.toks, c.i = n, tokenize(n.Value), 0
	for _, t := range c.toks {
		if t.text == "|" {
			return nil, c.errAt(t, "aggregations in conditions (| count() ...) are not run yet: write them as a correlation rule")
		}
	}
	if len(c.toks) == 0 {
		return nil, c.p.errAt(n, "empty condition")
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
		case c == '(' || c == ')' || c == '|':
			out = append(out, token{s[i : i+1], i})
			i++
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()|", rune(s[j])) {
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
		e.Span.Start += syntax.Pos(t.start)
		e.Span.End = e.Span.Start + syntax.Pos(len(t.text))
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
