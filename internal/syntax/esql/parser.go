package esql

import (
	"fmt"
	"strings"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// Parse parses an ES|QL query into a plan whose first node is a *plan.From.
// A query that does not parse gives a *syntax.Error whose span lies inside
// src. Parse checks aggregate functions (names, arity, placement) but not
// scalar function names: that is Check's job.
//
// Parse then checks the query as Elasticsearch does before it runs (see
// verify): a column that is not there and a type mismatch are errors with
// their place in the query.
func Parse(src string) (*plan.Query, error) {
	q, at, err := parse(src)
	if err != nil {
		return nil, err
	}
	if err := verify(src, q, at); err != nil {
		return nil, err
	}
	return q, nil
}

// parser holds the state of one parse. Errors travel as return values; the
// first one ends the parse.
type parser struct {
	src     string
	lx      lexer
	tok     token // current token
	prevEnd int   // end of the last token consumed
	cmd     string

	// Aggregate placement while parsing an expression.
	aggAllowed bool // an aggregate call is valid here (STATS, left of BY)
	aggDepth   int  // > 0 inside an aggregate's arguments
	sawAgg     bool // an aggregate call was parsed in the current expression
	// outer records the fields read outside any aggregate in a STATS
	// expression, to check that they are grouping keys.
	outer []fieldRef
	// hidden numbers the aggregates lifted out of compound STATS expressions.
	hidden int
	// indices are the FROM's index patterns, for kql().
	indices []string
	// src records where each part of the plan was written, for the
	// checks that run after parsing (verify.go).
	at *spans
}

type fieldRef struct {
	name string
	span syntax.Span
}

// parse parses src without checking it, and says where each part of the
// plan was written.
func parse(src string) (*plan.Query, *spans, *syntax.Error) {
	p := &parser{src: src, lx: lexer{src: src}, at: newSpans()}
	q, err := p.query()
	return q, p.at, err
}

func (p *parser) query() (*plan.Query, *syntax.Error) {
	src := p.src
	p.advance()
	if p.tok.kind == tEOF {
		return nil, syntax.Errorf(src, p.tok.span(), "cannot parse query: the query is empty")
	}
	q := &plan.Query{Dialect: plan.ESQL}
	for {
		start := p.tok.start
		nodes, err := p.command(len(q.Pipeline) == 0)
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			p.at.nodes[n] = p.span(start)
		}
		q.Pipeline = append(q.Pipeline, nodes...)
		switch p.tok.kind {
		case tEOF:
			return q, nil
		case tPipe:
			p.advance()
			if p.tok.kind == tEOF {
				p.cmd = ""
				return nil, p.errorf(p.tok, "expected a command after \"|\"")
			}
		default:
			return nil, p.unexpected("\"|\" or the end of the query")
		}
	}
}

// span returns the source from start to the end of the last token consumed.
func (p *parser) span(start int) syntax.Span {
	return syntax.Span{Start: syntax.Pos(start), End: syntax.Pos(p.prevEnd)}
}

// mark records that e was written from start to the last token consumed.
func (p *parser) mark(e plan.Expr, start int) plan.Expr {
	p.at.exprs[e] = p.span(start)
	return e
}

// advance moves to the next token.
func (p *parser) advance() {
	p.prevEnd = p.tok.end
	p.tok = p.lx.next()
}

// state is a saved parser position for backtracking.
type state struct {
	pos, prevEnd int
	tok          token
}

func (p *parser) save() state         { return state{p.lx.pos, p.prevEnd, p.tok} }
func (p *parser) restore(s state)     { p.lx.pos, p.prevEnd, p.tok = s.pos, s.prevEnd, s.tok }
func (p *parser) peek() token         { s := p.save(); p.advance(); t := p.tok; p.restore(s); return t }
func (p *parser) isOp(op string) bool { return p.tok.kind == tOp && p.tok.text == op }

// isKeyword reports whether the current token is the unquoted word kw, in
// any case.
func (p *parser) isKeyword(kw string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, kw)
}

