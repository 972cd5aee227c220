package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/syntax/spl"
	"github.com/tripline/tripline/rules"
)

// ruleSet is the rules of a run, compiled, with what went wrong loading them.
type ruleSet struct {
	compiled []*engine.Compiled
	problems []rule.Problem
}

// loadRules loads the built-in pack and the user's rules and compiles
// them. Rules that fail are reported on stderr and left out of the run;
// only a run with no rule at all is an error.
func loadRules(rf ruleFlags, stderr io.Writer) (*ruleSet, error) {
	macros := spl.NewMacros()
	for _, dir := range rf.macros {
		m, err := spl.LoadMacroDir(dir)
		if err != nil {
			return nil, fmt.Errorf("cannot load macros: %w", err)
		}
		for _, key := range m.Keys() {
			name, n := macroArity(key)
			if mac, ok := m.Lookup(name, n); ok {
				macros.Add(mac)
			}
		}
	}
	var all []*rule.Rule
	set := &ruleSet{}
	if !rf.noBuiltin {
		rs, probs := rule.LoadFS(rules.FS, ".")
		all = append(all, rs...)
		set.problems = append(set.problems, probs...)
	}
	if len(rf.rules) > 0 {
		rs, probs := rule.Load(rf.rules)
		all = append(all, rs...)
		set.problems = append(set.problems, probs...)
	}
	for _, p := range set.problems {
		fmt.Fprintf(stderr, "rule error: %s\n", p)
	}
	for _, r := range all {
		c := engine.Compile(r, macros)
		set.compiled = append(set.compiled, c)
		if c.Err != nil && r.Skip == "" {
			fmt.Fprintf(stderr, "rule error: %s:%d: %s (%s): %s\n", r.File, r.Line, r.ID, r.Name, indentDetail(engine.ErrorDetail(c.Err)))
		}
		for _, w := range c.Warnings {
			fmt.Fprintf(stderr, "rule warning: %s: %s: %s\n", r.File, r.ID, w)
		}
	}
	if len(all) == 0 {
		return nil, usagef("no rules to run (use --rules PATH, or drop --no-builtin)")
	}
	return set, nil
}

// macroArity splits a macro key "name(N)" into its name and arity.
func macroArity(key string) (string, int) {
	i := strings.LastIndexByte(key, '(')
	if i < 0 || !strings.HasSuffix(key, ")") {
		return key, 0
	}
	n, err := strconv.Atoi(key[i+1 : len(key)-1])
	if err != nil {
		return key, 0
	}
	return key[:i], n
}

func indentDetail(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		out = append(out, s[i])
		if s[i] == '\n' {
			out = append(out, "    "...)
		}
	}
	return string(out)
}
