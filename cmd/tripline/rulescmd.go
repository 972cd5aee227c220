package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"github.com/tripline/tripline/internal/inference"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tripline/tripline/internal/duration"
	"github.com/tripline/tripline/internal/lint"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/ruleset"
	"github.com/tripline/tripline/internal/table"
)

func newRulesCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List, show, validate and test rules; see what they cover",
		Long: `Works with rules: the built-in pack and your own (Elastic TOML, Kibana
NDJSON, Splunk YAML, tripline's YAML). validate and test read the built-in
pack when no PATH is given; with PATHs, add --with-builtin to include it.`,
		Example: `  tripline rules list
  tripline rules show 4f8d2a19            # by id, unique id prefix or name
  tripline rules validate --strict ./my-rules
  tripline rules test ./my-rules -v --junit report.xml
  tripline rules coverage --format json`,
		Args: subcommands,
		RunE: groupRun,
	}
	cmd.AddCommand(newRulesListCmd(s), newRulesShowCmd(s), newRulesExplainCmd(s), newRulesValidateCmd(s), newRulesTestCmd(s), newRulesCoverageCmd(s))
	return cmd
}

// loadSet loads the rules a rules subcommand works on, keeping every
// problem for it to report; only finding no rule file at all where the
// user pointed is an error.
func loadSet(paths []string, builtin bool, macros []string) (*ruleset.Set, error) {
	return loadSetWith(paths, builtin, macros, nil)
}

// loadSetWith is loadSet with an inference client for COMPLETION.
func loadSetWith(paths []string, builtin bool, macros []string, inf *inference.Client) (*ruleset.Set, error) {
	set, err := ruleset.Load(ruleset.Options{Paths: paths, Builtin: builtin, MacroDirs: macros, Inference: inf})
	if err != nil {
		return nil, err
	}
	if set.Empty() && len(set.Problems) == 0 {
		return nil, usagef("no rule files under %s", strings.Join(paths, ", "))
	}
	return set, nil
}

// listedFlags are the flags of list and coverage, which take no arguments.
type listedFlags struct {
	rules  ruleFlags
	format *string
}

func (l *listedFlags) register(fs *pflag.FlagSet, list bool) {
	l.rules.register(fs)
	if list {
		l.format = listFormat(fs)
	} else {
		l.format = docFormat(fs)
	}
}

// load loads the rules and reports on stderr those that did not load.
func (l *listedFlags) load(stderr io.Writer) (*ruleset.Set, error) {
	if err := checkListFormat(*l.format); err != nil {
		return nil, err
	}
	set, err := loadSet(l.rules.rules, !l.rules.noBuiltin, l.rules.macros)
	if err != nil {
		return nil, err
	}
	set.ReportProblems(stderr)
	return set, nil
}

func newRulesListCmd(s *streams) *cobra.Command {
	var f listedFlags
	cmd := &cobra.Command{
		Use:   "list [flags]",
		Short: "List the loaded rules with their schedule and health",
		Long: `Lists the loaded rules: id, name, language, file, severity, schedule and
health (ok, skipped with the reason, or the error that keeps it from running).`,
		Example: `  tripline rules list
  tripline rules list --rules ./my-rules --format json`,
		Args: noArgs("use --rules PATH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := f.load(s.err)
			if err != nil {
				return err
			}
			return writeRuleList(s.out, set, *f.format)
		},
	}
	f.register(cmd.Flags(), true)
	return cmd
}

func writeRuleList(stdout io.Writer, set *ruleset.Set, format string) error {
	if format != formatTable {
		var out []map[string]any
		for _, c := range set.Compiled {
			r := c.Rule
			st := set.State(c)
			out = append(out, map[string]any{
				"id": r.ID, "name": r.Name, "language": r.Language, "file": st.File, "line": r.Line,
				"severity": r.Severity, "risk_score": r.RiskScore, "schedule": ruleset.Schedule(r),
				"interval": duration.Format(r.Interval), "lookback": duration.Format(r.LookBack), "window_end": duration.Format(r.WindowEnd),
				"max_alerts": r.MaxAlerts, "health": st.Health(), "status": st.Status, "message": st.Message,
				"warnings": st.Warnings,
			})
		}
		return writeRecords(stdout, format, out)
	}
	tab := table.New(termWidth(stdout), "ID", "NAME", "LANGUAGE", "FILE", "SEVERITY", "SCHEDULE", "HEALTH")
	for _, c := range set.Compiled {
		r := c.Rule
		st := set.State(c)
		tab.Row(r.ID, clip(r.Name, 60), r.Language, st.File, r.Severity, ruleset.Schedule(r), clip(st.Health(), 70))
	}
	return tab.Write(stdout)
}

