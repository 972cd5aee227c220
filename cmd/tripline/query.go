package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/visible"
)

func cmdQuery(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	lang := fs.String("lang", "esql", "query language: esql or spl")
	var macroDirs listFlag
	fs.Var(&macroDirs, "macros", "`directory` of Splunk macro YAML files (repeatable)")
	var of outputFlags
	of.register(fs)
	workers := fs.Int("workers", 0, "decode workers (default: number of CPUs)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: tripline query [flags] QUERY PATH...\n\nRuns one query over all the logs at PATH as a single window and prints its rows.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 2 {
		return usagef("give a query and at least one log path")
	}
	if *lang != rule.LangESQL && *lang != rule.LangSPL {
		return usagef("unknown --lang %q (want esql or spl)", *lang)
	}
	format, err := of.resolve(stdout)
	if err != nil {
		return err
	}
	macros, err := loadMacroDirs(macroDirs)
	if err != nil {
		return err
	}
	r := &rule.Rule{ID: "query", Name: "query", Language: *lang, Query: fs.Arg(0),
		Interval: engine.QuerySpec.Interval, LookBack: engine.QuerySpec.LookBack}
	c := engine.Compile(r, macros)
	if c.Err != nil {
		return fmt.Errorf("%s", engine.ErrorDetail(c.Err))
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rows, stats, err := engine.Query(ctx, c, fs.Args()[1:], engine.HuntOptions{Workers: *workers, Stdin: logs.Options{Stdin: stdin}})
	if err != nil {
		return err
	}
	if err := writeRows(of, format, stdout, rows); err != nil {
		return err
	}
	engine.WriteProblems(stderr, stats)
	fmt.Fprintf(stderr, "%d rows from %d records\n", len(rows), stats.Total())
	return nil
}

// writeRows writes query rows to --out or stdout, as a table or NDJSON.
func writeRows(of outputFlags, format string, stdout io.Writer, rows []exec.Result) error {
	w := stdout
	if of.out != "" {
		f, err := os.Create(of.out)
		if err != nil {
			return fmt.Errorf("cannot write rows: %w", err)
		}
		defer f.Close()
		w = f
	}
	if format == "table" {
		writeRowTable(w, rows)
		return nil
	}
	return writeRowJSON(w, rows)
}

func writeRowTable(w io.Writer, rows []exec.Result) {
	tw := tabwriter.NewWriter(visible.Writer(w), 0, 4, 2, ' ', 0)
	var header []string
	for _, r := range rows {
		if strings.Join(r.Columns, "\t") != strings.Join(header, "\t") {
			header = r.Columns
			fmt.Fprintln(tw, strings.Join(header, "\t"))
		}
		vals := make([]string, len(r.Values))
		for i, v := range r.Values {
			s := v.String()
			if v.IsNull() {
				s = "null"
			}
			if len(s) > 80 {
				s = s[:77] + "..."
			}
			vals[i] = visible.String(s)
		}
		fmt.Fprintln(tw, strings.Join(vals, "\t"))
	}
	tw.Flush()
}

func writeRowJSON(w io.Writer, rows []exec.Result) error {
	for _, r := range rows {
		b := []byte{'{'}
		for i, c := range r.Columns {
			if i > 0 {
				b = append(b, ',')
			}
			b = event.AppendJSONString(b, c) // no HTML escaping: "ATT&CK Tactics" reads as written
			b = append(b, ':')
			b = r.Values[i].AppendJSON(b)
		}
		b = append(b, '}', '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}
