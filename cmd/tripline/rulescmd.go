package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/tripline/tripline/internal/duration"
	"github.com/tripline/tripline/internal/lint"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/ruleset"
	"github.com/tripline/tripline/internal/ruletest"
	"github.com/tripline/tripline/internal/visible"
)

const rulesUsage = `Usage:
  tripline rules list [flags]                 the loaded rules: id, name, language, file, severity, schedule, health
  tripline rules show [flags] ID              everything about one rule (id, unique id prefix or name), with its plan
  tripline rules validate [flags] [PATH...]   parse and plan rules, warn about likely mistakes; exit 1 on errors
  tripline rules test [flags] [PATH...]       run the rules' tests (inline, or beside the rule as <rule>.tests.yaml)
  tripline rules coverage [flags]             MITRE ATLAS and ATT&CK techniques covered, and the logs each rule needs

validate and test read the built-in pack when no PATH is given; with PATHs,
add --with-builtin to include it. Run 'tripline rules SUBCOMMAND -h' for flags.
`

// cmdRules runs the rules subcommands.
func cmdRules(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, rulesUsage)
		return usagef("give a subcommand: list, show, validate, test or coverage")
	}
	switch args[0] {
	case "list":
		return rulesList(args[1:], stdout, stderr)
	case "show":
		return rulesShow(args[1:], stdout, stderr)
	case "validate":
		return rulesValidate(args[1:], stdout, stderr)
	case "test":
		return rulesTest(args[1:], stdout, stderr)
	case "coverage":
		return rulesCoverage(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, rulesUsage)
		return nil
	}
	return usagef("unknown subcommand %q (want list, show, validate, test or coverage)", args[0])
}

// formatFlag is --format for the rules subcommands: table or json.
func formatFlag(fs *flag.FlagSet) *string {
	return fs.String("format", "table", "output format: table or json")
}

func checkFormat(f string) error {
	switch f {
	case "table", "json":
		return nil
	}
	return usagef("unknown --format %q (want table or json)", f)
}

// loadListed parses the flags of a rules subcommand that takes no
// arguments (list, coverage), loads the rules and reports their problems.
func loadListed(name, about string, args []string, stderr io.Writer) (set *ruleset.Set, format string, err error) {
	fs := flag.NewFlagSet("rules "+name, flag.ContinueOnError)
	var rf ruleFlags
	rf.register(fs)
	f := formatFlag(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: tripline rules %s [flags]\n\n%s\n", name, about)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, "", err
	}
	if err := checkFormat(*f); err != nil {
		return nil, "", err
	}
	if fs.NArg() > 0 {
		return nil, "", usagef("%s takes no arguments (use --rules PATH)", name)
	}
	set, err = loadSet(rf.rules, !rf.noBuiltin, rf.macros)
	if err != nil {
		return nil, "", err
	}
	for _, p := range set.Problems {
		st := set.ProblemState(p)
		fmt.Fprintf(stderr, "rule error: %s: %s\n", st.Location(), st.Message)
	}
	return set, *f, nil
}

