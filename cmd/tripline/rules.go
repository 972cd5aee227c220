package main

import (
	"io"

	"github.com/tripline/tripline/internal/inference"
	"github.com/tripline/tripline/internal/ruleset"
)

// loadRules loads the built-in pack and the user's rules and compiles
// them. Rules that fail are reported on stderr and left out of the run;
// only a run with no rule at all is an error.
func loadRules(rf ruleFlags, stderr io.Writer) (*ruleset.Set, error) {
	inf, err := inferenceClient(rf.inference, rf.inferenceCfg)
	if err != nil {
		return nil, err
	}
	return loadRulesWith(rf, inf, stderr)
}

// loadRulesWith is loadRules with the inference client already made.
func loadRulesWith(rf ruleFlags, inf *inference.Client, stderr io.Writer) (*ruleset.Set, error) {
	set, err := ruleset.Load(ruleset.Options{Paths: rf.rules, Builtin: !rf.noBuiltin, MacroDirs: rf.macros, Exceptions: rf.exceptions, Inference: inf})
	if err != nil {
		return nil, err
	}
	set.Report(stderr)
	if set.Empty() {
		return nil, usagef("no rules to run (use --rules PATH, or drop --no-builtin)")
	}
	return set, nil
}
