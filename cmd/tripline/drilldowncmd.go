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
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/rule"
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
	if n > len(a.Drilldowns) {
		return fmt.Errorf("alert %s has %d drilldowns, not %d", id, len(a.Drilldowns), n)
	}
	dd := a.Drilldowns[n-1]
	fmt.Fprintf(stderr, "%s\n", dd.Name)
	var rows []exec.Result
	if engine.IsRiskSearch(dd.Search) {
		now, err := drilldownNow(*nowFlag, a)
		if err != nil {
			return err
		}
		if rows, err = engine.RunRiskSearch(ctx, st, dd.Search, now); err != nil {
			return fmt.Errorf("cannot run drilldown %d: %s", n, engine.ErrorDetail(err))
		}
		fmt.Fprintf(stderr, "risk events of the store, searched at %s\n", now.UTC().Format(time.RFC3339))
	} else {
		if len(logPaths) == 0 {
			return usagef("drilldown %d searches logs, not the alert store: give the logs with --logs PATH "+
				"(its window is %s to %s)", n, epochText(dd.Earliest), epochText(dd.Latest))
		}
		macros, err := loadMacroDirs(macroDirs)
		if err != nil {
			return err
		}
		lang := a.Rule.Language
		if lang != rule.LangESQL {
			lang = rule.LangSPL
		}
		r := &rule.Rule{ID: "drilldown", Name: dd.Name, Language: lang, Query: dd.Search,
			Interval: engine.QuerySpec.Interval, LookBack: engine.QuerySpec.LookBack}
		c := engine.Compile(r, macros)
		if c.Err != nil {
			return fmt.Errorf("cannot run drilldown %d: %s", n, engine.ErrorDetail(c.Err))
		}
		var read logs.Stats
		if rows, read, err = engine.Query(ctx, c, logPaths, engine.HuntOptions{}); err != nil {
			return fmt.Errorf("cannot run drilldown %d: %w", n, err)
		}
		fmt.Fprintf(stderr, "searched %d records of %s as one window\n", read.Total(), strings.Join(logPaths, ", "))
	}
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
		if !a.Window.End.IsZero() {
			return a.Window.End, nil
		}
		if !a.LastSeen.IsZero() {
			return a.LastSeen, nil
		}
		return time.Now(), nil
	case "wall", "now":
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usagef("--now wants alert, wall or an RFC 3339 time, got %q", s)
	}
	return t, nil
}

// epochText renders a filled $info_min_time$-style offset (epoch seconds)
// as RFC 3339, or returns it as it is.
func epochText(s string) string {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC().Format(time.RFC3339)
	}
	if s == "" {
		return "?"
	}
	return s
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
		if n > len(a.Drilldowns) {
			return server.DrilldownResult{}, fmt.Errorf("alert %s has %d drilldowns: %w", id, len(a.Drilldowns), store.ErrNotFound)
		}
		dd := a.Drilldowns[n-1]
		res := server.DrilldownResult{Name: dd.Name, Search: dd.Search}
		now, _ := drilldownNow("alert", a)
		rows, err := engine.RunRiskSearch(ctx, st, dd.Search, now)
		if errors.Is(err, engine.ErrNotRiskSearch) {
			return res, fmt.Errorf("it searches logs, not the risk store (run it with tripline alerts drilldown --logs): %w", server.ErrCannotRun)
		}
		if err != nil {
			return res, err
		}
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
