package sigma

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// Parse plans a Sigma rule: its whole YAML text, as the rule file holds
// it. See ParseWith.
func Parse(text string) (*plan.Query, error) { return ParseWith(text, Options{}) }

// Options are what a Sigma rule takes from the rule set around it.
type Options struct {
	// Filters are the texts of the Sigma filter documents that apply to
	// the rule: the events each one selects are left out of the rule's
	// matches.
	Filters []string
	// Resolve returns the rule a correlation names by id or name, when
	// the text being parsed does not hold it; nil resolves nothing. Its
	// error says why the reference names no rule.
	Resolve func(ref string) (Doc, error)
	// Placeholders are the values of the %name% placeholders that
	// |expand modifiers read.
	Placeholders map[string][]string
}

// Doc is a Sigma rule as a rule set holds it: its text and the filters
// that apply to it.
type Doc struct {
	Text    string
	Filters []string
}

// ParseWith plans a Sigma rule or correlation. The text may hold several
// YAML documents (---): the first is the rule planned, the others are
// rules its correlation may name (by id or name) before Resolve is asked.
// A filter document is not a rule: see ParseFilter.
func ParseWith(text string, o Options) (*plan.Query, error) {
	p := &parser{src: text, opts: o}
	docs, err := p.documents()
	if err != nil {
		return nil, err
	}
	root := docs[0]
	switch {
	case lookup(root, "correlation") != nil:
		c := &correlator{opts: o, local: docs[1:]}
		return c.plan(p, root)
	case lookup(root, "filter") != nil && lookup(root, "detection") == nil:
		return nil, p.errAt(lookup(root, "filter"), "a Sigma filter is not a rule: it applies to the rules it names")
	}
	m, err := p.member(root)
	if err != nil {
		return nil, err
	}
	return m.query(), nil
}

// member is a detection rule read for planning: its source, its
// condition with its filters applied, and the old aggregation of its
// condition when it has one.
type member struct {
	from *plan.From
	cond plan.Expr
	agg  *aggregation
}

// query plans a detection rule alone.
func (m *member) query() *plan.Query {
	pipe := []plan.Node{m.from}
	switch {
	case m.agg != nil && m.agg.near != nil:
		pipe = append(pipe, m.agg.plan(m.cond)...)
	case m.agg != nil:
		pipe = append(pipe, &plan.Where{Cond: m.cond})
		pipe = append(pipe, m.agg.plan(m.cond)...)
	default:
		pipe = append(pipe, &plan.Where{Cond: m.cond})
	}
	return &plan.Query{Dialect: plan.Sigma, Pipeline: pipe}
}

// member reads a detection rule's log source and detection, and applies
// the filters of the options to it.
func (p *parser) member(root *yaml.Node) (*member, error) {
	ls := lookup(root, "logsource")
	if ls == nil {
		return nil, p.errAt(root, "the rule has no logsource")
	}
	from, err := p.logsource(ls)
	if err != nil {
		return nil, err
	}
	det := lookup(root, "detection")
	if det == nil || det.Kind != yaml.MappingNode {
		return nil, p.errAt(root, "the rule has no detection map")
	}
	cond, agg, err := p.detection(det, nil)
	if err != nil {
		return nil, err
	}
	m := &member{from: from, cond: cond, agg: agg}
	for i, ft := range p.opts.Filters {
		f, err := ParseFilter(ft, p.opts)
		if err != nil {
			return nil, p.errAt(root, "filter %d of the rule does not compile: %s", i+1, errText(err))
		}
		not := &plan.Unary{Op: "NOT", X: f}
		m.cond = and(m.cond, not)
		if agg != nil {
			for j := range agg.near {
				agg.near[j] = and(agg.near[j], not)
			}
		}
	}
	return m, nil
}

// documents decodes every YAML document of the text; the first must be
// a map.
func (p *parser) documents() ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(p.src))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, p.yamlError(err)
		}
		if len(doc.Content) == 0 {
			continue
		}
		if doc.Content[0].Kind != yaml.MappingNode {
			if len(docs) == 0 {
				return nil, syntax.Errorf(p.src, syntax.Span{}, "a Sigma rule is a YAML map")
			}
			continue
		}
		docs = append(docs, doc.Content[0])
	}
	if len(docs) == 0 {
		return nil, syntax.Errorf(p.src, syntax.Span{}, "a Sigma rule is a YAML map")
	}
	return docs, nil
}

// errText is an error's message with the place it names in its own text,
// for an error reported elsewhere (at a reference, on a rule a filter
// applies to).
func errText(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		line, col := syntax.LineCol(se.Src, se.Span.Start)
		return fmt.Sprintf("%d:%d: %s", line, col, se.Msg)
	}
	return err.Error()
}

type parser struct {
	src  string
	opts Options
}

// lookup returns the value of key in a map node, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// offset returns the byte offset of a node's line and column.
func (p *parser) offset(line, col int) syntax.Pos {
	// YAML counts "\r\n", "\n" and a lone "\r" as line breaks alike.
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexAny(p.src[off:], "\r\n")
		if i < 0 {
			return syntax.Pos(len(p.src))
		}
		off += i + 1
		if p.src[off-1] == '\r' && off < len(p.src) && p.src[off] == '\n' {
			off++
		}
	}
	return syntax.Pos(min(off+col-1, len(p.src)))
}

