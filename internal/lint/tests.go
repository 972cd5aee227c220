package lint

import (
	"fmt"
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
	// The rule key is ours; the rest is the native format's test, read by
	// the rule loader's own code.
	body := *n
	body.Content = nil
	hasExpect := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !testKeys[k.Value] {
			return ft, errAt(k, "unknown key %q in test", k.Value)
		}
		if k.Value == "rule" {
			if v.Kind != yaml.ScalarNode {
				return ft, errAt(v, "rule must be a rule id or name")
			}
			ft.Rule = v.Value
			continue
		}
		if k.Value == "expect" {
			hasExpect = true
		}
		body.Content = append(body.Content, k, v)
	}
	t, err := rule.DecodeTest(&body)
	if err != nil {
		return ft, err
	}
	ft.Test = t
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
