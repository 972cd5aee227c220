package spl

import (
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// Expressions of eval and where bind, loosest first: OR, AND, NOT,
// comparisons (= == != < <= > >= LIKE IN), + - ., * / %, unary minus.

func isKeyword(t token, kw string) bool {
	return t.kind == tkIdent && strings.EqualFold(t.text, kw)
}

func (p *parser) expr() (plan.Expr, *syntax.Error) { return p.exprOr() }

func (p *parser) exprOr() (plan.Expr, *syntax.Error) {
	e, err := p.exprAnd()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if isKeyword(t, "XOR") {
			return nil, p.errf(t, "XOR is not supported")
		}
		if !isKeyword(t, "OR") {
			return e, nil
		}
		p.next()
		r, err := p.exprAnd()
		if err != nil {
			return nil, err
		}
		e = &plan.Binary{Op: "OR", L: e, R: r}
	}
}

func (p *parser) exprAnd() (plan.Expr, *syntax.Error) {
	e, err := p.exprNot()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); isKeyword(t, "AND") || t.kind == tkOp && t.text == "&&"; t = p.peek() {
		p.next()
		r, err := p.exprNot()
		if err != nil {
			return nil, err
		}
		e = &plan.Binary{Op: "AND", L: e, R: r}
	}
	return e, nil
}

func (p *parser) exprNot() (plan.Expr, *syntax.Error) {
	if t := p.peek(); isKeyword(t, "NOT") || t.kind == tkOp && t.text == "!" {
		p.next()
		x, err := p.exprNot()
		if err != nil {
			return nil, err
		}
		return &plan.Unary{Op: "NOT", X: x}, nil
	}
	return p.exprCmp()
}

var cmpOps = map[string]string{"=": "==", "==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

func (p *parser) exprCmp() (plan.Expr, *syntax.Error) {
	l, err := p.exprAdd()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tkOp && cmpOps[t.text] != "":
		p.next()
		r, err := p.exprAdd()
		if err != nil {
			return nil, err
		}
		return &plan.Binary{Op: cmpOps[t.text], L: l, R: r}, nil
	case isKeyword(t, "LIKE"):
		p.next()
		r, err := p.exprAdd()
		if err != nil {
			return nil, err
		}
		return &plan.Call{Name: "like", Args: []plan.Expr{l, r}}, nil
	case isKeyword(t, "IN"):
		p.next()
		open := p.next()
		if open.kind != tkLParen {
			return nil, p.errf(open, "expected ( after IN, found %s", describe(open))
		}
		list, err := p.exprArgs(open)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, p.errf(open, "empty IN list")
		}
		return &plan.In{X: l, List: list}, nil
	}
	return l, nil
}

func (p *parser) exprAdd() (plan.Expr, *syntax.Error) {
	e, err := p.exprMul()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == tkOp && (t.text == "+" || t.text == "-" || t.text == "."); t = p.peek() {
		p.next()
		r, err := p.exprMul()
		if err != nil {
			return nil, err
		}
		e = &plan.Binary{Op: t.text, L: e, R: r}
	}
	return e, nil
}

func (p *parser) exprMul() (plan.Expr, *syntax.Error) {
	e, err := p.exprUnary()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == tkOp && (t.text == "*" || t.text == "/" || t.text == "%"); t = p.peek() {
		p.next()
		r, err := p.exprUnary()
		if err != nil {
			return nil, err
		}
		e = &plan.Binary{Op: t.text, L: e, R: r}
	}
	return e, nil
}

func (p *parser) exprUnary() (plan.Expr, *syntax.Error) {
	t := p.peek()
	if t.kind == tkOp && (t.text == "-" || t.text == "+") {
		p.next()
		x, err := p.exprUnary()
		if err != nil {
			return nil, err
		}
		if t.text == "+" {
			return x, nil
		}
		if lit, ok := x.(*plan.Literal); ok {
			if n, ok := lit.Value.Long(); ok {
				return &plan.Literal{Value: event.LongValue(-n)}, nil
			}
			if f, ok := lit.Value.Double(); ok {
				return &plan.Literal{Value: event.DoubleValue(-f)}, nil
			}
		}
		return &plan.Unary{Op: "-", X: x}, nil
	}
	return p.exprPrimary()
}

