package ruleset

import (
	"fmt"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/lint"
	"github.com/tripline/tripline/internal/rule"
)

// Statuses of a rule.
const (
	StatusOK      = "ok"
	StatusError   = "error"
	StatusSkipped = "skipped"
)

// State is what validation reports about one rule, or about a file or
// rule that did not load.
type State struct {
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
	ID       string `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Language string `json:"language,omitempty"`
	// Type is the rule's kind as its format names it (query, threshold,
	// new_terms, eql, esql, machine_learning, ...).
	Type     string   `json:"type,omitempty"`
	Status   string   `json:"status"`
	Message  string   `json:"message,omitempty"`
	Detail   string   `json:"detail,omitempty"`
	Warnings []string `json:"warnings"`
	// Filters are the ids of the Sigma filters that apply to the rule.
	Filters []string `json:"filters,omitempty"`
	// WarningsAt holds, for each warning, the file:line:col it points
	// at, or "" when it has no place of its own.
	WarningsAt []string `json:"-"`
}

// State checks one compiled rule: its compile error located in its file,
// and the linter's warnings with the place each points at.
func (s *Set) State(c *engine.Compiled) State {
	r := c.Rule
	st := State{File: s.Display(r.File), Line: r.Line, ID: r.ID, Name: r.Name, Language: r.Language, Type: r.Type, Status: StatusOK, Warnings: []string{}, Filters: FiltersOf(r)}
	var data []byte
	file := func() []byte {
		if data == nil {
			data, _ = s.Read(r.File)
		}
		return data
	}
	switch {
	case r.Skip != "":
		st.Status, st.Message = StatusSkipped, r.Skip
		return st
	case c.Err != nil:
		loc := lint.Locate(r, file(), c.Err)
		st.Status, st.Line, st.Col, st.Message, st.Detail = StatusError, loc.Line, loc.Col, loc.Msg, loc.Excerpt
	}
	seen := map[string]bool{}
	for _, w := range lint.Check(r, c.Program) {
		if seen[w.Msg] {
			continue
		}
		seen[w.Msg] = true
		at := ""
		if w.Subject != "" {
			if line, col, ok := lint.Find(r, file(), w.Subject); ok {
				at = fmt.Sprintf("%s:%d:%d", st.File, line, col)
			}
		}
		st.Warnings, st.WarningsAt = append(st.Warnings, w.Msg), append(st.WarningsAt, at)
	}
	for _, w := range c.Warnings {
		if !seen[w] {
			seen[w] = true
			st.Warnings, st.WarningsAt = append(st.Warnings, w), append(st.WarningsAt, "")
		}
	}
	return st
}

// ProblemState reports a file or rule that did not load.
func (s *Set) ProblemState(p rule.Problem) State {
	return State{File: s.Display(p.File), Line: p.Line, Col: p.Col, Status: StatusError, Message: problemMessage(p), Warnings: []string{}}
}

func problemMessage(p rule.Problem) string {
	if p.Err != nil {
		return p.Err.Error()
	}
	return p.Error()
}

// States returns the state of every problem, then of every rule.
func (s *Set) States() []State {
	var out []State
	for _, p := range s.Problems {
		out = append(out, s.ProblemState(p))
	}
	for _, c := range s.Compiled {
		out = append(out, s.State(c))
	}
	return out
}

// Location renders file:line:col, leaving out what is unknown.
func (st State) Location() string {
	s := st.File
	if st.Line > 0 {
		s += fmt.Sprintf(":%d", st.Line)
		if st.Col > 0 {
			s += fmt.Sprintf(":%d", st.Col)
		}
	}
	return s
}

// Health sums a state up in a few words: "ok", "ok (2 warnings)",
// "error: ...", "skipped: ...".
func (st State) Health() string {
	switch st.Status {
	case StatusError:
		return "error: " + st.Message
	case StatusSkipped:
		return "skipped: " + st.Message
	}
	if n := len(st.Warnings); n > 0 {
		return fmt.Sprintf("ok (%d %s)", n, plural(n, "warning"))
	}
	return "ok"
}

// Tally counts states: errors, skipped, ok with warnings and clean.
type Tally struct{ Errors, Skipped, Warned, OK int }

// Count tallies states.
func Count(states []State) Tally {
	var t Tally
	for _, st := range states {
		switch {
		case st.Status == StatusError:
			t.Errors++
		case st.Status == StatusSkipped:
			t.Skipped++
		case len(st.Warnings) > 0:
			t.Warned++
		default:
			t.OK++
		}
	}
	return t
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