func rulesList(args []string, stdout, stderr io.Writer) error {
	set, format, err := loadListed("list", "Lists the loaded rules with their schedule and health.", args, stderr)
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(stdout)
		for _, c := range set.Compiled {
			r := c.Rule
			st := set.State(c)
			if err := enc.Encode(map[string]any{
				"id": r.ID, "name": r.Name, "language": r.Language, "file": st.File, "line": r.Line,
				"severity": r.Severity, "risk_score": r.RiskScore, "schedule": ruleset.Schedule(r),
				"interval": duration.Format(r.Interval), "lookback": duration.Format(r.LookBack), "window_end": duration.Format(r.WindowEnd),
				"max_alerts": r.MaxAlerts, "health": st.Health(), "status": st.Status, "message": st.Message,
				"warnings": st.Warnings,
			}); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(visible.Writer(stdout), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tLANGUAGE\tFILE\tSEVERITY\tSCHEDULE\tHEALTH")
	for _, c := range set.Compiled {
		r := c.Rule
		st := set.State(c)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, clip(r.Name, 60), r.Language, st.File, r.Severity, ruleset.Schedule(r), clip(st.Health(), 70))
	}
	return tw.Flush()
}

func clip(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func rulesShow(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules show", flag.ContinueOnError)
	var rf ruleFlags
	rf.register(fs)
	format := formatFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tripline rules show [flags] ID\n\nShows one rule (by id, unique id prefix or name): metadata, guide, query and plan.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give one rule id")
	}
	set, err := loadSet(rf.rules, !rf.noBuiltin, rf.macros)
	if err != nil {
		return err
	}
	c, err := set.Find(fs.Arg(0))
	if err != nil {
		return usagef("%s", err)
	}
	st := set.State(c)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ruleset.JSON(c, st))
	}
	ruleset.Write(stdout, c, st)
	return nil
}

// pathFlags are the flags of validate and test, which take rule paths as
// arguments.
type pathFlags struct {
	withBuiltin bool
	macros      listFlag
}

func (p *pathFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&p.withBuiltin, "with-builtin", false, "also read the built-in rule pack when PATHs are given")
	fs.Var(&p.macros, "macros", "`directory` of Splunk macro YAML files (security_content format; repeatable)")
}

func (p *pathFlags) load(paths []string) (*ruleset.Set, error) {
	return loadSet(paths, len(paths) == 0 || p.withBuiltin, p.macros)
}

// loadSet loads the rules a rules subcommand works on, keeping every
// problem for it to report; only finding no rule file at all where the
// user pointed is an error.
func loadSet(paths []string, builtin bool, macros []string) (*ruleset.Set, error) {
	set, err := ruleset.Load(ruleset.Options{Paths: paths, Builtin: builtin, MacroDirs: macros})
	if err != nil {
		return nil, err
	}
	if set.Empty() && len(set.Problems) == 0 {
		return nil, usagef("no rule files under %s", strings.Join(paths, ", "))
	}
	return set, nil
}

// errRulesFailed is returned, wrapped, when validate or test found errors:
// the command exits 1 with the count.
var errRulesFailed = errors.New("rules failed")

