package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/lint"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/visible"
	"github.com/tripline/tripline/rules"
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

// lintSet is the rules a rules subcommand works on, compiled, with every
// load problem kept rather than printed.
type lintSet struct {
	compiled []*engine.Compiled
	problems []rule.Problem
	// builtin says which rule files come from the embedded pack.
	builtin map[string]bool
}

// loadLintSet loads the rules under paths (test files beside them left
// out) and, with builtin, the built-in pack, through loadRules.
func loadLintSet(paths []string, builtin bool, macros []string) (*lintSet, error) {
	files, probs := lint.RuleFiles(paths)
	set := &lintSet{problems: probs, builtin: map[string]bool{}}
	if len(files) == 0 && !builtin {
		if len(probs) > 0 {
			return set, nil
		}
		return nil, usagef("no rule files under %s", strings.Join(paths, ", "))
	}
	user := make(map[string]bool, len(files))
	for _, f := range files {
		user[f] = true
	}
	rs, err := loadRules(ruleFlags{rules: files, noBuiltin: !builtin, macros: macros}, io.Discard)
	if err != nil {
		var ue *usageError
		if !errors.As(err, &ue) {
			return nil, err
		}
		// No rule loaded at all: report why, file by file.
		_, p := rule.Load(files)
		set.problems = append(set.problems, p...)
		return set, nil
	}
	set.compiled = rs.compiled
	set.problems = append(set.problems, rs.problems...)
	for _, c := range set.compiled {
		if builtin && !user[c.Rule.File] {
			set.builtin[c.Rule.File] = true
		}
	}
	return set, nil
}

// read returns a rule file's content, from the pack or the disk.
func (s *lintSet) read(file string) ([]byte, error) {
	if s.builtin[file] {
		return fs.ReadFile(rules.FS, file)
	}
	return os.ReadFile(file)
}

// display names a rule file for people: built-in files by their place in
// the source tree.
func (s *lintSet) display(file string) string {
	if s.builtin[file] {
		return "rules/" + file
	}
	return file
}

// ruleState is what validate and list report about one rule.
type ruleState struct {
	File     string   `json:"file"`
	Line     int      `json:"line,omitempty"`
	Col      int      `json:"col,omitempty"`
	ID       string   `json:"id,omitempty"`
	Name     string   `json:"name,omitempty"`
	Language string   `json:"language,omitempty"`
	Status   string   `json:"status"`
	Message  string   `json:"message,omitempty"`
	Detail   string   `json:"detail,omitempty"`
	Warnings []string `json:"warnings"`
	// at holds the file line:col of each warning that has one ("" if not).
	at []string
}

// Statuses of a rule.
const (
	statusOK      = "ok"
	statusError   = "error"
	statusSkipped = "skipped"
)

// state checks one compiled rule.
func (s *lintSet) state(c *engine.Compiled) ruleState {
	r := c.Rule
	st := ruleState{File: s.display(r.File), Line: r.Line, ID: r.ID, Name: r.Name, Language: r.Language, Status: statusOK, Warnings: []string{}}
	switch {
	case r.Skip != "":
		st.Status, st.Message = statusSkipped, r.Skip
		return st
	case c.Err != nil:
		data, _ := s.read(r.File)
		loc := lint.Locate(r, data, c.Err)
		st.Status, st.Line, st.Col, st.Message, st.Detail = statusError, loc.Line, loc.Col, loc.Msg, loc.Excerpt
	}
	seen := map[string]bool{}
	var data []byte
	for _, w := range lint.Check(r, c.Program) {
		if seen[w.Msg] {
			continue
		}
		seen[w.Msg] = true
		at := ""
		if w.Subject != "" {
			if data == nil {
				data, _ = s.read(r.File)
			}
			if line, col, ok := lint.Find(r, data, w.Subject); ok {
				at = fmt.Sprintf("%s:%d:%d", st.File, line, col)
			}
		}
		st.Warnings, st.at = append(st.Warnings, w.Msg), append(st.at, at)
	}
	for _, w := range c.Warnings {
		if !seen[w] {
			seen[w] = true
			st.Warnings, st.at = append(st.Warnings, w), append(st.at, "")
		}
	}
	return st
}

