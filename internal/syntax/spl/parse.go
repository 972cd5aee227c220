package spl

import (
	"fmt"
	"strings"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// Parse expands the macros of an SPL search (m may be nil: no macros) and
// parses the result into a plan. The first node is a *plan.From holding
// the base search's top-level index and sourcetype terms. Errors are
// *syntax.Error positioned in src; an error inside text that a macro
// produced points at the macro call.
func Parse(src string, m *Macros) (*plan.Query, error) {
	exp, sm, err := expand(src, m)
	if err != nil {
		return nil, err
	}
	q, perr := parseQuery(exp, 0, len(exp))
	if perr != nil {
		return nil, sm.remap(perr, src)
	}
	return q, nil
}

// parser reads the tokens of one command (or of the base search).
type parser struct {
	src  string // the whole expanded query
	toks []token
	i    int
	end  int // end offset of the command's text, where EOF is reported
	// timeMods makes a search command's time modifiers conditions on
	// _time (see timeCond); otherwise they are dropped.
	timeMods bool
	// pipe is what the commands of one pipeline share; nil outside one.
	pipe *pipeline
	// subs maps the placeholders that stand for subsearches in a search
	// expression to them (see liftSubsearches).
	subs map[*plan.SearchTerm]subMark
}

// pipeline is what the commands of one pipeline share while it is parsed.
type pipeline struct {
	// spathAll holds the evals that stand for "spath input=F" without a
	// path, by the input field; their assignments are the fields the rest
	// of the pipeline reads (see extractReferenced).
	spathAll map[*plan.Eval]string
}

func (p *parser) peek() token { return p.peekAt(0) }

func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return token{kind: tkEOF, pos: p.end, end: p.end}
}

func (p *parser) next() token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *parser) eof() bool { return p.i >= len(p.toks) }

func (p *parser) errf(t token, format string, args ...any) *syntax.Error {
	return syntax.Errorf(p.src, syntax.Span{Start: syntax.Pos(t.pos), End: syntax.Pos(t.end)}, format, args...)
}