// errorf builds an error at token t, prefixed with the command being parsed.
func (p *parser) errorf(t token, format string, args ...any) *syntax.Error {
	return p.errorSpan(t.span(), format, args...)
}

func (p *parser) errorSpan(sp syntax.Span, format string, args ...any) *syntax.Error {
	msg := fmt.Sprintf(format, args...)
	if p.cmd != "" {
		msg = "cannot parse " + p.cmd + " command: " + msg
	} else {
		msg = "cannot parse query: " + msg
	}
	if int(sp.End) > len(p.src) {
		sp.End = syntax.Pos(len(p.src))
	}
	if sp.Start > sp.End {
		sp.Start = sp.End
	}
	return &syntax.Error{Src: p.src, Span: sp, Msg: msg}
}

// unexpected reports the current token where something else was expected.
// A lexical error token reports its own message instead.
func (p *parser) unexpected(expected string) *syntax.Error {
	if p.tok.kind == tError {
		return p.errorf(p.tok, "%s", p.tok.text)
	}
	return p.errorf(p.tok, "expected %s, found %s", expected, p.tok.describe(p.src))
}

// expect consumes a token of kind k or fails.
func (p *parser) expect(k kind, expected string) (token, *syntax.Error) {
	if p.tok.kind != k {
		return token{}, p.unexpected(expected)
	}
	t := p.tok
	p.advance()
	return t, nil
}

// unsupported lists ES|QL commands that tripline recognises but does not run.
var unsupported = map[string]bool{
	"row": true, "show": true, "enrich": true, "lookup": true, "join": true,
	"change_point": true, "fork": true, "sample": true,
	"rerank": true, "fuse": true, "ts": true, "metrics": true, "explain": true,
	"insist": true, "rrf": true,
}

// command parses one command starting at the current token.
func (p *parser) command(first bool) ([]plan.Node, *syntax.Error) {
	p.cmd = ""
	if p.tok.kind != tIdent {
		if first && p.tok.kind != tError {
			return nil, p.errorf(p.tok, "the query must start with FROM, found %s", p.tok.describe(p.src))
		}
		return nil, p.unexpected("a command")
	}
	nameTok := p.tok
	name := strings.ToLower(nameTok.text)
	if name == "inline" && strings.EqualFold(p.peek().text, "stats") {
		p.advance()
		name = "inline stats"
	} else if name == "inlinestats" {
		name = "inline stats"
	}
	if first && name != "from" {
		if unsupported[name] {
			return nil, p.errorf(nameTok, "source command %s is not supported; the query must start with FROM", strings.ToUpper(name))
		}
		return nil, p.errorf(nameTok, "the query must start with FROM, found %s", nameTok.describe(p.src))
	}
	if !first && name == "from" {
		return nil, p.errorf(nameTok, "FROM is only valid as the first command")
	}
	p.cmd = name
	p.advance()
	var n plan.Node
	var err *syntax.Error
	switch name {
	case "from":
		n, err = p.from()
	case "where":
		n, err = p.where()
	case "eval":
		n, err = p.eval()
	case "stats", "inline stats":
		return p.stats(name == "inline stats")
	case "keep", "drop":
		n, err = p.keepDrop(name == "keep")
	case "rename":
		n, err = p.rename()
	case "sort":
		n, err = p.sort()
	case "limit":
		n, err = p.limit()
	case "mv_expand":
		n, err = p.mvExpand()
	case "dissect":
		n, err = p.dissect()
	case "grok":
		return p.grok()
	case "completion":
		n, err = p.completion()
	default:
		p.cmd = ""
		if unsupported[name] {
			return nil, p.errorf(nameTok, "command %s is not supported", strings.ToUpper(name))
		}
		return nil, p.errorf(nameTok, "unknown command %s", nameTok.describe(p.src))
	}
	if err != nil {
		return nil, err
	}
	return []plan.Node{n}, nil
}
