package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/tripline/tripline/internal/duration"
	"io"
	"os"
	"os/signal"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/logs"
)

func cmdHunt(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hunt", flag.ContinueOnError)
	var rf ruleFlags
	var of outputFlags
	rf.register(fs)
	of.register(fs)
	failOnAlert := fs.Bool("fail-on-alert", false, "exit with status 3 when any alert is raised")
	workers := fs.Int("workers", 0, "decode workers (default: number of CPUs)")
	verbose := fs.Bool("v", false, "table output: show each alert's reason and evidence")
	quiet := fs.Bool("quiet", false, "do not print the run summary")
	noPrefilter := fs.Bool("no-prefilter", false, "parse every record, even those no rule could match, so damage anywhere is reported")
	profile := fs.Bool("profile", false, "print each rule's cost after the summary: CPU time, events, ticks evaluated, state held")
	lateness := fs.String("lateness", "1h", "how far a record may lag the latest read and still be evaluated in one pass; input later than that is read again holding all state")
	dedupHorizon := fs.String("dedup-horizon", "24h", "how long a record's eventID or requestId is remembered so that a second delivery of it is dropped; 0 keeps every copy")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tripline hunt [flags] PATH...\n\nRuns the rules over the logs at PATH (files, directories, globs, - for stdin).")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("give at least one log path (a file, directory, glob, or - for stdin)")
	}
	format, err := of.resolve(stdout)
	if err != nil {
		return err
	}
	set, err := loadRules(rf, stderr)
	if err != nil {
		return err
	}
	late, err := duration.Parse(*lateness)
	if err != nil || late <= 0 {
		return usagef("--lateness %q: want a positive duration such as 30m or 2h", *lateness)
	}
	horizon, err := duration.Parse(*dedupHorizon)
	if err != nil || horizon < 0 {
		return usagef("--dedup-horizon %q: want a duration such as 24h, or 0 to keep copies", *dedupHorizon)
	}
	if horizon == 0 {
		horizon = -1 // the engine's "off"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := engine.Hunt(ctx, set.Compiled, fs.Args(), engine.HuntOptions{
		Workers: *workers, Stdin: logs.Options{Stdin: stdin}, NoPrefilter: *noPrefilter, Profile: *profile, Lateness: late,
		DedupHorizon: horizon,
	})
	if err != nil {
		return err
	}
	if err := writeAlerts(of, format, stdout, rep.Alerts, *verbose); err != nil {
		return err
	}
	if !*quiet {
		engine.WriteSummary(stderr, rep)
	}
	if *profile {
		engine.WriteProfile(stderr, rep)
	}
	if *failOnAlert && len(rep.Alerts) > 0 {
		return errAlerts
	}
	return nil
}

func writeAlerts(of outputFlags, format string, stdout io.Writer, alerts []*alert.Alert, verbose bool) error {
	w := stdout
	if of.out != "" {
		f, err := os.Create(of.out)
		if err != nil {
			return fmt.Errorf("cannot write alerts: %w", err)
		}
		defer f.Close()
		w = f
	}
	var err error
	if format == "table" {
		err = alert.WriteTable(w, alerts, verbose)
	} else {
		err = alert.WriteNDJSON(w, alerts)
	}
	if err != nil {
		return err
	}
	if f, ok := w.(*os.File); ok && of.out != "" {
		return f.Close()
	}
	return nil
}
