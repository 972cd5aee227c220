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
	return opt
}

func cmdGenerate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	opt := generateFlags(fs)
	fs.StringVar(&opt.Out, "out", "", "output `directory` (required)")
	day := fs.String("day", "", "UTC day to generate, YYYY-MM-DD (default 2026-11-21)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tripline generate --out DIR [flags]\n\nWrites a day of CloudTrail and Bedrock invocation logs in AWS's S3 layout, with attacks planted, and expected.ndjson beside them.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
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
	sum, err := generate.Day(*opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d files (%d CloudTrail records, %d invocation records) and %d expected alerts to %s\n",
		sum.Files, sum.CloudTrailRecords, sum.InvocationRecords, len(sum.Expected), opt.Out)
	return nil
}

func cmdDemo(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	opt := generateFlags(fs)
	keep := fs.String("keep", "", "generate into this `directory` and keep it (default: a temporary directory, removed afterwards)")
	var of outputFlags
	of.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tripline demo [flags]\n\nGenerates a realistic day of logs with an LLMjacking attack in it, hunts it with the built-in rules, and shows the alerts.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
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
	fmt.Fprintf(stderr, "generating a day of logs into %s ...\n", dir)
	sum, err := generate.Day(*opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d files: %d CloudTrail records, %d invocation records; %d alerts planted\n",
		sum.Files, sum.CloudTrailRecords, sum.InvocationRecords, len(sum.Expected))
	set, err := loadRules(ruleFlags{}, stderr)
	if err != nil {
		return err
	}
	rep, err := engine.Hunt(context.Background(), set.compiled, []string{dir}, engine.HuntOptions{})
	if err != nil {
		return err
	}
	if err := writeAlerts(of, format, stdout, rep.Alerts, format == "table"); err != nil {
		return err
	}
	engine.WriteSummary(stderr, rep)
	missing, extra := engine.CompareExpected(rep.Alerts, sum.Expected)
	fmt.Fprintf(stderr, "expected %d alerts: %d raised as planted, %d missing, %d unexpected\n",
		len(sum.Expected), len(sum.Expected)-len(missing), len(missing), len(extra))
	for _, m := range missing {
		fmt.Fprintf(stderr, "  missing: %s %v\n", m.Rule, m.Group)
	}
	return nil
}
