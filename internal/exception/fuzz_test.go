package exception

import (
	"strings"
	"testing"
)

// FuzzParse checks that reading an exceptions file never panics, that every
// problem points at a line of the input, and that what loads is usable
// and reads back the same once exported.
func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("exceptions:\n  - field: a\n    value: b\n    reason: r\n    author: x\n    match: wildcard\n")
	f.Add("exceptions: [1, [2], {field: ''}]\n")
	f.Add("exceptions:\n  - expires: not a time\n")
	f.Fuzz(func(t *testing.T, text string) {
		excs, probs, err := Parse("f.yaml", []byte(text))
		if err != nil {
			return
		}
		// YAML counts "\r\n", "\n" and a lone "\r" as line breaks.
		lines := strings.Count(strings.ReplaceAll(text, "\r\n", "\n"), "\n") + strings.Count(strings.ReplaceAll(text, "\r\n", ""), "\r") + 1
		for _, p := range probs {
			if p.Line < 1 || p.Line > lines {
				t.Fatalf("problem at line %d of a %d-line input: %v", p.Line, lines, p)
			}
		}
		for i := range excs {
			if err := excs[i].Check(); err != nil || excs[i].ID == "" {
				t.Fatalf("loaded an unusable exception %+v: %v", excs[i], err)
			}
			excs[i].Matches(text)
		}
		out, err := Marshal(excs)
		if err != nil {
			t.Fatalf("cannot export what loaded: %v", err)
		}
		back, probs, err := Parse("export.yaml", out)
		if err != nil || len(probs) > 0 || len(back) != len(excs) {
			t.Fatalf("export does not read back: %v %v (%d of %d)\n%s", err, probs, len(back), len(excs), out)
		}
		for i := range back {
			if back[i].ID != excs[i].ID {
				t.Fatalf("exception %d reads back as %s, want %s", i, back[i].ID, excs[i].ID)
			}
		}
	})
}
