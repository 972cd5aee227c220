package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/store"
	"github.com/tripline/tripline/internal/syntax/spl"
)

// alertsDrilldown lists the drilldowns of a stored alert, or runs one: a
// search of the Risk data model runs against the store's risk events, any
// other (the detection's own search narrowed to the alert) over --logs.
func alertsDrilldown(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("alerts drilldown", flag.ContinueOnError)
	var sf storeFlags
	sf.register(fs)
	var of outputFlags
	of.register(fs)
	var logPaths, macroDirs listFlag
	fs.Var(&logPaths, "logs", "log `path` a detection-results drilldown runs over (repeatable)")
	fs.Var(&macroDirs, "macros", "`directory` of Splunk macro YAML files (repeatable)")
	nowFlag := fs.String("now", "alert", "the time a risk search runs at: alert (the end of the alert's window, so replayed logs work), wall (the clock), or RFC 3339")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tripline alerts drilldown [flags] ID [N]\n\n"+
			"Lists the drilldown searches of a stored alert; with N (from 1) runs that drilldown and prints its rows.\n"+
			"Risk data model searches (| from datamodel Risk.All_Risk ...) run against the alert store;\n"+
			"other drilldowns search logs, given with --logs.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return usagef("usage: tripline alerts drilldown [flags] ID [N]")
	}
	n := 0
	if fs.NArg() == 2 {
		var err error
		if n, err = strconv.Atoi(fs.Arg(1)); err != nil || n < 1 {
			return usagef("drilldown number must be 1 or more, got %q", fs.Arg(1))
		}
	}
	format, err := of.resolve(stdout)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	id := fs.Arg(0)
	a, _, err := st.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("cannot read alert %s: %w", id, err)
	}
	if n == 0 {
		listDrilldowns(stdout, a)
		return nil
	}
	opt := engine.DrilldownOptions{Logs: logPaths}
	if opt.Now, err = drilldownNow(*nowFlag, a); err != nil {
		return err
	}
	if opt.Macros, err = loadMacroDirs(macroDirs); err != nil {
		return err
	}
	run, err := engine.RunDrilldown(ctx, st, a, n, opt)
	if errors.Is(err, engine.ErrNeedsLogs) {
		return usagef("drilldown %d searches logs, not the alert store: give the logs with --logs PATH (its window is %s)",
			n, engine.DrilldownWindow(a.Drilldowns[n-1]))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s\n%s\n", run.Drilldown.Name, run.Searched)
	rows := run.Rows
	return writeDrilldownRows(of, format, stdout, stderr, rows)
}

func writeDrilldownRows(of outputFlags, format string, stdout, stderr io.Writer, rows []exec.Result) error {
	if err := writeRows(of, format, stdout, rows); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d rows\n", len(rows))
	return nil
}

// listDrilldowns prints each drilldown with its number, name, where it
// runs, and its search.
func listDrilldowns(w io.Writer, a *alert.Alert) {
	if len(a.Drilldowns) == 0 {
		fmt.Fprintf(w, "alert %s has no drilldowns\n", a.ID)
		return
	}
	for i, dd := range a.Drilldowns {
		where := "searches logs: run with --logs PATH"
		if engine.IsRiskSearch(dd.Search) {
			where = "searches the risk events in the alert store"
		}
		fmt.Fprintf(w, "%d  %s\n   (%s)\n   %s\n", i+1, dd.Name, where, dd.Search)
	}
}

// drilldownNow resolves --now: "alert" is the end of the alert's window
// (event time), "wall" the clock, else an RFC 3339 time.
func drilldownNow(s string, a *alert.Alert) (time.Time, error) {
	switch s {
	case "alert", "":
		return engine.AlertTime(a), nil
	case "wall", "now":
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usagef("--now wants alert, wall or an RFC 3339 time, got %q", s)
	}
	return t, nil
}

// loadMacroDirs loads Splunk macros from directories on top of the
// built-in ones.
func loadMacroDirs(dirs []string) (*spl.Macros, error) {
	m, err := spl.LoadMacroDirs(dirs)
	if err != nil {
		return nil, fmt.Errorf("cannot load macros: %w", err)
	}
	return m, nil
}

// drilldownFunc runs the risk drilldowns of stored alerts for the API, at
// the end of each alert's window.
func drilldownFunc(st store.Store) server.DrilldownFunc {
	return func(ctx context.Context, id string, n int) (server.DrilldownResult, error) {
		a, _, err := st.Get(ctx, id)
		if err != nil {
			return server.DrilldownResult{}, err
		}
		run, err := engine.RunDrilldown(ctx, st, a, n, engine.DrilldownOptions{})
		res := server.DrilldownResult{Name: run.Drilldown.Name, Search: run.Drilldown.Search}
		if errors.Is(err, engine.ErrNeedsLogs) {
			return res, fmt.Errorf("it searches logs, not the risk store (run it with tripline alerts drilldown --logs): %w", server.ErrCannotRun)
		}
		if err != nil {
			return res, err
		}
		rows := run.Rows
		seen := map[string]bool{}
		for _, r := range rows {
			f := make(alert.Fields, len(r.Columns))
			for i, c := range r.Columns {
				f[i] = alert.Field{Name: c, Value: r.Values[i]}
				if !seen[c] {
					seen[c] = true
					res.Columns = append(res.Columns, c)
				}
			}
			res.Rows = append(res.Rows, f)
		}
		return res, nil
	}
}