// problemState reports a file or rule that did not load.
func (s *lintSet) problemState(p rule.Problem) ruleState {
	msg := p.Error()
	if p.Err != nil {
		msg = p.Err.Error()
	}
	return ruleState{File: s.display(p.File), Line: p.Line, Col: p.Col, Status: statusError, Message: msg, Warnings: []string{}}
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
func loadListed(name, about string, args []string, stderr io.Writer) (set *lintSet, format string, err error) {
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
	set, err = loadLintSet(rf.rules, !rf.noBuiltin, rf.macros)
	if err != nil {
		return nil, "", err
	}
	reportProblems(stderr, set)
	return set, *f, nil
}

func rulesList(args []string, stdout, stderr io.Writer) error {
	set, format, err := loadListed("list", "Lists the loaded rules with their schedule and health.", args, stderr)
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(stdout)
		for _, c := range set.compiled {
			r := c.Rule
			st := set.state(c)
			if err := enc.Encode(map[string]any{
				"id": r.ID, "name": r.Name, "language": r.Language, "file": st.File, "line": r.Line,
				"severity": r.Severity, "risk_score": r.RiskScore, "schedule": scheduleText(r),
				"interval": durText(r.Interval), "lookback": durText(r.LookBack), "window_end": durText(r.WindowEnd),
				"max_alerts": r.MaxAlerts, "health": health(st), "status": st.Status, "message": st.Message,
				"warnings": st.Warnings,
			}); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(visible.Writer(stdout), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tLANGUAGE\tFILE\tSEVERITY\tSCHEDULE\tHEALTH")
	for _, c := range set.compiled {
		r := c.Rule
		st := set.state(c)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, clip(r.Name, 60), r.Language, st.File, r.Severity, scheduleText(r), clip(health(st), 70))
	}
	return tw.Flush()
}

// reportProblems prints the files and rules that did not load.
func reportProblems(w io.Writer, set *lintSet) {
	for _, p := range set.problems {
		st := set.problemState(p)
		fmt.Fprintf(w, "rule error: %s: %s\n", st.location(), st.Message)
	}
}

func health(st ruleState) string {
	switch st.Status {
	case statusError:
		return "error: " + st.Message
	case statusSkipped:
		return "skipped: " + st.Message
	}
	if n := len(st.Warnings); n > 0 {
		return fmt.Sprintf("ok (%d %s)", n, plural(n, "warning"))
	}
	return "ok"
}

// location renders file:line:col, leaving out what is unknown.
func (st ruleState) location() string {
	s := st.File
	if st.Line > 0 {
		s += fmt.Sprintf(":%d", st.Line)
		if st.Col > 0 {
			s += fmt.Sprintf(":%d", st.Col)
		}
	}
	return s
}

// scheduleText renders a rule's schedule: "every 10m over 60m".
func scheduleText(r *rule.Rule) string {
	if r.Interval <= 0 {
		return "-"
	}
	s := "every " + durText(r.Interval) + " over " + durText(r.LookBack)
	if r.WindowEnd > 0 {
		s += ", ending " + durText(r.WindowEnd) + " before the run"
	}
	return s
}

// durText renders a duration the way rule files write it: 10m, 2d, 90s.
func durText(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
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

// findRule picks a rule by id, unique id prefix or name.
func findRule(set *lintSet, key string) (*engine.Compiled, error) {
	var byPrefix []*engine.Compiled
	for _, c := range set.compiled {
		if c.Rule.ID == key || c.Rule.Name == key {
			return c, nil
		}
		if strings.HasPrefix(c.Rule.ID, key) {
			byPrefix = append(byPrefix, c)
		}
	}
	switch {
	case len(byPrefix) == 1 && len(key) >= 4:
		return byPrefix[0], nil
	case len(byPrefix) > 1:
		return nil, usagef("%q matches %d rules; give more of the id", key, len(byPrefix))
	}
	return nil, usagef("no rule %q (see tripline rules list)", key)
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
	set, err := loadLintSet(rf.rules, !rf.noBuiltin, rf.macros)
	if err != nil {
		return err
	}
	c, err := findRule(set, fs.Arg(0))
	if err != nil {
		return err
	}
	st := set.state(c)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(showJSON(c, st))
	}
	writeShow(stdout, c, st)
	return nil
}

// planParts returns the printed plan, prefilter and program description of
// a compiled rule ("" when it did not compile).
func planParts(c *engine.Compiled) (plan, prefilter, program string) {
	if c.Program == nil {
		return "", "", ""
	}
	prefilter = c.Program.Prefilter().String()
	if prefilter == "" {
		prefilter = "(none: every record is parsed)"
	}
	return c.Program.Query.String(), prefilter, c.Program.Describe()
}

func writeShow(w io.Writer, c *engine.Compiled, st ruleState) {
	r := c.Rule
	tw := tabwriter.NewWriter(visible.Writer(w), 0, 4, 2, ' ', 0)
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, v)
		}
	}
	field("ID", r.ID)
	field("Name", r.Name)
	field("Version", fmt.Sprint(r.Version))
	field("Language", fmt.Sprintf("%s (type %s, format %s)", r.Language, r.Type, r.Format))
	field("Status", r.Status)
	field("File", st.File+fmt.Sprintf(":%d", r.Line))
	field("Severity", fmt.Sprintf("%s, risk score %d", r.Severity, r.RiskScore))
	field("Schedule", scheduleText(r))
	maxAlerts := "no cap"
	if r.MaxAlerts > 0 {
		maxAlerts = fmt.Sprintf("%d per run", r.MaxAlerts)
	}
	field("Max alerts", maxAlerts)
	field("Health", health(st))
	field("Data sources", strings.Join(lint.DataSources(c.Program), ", "))
	field("Indices", strings.Join(r.Indices, ", "))
	field("Timestamp", r.TimestampOverride)
	if s := r.Suppression; s != nil {
		field("Suppression", fmt.Sprintf("by %s for %s (missing fields: %s)", strings.Join(s.GroupBy, ", "), durText(s.Duration), orDefault(s.MissingFields, "suppress")))
	}
	field("Tags", strings.Join(r.Tags, "; "))
	field("Tests", fmt.Sprint(len(r.Tests)))
	field("Authors", strings.Join(r.Authors, ", "))
	field("License", r.License)
	tw.Flush()
	section := func(title, body string) {
		if strings.TrimSpace(body) == "" {
			return
		}
		fmt.Fprintf(w, "\n%s:\n%s\n", title, indent(strings.TrimRight(body, "\n"), "  "))
	}
	section("Description", r.Description)
	var threat []string
	for _, th := range r.Threat {
		tactic := strings.TrimSpace(th.Tactic.ID + " " + th.Tactic.Name)
		for _, te := range th.Techniques {
			line := fmt.Sprintf("%s  %s  %s", th.Framework, orDefault(tactic, "(no tactic)"), strings.TrimSpace(te.ID+" "+te.Name))
			for _, s := range te.Subtechniques {
				line += ", " + strings.TrimSpace(s.ID+" "+s.Name)
			}
			threat = append(threat, line)
		}
	}
	section("Threat", strings.Join(threat, "\n"))
	var risk []string
	for _, ro := range r.Risk {
		if ro.Threat {
			risk = append(risk, fmt.Sprintf("threat object %s (%s)", ro.Field, ro.Type))
		} else {
			risk = append(risk, fmt.Sprintf("risk object %s (%s), score %d", ro.Field, ro.Type, ro.Score))
		}
	}
	if m, ok := r.Extra["risk_message"].(string); ok {
		risk = append(risk, "message: "+m)
	}
	section("Risk", strings.Join(risk, "\n"))
	section("Warnings", strings.Join(st.Warnings, "\n"))
	if st.Status == statusError {
		section("Error", st.location()+": "+st.Message+"\n"+st.Detail)
	}
	section("Query", r.Query)
	p, pre, prog := planParts(c)
	section("Plan", p)
	section("Prefilter", pre)
	section("Program", prog)
	section("Investigation guide", r.Guide)
	section("Setup", r.Setup)
	section("How to implement", r.HowToImplement)
	section("False positives", bullets(r.FalsePositives))
	var dd []string
	for _, d := range r.Drilldowns {
		s := "- " + d.Name + "\n  " + d.Search
		if d.EarliestOffset != "" || d.LatestOffset != "" {
			s += fmt.Sprintf("\n  from %s to %s", orDefault(d.EarliestOffset, "-"), orDefault(d.LatestOffset, "-"))
		}
		dd = append(dd, s)
	}
	section("Drilldowns", strings.Join(dd, "\n"))
	section("References", bullets(r.References))
}

