package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/table"
)

// queryOptions are query's flags and arguments.
type queryOptions struct {
	lang    string
	indices []string
	macros  listFlag
	// inference is the --inference file, for ES|QL's COMPLETION.
	inference string
	output    outputFlags
	workers   int
	query     string
	paths     []string
}

func newQueryCmd(s *streams) *cobra.Command {
	o := &queryOptions{}
	cmd := &cobra.Command{
		Use:   "query [flags] QUERY PATH...",
		Short: "Run one ES|QL or SPL query over logs and print its rows",
		Long: `Runs one query over all the logs at PATH as a single window (no schedule)
and prints its rows: a way to explore the data, or to try a rule's query
before writing the rule.`,
		Example: `  tripline query 'from logs-aws_bedrock.invocation-* | stats n = count(*) by user.id | sort n desc' ./logs
  tripline query --lang spl '` + "`cloudtrail`" + ` eventSource=bedrock.amazonaws.com | stats count by user_name' ./logs`,
		Args: argsBetween(2, -1, "give a query and at least one log path"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.query, o.paths = args[0], args[1:]
			return runQuery(s, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.lang, "lang", "esql", "query `language`: esql, spl, kuery (KQL), eql or sigma (a whole Sigma rule)")
	fs.Var((*listFlag)(&o.indices), "index", "index `pattern` a KQL or EQL query reads, as an Elastic rule names them (repeatable; default: every log tripline reads)")
	fs.Var(&o.macros, "macros", "`directory` of Splunk macro YAML files (repeatable)")
	fs.StringVar(&o.inference, "inference", "", "YAML `file` mapping ES|QL COMPLETION inference ids to endpoints (OpenAI-compatible or Bedrock)")
	o.output.register(fs)
	fs.IntVar(&o.workers, "workers", 0, "decode workers (default: number of CPUs)")
	return cmd
}

func runQuery(s *streams, o *queryOptions) error {
	stdin, stdout, stderr, of := s.in, s.out, s.err, o.output
	if o.lang == "kql" {
		o.lang = rule.LangKQL
	}
	switch o.lang {
	case rule.LangESQL, rule.LangSPL, rule.LangSigma, rule.LangKQL, rule.LangEQL:
	default:
		return usagef("unknown --lang %q (want esql, spl, kuery, eql or sigma)", o.lang)
	}
	if len(o.indices) > 0 && o.lang != rule.LangKQL && o.lang != rule.LangEQL {
		return usagef("--index is for KQL and EQL queries: %s names its data in the query", o.lang)
	}
	format, err := of.resolve(stdout)
	if err != nil {
		return err
	}
	macros, err := loadMacroDirs(o.macros)
	if err != nil {
		return err
	}
	r := &rule.Rule{ID: "query", Name: "query", Language: o.lang, Query: o.query, Indices: o.indices,
		Interval: engine.QuerySpec.Interval, LookBack: engine.QuerySpec.LookBack}
	inf, err := inferenceClient(o.inference, nil)
	if err != nil {
		return err
	}
	c := engine.CompileWith(r, engine.CompileOptions{Macros: macros, Inference: inf})
	if c.Err != nil {
		return fmt.Errorf("%s", engine.ErrorDetail(c.Err))
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	ctx, stop := context.WithCancel(s.ctx)
	defer stop()
	rows, stats, err := engine.Query(ctx, c, o.paths, engine.HuntOptions{Workers: o.workers, Stdin: logs.Options{Stdin: stdin}})
	if err != nil {
		return err
	}
	if err := writeRows(of, format, stdout, rows); err != nil {
		return err
	}
	engine.WriteProblems(stderr, stats)
	if w := inf.Stats().Warning(); w != "" {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	fmt.Fprintf(stderr, "%d rows from %d records\n", len(rows), stats.Total())
	return nil
}

// writeRows writes query rows to --out or stdout, as a table or NDJSON.
func writeRows(of outputFlags, format string, stdout io.Writer, rows []exec.Result) error {
	w, done, err := of.open(stdout)
	if err != nil {
		return err
	}
	switch format {
	case formatTable:
		writeRowTable(w, rows)
	default:
		err = writeRowJSON(w, rows)
	}
	return errors.Join(err, done())
}

func writeRowTable(w io.Writer, rows []exec.Result) {
	width := termWidth(w)
	var tab *table.Table
	var header []string
	for _, r := range rows {
		if !slices.Equal(r.Columns, header) {
			if tab != nil {
				tab.Write(w)
			}
			header = r.Columns
			tab = table.New(width, header...)
		}
		vals := make([]string, len(r.Values))
		for i, v := range r.Values {
			vals[i] = v.String()
			if v.IsNull() {
				vals[i] = "null"
			}
		}
		tab.Row(vals...)
	}
	if tab != nil {
		tab.Write(w)
	}
}

// writeRowJSON writes the rows as NDJSON.
func writeRowJSON(w io.Writer, rows []exec.Result) error {
	for _, r := range rows {
		b := append(appendRow(nil, r), '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// appendRow appends one row as a JSON object, its columns in order.
func appendRow(b []byte, r exec.Result) []byte {
	b = append(b, '{')
	for i, c := range r.Columns {
		if i > 0 {
			b = append(b, ',')
		}
		b = event.AppendJSONString(b, c) // no HTML escaping: "ATT&CK Tactics" reads as written
		b = append(b, ':')
		b = r.Values[i].AppendJSON(b)
	}
	return append(b, '}')
}
