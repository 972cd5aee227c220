package main

import (
	"io"

	"github.com/tripline/tripline/internal/ruleset"
)

// loadRules loads the built-in pack and the user's rules and compiles
// them. Rules that fail are reported on stderr and left out of the run;
// only a run with no rule at all is an error.
func loadRules(rf ruleFlags, stderr io.Writer) (*ruleset.Set, error) {
	o := rf.resources()
	o.Paths, o.Builtin = rf.rules, !rf.noBuiltin
	set, err := ruleset.Load(o)
	if err != nil {
		return nil, err
	}
	set.Report(stderr)
	if set.Empty() {
		return nil, usagef("no rules to run (use --rules PATH, or drop --no-builtin)")
	}
	return set, nil
}
