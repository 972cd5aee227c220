package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tripline/tripline/internal/rule"
)

// FileTest is a test read from a test file, and the rule it is for (an id
// or name; empty when the file beside the rule holds one rule).
type FileTest struct {
	Rule string
	Test rule.Test
}

// posError is an error at a line and column of a test file.
type posError struct {
	line, col int
	msg       string
}

func (e *posError) Error() string { return fmt.Sprintf("%d:%d: %s", e.line, e.col, e.msg) }

func errAt(n *yaml.Node, format string, args ...any) error {
	return &posError{line: n.Line, col: n.Column, msg: fmt.Sprintf(format, args...)}
}

// testKeys are the keys of a test: those of the native format's tests
// (rules/README.md) plus rule, which picks the rule in a file of several.
var testKeys = map[string]bool{"name": true, "source": true, "events": true, "files": true,
	"expect": true, "expect_none": true, "rule": true}

// ReadTests reads a test file: a YAML list of tests in the native rule
// format's shape (name, source, events, files, expect, expect_none), each
// optionally naming its rule with rule: ID; or a mapping whose only key is
// tests, holding that list. Values read as the native loader reads them:
// numbers as int64 or float64, timestamps kept as written, and a string
// holding a JSON object or array as that value. Each test needs events or
// files, and exactly one of expect and expect_none; unknown keys are errors.
func ReadTests(data []byte) ([]FileTest, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("cannot parse tests: %w", err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	list := doc.Content[0]
	if list.Kind == yaml.MappingNode {
		if len(list.Content) != 2 || list.Content[0].Value != "tests" {
			return nil, errAt(list, "a test file is a list of tests, or a mapping with the one key tests")
		}
		list = list.Content[1]
	}
	if list.Kind != yaml.SequenceNode {
		return nil, errAt(list, "a test file is a list of tests")
	}
	out := make([]FileTest, 0, len(list.Content))
	for _, n := range list.Content {
		ft, err := readTest(n)
		if err != nil {
			return nil, err
		}
		out = append(out, ft)
	}
	return out, nil
}

func readTest(n *yaml.Node) (FileTest, error) {
	var ft FileTest
	if n.Kind != yaml.MappingNode {
		return ft, errAt(n, "a test must be a mapping")
	}
	t := &ft.Test
	t.Line = n.Line
	var hasExpect bool
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !testKeys[k.Value] {
			return ft, errAt(k, "unknown key %q in test", k.Value)
		}
		var err error
		switch k.Value {
		case "name":
			t.Name, err = scalar(v)
		case "source":
			t.Source, err = scalar(v)
		case "rule":
			ft.Rule, err = scalar(v)
		case "files":
			t.EventFiles, err = scalars(v)
		case "expect_none":
			err = v.Decode(&t.ExpectNone)
			if err != nil {
				err = errAt(v, "expect_none must be true or false")
			}
		case "events":
			t.Events, err = objects(v, "events")
		case "expect":
			hasExpect = true
			t.Expect, err = objects(v, "expect")
		}
		if err != nil {
			return ft, err
		}
	}
	switch {
	case strings.TrimSpace(t.Name) == "":
		return ft, errAt(n, "test without a name")
	case len(t.Events) == 0 && len(t.EventFiles) == 0:
		return ft, errAt(n, "test %q: no events and no files", t.Name)
	case t.ExpectNone == (hasExpect && len(t.Expect) > 0):
		return ft, errAt(n, "test %q: give either expect or expect_none", t.Name)
	}
	return ft, nil
}

func scalar(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", errAt(n, "want a single value")
	}
	return n.Value, nil
}

func scalars(n *yaml.Node) ([]string, error) {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, "want a list of file names")
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		s, err := scalar(c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func objects(n *yaml.Node, what string) ([]map[string]any, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errAt(n, "%s must be a list", what)
	}
	out := make([]map[string]any, 0, len(n.Content))
	for _, c := range n.Content {
		budget := maxNodes
		v, err := plain(c, &budget, 0)
		if err != nil {
			return nil, err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errAt(c, "each of %s must be a JSON object", what)
		}
		out = append(out, m)
	}
	return out, nil
}

// Limits on what plain expands, so that YAML aliases cannot blow up.
const (
	maxNodes = 1 << 16
	maxDepth = 64
)

// plain turns a YAML node into the value the native loader would give.
func plain(n *yaml.Node, budget *int, depth int) (any, error) {
	*budget--
	if *budget < 0 || depth > maxDepth {
		return nil, errAt(n, "the test is too large or too deeply nested (aliases included)")
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, errAt(n, "dangling alias")
		}
		return plain(n.Alias, budget, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, errAt(k, "mapping keys must be scalars")
			}
			v, err := plain(n.Content[i+1], budget, depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := plain(c, budget, depth+1)
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
				return nil, errAt(n, "cannot read boolean %q", n.Value)
			}
			return b, nil
		case "!!int":
			var i int64
			if err := n.Decode(&i); err == nil {
				return i, nil
			}
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, errAt(n, "cannot read number %q", n.Value)
			}
			return f, nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, errAt(n, "cannot read number %q (JSON has no NaN or infinity)", n.Value)
			}
			return f, nil
		case "!!str":
			if t := strings.TrimSpace(n.Value); len(t) > 1 && (t[0] == '{' || t[0] == '[') {
				v, err := jsonValue([]byte(t))
				if err != nil {
					return nil, errAt(n, "cannot read JSON: %v", err)
				}
				return v, nil
			}
			return n.Value, nil
		default: // timestamps and other tags: keep the text as written
			return n.Value, nil
		}
	}
	return nil, errAt(n, "unsupported YAML node")
}

// jsonValue decodes one JSON value with whole numbers as int64.
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