// describe names a token for error messages.
func describe(t token) string {
	switch t.kind {
	case tkEOF:
		return "end of command"
	case tkString:
		return fmt.Sprintf("string %q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// isWord reports whether t is a bare word equal to w, ignoring case.
func isWord(t token, w string) bool {
	return (t.kind == tkWord || t.kind == tkIdent) && strings.EqualFold(t.text, w)
}

// atOption reports whether the next tokens are "key=".
func (p *parser) atOption() bool {
	return p.peek().kind == tkWord && p.peekAt(1).kind == tkOp && p.peekAt(1).text == "="
}

// option reads "key=value" and returns the key (lower case) and the value
// token (a word or a string).
func (p *parser) option() (string, token, *syntax.Error) {
	key := p.next()
	p.next()
	v := p.next()
	if v.kind != tkWord && v.kind != tkString {
		return "", v, p.errf(v, "expected a value for %s=, found %s", key.text, describe(v))
	}
	return strings.ToLower(key.text), v, nil
}

// fieldName reads a field name: a word or a quoted string.
func (p *parser) fieldName(what string) (token, *syntax.Error) {
	t := p.next()
	if t.kind != tkWord && t.kind != tkString || t.text == "" {
		return t, p.errf(t, "expected %s, found %s", what, describe(t))
	}
	return t, nil
}

// fieldList reads field names separated by white space or commas up to
// the end of the command.
func (p *parser) fieldList(wildcards bool) ([]string, *syntax.Error) {
	var out []string
	for !p.eof() {
		if p.peek().kind == tkComma {
			p.next()
			continue
		}
		t, err := p.fieldName("a field name")
		if err != nil {
			return nil, err
		}
		if !wildcards && strings.Contains(t.text, "*") {
			return nil, p.errf(t, "wildcard field names are not supported here")
		}
		out = append(out, t.text)
	}
	return out, nil
}

// segment is one command's text: src[start:end]; pipe is the offset of
// the "|" before it, or -1 for the first.
type segment struct{ start, end, pipe int }

// splitPipeline cuts the query in src[from:to] at the pipes outside
// double-quoted strings and outside subsearches ([...] that opens a
// term). Outside a string, \" is a literal quote (and \\ a backslash), as
// SPL reads it: *\"privileged\":true* is a value, not a string.
func splitPipeline(src string, from, to int) ([]segment, *syntax.Error) {
	var segs []segment
	start, pipe := from, -1
	quote := -1
	var brackets []int // open subsearches
	for i := from; i < to; i++ {
		c := src[i]
		switch {
		case quote < 0 && c == '[' && opensTerm(src, from, i):
			brackets = append(brackets, i)
		case quote < 0 && c == ']' && len(brackets) > 0:
			brackets = brackets[:len(brackets)-1]
		case quote < 0 && len(brackets) > 0 && c != '"' && c != '\\':
			// inside a subsearch: its pipes are its own
		case quote >= 0 && c == '\\':
			i++
		case c == '\\' && i+1 < to && (src[i+1] == '"' || src[i+1] == '\\'):
			i++ // \" outside a string is a quote character, not a string
		case c == '"':
			if quote >= 0 {
				quote = -1
			} else {
				quote = i
			}
		case quote < 0 && c == '|':
			segs = append(segs, segment{start, i, pipe})
			start, pipe = i+1, i
		}
	}
	if quote >= 0 {
		return nil, syntax.Errorf(src, syntax.Span{Start: syntax.Pos(quote), End: syntax.Pos(to)}, "unterminated string")
	}
	if len(brackets) > 0 {
		b := brackets[len(brackets)-1]
		return nil, syntax.Errorf(src, syntax.Span{Start: syntax.Pos(b), End: syntax.Pos(b + 1)}, "unterminated subsearch: [ without ]")
	}
	return append(segs, segment{start, to, pipe}), nil
}

// opensTerm reports whether the byte at i starts a term of the query that
// begins at from: it is first, or follows white space, a parenthesis, a
// comma, = or a pipe. A [ inside a word ("a[0]") opens no subsearch.
func opensTerm(src string, from, i int) bool {
	if i == from {
		return true
	}
	return isSpace(src[i-1]) || strings.IndexByte("(,=|[", src[i-1]) >= 0
}

// commandName returns the first word of a segment and where it ends.
func commandName(src string, seg segment) (name string, pos, end int) {
	i := seg.start
	for i < seg.end && isSpace(src[i]) {
		i++
	}
	j := i
	for j < seg.end && (isIdentPart(src[j]) || isDigit(src[j])) {
		j++
	}
	return src[i:j], i, j
}

func parseQuery(src string, lo, hi int) (*plan.Query, *syntax.Error) {
	segs, err := splitPipeline(src, lo, hi)
	if err != nil {
		return nil, err
	}
	first, rest := segs[0], segs[1:]
	baseStart, baseEnd := first.start, first.end
	if strings.TrimSpace(src[first.start:first.end]) == "" && len(rest) > 0 {
		seg := rest[0]
		rest = rest[1:]
		name, pos, end := commandName(src, seg)
		if name == "" {
			return nil, emptyCommand(src, seg)
		}
		if isDatamodelCommand(name) {
			return parseDatamodelQuery(src, name, end, seg, rest)
		}
		if strings.EqualFold(name, "tstats") {
			return parseTstatsQuery(src, end, seg, rest)
		}
		if strings.EqualFold(name, "inputlookup") {
			return parseInputLookupQuery(src, end, seg, rest)
		}
		if !strings.EqualFold(name, "search") {
			return nil, syntax.Errorf(src, syntax.Span{Start: syntax.Pos(pos), End: syntax.Pos(end)},
				"cannot plan a query that starts with the command %q: only a search can start a query", name)
		}
		baseStart, baseEnd = end, seg.end
	} else if name, _, end := commandName(src, first); strings.EqualFold(name, "search") && (end == first.end || isSpace(src[end])) {
		baseStart = end
	}
	from, where, filters, err := parseBase(src, baseStart, baseEnd)
	if err != nil {
		err.Msg = "cannot parse search: " + err.Msg
		return nil, err
	}
	q := &plan.Query{Dialect: plan.SPL, Pipeline: []plan.Node{from}}
	if where != nil {
		q.Pipeline = append(q.Pipeline, &plan.Where{Cond: where})
	}
	q.Pipeline = append(q.Pipeline, filters...)
	return parseRest(q, src, rest, false)
}

// parseRest parses the commands after the one that started the query and
// appends their nodes to q. With timeMods, time modifiers of search
// commands become conditions on _time instead of being dropped.
func parseRest(q *plan.Query, src string, rest []segment, timeMods bool) (*plan.Query, *syntax.Error) {
	pipe := &pipeline{spathAll: map[*plan.Eval]string{}}
	for _, seg := range rest {
		nodes, err := parseCommand(src, seg, timeMods, pipe)
		if err != nil {
			return nil, err
		}
		q.Pipeline = append(q.Pipeline, nodes...)
	}
	q.Pipeline = expandWildRenames(extractReferenced(q.Pipeline, pipe.spathAll))
	return q, nil
}

func emptyCommand(src string, seg segment) *syntax.Error {
	if strings.TrimSpace(src[seg.start:seg.end]) == "" {
		return syntax.Errorf(src, syntax.Span{Start: syntax.Pos(seg.pipe), End: syntax.Pos(seg.pipe + 1)}, "expected a command after |")
	}
	i := seg.start
	for isSpace(src[i]) {
		i++
	}
	return syntax.Errorf(src, syntax.Span{Start: syntax.Pos(i), End: syntax.Pos(i + 1)}, "expected a command name after |")
}

// command parses the arguments of one command into plan nodes.
type command struct {
	// expr selects the expression lexer (eval, where) instead of the
	// argument lexer.
	expr  bool
	parse func(p *parser) ([]plan.Node, *syntax.Error)
}

// commands are the SPL commands tripline plans, by lower-case name. It is
// filled by init: a subsearch's commands parse through it too.
var commands map[string]command

func init() { commands = commandTable() }

func commandTable() map[string]command {
	return map[string]command{
		"search":     {parse: parseSearchCmd},
		"where":      {expr: true, parse: parseWhere},
		"eval":       {expr: true, parse: parseEval},
		"stats":      {parse: func(p *parser) ([]plan.Node, *syntax.Error) { return parseStats(p, false) }},
		"eventstats": {parse: func(p *parser) ([]plan.Node, *syntax.Error) { return parseStats(p, true) }},
		"rename":     {parse: parseRename},
		"table":      {parse: parseTable},
		"fields":     {parse: parseFields},
		"sort":       {parse: parseSort},
		"head":       {parse: func(p *parser) ([]plan.Node, *syntax.Error) { return parseHead(p, false) }},
		"tail":       {parse: func(p *parser) ([]plan.Node, *syntax.Error) { return parseHead(p, true) }},
		"dedup":      {parse: parseDedup},
		"fillnull":   {parse: parseFillNull},
		"bin":        {parse: parseBin},
		"bucket":     {parse: parseBin},
		"convert":    {parse: parseConvert},
		"spath":      {parse: parseSpath},
		"rex":        {parse: parseRex},
		"regex":      {parse: parseRegex},
		"mvexpand":   {parse: parseMvExpand},

		"lookup":       {parse: parseLookup},
		"iplocation":   {parse: parseIPLocation},
		"inputlookup":  {parse: parseInputLookup},
		"outputlookup": {parse: parseOutputLookup},
		"addinfo":      {parse: parseAddInfo},
		"join":         {parse: parseJoin},
		"append":       {parse: parseAppend},
		"return":       {parse: parseReturn},
		"format":       {parse: parseFormat},
	}
}

// unsupported says why tripline does not run some commands that
// detections use.
var unsupported = map[string]string{
	"anomalydetection": "Splunk's search reference does not say how its histogram method bins numbers or picks its probability threshold, so its results cannot be reproduced",
	"apply":            "it runs a model of the Splunk Machine Learning Toolkit, which tripline does not have",
	"summary":          "it reads a model of the Splunk Machine Learning Toolkit, which tripline does not have",
}

func parseCommand(src string, seg segment, timeMods bool, pipe *pipeline) ([]plan.Node, *syntax.Error) {
	name, pos, end := commandName(src, seg)
	if name == "" {
		return nil, emptyCommand(src, seg)
	}
	cmd, ok := commands[strings.ToLower(name)]
	if why, known := unsupported[strings.ToLower(name)]; !ok && known {
		return nil, syntax.Errorf(src, syntax.Span{Start: syntax.Pos(pos), End: syntax.Pos(end)}, "unsupported command %q: %s", name, why)
	}
	if !ok {
		return nil, syntax.Errorf(src, syntax.Span{Start: syntax.Pos(pos), End: syntax.Pos(end)}, "unsupported command %q", name)
	}
	lex := lexArgs
	if cmd.expr {
		lex = lexExpr
	}
	toks, err := lex(src, end, seg.end)
	if err == nil {
		p := &parser{src: src, toks: toks, end: seg.end, timeMods: timeMods, pipe: pipe}
		var nodes []plan.Node
		nodes, err = cmd.parse(p)
		if err == nil {
			return nodes, nil
		}
	}
	err.Msg = "cannot parse " + strings.ToLower(name) + " command: " + err.Msg
	return nil, err
}
