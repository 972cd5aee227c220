package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/generate"
)

func generateFlags(fs *flag.FlagSet) *generate.Options {
	opt := &generate.Options{}
	fs.Int64Var(&opt.Seed, "seed", 1, "random seed; the same seed writes the same bytes")
	fs.IntVar(&opt.Principals, "principals", 0, "number of principals (default 300)")
	fs.IntVar(&opt.Scale, "scale", 0, "multiply benign volume (default 1: a realistic day)")
	fs.StringVar(&opt.Account, "account", "", "the monitored AWS account id (default 123456789012)")
	fs.Float64Var(&opt.Background, "background", 0, "benign volume as a share of the default (default 1; 0.1 is a tenth)")
	return opt
}

// listScenarios prints each scenario's name and what it plants.
func listScenarios(w io.Writer) {
	for _, s := range generate.Scenarios() {
		fmt.Fprintf(w, "%-12s %s\n", s.Name, s.Description)
	}
}

func cmdGenerate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	opt := generateFlags(fs)
	fs.StringVar(&opt.Out, "out", "", "output `directory` (required)")
	day := fs.String("day", "", "UTC day to generate, YYYY-MM-DD (default 2026-11-21)")
	name := fs.String("scenario", "", "write this scenario instead of the seed rules' day (see --list-scenarios)")
	list := fs.Bool("list-scenarios", false, "list the scenarios and exit")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tripline generate [--scenario NAME] --out DIR [flags]\n\nWrites a day of CloudTrail and Bedrock invocation logs in AWS's S3 layout, with attacks planted, and expected.ndjson beside them:\nthe alerts the built-in rules must raise. Without --scenario, the day planted for the two seed rules.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *list {
		listScenarios(stdout)
		return nil
	}
	if opt.Out == "" {
		return usagef("--out DIR is required")
	}
	if *day != "" {
		t, err := time.Parse("2006-01-02", *day)
		if err != nil {
			return usagef("--day: want YYYY-MM-DD: %v", err)
		}
		opt.Day = t
	}
	sum, err := generateOne(*name, *opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d files (%d CloudTrail records, %d invocation records) and %d expected alerts to %s\n",
		sum.Files, sum.CloudTrailRecords, sum.InvocationRecords, len(sum.Expected), opt.Out)
	return nil
}

// generateOne writes the named scenario, or the seed rules' day when name
// is empty.
func generateOne(name string, opt generate.Options) (generate.Summary, error) {
	if name == "" {
		return generate.Day(opt)
	}
	return generate.Scenario(name, opt)
}

func cmdDemo(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	opt := generateFlags(fs)
	keep := fs.String("keep", "", "generate into this `directory` and keep it (default: a temporary directory, removed afterwards)")
	name := fs.String("scenario", "llmjacking", "the scenario to run (see 'tripline generate --list-scenarios')")
	var of outputFlags
	of.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tripline demo [--scenario NAME] [flags]\n\nGenerates logs with a scenario planted in a benign background (by default the whole LLMjacking story),\nhunts them with the built-in rules, shows the alerts, and says whether exactly the expected ones were raised.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usagef("--scenario: want one of the names 'tripline generate --list-scenarios' prints")
	}
	format, err := of.resolve(stdout)
	if err != nil {
		return err
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "tripline-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	opt.Out = dir
	fmt.Fprintf(stderr, "generating the %s scenario into %s ...\n", *name, dir)
	sum, err := generate.Scenario(*name, *opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d files: %d CloudTrail records, %d invocation records; %d alerts planted\n",
		sum.Files, sum.CloudTrailRecords, sum.InvocationRecords, len(sum.Expected))
	set, err := loadRules(ruleFlags{}, stderr)
	if err != nil {
		return err
	}
	rep, err := engine.Hunt(context.Background(), set.Compiled, []string{dir}, engine.HuntOptions{})
	if err != nil {
		return err
	}
	if err := writeAlerts(of, format, stdout, rep.Alerts, format == "table"); err != nil {
		return err
	}
	engine.WriteSummary(stderr, rep)
	missing, extra := generate.Compare(rep.Alerts, sum.Expected)
	fmt.Fprintf(stderr, "expected %d alerts: %d raised as planted, %d missing, %d unexpected\n",
		len(sum.Expected), len(sum.Expected)-len(missing), len(missing), len(extra))
	for _, m := range missing {
		fmt.Fprintf(stderr, "  missing: %s %v (%s)\n", m.Rule, m.Group, m.Note)
	}
	for _, a := range extra {
		fmt.Fprintf(stderr, "  unexpected: %s\n", a.Reason)
	}
	if len(missing) == 0 && len(extra) == 0 {
		fmt.Fprintln(stderr, "every expected alert was raised, and no other")
	} else {
		fmt.Fprintln(stderr, "the alerts differ from the expected ones")
	}
	return nil
}
