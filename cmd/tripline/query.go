package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/ruleset"
	"github.com/tripline/tripline/internal/table"
)

// queryOptions are query's flags and arguments.
type queryOptions struct {
	lang                  string
	indices               []string
	macros                listFlag
	lookups               listFlag
	geoip, geoipDB, asnDB string
	// inference is the --inference file, for ES|QL's COMPLETION.
	inference string
	output    outputFlags
	workers   int
	query     string
	paths     []string
	// data, from and to search serve's event archive instead of paths.
	data, from, to string
}

func newQueryCmd(s *streams) *cobra.Command {
	o := &queryOptions{}
	cmd := &cobra.Command{
		Use:   "query [flags] QUERY [PATH...]",
		Short: "Run one query over logs, or serve's event archive, and print its rows",
		Long: `Runs one query over all the logs at PATH as a single window (no schedule)
and prints its rows: a way to explore the data, or to try a rule's query
before writing the rule. Without PATH it searches the event archive of
serve's --data directory, reading only the sources that hold events
between --from and --to, and only those events.`,
		Example: `  tripline query 'from logs-aws_bedrock.invocation-* | stats n = count(*) by user.id | sort n desc' ./logs
  tripline query --lang spl '` + "`cloudtrail`" + ` eventSource=bedrock.amazonaws.com | stats count by user_name' ./logs
  tripline query --data ./tripline-data --from 24h 'from logs-aws.cloudtrail-* | stats n = count(*) by event.action'`,
		Args: argsBetween(1, -1, "give a query, and log paths unless you search serve's archive with --data"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.query, o.paths = args[0], args[1:]
			return runQuery(s, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.lang, "lang", "esql", "query `language`: esql, spl, kuery (KQL), eql or sigma (a whole Sigma rule)")
	fs.Var((*listFlag)(&o.indices), "index", "index `pattern` a KQL or EQL query reads, as an Elastic rule names them (repeatable; default: every log tripline reads)")
	fs.Var(&o.macros, "macros", "`directory` of Splunk macro YAML files (repeatable)")
	registerResourceFlags(fs, &o.lookups, &o.geoip, &o.geoipDB, &o.asnDB)
	fs.StringVar(&o.inference, "inference", "", "YAML `file` mapping ES|QL COMPLETION inference ids to endpoints (OpenAI-compatible or Bedrock)")
	o.output.register(fs)
	fs.IntVar(&o.workers, "workers", 0, "decode workers (default: number of CPUs)")
	fs.StringVar(&o.data, "data", "", "serve's data `directory`: without PATH, search its event archive")
	fs.StringVar(&o.from, "from", "", "with --data: events from (24h, 7d before now, or RFC 3339; default: all)")
	fs.StringVar(&o.to, "to", "", "with --data: events until (24h, 7d before now, or RFC 3339; default: now)")
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
	env, err := ruleset.Resources(o.lookups, ruleset.Databases{GeoIP: o.geoip, City: o.geoipDB, ASN: o.asnDB})
	if err != nil {
		return err
	}
	env.Macros = macros
	if env.Inference, err = inferenceClient(o.inference, nil); err != nil {
		return err
	}
	c := engine.CompileEnv(r, env)
	if c.Err != nil {
		return fmt.Errorf("%s", engine.ErrorDetail(c.Err))
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	ctx, stop := context.WithCancel(s.ctx)
	defer stop()
	opt := engine.HuntOptions{Workers: o.workers, Stdin: logs.Options{Stdin: stdin}}
	paths := o.paths
	if len(paths) == 0 {
		if o.data == "" {
			return usagef("give log paths, or --data to search serve's event archive")
		}
		if paths, err = archiveRange(o, &opt, stderr); err != nil {
			return err
		}
		if len(paths) == 0 {
			fmt.Fprintf(stderr, "0 rows: the archive holds no source with events in that range\n")
			return nil
		}
	} else if o.data != "" || o.from != "" || o.to != "" {
		return usagef("--data, --from and --to search the archive: give them without log paths")
	}
	rows, stats, err := engine.Query(ctx, c, paths, opt)
	if err != nil {
		return err
	}
	if err := writeRows(of, format, stdout, rows); err != nil {
		return err
	}
	engine.WriteProblems(stderr, stats)
	if w := env.Inference.Stats().Warning(); w != "" {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	fmt.Fprintf(stderr, "%d rows from %d records\n", len(rows), stats.Total())
	return nil
}

// archiveRange reads --from and --to into opt and returns the archived
// sources of that range in --data.
func archiveRange(o *queryOptions, opt *engine.HuntOptions, stderr io.Writer) ([]string, error) {
	now := time.Now().UTC()
	var err error
	if opt.From, err = parseSince(o.from, now); err != nil {
		return nil, usagef("--from: %v", err)
	}
	if opt.To, err = parseSince(o.to, now); err != nil {
		return nil, usagef("--to: %v", err)
	}
	if opt.To.IsZero() {
		opt.To = now
	}
	if !opt.From.IsZero() && opt.From.After(opt.To) {
		return nil, usagef("--from %s is after --to %s", opt.From.Format(time.RFC3339), opt.To.Format(time.RFC3339))
	}
	opt.Stdin.Open = openArchived
	sources := archivedFiles(o.data, stderr)
	if sources == nil {
		return nil, fmt.Errorf("no event archive in %s (serve keeps one under <data>/archive)", o.data)
	}
	return sources(opt.From, opt.To), nil
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
