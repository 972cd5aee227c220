package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/lint"
	"github.com/tripline/tripline/internal/rule"
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
	macros, err := loadMacroDirs(rf.macros)
	if err != nil {
		return nil, err
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
			loc := lint.Locate(r, ruleFileData(r.File), c.Err)
			loc.Msg = fmt.Sprintf("rule %s (%s): %s", r.ID, r.Name, loc.Msg)
			fmt.Fprintf(stderr, "rule error: %s\n", loc)
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

// ruleFileData reads a rule's file, from the disk or the built-in pack,
// so errors can point into it; nil when it cannot be read.
func ruleFileData(name string) []byte {
	if b, err := os.ReadFile(name); err == nil {
		return b
	}
	if b, err := fs.ReadFile(rules.FS, name); err == nil {
		return b
	}
	return nil
}
