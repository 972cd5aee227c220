package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tripline/tripline/internal/ruleset"
	"github.com/tripline/tripline/internal/ruletest"
)

// pathFlags are the flags of validate and test, which take rule paths as
// arguments.
type pathFlags struct {
	withBuiltin bool
	macros      listFlag
	inference   string
}

func (p *pathFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&p.withBuiltin, "with-builtin", false, "also read the built-in rule pack when PATHs are given")
	fs.Var(&p.macros, "macros", "`directory` of Splunk macro YAML files (security_content format; repeatable)")
	fs.StringVar(&p.inference, "inference", "", "YAML `file` mapping ES|QL COMPLETION inference ids to endpoints; without one, rules using COMPLETION are skipped")
}

func (p *pathFlags) load(paths []string) (*ruleset.Set, error) {
	inf, err := inferenceClient(p.inference, nil)
	if err != nil {
		return nil, err
	}
	return loadSetWith(paths, len(paths) == 0 || p.withBuiltin, p.macros, inf)
}

// errRulesFailed is returned, wrapped, when validate or test found errors:
// the command exits 1 with the count.
var errRulesFailed = errors.New("rules failed")

func newRulesValidateCmd(s *streams) *cobra.Command {
	var pf pathFlags
	var format *string
	var strict, verbose bool
	cmd := &cobra.Command{
		Use:   "validate [flags] [PATH...]",
		Short: "Parse and plan rules, and warn about likely mistakes",
		Long: `Parses and plans every rule and warns about unknown fields, thresholds that
can never be reached and look-backs shorter than the interval, each at its
file:line:col. Exits 1 on errors, and with --strict on warnings too.`,
		Example: `  tripline rules validate
  tripline rules validate --strict ./my-rules
  tripline rules validate --format json ./my-rules | jq 'select(.status != "ok")'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkListFormat(*format); err != nil {
				return err
			}
			set, err := pf.load(args)
			if err != nil {
				return err
			}
			return validate(s.out, set, *format, strict, verbose)
		},
	}
	fs := cmd.Flags()
	pf.register(fs)
	format = listFormat(fs)
	fs.BoolVar(&strict, "strict", false, "fail (exit 1) on warnings too")
	fs.BoolVarP(&verbose, "verbose", "v", false, "also list the rules that are fine")
	return cmd
}

func validate(stdout io.Writer, set *ruleset.Set, format string, strict, verbose bool) error {
	states := set.States()
	tally := ruleset.Count(states)
	nErr, nWarn, nSkip, nOK := tally.Errors, tally.Warned, tally.Skipped, tally.OK
	if format != formatTable {
		if err := writeRecords(stdout, format, states); err != nil {
			return err
		}
	} else {
		for _, st := range states {
			writeState(stdout, st, verbose)
		}
		fmt.Fprintf(stdout, "%d %s: %d ok, %d with warnings, %d skipped, %d %s\n",
			len(states), plural(len(states), "rule"), nOK, nWarn, nSkip, nErr, plural(nErr, "error"))
	}
	switch {
	case nErr > 0:
		return fmt.Errorf("%w: %d of %d %s have errors", errRulesFailed, nErr, len(states), plural(len(states), "rule"))
	case strict && nWarn > 0:
		return fmt.Errorf("%w: %d %s have warnings (--strict)", errRulesFailed, nWarn, plural(nWarn, "rule"))
	}
	return nil
}

// writeState prints one rule's validation the way compilers print
// diagnostics: file:line:col: kind: rule ID (name): message.
func writeState(w io.Writer, st ruleset.State, verbose bool) {
	who := ""
	if st.ID != "" {
		who = fmt.Sprintf("rule %s (%s): ", st.ID, st.Name)
	}
	switch st.Status {
	case ruleset.StatusError:
		fmt.Fprintf(w, "%s: error: %s%s\n", st.Location(), who, st.Message)
		if st.Detail != "" {
			fmt.Fprintln(w, "  "+strings.ReplaceAll(st.Detail, "\n", "\n  "))
		}
	case ruleset.StatusSkipped:
		fmt.Fprintf(w, "%s: skipped: %s%s\n", st.Location(), who, st.Message)
	default:
		if verbose && len(st.Warnings) == 0 {
			fmt.Fprintf(w, "%s: ok: %s\n", st.Location(), strings.TrimSuffix(who, ": "))
		}
	}
	for i, m := range st.Warnings {
		at := st.Location()
		if i < len(st.WarningsAt) && st.WarningsAt[i] != "" {
			at = st.WarningsAt[i]
		}
		fmt.Fprintf(w, "%s: warning: %s%s\n", at, who, m)
	}
}

func newRulesTestCmd(s *streams) *cobra.Command {
	var pf pathFlags
	var verbose bool
	var runExpr, junit string
	cmd := &cobra.Command{
		Use:   "test [flags] [PATH...]",
		Short: "Run the rules' tests",
		Long: `Runs each rule's tests: those in its own tests: list and those in
<rule>.tests.yaml beside its file. Each test replays the rule's schedule over
the test's events and compares the alerts with what it expects. Output reads
like go test's; files that do not load count as failures.`,
		Example: `  tripline rules test
  tripline rules test ./my-rules -v --junit report.xml
  tripline rules test --run 'guardrail' ./my-rules`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var filter *regexp.Regexp
			if runExpr != "" {
				re, err := regexp.Compile(runExpr)
				if err != nil {
					return usagef("bad --run: %v", err)
				}
				filter = re
			}
			set, err := pf.load(args)
			if err != nil {
				return err
			}
			ctx, stop := context.WithCancel(s.ctx)
			defer stop()
			rep := ruletest.RunSet(ctx, set, ruletest.Options{Filter: filter, Verbose: verbose, Out: s.out})
			rep.WriteSummary(s.out)
			if junit != "" {
				if err := writeJUnit(junit, rep); err != nil {
					return err
				}
			}
			if rep.Failed > 0 {
				return fmt.Errorf("%w: %d of %d %s failed", errRulesFailed, rep.Failed, rep.Total, plural(rep.Total, "test"))
			}
			return nil
		},
	}
	fs := cmd.Flags()
	pf.register(fs)
	fs.BoolVarP(&verbose, "verbose", "v", false, "show passing tests and the rules without tests")
	fs.StringVar(&runExpr, "run", "", "run only tests whose \"ruleID/test name\" or rule name matches `regexp`")
	fs.StringVar(&junit, "junit", "", "also write the results as JUnit XML to `file`")
	return cmd
}

func writeJUnit(path string, rep *ruletest.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cannot write JUnit XML: %w", err)
	}
	if err := rep.WriteJUnit(f); err != nil {
		f.Close()
		return fmt.Errorf("cannot write JUnit XML: %w", err)
	}
	return f.Close()
}
