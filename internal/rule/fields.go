package rule

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// fields reads a decoded object (from YAML, TOML or JSON) leniently where
// formats vary (a string or a list of strings) and strictly where they do
// not, remembering the first error with its place and the keys it used.
type fields struct {
	m    map[string]any
	path string                           // prefix for messages, like "rule."
	node *yaml.Node                       // the mapping, for YAML positions
	pos  func(key string) (line, col int) // positions when there is no node
	used map[string]bool
	err  *error // shared with sub-objects
}

func newFields(m map[string]any, node *yaml.Node, pos func(string) (int, int)) *fields {
	var err error
	return &fields{m: m, node: node, pos: pos, used: map[string]bool{}, err: &err}
}

// at returns the position of key's value.
func (f *fields) at(key string) (int, int) {
	if f.node != nil {
		if f.node.Kind == yaml.MappingNode {
			if v := mapKeys(f.node)[key]; v != nil {
				return v.Line, v.Column
			}
		}
		return f.node.Line, f.node.Column
	}
	if f.pos != nil {
		return f.pos(key)
	}
	return 0, 0
}

func (f *fields) fail(key, format string, args ...any) {
	if *f.err != nil {
		return
	}
	line, col := f.at(key)
	*f.err = errAt(line, col, "%s%s: %s", f.path, key, fmt.Sprintf(format, args...))
}

func (f *fields) get(key string) (any, bool) {
	f.used[key] = true
	v, ok := f.m[key]
	return v, ok && v != nil
}

func (f *fields) has(key string) bool { v, ok := f.m[key]; return ok && v != nil }

// str reads a string; numbers and booleans are taken as written.
func (f *fields) str(key string) string {
	v, ok := f.get(key)
	if !ok {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	f.fail(key, "want a string, got %s", kindName(v))
	return ""
}

// strs reads a list of strings, or one string as a list of one.
func (f *fields) strs(key string) []string {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			switch s := e.(type) {
			case string:
				out = append(out, s)
			case int64, float64, bool:
				out = append(out, fmt.Sprint(s))
			default:
				f.fail(key, "want a list of strings, found %s in it", kindName(e))
				return nil
			}
		}
		return out
	}
	f.fail(key, "want a list of strings, got %s", kindName(v))
	return nil
}

// integer reads a whole number (a numeric string is accepted).
func (f *fields) integer(key string) (int, bool) {
	v, ok := f.get(key)
	if !ok {
		return 0, false
	}
	switch x := v.(type) {
	case int64:
		if x > math.MaxInt32 || x < math.MinInt32 {
			f.fail(key, "number %d is out of range", x)
			return 0, false
		}
		return int(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= math.MaxInt32 {
			return int(x), true
		}
	case string:
		if i, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return i, true
		}
	}
	f.fail(key, "want a whole number, got %s", kindName(v))
	return 0, false
}

// sub reads a nested object; nil when absent.
func (f *fields) sub(key string) *fields {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		f.fail(key, "want a mapping, got %s", kindName(v))
		return nil
	}
	return f.child(m, key, f.valueNode(key))
}

// list reads a list of objects; a single object is a list of one.
func (f *fields) list(key string) []*fields {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	n := f.valueNode(key)
	switch x := v.(type) {
	case map[string]any:
		return []*fields{f.child(x, key, n)}
	case []any:
		out := make([]*fields, 0, len(x))
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				f.fail(key, "want a list of mappings, found %s in it", kindName(e))
				return nil
			}
			var en *yaml.Node
			if n != nil && n.Kind == yaml.SequenceNode && i < len(n.Content) {
				en = n.Content[i]
			}
			out = append(out, f.child(m, fmt.Sprintf("%s[%d]", key, i), en))
		}
		return out
	}
	f.fail(key, "want a list of mappings, got %s", kindName(v))
	return nil
}

func (f *fields) valueNode(key string) *yaml.Node {
	if f.node == nil || f.node.Kind != yaml.MappingNode {
		return nil
	}
	return mapKeys(f.node)[key]
}

func (f *fields) child(m map[string]any, key string, n *yaml.Node) *fields {
	c := &fields{m: m, path: f.path + key + ".", node: n, pos: f.pos, used: map[string]bool{}, err: f.err}
	if n == nil && f.node != nil {
		// keep positions pointing at the parent's value when the child has no node
		c.node = f.valueNode(key)
		if c.node == nil {
			c.node = f.node
		}
	}
	return c
}

// rest returns the entries not read, for Rule.Extra.
func (f *fields) rest() map[string]any {
	out := map[string]any{}
	for k, v := range f.m {
		if !f.used[k] && v != nil {
			out[k] = v
		}
	}
	return out
}

func kindName(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case int64, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}
