package sigma

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// Parse plans a Sigma rule: its whole YAML document, as the rule file
// holds it.
func Parse(text string) (*plan.Query, error) {
	p := &parser{src: text}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, p.yamlError(err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, syntax.Errorf(text, syntax.Span{}, "a Sigma rule is a YAML map")
	}
	root := doc.Content[0]
	if n := lookup(root, "correlation"); n != nil {
		return nil, p.errAt(n, "Sigma correlation rules are not run yet")
	}
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
	cond, agg, err := p.detection(det)
	if err != nil {
		return nil, err
	}
	pipe := []plan.Node{from}
	switch {
	case agg != nil && agg.near != nil:
		pipe = append(pipe, agg.plan(cond)...)
	case agg != nil:
		pipe = append(pipe, &plan.Where{Cond: cond})
		pipe = append(pipe, agg.plan(cond)...)
	default:
		pipe = append(pipe, &plan.Where{Cond: cond})
	}
	return &plan.Query{Dialect: plan.Sigma, Pipeline: pipe}, nil
}

type parser struct {
	src string
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
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(p.src[off:], '\n')
		if i < 0 {
			return syntax.Pos(len(p.src))
		}
		off += i + 1
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
func (p *parser) detection(det *yaml.Node) (plan.Expr, *aggregation, error) {
	sels := map[string]*yaml.Node{}
	var names []string
	var cond *yaml.Node
	for i := 0; i+1 < len(det.Content); i += 2 {
		k, v := det.Content[i], det.Content[i+1]
		switch k.Value {
		case "condition":
			cond = v
		case "timeframe":
			// Read with the old aggregations, which are refused below.
		default:
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
