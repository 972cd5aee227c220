package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/generate"
	"github.com/tripline/tripline/internal/service"
)

func generateFlags(fs *pflag.FlagSet) *generate.Options {
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

func newGenerateCmd(s *streams) *cobra.Command {
	var opt *generate.Options
	var day, name string
	var list bool
	cmd := &cobra.Command{
		Use:   "generate --out DIR [--scenario NAME] [flags]",
		Short: "Write synthetic logs with attacks planted, and the alerts they must raise",
		Long: `Writes a day of CloudTrail and Bedrock invocation logs in AWS's S3 layout,
with attacks planted in a benign background, and expected.ndjson beside
them: the alerts the built-in rules must raise. Without --scenario, the day
planted for the two seed rules.`,
		Example: `  tripline generate --out ./logs
  tripline generate --list-scenarios
  tripline generate --scenario llmjacking --principals 3000 --out ./big`,
		Args: noArgs("use --out DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runGenerate(s, opt, day, name, list)
		},
	}
	fs := cmd.Flags()
	opt = generateFlags(fs)
	fs.StringVar(&opt.Out, "out", "", "output `directory` (required)")
	fs.StringVar(&day, "day", "", "UTC day to generate, YYYY-MM-DD (default 2026-11-21)")
	fs.StringVar(&name, "scenario", "", "write this scenario instead of the seed rules' day (see --list-scenarios)")
	fs.BoolVar(&list, "list-scenarios", false, "list the scenarios and exit")
	cmd.RegisterFlagCompletionFunc("scenario", completeScenarios)
	return cmd
}

// completeScenarios offers the scenario names to shell completion.
func completeScenarios(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	var names []string
	for _, sc := range generate.Scenarios() {
		names = append(names, sc.Name+"\t"+sc.Description)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

func runGenerate(s *streams, opt *generate.Options, day, name string, list bool) error {
	stdout := s.out
	if list {
		listScenarios(stdout)
		return nil
	}
	if opt.Out == "" {
		return usagef("--out DIR is required")
	}
	if day != "" {
		t, err := time.Parse("2006-01-02", day)
		if err != nil {
			return usagef("--day: want YYYY-MM-DD: %v", err)
		}
		opt.Day = t
	}
	sum, err := generateOne(name, *opt)
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

func newDemoCmd(s *streams) *cobra.Command {
	var opt *generate.Options
	var keep, name, listen string
	var ui bool
	var of outputFlags
	cmd := &cobra.Command{
		Use:   "demo [--scenario NAME] [flags]",
		Short: "Generate an attack story into a temporary directory and hunt it",
		Long: `Generates logs with a scenario planted in a benign background (by default the
whole LLMjacking story), hunts them with the built-in rules, shows the
alerts, and says whether exactly the expected ones were raised. Nothing to
install and no data of your own needed. With --ui it runs serve over the
logs instead and prints the web UI's address: the alerts appear there as
serve reads the logs, the last ones about a minute after it has read
them all.`,
		Example: `  tripline demo
  tripline demo --scenario guardrails --keep ./demo-logs
  tripline demo --ui                  # then open http://127.0.0.1:7700/`,
		Args: noArgs("use --scenario NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" {
				return usagef("--scenario: want one of the names 'tripline generate --list-scenarios' prints")
			}
			format, err := of.resolve(s.out)
			if err != nil {
				return err
			}
			if ui {
				return runDemoUI(s, opt, keep, name, listen)
			}
			return runDemo(s, opt, of, format, keep, name)
		},
	}
	fs := cmd.Flags()
	opt = generateFlags(fs)
	fs.BoolVar(&ui, "ui", false, "run serve over the generated logs and print the web UI's address, instead of hunting them")
	fs.StringVar(&listen, "listen", "127.0.0.1:7700", "with --ui: the `address` serve listens on")
	fs.StringVar(&keep, "keep", "", "generate into this `directory` and keep it (default: a temporary directory, removed afterwards)")
	fs.StringVar(&name, "scenario", "llmjacking", "the scenario to run (see 'tripline generate --list-scenarios')")
	of.register(fs)
	cmd.RegisterFlagCompletionFunc("scenario", completeScenarios)
	return cmd
}

// runDemoUI generates the scenario and runs serve over it until
// interrupted: logs in DIR/logs, serve's data in DIR/data.
func runDemoUI(s *streams, opt *generate.Options, keep, name, listen string) error {
	root := keep
	if root == "" {
		tmp, err := os.MkdirTemp("", "tripline-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		root = tmp
	}
	opt.Out = filepath.Join(root, "logs")
	fmt.Fprintf(s.err, "generating the %s scenario into %s ...\n", name, opt.Out)
	sum, err := generate.Scenario(name, *opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.err, "wrote %d files: %d CloudTrail records, %d invocation records; %d alerts planted\n",
		sum.Files, sum.CloudTrailRecords, sum.InvocationRecords, len(sum.Expected))
	cfg := service.Default()
	cfg.Data, cfg.Listen = filepath.Join(root, "data"), listen
	cfg.Sources.Watch = []string{opt.Out}
	cfg.Log.Level = "warn"
	if err := cfg.Check(); err != nil {
		return usagef("%v", err)
	}
	set, err := loadRules(ruleFlags{}, s.err)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.err, "serving the web UI at http://%s/ (Ctrl-C stops; alerts appear as the logs are read)\n", listen)
	ctx, stop := signal.NotifyContext(s.ctx, syscall.SIGTERM)
	defer stop()
	return service.Run(ctx, cfg, set, s.in, s.err)
}

func runDemo(s *streams, opt *generate.Options, of outputFlags, format, keep, name string) error {
	stdout, stderr := s.out, s.err
	dir := keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "tripline-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	opt.Out = dir
	fmt.Fprintf(stderr, "generating the %s scenario into %s ...\n", name, dir)
	sum, err := generate.Scenario(name, *opt)
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
	if err := writeAlerts(of, format, stdout, rep.Alerts, format == formatTable); err != nil {
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
