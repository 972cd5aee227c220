package exception

import (
	"bytes"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// Problem is an exception a file holds that cannot be used, with where it
// is.
type Problem struct {
	File      string
	Line, Col int
	Err       error
}

func (p Problem) Error() string {
	return fmt.Sprintf("%s:%d:%d: %v", p.File, p.Line, p.Col, p.Err)
}

// file is the format of an exceptions file: a list under "exceptions".
type file struct {
	Exceptions []yaml.Node `yaml:"exceptions"`
}

// entry is one exception as written: "value" is accepted for a single
// value.
type entry struct {
	Exception `yaml:",inline"`
	Value     string `yaml:"value"`
}

var knownKeys = map[string]bool{"id": true, "rule": true, "field": true, "values": true, "value": true,
	"match": true, "reason": true, "author": true, "created": true, "expires": true}

const knownKeyList = "id, rule, field, value(s), match, reason, author, created, expires"

// unknownKey returns the first key of an entry that is not an exception's.
func unknownKey(n *yaml.Node) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil // Decode reports it
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !knownKeys[k.Value] {
			return k
		}
	}
	return nil
}

// LoadFile reads an exceptions file. An entry that cannot be used is a
// Problem at its line; the others load.
func LoadFile(name string) ([]Exception, []Problem, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, nil, err
	}
	return Parse(name, data)
}

// Parse reads the text of an exceptions file named name.
func Parse(name string, data []byte) ([]Exception, []Problem, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []Exception
	var probs []Problem
	seen := map[string]int{}
	for i := range f.Exceptions {
		n := &f.Exceptions[i]
		if k := unknownKey(n); k != nil {
			probs = append(probs, Problem{name, k.Line, k.Column, fmt.Errorf("unknown key %q (known: %s)", k.Value, knownKeyList)})
			continue
		}
		var e entry
		if err := n.Decode(&e); err != nil {
			probs = append(probs, Problem{name, n.Line, n.Column, err})
			continue
		}
		if e.Value != "" {
			e.Values = append(e.Values, e.Value)
		}
		x := e.Exception
		if err := x.Check(); err != nil {
			probs = append(probs, Problem{name, n.Line, n.Column, err})
			continue
		}
		if x.ID == "" {
			x.ID = DeriveID(&x)
		}
		if line, dup := seen[x.ID]; dup {
			probs = append(probs, Problem{name, n.Line, n.Column, fmt.Errorf("id %s is already used at line %d", x.ID, line)})
			continue
		}
		seen[x.ID] = n.Line
		out = append(out, x)
	}
	return out, probs, nil
}

// Marshal writes exceptions in the file format, for export.
func Marshal(excs []Exception) ([]byte, error) {
	type out struct {
		Exceptions []Exception `yaml:"exceptions"`
	}
	clean := make([]Exception, len(excs))
	for i, e := range excs {
		e.Created, e.Expires = e.Created.UTC(), e.Expires.UTC()
		clean[i] = e
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(out{clean}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
