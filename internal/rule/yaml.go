package rule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parseYAML loads the rules of a YAML file, one per document. Each document
// is native, Splunk or Sigma by its keys; Splunk macro documents (name and
// definition, no search) are not rules and are passed over.
func (o Options) parseYAML(file string, data []byte) ([]*Rule, []Problem) {
	docs, err := yamlDocs(data)
	var probs []Problem
	if err != nil {
		probs = append(probs, problemOf(file, 0, fmt.Errorf("cannot parse YAML: %w", err)))
	}
	var rules []*Rule
	lines := strings.SplitAfter(string(data), "\n")
	for i, doc := range docs {
		n := doc
		if n.Kind == yaml.DocumentNode {
			if len(n.Content) == 0 {
				continue
			}
			n = n.Content[0]
		}
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			continue
		}
		if n.Kind != yaml.MappingNode {
			probs = append(probs, Problem{File: file, Line: n.Line, Col: n.Column, Err: errors.New("cannot load rule: a rule document must be a mapping")})
			continue
		}
		keys := mapKeys(n)
		var r *Rule
		switch {
		case keys["search"] != nil && keys["query"] == nil:
			r, err = o.splunkRule(n)
		case keys["query"] != nil || keys["language"] != nil:
			r, err = o.nativeRule(n)
		case keys["detection"] != nil && (keys["logsource"] != nil || keys["title"] != nil), keys["correlation"] != nil && keys["title"] != nil,
			keys["filter"] != nil && keys["title"] != nil && keys["logsource"] != nil:
			end := len(lines) + 1
			if i+1 < len(docs) {
				end = docs[i+1].Line
			}
			r, err = o.sigmaRule(n, docText(lines, docs[i].Line, end))
		case keys["definition"] != nil && keys["name"] != nil:
			continue // a Splunk macro
		default:
			err = errAt(n.Line, n.Column, "cannot tell the rule format: want native (query, language), Splunk (search) or Sigma (detection and logsource, correlation, or filter) keys")
		}
		if err != nil {
			probs = append(probs, problemOf(file, n.Line, err))
			continue
		}
		r.File, r.Line = file, n.Line
		rules = append(rules, r)
	}
	return rules, probs
}

// docText returns lines [start, end) (1-based) without a trailing "---" or "...".
func docText(lines []string, start, end int) string {
	if start < 1 {
		start = 1
	}
	if end > len(lines)+1 {
		end = len(lines) + 1
	}
	if start >= end {
		return ""
	}
	part := lines[start-1 : end-1]
	for len(part) > 0 {
		t := strings.TrimSpace(part[len(part)-1])
		if t != "---" && t != "..." && t != "" {
			break
		}
		part = part[:len(part)-1]
	}
	return strings.Join(part, "")
}

// yamlDocs decodes every document of a stream, stopping at the first error.
func yamlDocs(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return docs, yamlPosError(err, nil)
		}
		docs = append(docs, &n)
	}
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

// yamlPosError gives a yaml.v3 error the line its message names and, for type
// errors, the column of the offending value found under root.
func yamlPosError(err error, root *yaml.Node) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
		if len(te.Errors) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(te.Errors)-1)
		}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	m := yamlLineRe.FindStringSubmatch(msg)
	if m == nil {
		return errors.New(msg)
	}
	line, _ := strconv.Atoi(m[1])
	msg = strings.TrimPrefix(strings.TrimPrefix(msg, m[0]), ": ")
	return &posError{line: line, col: lastColumnOn(root, line), err: errors.New(msg)}
}

// lastColumnOn returns the column of the last node that starts on line
// (a value follows its key), or 0.
func lastColumnOn(n *yaml.Node, line int) int {
	if n == nil {
		return 0
	}
	col := 0
	if n.Line == line && n.Column > col {
		col = n.Column
	}
	for _, c := range n.Content {
		if cc := lastColumnOn(c, line); cc > col {
			col = cc
		}
	}
	return col
}

// decodeNode decodes n into v, with positions on type errors.
func decodeNode(n *yaml.Node, v any) error {
	if err := n.Decode(v); err != nil {
		var pe *posError
		if errors.As(err, &pe) {
			return err
		}
		return yamlPosError(err, n)
	}
	return nil
}

// mapKeys indexes a mapping's values by key.
func mapKeys(n *yaml.Node) map[string]*yaml.Node {
	m := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		m[n.Content[i].Value] = n.Content[i+1]
	}
	return m
}

// plainValue turns a node into plain Go values as JSON has them: strings
// (timestamps stay as written), int64, float64, bool, nil, []any and
// map[string]any. A string that holds a JSON object or array is decoded.
// Aliases are followed, within a budget so that nested aliases cannot blow up.
func plainValue(n *yaml.Node) (any, error) {
	budget := maxPlainNodes
	return plainValueIn(n, &budget, 0)
}

// Limits on what plainValue expands.
const (
	maxPlainNodes = 1 << 16
	maxPlainDepth = 64
)

func plainValueIn(n *yaml.Node, budget *int, depth int) (any, error) {
	*budget--
	if *budget < 0 || depth > maxPlainDepth {
		return nil, errAt(n.Line, n.Column, "the document is too large or too deeply nested (aliases included)")
	}
	plainValue := func(c *yaml.Node) (any, error) { return plainValueIn(c, budget, depth+1) }
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return plainValue(n.Content[0])
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, errAt(n.Line, n.Column, "dangling alias")
		}
		return plainValue(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, errAt(k.Line, k.Column, "mapping keys must be scalars")
			}
			v, err := plainValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := plainValue(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, errAt(n.Line, n.Column, "cannot read boolean %q", n.Value)
			}
			return b, nil
		case "!!int":
			var i int64
			if err := n.Decode(&i); err == nil {
				return i, nil
			}
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, errAt(n.Line, n.Column, "cannot read number %q", n.Value)
			}
			return f, nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, errAt(n.Line, n.Column, "cannot read number %q (JSON has no NaN or infinity)", n.Value)
			}
			return f, nil
		case "!!str":
			if t := strings.TrimSpace(n.Value); len(t) > 1 && (t[0] == '{' || t[0] == '[') {
				v, err := jsonValue([]byte(t))
				if err != nil {
					return nil, errAt(n.Line, n.Column, "cannot read JSON: %v", err)
				}
				return v, nil
			}
			return n.Value, nil
		default: // timestamps, binary, custom tags: keep the text
			return n.Value, nil
		}
	}
	return nil, errAt(n.Line, n.Column, "unsupported YAML node")
}

// jsonValue decodes one JSON value with integers as int64.
func jsonValue(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after JSON value")
	}
	return numbers(v), nil
}

// numbers replaces json.Number with int64 or float64 throughout v.
func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	}
	return v
}