func showJSON(c *engine.Compiled, st ruleState) map[string]any {
	r := c.Rule
	p, pre, prog := planParts(c)
	var threat []map[string]any
	for _, th := range r.Threat {
		var techs []map[string]any
		for _, te := range th.Techniques {
			var subs []map[string]string
			for _, s := range te.Subtechniques {
				subs = append(subs, map[string]string{"id": s.ID, "name": s.Name})
			}
			techs = append(techs, map[string]any{"id": te.ID, "name": te.Name, "subtechniques": subs})
		}
		threat = append(threat, map[string]any{"framework": th.Framework, "tactic": map[string]string{"id": th.Tactic.ID, "name": th.Tactic.Name}, "techniques": techs})
	}
	var dd []map[string]string
	for _, d := range r.Drilldowns {
		dd = append(dd, map[string]string{"name": d.Name, "search": d.Search, "earliest_offset": d.EarliestOffset, "latest_offset": d.LatestOffset})
	}
	var risk []map[string]any
	for _, ro := range r.Risk {
		risk = append(risk, map[string]any{"field": ro.Field, "type": ro.Type, "score": ro.Score, "threat": ro.Threat})
	}
	return map[string]any{
		"id": r.ID, "name": r.Name, "version": r.Version, "description": r.Description,
		"language": r.Language, "type": r.Type, "format": r.Format, "maturity": r.Status,
		"file": st.File, "line": r.Line, "severity": r.Severity, "risk_score": r.RiskScore,
		"schedule": scheduleText(r), "interval": durText(r.Interval), "lookback": durText(r.LookBack),
		"window_end": durText(r.WindowEnd), "max_alerts": r.MaxAlerts, "tags": r.Tags,
		"threat": threat, "risk": risk, "guide": r.Guide, "setup": r.Setup, "drilldowns": dd,
		"references": r.References, "false_positives": r.FalsePositives, "tests": len(r.Tests),
		"query": r.Query, "plan": p, "prefilter": pre, "program": prog,
		"data_sources": lint.DataSources(c.Program), "health": health(st), "status": st.Status,
		"message": st.Message, "warnings": st.Warnings, "skip": r.Skip,
	}
}