// errAt is an error at a node, spanning its value when it is a scalar.
func (p *parser) errAt(n *yaml.Node, format string, args ...any) *syntax.Error {
	start := p.offset(n.Line, n.Column)
	end := start
	if n.Kind == yaml.ScalarNode {
		// The value as written may be longer (quotes, escapes) or, at
		// the end of the text, shorter than the value YAML decoded.
		end = min(start+syntax.Pos(len(n.Value)), syntax.Pos(len(p.src)))
	}
	return syntax.Errorf(p.src, syntax.Span{Start: start, End: end}, format, args...)
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlError places a YAML syntax error at its line.
func (p *parser) yamlError(err error) *syntax.Error {
	line := 1
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	at := p.offset(line, 1)
	return syntax.Errorf(p.src, syntax.Span{Start: at, End: at}, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
}

// logsource maps a Sigma log source to the logs tripline reads.
func (p *parser) logsource(n *yaml.Node) (*plan.From, error) {
	get := func(k string) string {
		if v := lookup(n, k); v != nil {
			return strings.ToLower(v.Value)
		}
		return ""
	}
	product, service := get("product"), get("service")
	if product != "aws" {
		return nil, p.errAt(n, "logsource product %q is not one tripline reads (it reads AWS: service cloudtrail or bedrock)", product)
	}
	switch service {
	case "cloudtrail":
		return &plan.From{Sourcetypes: []string{"aws:cloudtrail"}}, nil
	case "bedrock", "bedrock_invocation", "bedrock-invocation":
		return &plan.From{Sourcetypes: []string{"aws:bedrock:invocation"}}, nil
	case "":
		return &plan.From{Sourcetypes: []string{"aws:cloudtrail", "aws:bedrock:invocation"}}, nil
	}
	return nil, p.errAt(lookup(n, "service"), "logsource service %q is not one tripline reads (cloudtrail or bedrock)", service)
}

// detection plans the condition over the detection's named selections,
// and its aggregation when it has one.
// Keys named in skip are not selections (a filter's rules).
func (p *parser) detection(det *yaml.Node, skip map[string]bool) (plan.Expr, *aggregation, error) {
	sels := map[string]*yaml.Node{}
	var names []string
	var cond *yaml.Node
	for i := 0; i+1 < len(det.Content); i += 2 {
		k, v := det.Content[i], det.Content[i+1]
		switch k.Value {
		case "condition":
			cond = v
		case "timeframe":
			// The rule loader reads it as the window of the aggregation.
		default:
			if skip[k.Value] {
				continue
			}
			sels[k.Value] = v
			names = append(names, k.Value)
		}
	}
	if cond == nil {
		return nil, nil, p.errAt(det, "the detection has no condition")
	}
	c := &condParser{p: p, sels: sels, names: names, planned: map[string]plan.Expr{}}
	var conds []*yaml.Node
	switch cond.Kind {
	case yaml.ScalarNode:
		conds = []*yaml.Node{cond}
	case yaml.SequenceNode:
		conds = cond.Content
	default:
		return nil, nil, p.errAt(cond, "condition must be a string or a list of strings")
	}
	var out plan.Expr
	var agg *aggregation
	for _, cn := range conds {
		e, a, err := c.parse(cn)
		if err != nil {
			return nil, nil, err
		}
		if a != nil && len(conds) > 1 {
			return nil, nil, p.errAt(cn, "a condition with an aggregation must be the rule's only condition")
		}
		out, agg = or(out, e), a
	}
	return out, agg, nil
}

func or(a, b plan.Expr) plan.Expr {
	if a == nil {
		return b
	}
	return &plan.Binary{Op: "OR", L: a, R: b}
}

func and(a, b plan.Expr) plan.Expr {
	if a == nil {
		return b
	}
	return &plan.Binary{Op: "AND", L: a, R: b}
}

// selection plans one named search identifier.
func (p *parser) selection(n *yaml.Node) (plan.Expr, error) {
	switch n.Kind {
	case yaml.MappingNode:
		var out plan.Expr
		for i := 0; i+1 < len(n.Content); i += 2 {
			e, err := p.fieldCond(n.Content[i], n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out = and(out, e)
		}
		if out == nil {
			return nil, p.errAt(n, "an empty selection matches nothing")
		}
		return out, nil
	case yaml.SequenceNode:
		var out plan.Expr
		for _, item := range n.Content {
			var e plan.Expr
			var err error
			switch item.Kind {
			case yaml.MappingNode:
				e, err = p.selection(item)
			case yaml.ScalarNode:
				e, err = p.keyword(item)
			default:
				err = p.errAt(item, "a selection list holds maps or keywords")
			}
			if err != nil {
				return nil, err
			}
			out = or(out, e)
		}
		if out == nil {
			return nil, p.errAt(n, "an empty selection matches nothing")
		}
		return out, nil
	case yaml.ScalarNode:
		return p.keyword(n)
	}
	return nil, p.errAt(n, "a selection is a map, a list of maps or a list of keywords")
}

// keyword searches the whole event's text for a value, without case.
func (p *parser) keyword(n *yaml.Node) (plan.Expr, error) {
	if strings.ContainsAny(n.Value, `?\`) {
		return nil, p.errAt(n, "keywords with ? or \\ escapes are not run yet")
	}
	return &plan.SearchTerm{Term: "*" + n.Value + "*"}, nil
}

// nullLiteral is a YAML null value.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}