func (p *parser) exprPrimary() (plan.Expr, *syntax.Error) {
	t := p.next()
	switch t.kind {
	case tkNumber:
		return &plan.Literal{Value: numberValue(t.text)}, nil
	case tkString:
		return &plan.Literal{Value: event.StringValue(t.text)}, nil
	case tkField:
		if t.text == "" {
			return nil, p.errf(t, "empty field name")
		}
		return &plan.Field{Name: t.text}, nil
	case tkLParen:
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tkRParen {
			return nil, p.errf(c, "expected ) to close the ( at %s, found %s", lineCol(p.src, t.pos), describe(c))
		}
		return e, nil
	case tkIdent:
		if p.peek().kind == tkLParen {
			return p.call(t)
		}
		for _, kw := range []string{"AND", "OR", "NOT", "XOR", "LIKE", "IN"} {
			if strings.EqualFold(t.text, kw) {
				return nil, p.errf(t, "expected an operand, found %s", t.text)
			}
		}
		switch strings.ToLower(t.text) {
		case "true":
			return &plan.Literal{Value: event.BoolValue(true)}, nil
		case "false":
			return &plan.Literal{Value: event.BoolValue(false)}, nil
		}
		return &plan.Field{Name: t.text}, nil
	}
	return nil, p.errf(t, "expected an operand, found %s", describe(t))
}

// numberValue turns a number token into a long when it is an integer
// that fits, a double otherwise.
func numberValue(s string) event.Value {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return event.LongValue(n)
	}
	f, _ := strconv.ParseFloat(s, 64)
	return event.DoubleValue(f)
}

// exprArgs reads expressions separated by commas up to the ) matching
// open (already read).
func (p *parser) exprArgs(open token) ([]plan.Expr, *syntax.Error) {
	var args []plan.Expr
	if p.peek().kind == tkRParen {
		p.next()
		return nil, nil
	}
	for {
		a, err := p.expr()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		switch t := p.next(); t.kind {
		case tkComma:
		case tkRParen:
			return args, nil
		default:
			return nil, p.errf(t, "expected , or ) in the list opened at %s, found %s", lineCol(p.src, open.pos), describe(t))
		}
	}
}

// call parses a function call whose name is t; the ( is next.
func (p *parser) call(t token) (plan.Expr, *syntax.Error) {
	open := p.next()
	args, err := p.exprArgs(open)
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(t.text)
	span := token{pos: t.pos, end: p.toks[p.i-1].end}
	f, ok := evalFuncs[name]
	if !ok {
		if _, isAgg := aggFuncs[name]; isAgg {
			return nil, p.errf(t, "aggregate function %s() is only valid in stats", name)
		}
		return nil, p.errf(t, "unknown function %s()", name)
	}
	if len(args) < f.min || f.max >= 0 && len(args) > f.max {
		return nil, p.errf(span, "%s() takes %s, got %d", name, arityText(f.min, f.max), len(args))
	}
	switch name {
	case "true":
		return &plan.Literal{Value: event.BoolValue(true)}, nil
	case "false":
		return &plan.Literal{Value: event.BoolValue(false)}, nil
	case "null":
		return &plan.Literal{Value: event.Value{}}, nil
	case "in":
		return &plan.In{X: args[0], List: args[1:]}, nil
	case "case", "validate":
		if len(args)%2 != 0 {
			return nil, p.errf(span, "%s() takes pairs of condition and value, got %d arguments", name, len(args))
		}
	}
	return &plan.Call{Name: name, Args: args}, nil
}

func arityText(min, max int) string {
	switch {
	case max < 0:
		return "at least " + strconv.Itoa(min) + " arguments"
	case min == max && min == 1:
		return "1 argument"
	case min == max:
		return strconv.Itoa(min) + " arguments"
	}
	return strconv.Itoa(min) + " to " + strconv.Itoa(max) + " arguments"
}
