package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/archive"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/syntax/spl"
)

// newAlertsDrilldownCmd lists the drilldowns of a stored alert, or runs one: a
// search of the Risk data model runs against the store's risk events, any
// other (the detection's own search narrowed to the alert) over --logs.
func newAlertsDrilldownCmd(s *streams) *cobra.Command {
	o := &drilldownOptions{}
	cmd := &cobra.Command{
		Use:   "drilldown [flags] ID [N]",
		Short: "List an alert's drilldown searches, or run one",
		Long: `Lists the drilldown searches of a stored alert; with N (from 1) runs that
drilldown and prints its rows. Risk data model searches (| from datamodel
Risk.All_Risk ...) run against the alert store; other drilldowns search
logs: those given with --logs, else what serve's event archive in --data
holds for the drilldown's time range.`,
		Example: `  tripline alerts drilldown 7f3c2a1e9b0d4c55
  tripline alerts drilldown 7f3c2a1e9b0d4c55 1
  tripline alerts drilldown 7f3c2a1e9b0d4c55 2 --logs ./logs`,
		Args: argsBetween(1, 2, "give an alert id, and optionally the number of a drilldown"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = args[0]
			if len(args) == 2 {
				n, err := strconv.Atoi(args[1])
				if err != nil || n < 1 {
					return usagef("drilldown number must be 1 or more, got %q", args[1])
				}
				o.n = n
			}
			return runDrilldown(s, o)
		},
	}
	fs := cmd.Flags()
	o.store.register(fs)
	o.output.register(fs)
	fs.Var(&o.logs, "logs", "log `path` a detection-results drilldown runs over (repeatable)")
	fs.Var(&o.macros, "macros", "`directory` of Splunk macro YAML files (repeatable)")
	fs.StringVar(&o.now, "now", "alert", "the time a risk search runs at: alert (the end of the alert's window, so replayed logs work), wall (the clock), or RFC 3339")
	return cmd
}

// drilldownOptions are alerts drilldown's flags and arguments.
type drilldownOptions struct {
	store        storeFlags
	output       outputFlags
	logs, macros listFlag
	now, id      string
	n            int
}

func runDrilldown(s *streams, o *drilldownOptions) error {
	stdout, stderr, of, n := s.out, s.err, o.output, o.n
	format, err := of.resolve(stdout)
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(s.ctx)
	defer stop()
	st, err := o.store.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	id := o.id
	a, _, err := st.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("cannot read alert %s: %w", id, err)
	}
	if n == 0 {
		listDrilldowns(stdout, a)
		return nil
	}
	opt := engine.DrilldownOptions{Logs: o.logs}
	if len(o.logs) == 0 {
		opt.Sources = archivedFiles(o.store.data, stderr)
		opt.Open = openArchived
	}
	if opt.Now, err = drilldownNow(o.now, a); err != nil {
		return err
	}
	if opt.Macros, err = loadMacroDirs(o.macros); err != nil {
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

// openArchived opens the pieces of files the archive names by range.
func openArchived(_ context.Context, name string) (io.ReadCloser, error) {
	if archive.IsRange(name) {
		return archive.OpenRange(name)
	}
	return nil, fmt.Errorf("%s is not a local file: search it through serve's API", name)
}

// archivedFiles lists the local sources serve's archive in data holds for
// a time range, or nil when there is no archive there. S3 objects need
// serve's credentials: they are left out, with a note.
func archivedFiles(data string, stderr io.Writer) func(from, to time.Time) []string {
	dir := filepath.Join(data, "archive")
	if _, err := os.Stat(filepath.Join(dir, "index.jsonl")); err != nil {
		return nil
	}
	return func(from, to time.Time) []string {
		a, err := archive.Open(dir, 0)
		if err != nil {
			fmt.Fprintf(stderr, "warning: %v\n", err)
			return nil
		}
		var local []string
		remote := 0
		for _, ref := range a.Refs(from, to) {
			if logs.IsURL(ref) && !archive.IsRange(ref) {
				remote++
				continue
			}
			local = append(local, ref)
		}
		if remote > 0 {
			fmt.Fprintf(stderr, "note: %d archived S3 objects of the range are not read here; run the drilldown through serve's API\n", remote)
		}
		return local
	}
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