func rulesValidate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules validate", flag.ContinueOnError)
	var pf pathFlags
	pf.register(fs)
	format := formatFlag(fs)
	strict := fs.Bool("strict", false, "fail (exit 1) on warnings too")
	verbose := fs.Bool("v", false, "also list the rules that are fine")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tripline rules validate [flags] [PATH...]\n\nParses and plans every rule and warns about unknown fields, thresholds that\ncan never be reached and look-backs shorter than the interval. Exits 1 on errors.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFormat(*format); err != nil {
		return err
	}
	set, err := pf.load(fs.Args())
	if err != nil {
		return err
	}
	states := set.States()
	tally := ruleset.Count(states)
	nErr, nWarn, nSkip, nOK := tally.Errors, tally.Warned, tally.Skipped, tally.OK
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		for _, st := range states {
			if err := enc.Encode(st); err != nil {
				return err
			}
		}
	} else {
		for _, st := range states {
			writeState(stdout, st, *verbose)
		}
		fmt.Fprintf(stdout, "%d %s: %d ok, %d with warnings, %d skipped, %d %s\n",
			len(states), plural(len(states), "rule"), nOK, nWarn, nSkip, nErr, plural(nErr, "error"))
	}
	switch {
	case nErr > 0:
		return fmt.Errorf("%w: %d of %d %s have errors", errRulesFailed, nErr, len(states), plural(len(states), "rule"))
	case *strict && nWarn > 0:
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

func rulesTest(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules test", flag.ContinueOnError)
	var pf pathFlags
	pf.register(fs)
	verbose := fs.Bool("v", false, "show passing tests and the rules without tests")
	runExpr := fs.String("run", "", "run only tests whose \"ruleID/test name\" or rule name matches `regexp`")
	junit := fs.String("junit", "", "also write the results as JUnit XML to `file`")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tripline rules test [flags] [PATH...]\n\nRuns each rule's tests: its own tests: and those in <rule>.tests.yaml beside its file.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var filter *regexp.Regexp
	if *runExpr != "" {
		re, err := regexp.Compile(*runExpr)
		if err != nil {
			return usagef("bad -run: %v", err)
		}
		filter = re
	}
	set, err := pf.load(fs.Args())
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep := ruletest.RunSet(ctx, set, ruletest.Options{Filter: filter, Verbose: *verbose, Out: stdout})
	rep.WriteSummary(stdout)
	if *junit != "" {
		if err := writeJUnit(*junit, rep); err != nil {
			return err
		}
	}
	if rep.Failed > 0 {
		return fmt.Errorf("%w: %d of %d %s failed", errRulesFailed, rep.Failed, rep.Total, plural(rep.Total, "test"))
	}
	return nil
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

func rulesCoverage(args []string, stdout, stderr io.Writer) error {
	set, format, err := loadListed("coverage", "Lists the MITRE ATLAS and ATT&CK techniques the runnable rules cover, and the logs each rule needs.", args, stderr)
	if err != nil {
		return err
	}
	var runnable []*rule.Rule
	for _, c := range set.Compiled {
		if c.Runnable() {
			runnable = append(runnable, c.Rule)
		}
	}
	cov := lint.Coverage(runnable)
	if format == "json" {
		type ref struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		type tech struct {
			Framework string `json:"framework"`
			Tactic    ref    `json:"tactic"`
			Technique ref    `json:"technique"`
			Rules     []ref  `json:"rules"`
		}
		type ruleSources struct {
			ID          string   `json:"id"`
			Name        string   `json:"name"`
			Status      string   `json:"status"`
			DataSources []string `json:"data_sources"`
		}
		out := struct {
			Techniques []tech        `json:"techniques"`
			Rules      []ruleSources `json:"rules"`
		}{Techniques: []tech{}, Rules: []ruleSources{}}
		for _, cv := range cov {
			t := tech{Framework: cv.Framework, Tactic: ref{cv.Tactic.ID, cv.Tactic.Name}, Technique: ref{cv.Technique.ID, cv.Technique.Name}}
			for _, r := range cv.Rules {
				t.Rules = append(t.Rules, ref{r.ID, r.Name})
			}
			out.Techniques = append(out.Techniques, t)
		}
		for _, c := range set.Compiled {
			st := set.State(c)
			ds := lint.DataSources(c.Program)
			if ds == nil {
				ds = []string{}
			}
			out.Rules = append(out.Rules, ruleSources{ID: c.Rule.ID, Name: c.Rule.Name, Status: st.Status, DataSources: ds})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(visible.Writer(stdout), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FRAMEWORK\tTACTIC\tTECHNIQUE\tRULES")
	for _, cv := range cov {
		var names []string
		for _, r := range cv.Rules {
			names = append(names, clip(r.Name, 60))
		}
		sort.Strings(names)
		tactic := strings.TrimSpace(cv.Tactic.ID + " " + cv.Tactic.Name)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", cv.Framework, cmp.Or(tactic, "-"), strings.TrimSpace(cv.Technique.ID+" "+cv.Technique.Name), strings.Join(names, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	tw = tabwriter.NewWriter(visible.Writer(stdout), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tNAME\tDATA SOURCES")
	for _, c := range set.Compiled {
		ds := strings.Join(lint.DataSources(c.Program), ", ")
		if ds == "" {
			ds = "- (" + set.State(c).Status + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Rule.ID, clip(c.Rule.Name, 60), ds)
	}
	return tw.Flush()
}