func indent(s, pad string) string {
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func bullets(items []string) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("- " + it)
	}
	return b.String()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
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

func (p *pathFlags) load(paths []string) (*lintSet, error) {
	return loadLintSet(paths, len(paths) == 0 || p.withBuiltin, p.macros)
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
	var states []ruleState
	for _, p := range set.problems {
		states = append(states, set.problemState(p))
	}
	for _, c := range set.compiled {
		states = append(states, set.state(c))
	}
	var nErr, nWarn, nSkip, nOK int
	for _, st := range states {
		switch {
		case st.Status == statusError:
			nErr++
		case st.Status == statusSkipped:
			nSkip++
		case len(st.Warnings) > 0:
			nWarn++
		default:
			nOK++
		}
	}
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
func writeState(w io.Writer, st ruleState, verbose bool) {
	who := ""
	if st.ID != "" {
		who = fmt.Sprintf("rule %s (%s): ", st.ID, st.Name)
	}
	switch st.Status {
	case statusError:
		fmt.Fprintf(w, "%s: error: %s%s\n", st.location(), who, st.Message)
		if st.Detail != "" {
			fmt.Fprintln(w, indent(st.Detail, "  "))
		}
	case statusSkipped:
		fmt.Fprintf(w, "%s: skipped: %s%s\n", st.location(), who, st.Message)
	default:
		if verbose && len(st.Warnings) == 0 {
			fmt.Fprintf(w, "%s: ok: %s\n", st.location(), strings.TrimSuffix(who, ": "))
		}
	}
	for i, m := range st.Warnings {
		at := st.location()
		if i < len(st.at) && st.at[i] != "" {
			at = st.at[i]
		}
		fmt.Fprintf(w, "%s: warning: %s%s\n", at, who, m)
	}
}

// ruleTests is one rule and the tests it runs: its own and those beside it.
type ruleTests struct {
	c     *engine.Compiled
	file  string
	tests []rule.Test
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
	start := time.Now()
	set, err := pf.load(fs.Args())
	if err != nil {
		return err
	}
	var builtinRules, userRules []*rule.Rule
	for _, c := range set.compiled {
		if set.builtin[c.Rule.File] {
			builtinRules = append(builtinRules, c.Rule)
		} else {
			userRules = append(userRules, c.Rule)
		}
	}
	side, probs := lint.SidecarTests(userRules, os.ReadFile)
	side2, probs2 := lint.SidecarTests(builtinRules, set.read)
	for r, ts := range side2 {
		side[r] = ts
	}
	probs = append(append(append([]rule.Problem(nil), set.problems...), probs...), probs2...)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep := &testReport{verbose: *verbose, w: stdout}
	for _, p := range probs {
		rep.loadFailure(set.problemState(p))
	}
	var untested []string
	for _, c := range set.compiled {
		r := c.Rule
		all := append(append([]rule.Test(nil), r.Tests...), side[r]...)
		var tests []rule.Test
		for _, t := range all {
			if filter == nil || filter.MatchString(r.ID+"/"+t.Name) || filter.MatchString(r.ID+"/"+testName(t.Name)) || filter.MatchString(r.Name) {
				tests = append(tests, t)
			}
		}
		if len(all) == 0 {
			untested = append(untested, fmt.Sprintf("%s (%s)", r.ID, r.Name))
		}
		if len(tests) == 0 {
			continue
		}
		suite := rep.suite(c, set.display(r.File))
		if r.Skip != "" {
			for i := range tests {
				suite.skip(&tests[i], r.Skip)
			}
			continue
		}
		for _, res := range engine.RunTests(ctx, c, tests) {
			suite.result(res)
		}
	}
	if *verbose {
		for _, u := range untested {
			fmt.Fprintf(stdout, "?   \t%s\t[no tests]\n", u)
		}
	}
	elapsed := time.Since(start)
	summary := fmt.Sprintf("%d %s: %d passed, %d failed, %d skipped; %d %s without tests",
		rep.total, plural(rep.total, "test"), rep.passed, rep.failed, rep.skipped, len(untested), plural(len(untested), "rule"))
	if rep.failed > 0 {
		fmt.Fprintln(stdout, "FAIL")
		fmt.Fprintf(stdout, "FAIL\trules\t%.3fs\t%s\n", elapsed.Seconds(), summary)
	} else {
		if *verbose {
			fmt.Fprintln(stdout, "PASS")
		}
		fmt.Fprintf(stdout, "ok  \trules\t%.3fs\t%s\n", elapsed.Seconds(), summary)
	}
	if *junit != "" {
		if err := rep.writeJUnit(*junit, elapsed); err != nil {
			return err
		}
	}
	if rep.failed > 0 {
		return fmt.Errorf("%w: %d of %d %s failed", errRulesFailed, rep.failed, rep.total, plural(rep.total, "test"))
	}
	return nil
}

// testName is a test's name as printed: spaces become underscores, as go
// test prints subtests.
func testName(name string) string { return strings.ReplaceAll(strings.TrimSpace(name), " ", "_") }

// testReport prints results as they come in and keeps them for JUnit.
type testReport struct {
	w                              io.Writer
	verbose                        bool
	total, passed, failed, skipped int
	suites                         []*testSuite
}

type testSuite struct {
	rep   *testReport
	c     *engine.Compiled
	file  string
	cases []junitCase
}

func (rep *testReport) suite(c *engine.Compiled, file string) *testSuite {
	s := &testSuite{rep: rep, c: c, file: file}
	rep.suites = append(rep.suites, s)
	return s
}

// loadFailure reports a rule file or test file that did not load as a
// failed test of its own.
func (rep *testReport) loadFailure(st ruleState) {
	rep.total++
	rep.failed++
	msg := st.Message
	if st.Detail != "" {
		msg += "\n" + st.Detail
	}
	fmt.Fprintf(rep.w, "--- FAIL: %s (load) (0.00s)\n%s\n", st.File, indent(st.location()+": "+msg, "    "))
	s := &testSuite{rep: rep, file: st.File}
	s.cases = append(s.cases, junitCase{Name: "load", Classname: st.File, Time: "0.000", File: st.File, Line: st.Line,
		Failure: &junitFailure{Message: firstLine(msg), Type: "load", Text: st.location() + ": " + msg}})
	rep.suites = append(rep.suites, s)
}

func (s *testSuite) name(t *rule.Test) string { return s.c.Rule.ID + "/" + testName(t.Name) }

func (s *testSuite) skip(t *rule.Test, why string) {
	rep := s.rep
	rep.total++
	rep.skipped++
	if rep.verbose {
		fmt.Fprintf(rep.w, "=== RUN   %s\n--- SKIP: %s (0.00s)\n    %s\n", s.name(t), s.name(t), why)
	}
	s.cases = append(s.cases, junitCase{Name: t.Name, Classname: s.c.Rule.ID, Time: "0.000", File: s.file, Line: t.Line, Skipped: &junitSkipped{Message: why}})
}

func (s *testSuite) result(res engine.TestResult) {
	rep := s.rep
	rep.total++
	name := s.name(res.Test)
	secs := res.Elapsed.Seconds()
	jc := junitCase{Name: res.Test.Name, Classname: s.c.Rule.ID, Time: fmt.Sprintf("%.3f", secs), File: s.file, Line: res.Test.Line}
	if res.Passed() {
		rep.passed++
		if rep.verbose {
			fmt.Fprintf(rep.w, "=== RUN   %s\n--- PASS: %s (%.2fs)\n", name, name, secs)
		}
		s.cases = append(s.cases, jc)
		return
	}
	rep.failed++
	if rep.verbose {
		fmt.Fprintf(rep.w, "=== RUN   %s\n", name)
	}
	where := s.file
	if res.Test.Line > 0 {
		where += fmt.Sprintf(":%d", res.Test.Line)
	}
	fmt.Fprintf(rep.w, "--- FAIL: %s (%.2fs)\n    %s: %s (%s)\n", name, secs, where, res.Test.Name, s.c.Rule.Name)
	for _, f := range res.Failures {
		fmt.Fprintln(rep.w, indent(f, "        "))
	}
	jc.Failure = &junitFailure{Message: firstLine(res.Failures[0]), Type: "assertion", Text: where + ": " + strings.Join(res.Failures, "\n")}
	s.cases = append(s.cases, jc)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// JUnit XML, as CI systems read it: one testsuite per rule.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func (rep *testReport) writeJUnit(path string, elapsed time.Duration) error {
	doc := junitSuites{Name: "tripline rules", Tests: rep.total, Failures: rep.failed, Skipped: rep.skipped, Time: fmt.Sprintf("%.3f", elapsed.Seconds())}
	for _, s := range rep.suites {
		js := junitSuite{Name: s.file, Cases: s.cases}
		if s.c != nil {
			js.Name = s.c.Rule.ID
			js.Properties = []junitProperty{{"rule.name", s.c.Rule.Name}, {"rule.file", s.file}, {"rule.language", s.c.Rule.Language}}
		}
		var secs float64
		for _, jc := range s.cases {
			js.Tests++
			switch {
			case jc.Failure != nil:
				js.Failures++
			case jc.Skipped != nil:
				js.Skipped++
			}
			var t float64
			fmt.Sscanf(jc.Time, "%g", &t)
			secs += t
		}
		js.Time = fmt.Sprintf("%.3f", secs)
		doc.Suites = append(doc.Suites, js)
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode JUnit XML: %w", err)
	}
	b = append([]byte(xml.Header), append(b, '\n')...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("cannot write JUnit XML: %w", err)
	}
	return nil
}

func rulesCoverage(args []string, stdout, stderr io.Writer) error {
	set, format, err := loadListed("coverage", "Lists the MITRE ATLAS and ATT&CK techniques the runnable rules cover, and the logs each rule needs.", args, stderr)
	if err != nil {
		return err
	}
	var runnable []*rule.Rule
	for _, c := range set.compiled {
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
		for _, c := range set.compiled {
			st := set.state(c)
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", cv.Framework, orDefault(tactic, "-"), strings.TrimSpace(cv.Technique.ID+" "+cv.Technique.Name), strings.Join(names, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	tw = tabwriter.NewWriter(visible.Writer(stdout), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tNAME\tDATA SOURCES")
	for _, c := range set.compiled {
		ds := strings.Join(lint.DataSources(c.Program), ", ")
		if ds == "" {
			ds = "- (" + set.state(c).Status + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Rule.ID, clip(c.Rule.Name, 60), ds)
	}
	return tw.Flush()
}