// writeJSONDoc writes one indented JSON document.
func writeJSONDoc(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
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

func newRulesShowCmd(s *streams) *cobra.Command {
	var rf ruleFlags
	var format *string
	cmd := &cobra.Command{
		Use:   "show [flags] ID",
		Short: "Show everything about one rule, with its plan",
		Long: `Shows one rule, found by id, unique id prefix (four characters or more) or
name: its metadata, health, threat mapping, risk, query, the plan tripline
runs with its prefilter, investigation guide and drilldowns.`,
		Example: `  tripline rules show 4f8d2a19
  tripline rules show "AWS Bedrock Guardrail Deleted" --format json`,
		Args:              argsBetween(1, 1, "give one rule id"),
		ValidArgsFunction: completeRuleIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkDocFormat(*format); err != nil {
				return err
			}
			set, err := loadSet(rf.rules, !rf.noBuiltin, rf.macros)
			if err != nil {
				return err
			}
			c, err := set.Find(args[0])
			if err != nil {
				return usagef("%s", err)
			}
			st := set.State(c)
			if *format == formatJSON {
				return writeJSONDoc(s.out, ruleset.JSON(c, st))
			}
			ruleset.Write(s.out, c, st)
			return nil
		},
	}
	rf.register(cmd.Flags())
	format = docFormat(cmd.Flags())
	return cmd
}

// completeRuleIDs offers the built-in rules' ids, with their names, to
// shell completion.
func completeRuleIDs(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	set, err := ruleset.Load(ruleset.Options{Builtin: true})
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []string
	for _, c := range set.Compiled {
		out = append(out, c.Rule.ID+"\t"+c.Rule.Name)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func newRulesCoverageCmd(s *streams) *cobra.Command {
	var f listedFlags
	cmd := &cobra.Command{
		Use:   "coverage [flags]",
		Short: "MITRE ATLAS and ATT&CK techniques covered, and the logs each rule needs",
		Long: `Lists the MITRE ATLAS and ATT&CK techniques the runnable rules cover, and the
logs each rule needs (CloudTrail, Bedrock invocation logs).`,
		Example: `  tripline rules coverage
  tripline rules coverage --rules ./my-rules --format json`,
		Args: noArgs("use --rules PATH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := f.load(s.err)
			if err != nil {
				return err
			}
			return writeCoverage(s.out, set, *f.format)
		},
	}
	f.register(cmd.Flags(), false)
	return cmd
}

func writeCoverage(stdout io.Writer, set *ruleset.Set, format string) error {
	var runnable []*rule.Rule
	for _, c := range set.Compiled {
		if c.Runnable() {
			runnable = append(runnable, c.Rule)
		}
	}
	cov := lint.Coverage(runnable)
	if format == formatJSON {
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
		return writeJSONDoc(stdout, out)
	}
	tab := table.New(termWidth(stdout), "FRAMEWORK", "TACTIC", "TECHNIQUE", "RULES")
	for _, cv := range cov {
		var names []string
		for _, r := range cv.Rules {
			names = append(names, clip(r.Name, 60))
		}
		sort.Strings(names)
		tactic := strings.TrimSpace(cv.Tactic.ID + " " + cv.Tactic.Name)
		tab.Row(cv.Framework, cmp.Or(tactic, "-"), strings.TrimSpace(cv.Technique.ID+" "+cv.Technique.Name), strings.Join(names, "; "))
	}
	if err := tab.Write(stdout); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	tab = table.New(termWidth(stdout), "RULE", "NAME", "DATA SOURCES")
	for _, c := range set.Compiled {
		ds := strings.Join(lint.DataSources(c.Program), ", ")
		if ds == "" {
			ds = "- (" + set.State(c).Status + ")"
		}
		tab.Row(c.Rule.ID, clip(c.Rule.Name, 60), ds)
	}
	return tab.Write(stdout)
}
