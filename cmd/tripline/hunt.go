package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/tripline/tripline/internal/duration"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/logs"
)

// huntOptions are hunt's flags and arguments.
type huntOptions struct {
	rules                                    ruleFlags
	output                                   outputFlags
	paths                                    []string
	failOnAlert, verbose, quiet, noPrefilter bool
	profile                                  bool
	workers                                  int
	lateness, dedupHorizon                   string
}

func newHuntCmd(s *streams) *cobra.Command {
	o := &huntOptions{}
	cmd := &cobra.Command{
		Use:   "hunt [flags] PATH...",
		Short: "Run the rules over logs and print the alerts",
		Long: `Runs the rules (the built-in Bedrock pack and any given with --rules) over the
CloudTrail and Bedrock invocation logs at PATH: files, directories, globs, or
- for standard input, gzip or not. Each rule runs on its own schedule over
the logs' event time, as it would have run live, and the alerts it raises
are printed; a summary of what was read goes to standard error.`,
		Example: `  tripline hunt ./logs
  tripline hunt --format ndjson --out alerts.ndjson ./logs
  tripline hunt --rules ./detections --no-builtin 'logs/2026/11/*'
  zcat trail.json.gz | tripline hunt -
  tripline hunt --profile ./logs        # what each rule cost`,
		Args: argsBetween(1, -1, "give at least one log path (a file, directory, glob, or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			return runHunt(s, o)
		},
	}
	fs := cmd.Flags()
	o.rules.register(fs)
	o.output.register(fs)
	fs.BoolVar(&o.failOnAlert, "fail-on-alert", false, "exit with status 3 when any alert is raised")
	fs.IntVar(&o.workers, "workers", 0, "decode workers (default: number of CPUs)")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "table output: show each alert's reason and evidence")
	fs.BoolVar(&o.quiet, "quiet", false, "do not print the run summary")
	fs.BoolVar(&o.noPrefilter, "no-prefilter", false, "parse every record, even those no rule could match, so damage anywhere is reported")
	fs.BoolVar(&o.profile, "profile", false, "print each rule's cost after the summary: CPU time, events, ticks evaluated, state held")
	fs.StringVar(&o.lateness, "lateness", "1h", "how far a record may lag the latest read and still be evaluated in one pass; input later than that is read again holding all state")
	fs.StringVar(&o.dedupHorizon, "dedup-horizon", "24h", "how long a record's eventID or requestId is remembered so that a second delivery of it is dropped; 0 keeps every copy")
	return cmd
}

func runHunt(s *streams, o *huntOptions) error {
	format, err := o.output.resolve(s.out)
	if err != nil {
		return err
	}
	set, err := loadRules(o.rules, s.err)
	if err != nil {
		return err
	}
	late, err := duration.Parse(o.lateness)
	if err != nil || late <= 0 {
		return usagef("--lateness %q: want a positive duration such as 30m or 2h", o.lateness)
	}
	horizon, err := duration.Parse(o.dedupHorizon)
	if err != nil || horizon < 0 {
		return usagef("--dedup-horizon %q: want a duration such as 24h, or 0 to keep copies", o.dedupHorizon)
	}
	if horizon == 0 {
		horizon = -1 // the engine's "off"
	}
	ctx, stop := context.WithCancel(s.ctx)
	defer stop()
	var progress *logs.Progress
	stopProgress := func() {}
	if s.tty != nil && !o.quiet {
		progress = &logs.Progress{}
		stopProgress = startProgress(s.tty, progress, 250*time.Millisecond).Stop
	}
	rep, err := engine.Hunt(ctx, set.Compiled, o.paths, engine.HuntOptions{
		Progress: progress,
		Workers:  o.workers, Stdin: logs.Options{Stdin: s.in}, NoPrefilter: o.noPrefilter, Profile: o.profile, Lateness: late,
		DedupHorizon: horizon,
	})
	stopProgress()
	if err != nil {
		return err
	}
	if err := writeAlerts(o.output, format, s.out, rep.Alerts, o.verbose); err != nil {
		return err
	}
	if !o.quiet {
		engine.WriteSummary(s.err, rep)
	}
	if w := set.Inference.Stats().Warning(); w != "" {
		fmt.Fprintf(s.err, "warning: %s\n", w)
	}
	if o.profile {
		engine.WriteProfile(s.err, rep)
	}
	if o.failOnAlert && len(rep.Alerts) > 0 {
		return errAlerts
	}
	return nil
}

func writeAlerts(of outputFlags, format string, stdout io.Writer, alerts []*alert.Alert, verbose bool) error {
	w, done, err := of.open(stdout)
	if err != nil {
		return err
	}
	switch format {
	case formatTable:
		err = alert.WriteTable(w, alerts, verbose, termWidth(w))
	default:
		err = alert.WriteNDJSON(w, alerts)
	}
	return errors.Join(err, done())
}
