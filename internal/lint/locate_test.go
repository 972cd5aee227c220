package lint

import (
	"errors"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/syntax/esql"
)

func TestLocate(t *testing.T) {
	const block = "id: x\nname: X\nquery: |-\n  from logs-*\n  | where a ==\n  | limit 1\n"
	const inline = "id: x\nquery: 'from logs-* | where a =='\n"
	cases := []struct {
		name, file, query string
		ruleLine          int
		noData            bool
		line, col         int
		msg               string
	}{
		{"block scalar", block, "from logs-*\n| where a ==\n| limit 1", 1, false, 6, 3, "expected an expression"},
		{"inline", inline, "from logs-* | where a ==", 1, false, 2, 33, "found end of input"},
		{"without the file", block, "from logs-*\n| where a ==\n| limit 1", 1, true, 1, 0, "query 3:1:"},
		{"query not in the file", "id: x\n", "from logs-*\n| where a ==\n| limit 1", 1, false, 1, 0, "query 3:1:"},
		{"search starts at the rule", "query: |-\n  from logs-*\n  | where a ==\n  | limit 1\n---\nquery: |-\n  from logs-*\n  | where a ==\n  | limit 1\n", "from logs-*\n| where a ==\n| limit 1", 5, false, 9, 3, "expected"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := esql.Parse(c.query)
			if err == nil {
				t.Fatal("the query parses")
			}
			r := &rule.Rule{ID: "x", File: "r.yaml", Line: c.ruleLine, Query: c.query}
			var data []byte
			if !c.noData {
				data = []byte(c.file)
			}
			loc := Locate(r, data, err)
			if loc.Line != c.line || loc.Col != c.col || !strings.Contains(loc.Msg, c.msg) {
				t.Errorf("got %d:%d %q, want %d:%d saying %q", loc.Line, loc.Col, loc.Msg, c.line, c.col, c.msg)
			}
			if !strings.Contains(loc.Excerpt, "^") || !strings.HasPrefix(loc.String(), "r.yaml:") {
				t.Errorf("rendered %q", loc.String())
			}
			if c.col > 0 {
				// The caret column in the file holds what the query holds there.
				fl := strings.Split(c.file, "\n")[c.line-1]
				if strings.TrimSpace(fl[c.col-1:]) == "" {
					t.Errorf("column %d is past the text of line %q", c.col, fl)
				}
			}
		})
	}
	plain := Locate(&rule.Rule{File: "r.toml", Line: 4}, nil, errors.New("schedule: interval must be positive"))
	if plain.String() != "r.toml:4: schedule: interval must be positive" || plain.Excerpt != "" {
		t.Errorf("plain error rendered %q", plain.String())
	}
}

func TestFind(t *testing.T) {
	r := &rule.Rule{Line: 1, Query: "from logs-*\n| stats n = count(*) by user.idd"}
	data := []byte("id: x\nquery: |-\n    from logs-*\n    | stats n = count(*) by user.idd\n")
	line, col, ok := Find(r, data, "user.idd")
	if !ok || line != 4 || col != 29 {
		t.Errorf("Find = %d:%d %v, want 4:29", line, col, ok)
	}
	if _, _, ok := Find(r, data, "absent"); ok {
		t.Error("found text the query lacks")
	}
}
